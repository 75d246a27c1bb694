"""Dossier codes `<agency code>-<yymmdd>-<NNNN>`: consecutive per receiving unit and local day,
reset every day, never reused; a double-submitted form returns the same dossier."""

import pytest
from django.core.files.base import ContentFile
from django.db import transaction

from motcua.dossiers import services
from motcua.dossiers.codes import next_dossier_code
from motcua.dossiers.models import DailySequence, Dossier
from tests.pdfs import tiny_pdf

from .factories import applicant, at, receive

pytestmark = pytest.mark.django_db


def test_code_is_agency_code_date_and_a_four_digit_daily_number(world):
    first = receive(world, at(2026, 11, 2, 9))
    second = receive(world, at(2026, 11, 2, 14))
    prefix = world.commune.agency_code
    assert first.code == f"{prefix}-261102-0001"
    assert second.code == f"{prefix}-261102-0002"


def test_numbering_restarts_each_local_day(world):
    receive(world, at(2026, 11, 2, 16))
    # 06:30 local on the 3rd is still 2 November in UTC: the local day decides.
    early = receive(world, at(2026, 11, 3, 6, 30))
    assert early.code.endswith("-261103-0001")


def test_each_receiving_unit_has_its_own_sequence_and_falls_back_to_its_code(world):
    receive(world)
    other = services.receive_at_counter(
        world.other_officer,
        procedure=world.procedure,
        receiving_unit=world.other,
        applicant=applicant(),
        at=at(2026, 11, 2, 9),
    )
    assert other.code == f"{world.other.code}-261102-0001"  # no agency code: the unit code


def test_online_submissions_share_the_receiving_units_sequence(world):
    receive(world, at(2026, 11, 2, 9))
    online = services.submit_online(
        None,
        procedure=world.procedure,
        receiving_unit=world.commune,
        applicant=applicant(),
        at=at(2026, 11, 2, 10),
    )
    assert online.code.endswith("-0002")


def test_a_rolled_back_reception_gives_its_number_back(world):
    with pytest.raises(RuntimeError), transaction.atomic():
        next_dossier_code(world.commune, at(2026, 11, 2, 9))
        raise RuntimeError("the reception failed after taking a number")
    assert receive(world, at(2026, 11, 2, 9)).code.endswith("-0001")


def test_after_9999_a_day_the_number_grows_to_five_digits(world):
    DailySequence.objects.create(unit=world.commune, day=at(2026, 11, 2).date(), last_value=9999)
    assert receive(world, at(2026, 11, 2, 9)).code.endswith("-261102-10000")


def test_codes_are_only_taken_inside_a_transaction(transactional_db):
    from motcua.core.models import Unit

    unit = Unit.objects.create(code="99999", name="Xã Thử", kind="commune")
    with pytest.raises(RuntimeError):
        next_dossier_code(unit)
    assert not DailySequence.objects.exists()


def test_double_submitted_counter_form_returns_the_same_dossier(world):
    first = receive(world, idempotency_key="form-7f3a")
    again = receive(world, idempotency_key="form-7f3a")
    assert again.pk == first.pk
    assert Dossier.objects.count() == 1
    assert DailySequence.objects.get().last_value == 1  # no number wasted
    assert receive(world, idempotency_key="form-other").pk != first.pk


def test_reception_snapshots_the_procedure_deadline_and_fees(world):
    dossier = receive(world)
    world.procedure.processing_days = 10
    world.procedure.save()
    dossier.refresh_from_db()
    assert dossier.processing_days == 5
    assert dossier.fee_total_vnd == 8000
    assert dossier.fees[0]["amount_vnd"] == 8000
    assert dossier.rule_version.startswith("ND118/2025")
    assert dossier.procedure_name == "Đăng ký khai sinh"
    assert dossier.components.count() == 2


def test_scanned_components_and_identity_check_are_recorded(world):
    from .factories import pdf

    dossier = receive(
        world,
        components=[
            services.ComponentIn(name="Tờ khai", file=pdf("to-khai.pdf")),
            services.ComponentIn(name="Giấy chứng sinh", reused_from_warehouse=True),
        ],
        identity_verified_via="chip_card",
    )
    # one scanned, one reused from the citizen's documents: every component in hand
    assert dossier.identity_verified and dossier.all_components_digitized
    assert list(dossier.components.values_list("digitized", "reused_from_warehouse")) == [
        (True, False),
        (False, True),
    ]
    plain = receive(world)
    assert not plain.identity_verified and not plain.all_components_digitized
    first, *rest = plain.components.all()
    services.attach_component_scan(
        world.officer, component_id=first.pk, files=[ContentFile(tiny_pdf(), name="quet.pdf")]
    )
    plain.refresh_from_db()
    assert plain.all_components_digitized is (not rest)
    for n, component in enumerate(rest):  # each its own bytes: the same scan twice is refused
        scanned = ContentFile(tiny_pdf(f"Giay to quet {n}"), name="quet.pdf")
        services.attach_component_scan(world.officer, component_id=component.pk, files=[scanned])
    plain.refresh_from_db()
    assert plain.all_components_digitized
