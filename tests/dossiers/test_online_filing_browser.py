"""In a real browser: a manager reads the online-filing figures on a 360 px phone and a
1280 px office screen (screenshots looked at)."""

import datetime as dt

import pytest
from playwright.sync_api import Browser

from motcua.dossiers import services

from .factories import applicant, at, make_procedure
from .test_counter_browser import _fits, _signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_world(live_server, shipped_calendar):
    from .factories import make_world

    return make_world()


def _file(world, procedure, seconds, typed, **facts):
    signed_in = at(2026, 11, 16, 9)
    services.submit_online(
        None,
        procedure=procedure,
        receiving_unit=world.commune,
        applicant=applicant(),
        at=signed_in + dt.timedelta(seconds=seconds),
        filing=services.FilingFacts(signed_in_at=signed_in, typed_fields=typed, **facts),
    )


@pytest.mark.parametrize("width", [360, 1280])
def test_a_manager_reads_the_online_filing_figures(
    browser: Browser, live_server, browser_world, artifacts_dir, clock, width
):
    w = browser_world
    clock.set(at(2026, 11, 20, 10))
    marriage = make_procedure(w.commune, name="Đăng ký kết hôn")
    for seconds, typed in ((70, 2), (95, 3), (410, 7)):
        _file(w, w.procedure, seconds, typed)
    _file(w, marriage, 260, 6, assisted_by=w.officer, confirmed_by="registry")
    context, page = _signed_in(browser, live_server, w.manager, width)
    page.goto(f"{live_server.url}/can-bo/")
    page.get_by_role("link", name="Nộp hồ sơ trực tuyến").first.click()
    assert page.get_by_test_id("total-dossiers").inner_text() == "4"
    assert page.get_by_test_id("total-median").inner_text() == "2 phút 58 giây"  # (95 + 260) / 2
    rows = page.get_by_test_id("by-procedure").locator("tbody tr")
    assert rows.count() == 2 and "Đăng ký khai sinh" in rows.first.inner_text()
    assert "1 phút 35 giây" in rows.first.inner_text()  # the median of 70, 95, 410 s
    _fits(page)
    page.screenshot(path=str(artifacts_dir / f"online-filing-{width}.png"), full_page=True)
    assert not page.js_errors, page.js_errors
    context.close()
