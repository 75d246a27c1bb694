"""At reception the counter officer looks the applicant up in the population database: a
lookup that confirms the applicant records "identity verified through the national population
database" on the dossier (the digitization score counts it); not found, registry down or
another person's lookup leaves the dossier as the officer typed it, not verified that way."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from motcua.core import calendar
from motcua.dossiers import selectors
from motcua.dossiers.models import Dossier, IdentityVia
from motcua.registry.models import RegistryLookup
from tests.dossiers.factories import make_procedure

from .conftest import LAN, MINH

pytestmark = pytest.mark.django_db

RECEPTION = "/can-bo/mot-cua/tiep-nhan/"
LOOKUP = "/can-bo/dan-cu/tra-cuu/"


@pytest.fixture(autouse=True)
def _media_and_calendar(settings, tmp_path, db):
    settings.MEDIA_ROOT = tmp_path / "media"
    calendar.clear_cache()
    call_command("load_calendar", stdout=StringIO())
    yield
    calendar.clear_cache()


@pytest.fixture
def procedure(vinh_bao):
    return make_procedure(vinh_bao.parent)


def form_data(procedure, key, **over):
    data = {
        "procedure": procedure.pk,
        "key": key,
        "applicant_kind": "1",
        "applicant_name": "Nguyễn Thị Lan",
        "applicant_id_number": LAN,
        "applicant_phone": "0912 345 678",
        "applicant_address": "Tổ dân phố 1, xã Vĩnh Bảo, thành phố Hải Phòng",
        "applicant_email": "",
        "identity_via": IdentityVia.NONE,
        "delivery": "counter",
        "action": "receive",
    }
    for c in procedure.components.all():
        data[f"c{c.pk}_received"] = "on"
        data[f"c{c.pk}_form"] = "original"
        data[f"c{c.pk}_count"] = "1"
    data.update(over)
    return data


def looked_up(client, citizen_id=LAN) -> int:
    answer = client.post(LOOKUP, {"citizen_id": citizen_id}, HTTP_ACCEPT="application/json")
    return answer.json().get("lookup")


def receive(client, procedure, key="k-1", **over):
    answer = client.post(RECEPTION, form_data(procedure, key, **over))
    assert answer.status_code == 302, answer.content.decode()[:2000]
    return Dossier.objects.get(idempotency_key=key)


def test_the_reception_form_offers_the_lookup_and_not_the_database_as_a_choice(
    client, people, officer, procedure
):
    client.force_login(officer)
    html = client.get(RECEPTION, {"thu_tuc": procedure.pk}).content.decode()
    assert "Tra cứu CSDL dân cư" in html and f'data-registry-lookup="{LOOKUP}"' in html
    assert 'name="registry_lookup"' in html
    assert 'value="population_db"' not in html


def test_a_confirming_lookup_records_the_population_database(client, people, officer, procedure):
    client.force_login(officer)
    lookup_id = looked_up(client)
    dossier = receive(client, procedure, registry_lookup=lookup_id)
    assert dossier.identity_verified
    assert dossier.identity_verified_via == IdentityVia.POPULATION_DB
    assert dossier.applicant_name == "Nguyễn Thị Lan"
    # the officer had also ticked the chip-card reader: the lookup is what is recorded
    again = receive(
        client, procedure, key="k-2", registry_lookup=lookup_id, identity_via="chip_card"
    )
    assert again.identity_verified_via == IdentityVia.POPULATION_DB
    # the service index counts both as verified identities
    day = dossier.submitted_at
    facts = selectors.index_facts(
        [dossier.competent_unit_id], day - dt.timedelta(hours=1), day + dt.timedelta(hours=1)
    )
    assert facts["identity_verified"] == 2


def test_lookups_that_do_not_confirm_leave_what_the_officer_chose(
    client, people, officer, other_officer, procedure
):
    client.force_login(officer)
    lan = looked_up(client)
    minh = looked_up(client, MINH)
    nobody = looked_up(client, "031099000000")
    cases = [
        {"registry_lookup": minh},  # someone else's lookup
        {"registry_lookup": nobody, "applicant_id_number": "031099000000"},  # not found
        {"registry_lookup": lan, "applicant_name": "Nguyễn Thị Lanh"},  # not the registry's name
        {"registry_lookup": lan, "applicant_id_number": MINH, "applicant_name": "Phạm Văn Minh"},
    ]
    for n, over in enumerate(cases):
        dossier = receive(client, procedure, key=f"n-{n}", **over)
        assert not dossier.identity_verified, over
        assert dossier.identity_verified_via == IdentityVia.NONE
    chip = receive(client, procedure, key="chip", registry_lookup=minh, identity_via="chip_card")
    assert chip.identity_verified_via == IdentityVia.CHIP_CARD
    # another unit's officer cannot borrow this officer's lookup
    client.force_login(other_officer)
    foreign = receive(client, procedure, key="foreign", registry_lookup=lan)
    assert foreign.identity_verified_via == IdentityVia.NONE


def test_an_old_lookup_no_longer_verifies(client, people, officer, procedure, vinh_bao):
    stale = RegistryLookup.objects.create(
        at=dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC),
        actor=officer,
        unit=vinh_bao,
        purpose="reception",
        citizen_id=LAN,
        outcome="found",
        backend="local",
    )
    client.force_login(officer)
    dossier = receive(client, procedure, registry_lookup=stale.pk)
    assert dossier.identity_verified_via == IdentityVia.NONE


def test_the_database_cannot_be_claimed_without_a_lookup(client, people, officer, procedure):
    client.force_login(officer)
    answer = client.post(RECEPTION, form_data(procedure, "claim", identity_via="population_db"))
    assert answer.status_code == 400
    assert not Dossier.objects.exists()
    forged = client.post(RECEPTION, form_data(procedure, "forged", registry_lookup="abc"))
    assert forged.status_code == 400 and not Dossier.objects.exists()


def test_a_registry_that_is_down_still_lets_the_officer_receive_by_typing(
    client, people, officer, procedure, settings
):
    settings.MOTCUA_REGISTRY_DOWN = True
    client.force_login(officer)
    assert looked_up(client) is None
    dossier = receive(client, procedure, registry_lookup="")
    assert dossier.status is not None and not dossier.identity_verified
    assert dossier.code.startswith("DEMO.31.11824")


def test_without_javascript_the_lookup_button_brings_the_form_back_filled(
    client, people, officer, procedure, settings
):
    client.force_login(officer)
    typed = form_data(procedure, "nojs", applicant_name="", applicant_address="", action="lookup")
    first = procedure.components.order_by("order").first()
    typed.pop(f"c{first.pk}_received")  # a paper the officer unticked stays unticked
    page = client.post(RECEPTION, typed)
    assert page.status_code == 200
    html = page.content.decode()
    row = RegistryLookup.objects.get()
    assert "Đã tìm thấy trong CSDL quốc gia về dân cư" in html and "14/03/1990" in html
    assert 'value="Nguyễn Thị Lan"' in html
    assert 'value="Tổ dân phố 1, xã Vĩnh Bảo, thành phố Hải Phòng"' in html
    assert f'name="registry_lookup" value="{row.pk}"' in html
    assert 'value="nojs"' in html  # the same one-time key
    unticked, ticked = procedure.components.order_by("order")
    assert f'name="c{unticked.pk}_received" checked' not in html
    assert f'name="c{ticked.pk}_received" checked' in html
    assert not Dossier.objects.exists()
    dossier = receive(client, procedure, key="nojs", registry_lookup=row.pk)
    assert dossier.identity_verified_via == IdentityVia.POPULATION_DB

    missing = client.post(
        RECEPTION,
        form_data(procedure, "nojs-2", applicant_id_number="031099000000", action="lookup"),
    ).content.decode()
    assert (
        "Không tìm thấy số định danh này" in missing
        and 'name="registry_lookup" value' not in missing
    )
    settings.MOTCUA_REGISTRY_DOWN = True
    down = client.post(RECEPTION, form_data(procedure, "nojs-3", action="lookup")).content.decode()
    assert "Không kết nối được Cơ sở dữ liệu quốc gia về dân cư" in down
    assert 'value="Nguyễn Thị Lan"' in down  # what the officer typed is kept
    bad = client.post(
        RECEPTION, form_data(procedure, "nojs-4", applicant_id_number="1", action="lookup")
    )
    assert bad.status_code == 200 and "12 chữ số" in bad.content.decode()
