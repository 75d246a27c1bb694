"""The counter's lookup endpoint: POST with CSRF, counter roles only, limited per officer,
answers found / not found / registry down in Vietnamese; the lookup log screen is the unit's
managers' and administrators', scoped, filtered by bounded dates, paginated."""

import datetime as dt

import pytest
from django.test import Client

from motcua.accounts.models import Role
from motcua.registry.models import Outcome, RegistryLookup

from .conftest import LAN, make_user

pytestmark = pytest.mark.django_db

LOOKUP = "/can-bo/dan-cu/tra-cuu/"
LOG = "/can-bo/dan-cu/nhat-ky/"


def post(client, citizen_id, **extra):
    return client.post(LOOKUP, {"citizen_id": citizen_id, **extra}, HTTP_ACCEPT="application/json")


def test_the_officer_gets_the_person_and_the_lookup_is_logged(client, people, officer):
    client.force_login(officer)
    answer = post(client, "0311 9001 2345")
    assert answer.status_code == 200
    data = answer.json()
    row = RegistryLookup.objects.get()
    assert data["found"] is True and data["lookup"] == row.pk
    assert data["person"] == {
        "citizen_id": LAN,
        "full_name": "Nguyễn Thị Lan",
        "date_of_birth": "14/03/1990",
        "sex": "Nữ",
        "permanent_residence": "Tổ dân phố 1, xã Vĩnh Bảo, thành phố Hải Phòng",
        "current_residence": "Tổ dân phố 1, xã Vĩnh Bảo, thành phố Hải Phòng",
    }
    assert "household" not in data["person"]  # the counter needs the identity, not the family
    assert (row.actor, row.unit.code, row.purpose) == (officer, "11824", "reception")


def test_not_found_down_and_malformed_answers_say_what_to_do(client, people, officer, settings):
    client.force_login(officer)
    missing = post(client, "031099000000").json()
    assert missing["found"] is False and "Không tìm thấy" in missing["message"]
    bad = post(client, "12345")
    assert bad.status_code == 400 and "12 chữ số" in bad.json()["error"]
    settings.MOTCUA_REGISTRY_DOWN = True
    down = post(client, LAN)
    assert down.status_code == 503
    assert down.json()["unavailable"] is True
    assert "Vẫn tiếp nhận được" in down.json()["message"]
    assert list(RegistryLookup.objects.order_by("id").values_list("outcome", flat=True)) == [
        Outcome.NOT_FOUND,
        Outcome.UNAVAILABLE,
    ]


def test_refusals(client, people, officer, citizen, vinh_bao):
    assert post(client, LAN).status_code == 302  # signed out: to the sign-in page
    client.force_login(citizen)
    assert post(client, LAN).status_code == 403
    client.force_login(make_user((Role.SPECIALIST, vinh_bao)))
    assert post(client, LAN).status_code == 403
    client.force_login(make_user((Role.DIGITAL_TEAM, vinh_bao)))
    assert post(client, LAN).status_code == 403  # reception is the counter's
    assert post(client, LAN, purpose="assisted_filing").status_code == 200
    client.force_login(officer)
    assert client.get(LOOKUP, {"citizen_id": LAN}).status_code == 405
    assert post(client, LAN, purpose="curiosity").status_code == 400
    assert RegistryLookup.objects.count() == 1


def test_the_endpoint_needs_the_csrf_token(people, officer):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(officer)
    assert post(strict, LAN).status_code == 403
    assert not RegistryLookup.objects.exists()


def test_lookups_are_limited_per_officer(client, people, officer, settings):
    settings.MOTCUA_REGISTRY_LOOKUPS_PER_MINUTE = 2
    client.force_login(officer)
    assert post(client, LAN).status_code == 200
    assert post(client, LAN).status_code == 200
    limited = post(client, LAN)
    assert limited.status_code == 429 and "Retry-After" in limited
    assert "quá nhiều" in limited.json()["error"]
    assert RegistryLookup.objects.count() == 2


def _lookups(client, user, n, citizen_id=LAN):
    client.force_login(user)
    for _ in range(n):
        assert post(client, citizen_id).status_code == 200


def test_the_manager_reads_the_log_of_the_unit_and_no_other(
    client, people, officer, other_officer, manager, other_manager
):
    _lookups(client, officer, 2)
    _lookups(client, other_officer, 1, "031099000000")
    client.force_login(manager)
    page = client.get(LOG)
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('data-testid="lookup-row"') == 2
    assert LAN in html and "Nguyễn Thị Hòa" in html and "031099000000" not in html
    client.force_login(other_manager)
    html = client.get(LOG).content.decode()
    assert html.count('data-testid="lookup-row"') == 1 and LAN not in html
    client.force_login(officer)
    assert client.get(LOG).status_code == 403  # officers do not read the log
    client.force_login(make_user())
    assert client.get(LOG).status_code == 403


def test_the_log_filters_by_day_and_pages(client, people, officer, manager, vinh_bao):
    today = dt.datetime(2026, 12, 3, 9, tzinfo=dt.UTC)
    RegistryLookup.objects.bulk_create(
        RegistryLookup(
            at=today - dt.timedelta(days=n % 2, minutes=n),
            unit=vinh_bao,
            actor=officer,
            purpose="reception",
            citizen_id=LAN,
            outcome="found",
            backend="local",
        )
        for n in range(60)
    )
    client.force_login(manager)
    first = client.get(LOG).content.decode()
    assert first.count('data-testid="lookup-row"') == 50 and "Trang 1/2" in first
    assert client.get(LOG, {"page": "2"}).content.decode().count('data-testid="lookup-row"') == 10
    day = client.get(LOG, {"tu": "2026-12-03", "den": "2026-12-03"}).content.decode()
    assert day.count('data-testid="lookup-row"') == 30
    for hostile in ({"tu": "9999-12-31"}, {"den": "0001-01-01"}, {"tu": "x"}, {"page": "-1"}):
        assert client.get(LOG, hostile).status_code == 200
    backwards = client.get(LOG, {"tu": "2026-12-03", "den": "2026-12-01"}).content.decode()
    assert "“Đến ngày” phải sau “Từ ngày”." in backwards
    assert 'data-testid="lookup-row"' not in backwards
