"""The leader's dashboard, the province's and the manager's tables, the drill-down and its
workbook, on a small commune at a known moment (Tuesday 17/11/2026 09:00).

The commune (tests.dossiers.factories.make_world): procedure of 5 working days.
  late   received 2/11 09:00, still in processing on 17/11: overdue, costs progress points
  soon   received so that its appointment falls within one working day of "now": at risk today
The other commune of the province has one dossier of its own.
Who: the commune's leader, manager, counter officer; the other commune's leader; a province
leader; an administrator (IT) who has no business on these screens.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from motcua.accounts.models import Role
from motcua.core import calendar
from motcua.dossiers import services
from motcua.kpi import index_views
from motcua.kpi.index import dashboard, engine
from tests.dossiers.factories import applicant, at, make_staff, make_world, receive
from tests.kpi.index_formulas import ensure_shipped_formula_set

pytestmark = pytest.mark.django_db
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
HOME = "/can-bo/chi-so/"
DRILL = "/can-bo/chi-so/diem-tru/"
NOVEMBER = {"ky": "thang", "thang": "2026-11"}


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MOTCUA_INDEX_DASHBOARD_CACHE_SECONDS = 0
    calendar.clear_cache()
    call_command("load_calendar", stdout=StringIO())
    ensure_shipped_formula_set()
    w = make_world()
    w.late = receive(w, at(2026, 11, 2, 9))
    services.start_processing(w.officer, dossier_id=w.late.pk, assignee=w.specialist)
    w.soon = receive(w, at(2026, 11, 13, 9))
    w.elsewhere = services.receive_at_counter(
        w.other_officer,
        procedure=w.procedure,
        receiving_unit=w.other,
        applicant=applicant(),
        at=at(2026, 11, 3, 9),
    )
    w.province_leader = make_staff((Role.LEADER, w.province), name="Bùi Văn Tỉnh")
    w.admin = make_staff((Role.ADMINISTRATOR, w.commune), name="Hoàng Quản Trị")
    yield w
    calendar.clear_cache()


@pytest.fixture
def now(world, monkeypatch):
    """One hour before the 'soon' dossier's appointment, on 17/11/2026 or close to it."""
    moment = world.soon.due_at_current - dt.timedelta(hours=1)
    monkeypatch.setattr(index_views, "current_time", lambda: moment)
    return moment


def signed_in(client, user):
    client.force_login(user, backend=MODEL_BACKEND)
    return client


def test_the_leader_sees_the_total_the_six_groups_the_trend_and_the_dossier_at_risk(
    client, world, now
):
    page = signed_in(client, world.leader).get(HOME, NOVEMBER)
    assert page.status_code == 200
    view = page.context["view"]
    assert view.unit == world.commune
    assert view.rank == 1 and view.ranked_among == 1  # a commune leader sees their commune
    assert [g.code for g in view.groups] == list(dashboard.GROUP_ORDER)
    assert sum(g.max_points for g in view.groups) == 100
    assert sum(g.points for g in view.groups) == view.score.total
    assert len(view.trend) == 12  # December 2025 .. November 2026
    assert view.trend[-1].total == view.score.total
    assert [d.code for d in view.at_risk] == [world.soon.code]  # due within a working day
    html = page.content.decode()
    assert "Xã An Hưng" in html
    assert "Hồ sơ có nguy cơ trễ hạn hôm nay" in html
    assert world.soon.code in html
    assert "<svg" in html and "polyline" in html  # the chart is drawn on the server
    # SVG coordinates are never localized (26,5 would not draw in Vietnamese)
    xs = re.findall(r'<circle cx="([^"]+)" cy="([^"]+)"', html)
    assert len(xs) == 12 and all(float(x) >= 0 and float(y) >= 0 for x, y in xs)


def test_a_group_tile_shows_its_points_and_its_ratio_side_by_side(client, world, now):
    page = signed_in(client, world.leader).get(HOME, NOVEMBER)
    html = page.content.decode()
    for line in page.context["view"].groups:
        assert f'data-testid="group-{line.code}"' in html
    assert html.count("Tỷ lệ trên ô") == 6


