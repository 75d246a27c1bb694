"""Kết quả phục vụ: a unit's public results page, without sign-in and without personal data."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from motcua.core import calendar
from motcua.core.calendar import LOCAL_TZ
from motcua.dossiers import services
from motcua.kpi import results_views
from motcua.queueing.models import Service
from tests.dossiers.factories import at, make_world, receive
from tests.kpi.index_formulas import ensure_shipped_formula_set

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 17, 9, 0, tzinfo=LOCAL_TZ)


@pytest.fixture
def world(db, settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    calendar.clear_cache()
    call_command("load_calendar", stdout=StringIO())
    ensure_shipped_formula_set()
    w = make_world()
    w.late = receive(w, at(2026, 11, 2, 9))
    services.start_processing(w.officer, dossier_id=w.late.pk, assignee=w.specialist)
    monkeypatch.setattr(results_views, "current_time", lambda: NOW)
    yield w
    calendar.clear_cache()


def test_anyone_sees_the_units_index_its_groups_and_the_cut_off(client, world):
    page = client.get(f"/ket-qua/{world.commune.code}/")
    assert page.status_code == 200
    r = page.context["r"]
    assert r.cut_off == dt.datetime(2026, 11, 17, 0, 0, tzinfo=LOCAL_TZ)
    assert (r.period.date_from, r.period.date_to) == (dt.date(2026, 11, 1), dt.date(2026, 11, 16))
    assert len(r.groups) == 6
    html = page.content.decode()
    assert "Xã An Hưng" in html
    assert "Số liệu tính đến 00:00 17/11/2026" in html
    for label in ("Hồ sơ giải quyết đúng hạn", "Hồ sơ nộp trực tuyến", "Mức độ hài lòng"):
        assert label in html


def test_the_public_page_shows_no_personal_data(client, world):
    html = client.get(f"/ket-qua/{world.commune.code}/").content.decode()
    late = world.late
    for private in (
        late.code,
        late.applicant_name,
        late.applicant_id_number,
        late.applicant_phone,
        world.officer.full_name,
        world.specialist.full_name,
        world.leader.full_name,
    ):
        assert private not in html, private


def test_the_figures_are_computed_once_a_day(client, world, monkeypatch):
    first = client.get(f"/ket-qua/{world.commune.code}/").context["r"]
    receive(world, at(2026, 11, 16, 9))  # a change during the day: shown tomorrow
    again = client.get(f"/ket-qua/{world.commune.code}/").context["r"]
    assert again == first
    tomorrow = NOW + dt.timedelta(days=1)
    monkeypatch.setattr(results_views, "current_time", lambda: tomorrow)
    next_day = client.get(f"/ket-qua/{world.commune.code}/").context["r"]
    assert next_day.cut_off == dt.datetime(2026, 11, 18, 0, 0, tzinfo=LOCAL_TZ)


def test_an_unknown_unit_is_not_found(client, world):
    assert client.get("/ket-qua/khong-co/").status_code == 404


def test_too_many_requests_from_one_address_are_refused(client, world, settings):
    settings.MOTCUA_RESULTS_RATE_PER_MINUTE = 3
    codes = [client.get(f"/ket-qua/{world.commune.code}/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_the_home_page_of_a_chosen_commune_links_its_results(client, world):
    Service.objects.create(unit=world.commune, code="A", name="Hộ tịch", order=1)
    page = client.get("/", {"don-vi": world.commune.code})
    assert page.context["chosen"] == world.commune
    assert f"/ket-qua/{world.commune.code}/" in page.content.decode()
