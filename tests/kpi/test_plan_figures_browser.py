"""In a real browser: a leader reads the plan figures of the hand-counted commune
(`test_plan_figures`) on a 360 px phone and a 1280 px office screen (screenshots looked at)."""

import pytest
from playwright.sync_api import Browser

from tests.dossiers.conftest import shipped_calendar  # noqa: F401
from tests.dossiers.factories import make_world
from tests.dossiers.test_counter_browser import _fits, _signed_in

from .test_plan_figures import build, frozen, plan_targets  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_world(live_server, shipped_calendar):  # noqa: F811
    plan_targets()
    world = make_world()
    build(world)
    return world


@pytest.mark.parametrize("width", [360, 1280])
def test_a_leader_reads_the_plan_figures(
    browser: Browser,
    live_server,
    browser_world,
    artifacts_dir,
    frozen,  # noqa: F811
    width,
):
    w = browser_world
    context, page = _signed_in(browser, live_server, w.leader, width)
    page.goto(f"{live_server.url}/can-bo/")
    page.get_by_role("link", name="Chỉ tiêu kế hoạch").first.click()
    assert page.get_by_test_id("value-dossiers_online_share").inner_text() == "60%"
    assert page.get_by_test_id("met-dossiers_online_share").inner_text() == "Chưa đạt"
    assert page.get_by_test_id("counts-dossiers_online_share").inner_text() == "3 / 5"
    assert page.get_by_test_id("met-online_processing_shorter").inner_text() == "Đạt"
    assert page.get_by_test_id("value-procedures_online_share").inner_text() == "66,7%"
    assert page.get_by_test_id("value-login_to_submit_minutes").inner_text() == "7 phút 45 giây"
    assert page.locator("svg.sparkline").count() == 14
    _fits(page)
    page.screenshot(path=str(artifacts_dir / f"plan-figures-{width}.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_test_id("plan-export").click()
    assert download.value.suggested_filename == "chi-tieu-ke-hoach-202611.xlsx"
    assert not page.js_errors, page.js_errors
    context.close()