def test_the_drill_down_of_progress_lists_the_late_dossier_with_its_reason_and_goes_back(
    client, world, now
):
    c = signed_in(client, world.leader)
    page = c.get(DRILL, {"chi_so": "progress", "don_vi": world.commune.pk, **NOVEMBER})
    assert page.status_code == 200
    rows = page.context["result"].rows
    row = next(r for r in rows if r.kind == "dossier" and r.pk == world.late.pk)
    assert row.label.startswith(world.late.code)
    assert "quá hạn" in row.reason.lower()
    assert row.fix_url == f"/can-bo/ho-so/{world.late.pk}/"
    assert world.late.code in page.content.decode()
    # back keeps the period and the unit
    assert page.context["back"] == f"{HOME}?ky=thang&thang=2026-11&don_vi={world.commune.pk}"


def test_the_drill_down_exports_an_xlsx_that_keeps_the_diacritics(client, world, now):
    c = signed_in(client, world.leader)
    response = c.get(
        reverse("service_index:drill_export"),
        {"chi_so": "progress", "don_vi": world.commune.pk, **NOVEMBER},
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(response.content)).active
    cells = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    assert "Xã An Hưng" in cells
    assert "Lý do mất điểm" in cells
    assert any(cell.startswith(world.late.code) for cell in cells)


def test_another_communes_id_is_not_found_for_a_commune_leader(client, world, now):
    c = signed_in(client, world.leader)
    other = world.other.pk
    assert c.get(HOME, {"don_vi": other}).status_code == 404
    assert c.get(DRILL, {"chi_so": "progress", "don_vi": other}).status_code == 404
    assert c.get("/can-bo/chi-so/bang/phong-ban/", {"don_vi": other}).status_code == 404
    assert (
        c.get(
            reverse("service_index:drill_export"), {"chi_so": "progress", "don_vi": other}
        ).status_code
        == 404
    )
    assert c.get(HOME, {"don_vi": "abc"}).status_code == 404


def test_the_province_leader_ranks_the_communes_and_sorts_them_by_any_group(client, world, now):
    c = signed_in(client, world.province_leader)
    page = c.get("/can-bo/chi-so/bang/xa/", NOVEMBER)
    assert page.status_code == 200
    labels = {r["row"].key for r in page.context["rows"]}
    assert labels == {world.commune.pk, world.other.pk}
    by_progress = c.get("/can-bo/chi-so/bang/xa/", {**NOVEMBER, "xep": "progress"})
    rows = [r["row"] for r in by_progress.context["rows"]]
    points = [r.groups["progress"].points for r in rows]
    assert points == sorted(points, reverse=True)
    assert by_progress.context["result"].sort == "progress"
    landing = c.get(HOME, NOVEMBER)  # no commune chosen: the province's table
    assert landing.status_code == 302
    assert landing["Location"] == "/can-bo/chi-so/bang/xa/?ky=thang&thang=2026-11"
    home = c.get(HOME, {"don_vi": world.other.pk, **NOVEMBER})
    assert home.status_code == 200 and home.context["view"].ranked_among == 2


def test_the_manager_sees_the_unit_by_department_field_and_officer(client, world, now):
    c = signed_in(client, world.manager)
    for by in ("phong-ban", "linh-vuc", "can-bo"):
        page = c.get(f"/can-bo/chi-so/bang/{by}/", {"don_vi": world.commune.pk, **NOVEMBER})
        assert page.status_code == 200, by
    assert c.get("/can-bo/chi-so/bang/khong-co/").status_code == 404


def test_a_counter_officer_sees_only_their_own_figures(client, world, now):
    c = signed_in(client, world.officer)
    page = c.get(HOME, NOVEMBER)
    assert page.status_code == 200
    view = page.context["view"]
    assert view.officer and view.rank is None
    assert "Kết quả của" in page.content.decode()
    assert c.get(HOME, {"don_vi": world.other.pk}).status_code == 404
    assert c.get("/can-bo/chi-so/bang/xa/").status_code == 403
    assert c.get("/can-bo/chi-so/bang/can-bo/", {"don_vi": world.commune.pk}).status_code == 403
    # asking for another officer's drill-down still gives their own
    drill = c.get(
        DRILL, {"chi_so": "progress", "theo": "officer", "khoa": world.specialist.pk, **NOVEMBER}
    )
    assert drill.status_code == 200
    assert drill.context["result"].key == world.officer.pk


def test_who_may_not_see_the_index_is_refused(client, world, now):
    assert client.get(HOME).status_code == 302  # to the sign-in page
    assert signed_in(client, world.admin).get(HOME).status_code == 403


