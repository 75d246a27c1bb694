"""The digitization rules of issue 13 (decisions/0034): every component, not any; the five
defects found and fixed; the figures behind the service index, counted by hand."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.catalog.models import Component
from motcua.dossiers import defects, digitization, selectors, services
from motcua.dossiers.defects import Filters, Kind
from motcua.dossiers.models import Dossier, DossierDocument, IdentityVia, Status
from tests.pdfs import tiny_pdf

from .factories import at, drive_to, make_procedure, pdf, receive

K = DossierDocument.Kind


def scan(world, component):
    """The counter scans one component (bytes of its own: the same scan twice is refused)."""
    return services.attach_component_scan(
        world.officer,
        component_id=component.pk,
        files=[ContentFile(tiny_pdf(f"Giay to {component.pk}"), name="quet.pdf")],
    )


def kinds_of(user, dossier, **filters) -> list[str]:
    found = defects.find(user, Filters(**filters))
    for row in defects.rows(found, found.dossiers):
        if row.dossier.pk == dossier.pk:
            return [d.kind for d in row.defects]
    return []


def three_papers(world):
    Component.objects.create(procedure=world.procedure, order=3, name="Giấy xác nhận cư trú")
    return world.procedure


# --- every component, not any ------------------------------------------------------------------


def test_one_of_three_components_scanned_is_not_a_digitized_dossier(world):
    three_papers(world)
    dossier = receive(world, identity_verified_via=IdentityVia.CHIP_CARD)
    first, second, third = dossier.components.all()
    scan(world, first)
    dossier.refresh_from_db()
    assert not dossier.all_components_digitized
    assert Kind.COMPONENTS_NOT_ATTACHED in kinds_of(world.leader, dossier)
    assert facts(world)["digitized"] == 0  # the index counts it as not digitized
    scan(world, second)
    scan(world, third)
    dossier.refresh_from_db()
    assert dossier.all_components_digitized
    assert kinds_of(world.leader, dossier) == []
    assert facts(world)["digitized"] == 1


def facts(world) -> dict:
    return selectors.index_facts([world.commune.pk], at(2026, 11, 1), at(2026, 12, 1))


def test_components_reused_or_from_state_data_count_as_digitized(world):
    three_papers(world)
    dossier = receive(
        world,
        components=[
            services.ComponentIn(name="Tờ khai đăng ký khai sinh", file=pdf()),
            services.ComponentIn(name="Giấy chứng sinh", reused_from_warehouse=True),
            services.ComponentIn(name="Giấy xác nhận cư trú", from_state_data=True),
        ],
    )
    assert dossier.all_components_digitized
    counts = services.refresh_digitized(dossier)
    assert counts is True


# --- the five defects, each found and fixed ----------------------------------------------------


def test_finished_dossier_without_result_file_is_a_defect(world):
    dossier = drive_to(world, Status.RETURNED)
    assert Kind.NO_RESULT_FILE not in kinds_of(world.leader, dossier)
    dossier.documents.filter(kind=K.RESULT).delete()  # an older row, imported without its file
    assert Kind.NO_RESULT_FILE in kinds_of(world.leader, dossier)
    with pytest.raises(PermissionDenied):  # the counter officer does not attach results
        services.attach_missing_paper(world.officer, dossier_id=dossier.pk, pdf_bytes=b"%PDF-1")
    services.attach_missing_paper(world.specialist, dossier_id=dossier.pk, pdf_bytes=b"%PDF-1")
    assert Kind.NO_RESULT_FILE not in kinds_of(world.leader, dossier)


def test_counter_dossier_with_components_not_attached_is_a_defect(world):
    dossier = receive(world, identity_verified_via=IdentityVia.CHIP_CARD)
    assert kinds_of(world.leader, dossier) == [Kind.COMPONENTS_NOT_ATTACHED]
    for component in dossier.components.all():
        scan(world, component)
    assert kinds_of(world.leader, dossier) == []


def test_identity_not_verified_at_reception_is_a_defect(world):
    dossier = receive(world)
    assert Kind.IDENTITY_NOT_VERIFIED in kinds_of(world.leader, dossier)
    checked = receive(world, identity_verified_via=IdentityVia.CHIP_CARD)
    assert Kind.IDENTITY_NOT_VERIFIED not in kinds_of(world.leader, checked)


@pytest.mark.parametrize(
    ("status", "letter", "fixer"),
    [
        (Status.REFUSED, K.REFUSAL_LETTER, "officer"),
        (Status.STOPPED, K.STOP_LETTER, "specialist"),
        (Status.WITHDRAWN, K.WITHDRAWAL_REQUEST, "officer"),
    ],
)
def test_refused_stopped_or_withdrawn_without_its_letter_is_a_defect(world, status, letter, fixer):
    dossier = drive_to(world, status)
    assert Kind.NO_LETTER not in kinds_of(world.leader, dossier)
    dossier.documents.filter(kind=letter).delete()
    assert Kind.NO_LETTER in kinds_of(world.leader, dossier)
    services.attach_missing_paper(getattr(world, fixer), dossier_id=dossier.pk, pdf_bytes=b"%PDF-1")
    assert Kind.NO_LETTER not in kinds_of(world.leader, dossier)
    assert dossier.documents.filter(kind=letter).count() == 1


def issued_birth_certificate(world) -> Dossier:
    """A birth registration returned on 1/10 with its signed "Giấy khai sinh"."""
    world.procedure.result_type = "Giấy khai sinh (bản chính)"
    world.procedure.save(update_fields=["result_type"])
    earlier = drive_to(world, Status.RETURNED)
    earlier.documents.filter(kind=K.RESULT).update(created_at=at(2026, 10, 1))
    Dossier.objects.filter(pk=earlier.pk).update(returned_at=at(2026, 10, 1))
    return earlier


def residence_procedure(world):
    procedure = make_procedure(world.province, name="Đăng ký thường trú", steps=False)
    procedure.components.all().delete()
    Component.objects.create(procedure=procedure, order=1, name="Bản sao Giấy khai sinh")
    return procedure


def test_paper_recollected_although_the_citizen_held_it_is_a_defect(world):
    earlier = issued_birth_certificate(world)
    procedure = residence_procedure(world)
    dossier = receive(world, at(2026, 11, 2, 9), procedure=procedure)
    assert Kind.RECOLLECTED in kinds_of(world.leader, dossier)
    component = dossier.components.get()
    result = earlier.documents.get(kind=K.RESULT)
    services.reuse_issued_result(world.officer, component_id=component.pk, result_id=result.pk)
    component.refresh_from_db()
    assert component.reused_from_warehouse and component.file
    assert Kind.RECOLLECTED not in kinds_of(world.leader, dossier)
    dossier.refresh_from_db()
    assert dossier.all_components_digitized


def test_counter_reception_reuses_a_valid_issued_result_instead_of_the_paper(world):
    earlier = issued_birth_certificate(world)
    result = earlier.documents.get(kind=K.RESULT)
    dossier = receive(
        world,
        at(2026, 11, 2, 9),
        procedure=residence_procedure(world),
        components=[services.ComponentIn(name="Bản sao Giấy khai sinh", reuse_result=result.pk)],
    )
    component = dossier.components.get()
    assert component.reused_from_warehouse and component.file
    assert Kind.RECOLLECTED not in kinds_of(world.leader, dossier)


def test_another_citizens_result_cannot_be_reused_at_the_counter(world):
    from django.core.exceptions import ValidationError

    from .factories import applicant

    result = issued_birth_certificate(world).documents.get(kind=K.RESULT)
    with pytest.raises(ValidationError):
        receive(
            world,
            at(2026, 11, 2, 9),
            procedure=residence_procedure(world),
            applicant=applicant(id_number="001203009999", name="Lê Thị Bình"),
            components=[
                services.ComponentIn(name="Bản sao Giấy khai sinh", reuse_result=result.pk)
            ],
        )


# --- who sees them -----------------------------------------------------------------------------


def test_another_units_dossiers_are_never_listed(world):
    dossier = receive(world)
    found = defects.find(world.other_leader)
    assert dossier.pk not in set(found.dossiers.values_list("pk", flat=True))
    with pytest.raises(PermissionDenied):
        defects.find(world.other_leader, Filters(unit_id=world.commune.pk))


def test_a_specialist_may_not_see_the_defects(world):
    with pytest.raises(PermissionDenied):
        defects.find(world.specialist)
    with pytest.raises(PermissionDenied):
        digitization.figures(world.specialist)


def test_filters_by_kind_officer_and_period(world):
    dossier = receive(world, at(2026, 11, 2, 9))
    assert kinds_of(world.leader, dossier, kind=Kind.IDENTITY_NOT_VERIFIED) == [
        Kind.IDENTITY_NOT_VERIFIED
    ]
    assert kinds_of(world.leader, dossier, kind=Kind.NO_LETTER) == []
    assert kinds_of(world.leader, dossier, officer_id=world.officer.pk)
    assert kinds_of(world.leader, dossier, officer_id=world.leader.pk) == []
    assert kinds_of(world.leader, dossier, start=at(2026, 11, 3, 0)) == []


def test_a_page_of_defects_costs_a_bounded_number_of_queries(world):
    issued_birth_certificate(world)
    procedure = residence_procedure(world)

    def page_queries() -> int:
        with CaptureQueriesContext(connection) as seen:
            found = defects.find(world.leader)
            rows = defects.rows(found, found.dossiers[:20])
        assert rows
        return len(seen.captured_queries)

    receive(world, at(2026, 11, 2, 9), procedure=procedure)
    few = page_queries()
    for hour in range(10, 15):
        receive(world, at(2026, 11, 2, hour), procedure=procedure)
        receive(world, at(2026, 11, 2, hour))
    assert page_queries() == few


# --- the figures, counted by hand --------------------------------------------------------------


def test_digitization_figures_match_a_hand_count(world):
    # A: counter, both components scanned            -> components ✓, reuse ✗, filed ✓
    a = receive(
        world,
        at(2026, 11, 2, 9),
        components=[
            services.ComponentIn(name="Tờ khai đăng ký khai sinh", file=pdf()),
            services.ComponentIn(name="Giấy chứng sinh", file=pdf()),
        ],
    )
    # B: counter, one scanned, one reused            -> components ✓, reuse ✓, filed ✓
    b = receive(
        world,
        at(2026, 11, 2, 10),
        components=[
            services.ComponentIn(name="Tờ khai đăng ký khai sinh", file=pdf()),
            services.ComponentIn(name="Giấy chứng sinh", reused_from_warehouse=True),
        ],
    )
    # C: counter, nothing scanned                    -> components ✗, reuse ✗, filed ✗
    c = receive(world, at(2026, 11, 2, 11))
    # D: returned with a signed result, nothing scanned -> components ✗, result ✓, filed ✗
    d = drive_to(world, Status.RETURNED, at(2026, 11, 2, 12))
    # E: submitted online, never accepted: not received, in no figure
    drive_to(world, Status.SUBMITTED, at(2026, 11, 2, 13))
    figures = {f.key: f for f in digitization.figures(world.leader)}
    # received: A, B, C, D = 4
    assert (figures["thanh-phan"].numerator, figures["thanh-phan"].denominator) == (2, 4)
    # with a result: D = 1, signed with its file: D = 1
    assert (figures["ket-qua"].numerator, figures["ket-qua"].denominator) == (1, 1)
    # reused from the documents or the state's data: B = 1 of 4
    assert (figures["tai-su-dung"].numerator, figures["tai-su-dung"].denominator) == (1, 4)
    # citizens' dossiers 4; every component with its file: A only (B's reused component has no
    # file of its own in this test; C and D none) = 1
    assert (figures["kho-cong-dan"].numerator, figures["kho-cong-dan"].denominator) == (1, 4)
    assert figures["thanh-phan"].percent == 50.0
    behind = digitization.dossiers(world.leader, "thanh-phan", "tu-so")
    assert set(behind.values_list("pk", flat=True)) == {a.pk, b.pk}
    behind = digitization.dossiers(world.leader, "thanh-phan", "mau-so")
    assert set(behind.values_list("pk", flat=True)) == {a.pk, b.pk, c.pk, d.pk}
    # another unit's leader counts none of them
    other = {f.key: f for f in digitization.figures(world.other_leader)}
    assert other["thanh-phan"].denominator == 0
