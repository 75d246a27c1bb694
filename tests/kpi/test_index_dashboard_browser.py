"""In a real browser, on the demo communes' six months of dossiers (`load_demo`, the clock on
Tuesday 17/11/2026 09:00): the leader's dashboard at 360 px and 1280 px, the drill-down from the
progress group to a late dossier and back with the same period, the province's table, and a
commune's public results page. Screenshots in test-artifacts/ (looked at)."""

from __future__ import annotations

import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from playwright.sync_api import Browser, expect

from motcua.accounts.models import User
from motcua.core import calendar
from motcua.demo import certified_copies, signed_results
from motcua.demo import dossiers as demo_dossiers
from motcua.demo.management.commands import load_demo as load_demo_command
from motcua.kpi import index_views, results_views
from motcua.queueing import services as queue_services
from tests.kpi.index_formulas import ensure_shipped_formula_set

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NOW = dt.datetime(2026, 11, 17, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
DEMO_COMMUNE = "11824"  # Xã Vĩnh Bảo


@pytest.fixture
def demo(live_server, settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MOTCUA_DEMO_DOSSIER_HISTORY = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MOTCUA_INDEX_DASHBOARD_CACHE_SECONDS = 0
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "ix"}
    }
    cache.clear()
    monkeypatch.setattr(queue_services, "now", lambda: NOW)
    monkeypatch.setattr(demo_dossiers, "now", lambda: NOW)
    monkeypatch.setattr(
        signed_results, "sign_results", lambda unit: signed_results.SignedResults(unit=unit)
    )
    monkeypatch.setattr(
        certified_copies,
        "certify_demo_copies",
        lambda unit: certified_copies.DemoCopies(unit=unit, skipped=True),
    )
    monkeypatch.setattr(index_views, "current_time", lambda: NOW)
    monkeypatch.setattr(results_views, "current_time", lambda: NOW)
    calendar.clear_cache()
    ensure_shipped_formula_set()  # an earlier live-server test flushed the migration's row
    call_command(load_demo_command.Command(), stdout=io.StringIO())
    yield live_server
    calendar.clear_cache()
    cache.clear()


def _page(browser: Browser, server, username: str, width: int):
    client = Client()
    client.force_login(User.objects.get(username=username))
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="vi-VN")
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": server.url}]
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return context, page, errors


def _no_horizontal_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], width


def test_the_leader_reads_the_dashboard_drills_to_a_late_dossier_and_comes_back(
    browser: Browser, demo, artifacts_dir
):
    server = demo
    context, page, errors = _page(browser, server, "vb.lanhdao", 360)
    page.goto(f"{server.url}/can-bo/chi-so/?ky=thang&thang=2026-11")
    expect(page.get_by_test_id("index-where")).to_contain_text("Xã Vĩnh Bảo")
    expect(page.get_by_test_id("index-total")).to_contain_text("/ 100")
    expect(page.get_by_test_id("index-rank")).to_contain_text("1")
    expect(page.locator("[data-testid=index-trend] svg circle")).to_have_count(12)
    expect(page.locator("[data-testid=index-groups] .group-tile")).to_have_count(6)
    expect(page.get_by_test_id("actions-list")).to_be_visible()  # fetched after the page
    page.screenshot(path=artifacts_dir / "index-dashboard-360.png", full_page=True)
    _no_horizontal_scroll(page)

    page.get_by_test_id("group-progress").click()
    expect(page.get_by_test_id("drill-count")).to_contain_text("mục làm mất điểm")
    assert "/diem-tru/" in page.url and "thang=2026-11" in page.url
    late = page.get_by_test_id("drill-item").filter(has_text="quá hạn").first
    expect(late).to_be_visible()  # a dossier finished late, with its reason
    dossier_page = re.compile(r"/can-bo/ho-so/\d+/")
    expect(late.get_by_test_id("fix-link")).to_have_attribute("href", dossier_page)
    page.screenshot(path=artifacts_dir / "index-drill-progress-360.png", full_page=True)
    _no_horizontal_scroll(page)

    page.get_by_test_id("back-to-dashboard").click()
    expect(page.get_by_test_id("index-where")).to_contain_text("Tháng 11/2026")
    assert "thang=2026-11" in page.url

    wide, wpage, werrors = _page(browser, server, "vb.lanhdao", 1280)
    wpage.goto(f"{server.url}/can-bo/chi-so/?ky=thang&thang=2026-11")
    expect(wpage.get_by_test_id("index-total")).to_be_visible()
    wpage.screenshot(path=artifacts_dir / "index-dashboard-1280.png", full_page=True)
    assert errors == [] and werrors == []
    context.close()
    wide.close()


def test_the_province_manager_ranks_the_communes_and_citizens_read_the_results(
    browser: Browser, demo, artifacts_dir
):
    server = demo
    context, page, errors = _page(browser, server, "hp.quanly", 360)
    page.goto(f"{server.url}/can-bo/chi-so/bang/xa/?ky=thang&thang=2026-11")
    expect(page.get_by_test_id("row").first).to_be_visible()
    assert page.get_by_test_id("row").count() >= 2  # both demo communes, ranked
    page.get_by_test_id("sort-digitization").click()
    expect(page.get_by_test_id("sort-digitization")).to_contain_text("▼")
    page.screenshot(path=artifacts_dir / "index-province-table-360.png", full_page=True)
    _no_horizontal_scroll(page)
    context.close()

    manager, mpage, merrors = _page(browser, server, "vb.quanly", 360)
    mpage.goto(f"{server.url}/can-bo/chi-so/?ky=thang&thang=2026-11")
    mpage.get_by_role("link", name="Phòng ban").click()
    expect(mpage.get_by_test_id("row").first).to_be_visible()
    mpage.screenshot(path=artifacts_dir / "index-manager-departments-360.png", full_page=True)
    _no_horizontal_scroll(mpage)
    manager.close()

    officer, opage, oerrors = _page(browser, server, "vb.motcua1", 360)
    opage.goto(f"{server.url}/can-bo/chi-so/?ky=thang&thang=2026-11")
    expect(opage.get_by_test_id("index-where")).to_contain_text("Kết quả của")
    expect(opage.get_by_test_id("index-rank")).to_have_count(0)  # no ranking for an officer
    opage.screenshot(path=artifacts_dir / "index-officer-360.png", full_page=True)
    _no_horizontal_scroll(opage)
    officer.close()
    assert merrors == [] and oerrors == []

    public = browser.new_context(viewport={"width": 360, "height": 900}, locale="vi-VN")
    citizen = public.new_page()
    citizen.goto(f"{server.url}/ket-qua/{DEMO_COMMUNE}/")
    expect(citizen.get_by_test_id("cut-off")).to_contain_text("00:00 17/11/2026")
    expect(citizen.locator("[data-testid=public-groups] .group-tile")).to_have_count(6)
    citizen.screenshot(path=artifacts_dir / "index-public-results-360.png", full_page=True)
    _no_horizontal_scroll(citizen)
    assert errors == []
    public.close()