def test_the_period_picker_takes_a_quarter_a_year_and_a_range_and_refuses_nonsense(
    client, world, now
):
    c = signed_in(client, world.leader)
    q = c.get(HOME, {"ky": "quy", "quy": "4", "nam": "2026"}).context["picked"]
    assert q.period == engine.quarter(2026, 4)
    y = c.get(HOME, {"ky": "nam", "nam": "2026"}).context["picked"]
    assert y.period == engine.year(2026)
    r = c.get(HOME, {"ky": "khoang", "tu_ngay": "2026-11-01", "den_ngay": "2026-11-16"})
    assert r.context["picked"].period == engine.Period(dt.date(2026, 11, 1), dt.date(2026, 11, 16))
    bad = c.get(HOME, {"ky": "khoang", "tu_ngay": "2026-11-20", "den_ngay": "2026-11-01"})
    assert bad.status_code == 200 and bad.context["picked"].error
    assert c.get(HOME, {"ky": "thang", "thang": "99999-99"}).status_code == 200


def test_the_menu_offers_the_index_to_leaders_managers_and_officers_only(client, world, now):
    for user, shown in [
        (world.leader, True),
        (world.manager, True),
        (world.officer, True),
        (world.admin, False),
    ]:
        client.force_login(user, backend=MODEL_BACKEND)
        names = [i["name"] for i in client.get("/can-bo/").context["staff_menu"]]
        assert ("service_index:home" in names) is shown, user


def test_the_dashboard_keeps_its_figures_for_the_stated_window_then_computes_them_again(
    world, settings
):
    """Cached in windows of MOTCUA_INDEX_DASHBOARD_CACHE_SECONDS aligned on the clock: within
    one window the same figures and the same stated moment; in the next window new ones."""
    settings.MOTCUA_INDEX_DASHBOARD_CACHE_SECONDS = 120
    start = dt.datetime(2026, 11, 17, 9, 0, tzinfo=dt.UTC)
    november = engine.month(2026, 11)

    def view(at):
        return dashboard.leader_view(user=world.leader, unit_id=None, period=november, now=at)

    first = view(start)
    assert first.computed_at == start
    later = view(start + dt.timedelta(seconds=90))
    assert later.computed_at == start  # the page says 09:00: what it shows is as of 09:00
    receive(world, at(2026, 11, 16, 9))
    fresh = view(start + dt.timedelta(seconds=130))
    assert fresh.computed_at == start + dt.timedelta(seconds=130)
    assert fresh.score.group("progress").indicators[0].denominator == (
        first.score.group("progress").indicators[0].denominator + 1
    )


def test_the_engines_action_links_lead_to_the_drill_down_screen(client, world, now):
    c = signed_in(client, world.leader)
    actions = dashboard.engine.actions(
        unit_ids=[world.commune.pk], period=engine.month(2026, 11), now=now, limit=10
    )
    assert actions and all(a.drill_url for a in actions)
    first = c.get(actions[0].drill_url)
    assert first.status_code == 302
    page = c.get(first["Location"])
    assert page.status_code == 200
    assert page.context["result"].code == actions[0].indicator
    other = c.get(f"/can-bo/chi-so/diem-tru/progress.on_time/?key={world.other.pk}")
    assert c.get(other["Location"]).status_code == 404


def test_the_actions_arrive_after_the_page_for_the_same_unit_and_period(client, world, now):
    """The page answers without the engine's actions (the costliest part) and fetches them."""
    c = signed_in(client, world.leader)
    page = c.get(HOME, NOVEMBER)
    assert page.context["view"].actions_deferred
    url = page.context["actions_url"]
    assert url == f"/can-bo/chi-so/viec-nen-lam/?don_vi={world.commune.pk}&ky=thang&thang=2026-11"
    part = c.get(url, headers={"HX-Request": "true"})
    assert part.status_code == 200
    assert "<html" not in part.content.decode()
    assert part.context["actions"]  # the commune loses points: there is something to do
    action, link = part.context["actions"][0]
    assert action.points_gained > 0
    assert link.startswith(f"{DRILL}?chi_so={action.indicator}&don_vi={world.commune.pk}")
    whole = c.get(url)  # without JavaScript: a page of its own
    assert "<html" in whole.content.decode()
    other = f"/can-bo/chi-so/viec-nen-lam/?don_vi={world.other.pk}&ky=thang&thang=2026-11"
    assert c.get(other).status_code == 404
    officer = signed_in(client, world.officer).get(other)
    assert officer.status_code == 404
