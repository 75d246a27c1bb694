"""In a real browser at 360 px and 1280 px: the counter officer's "Chờ tiếp nhận" list shows
each online dossier's age and flags the one nearly out of time and the one over it; the row
opens the counter page with the clock, where the officer receives it. Screenshots go to
test-artifacts/ and /tmp/shots-notify/."""

import datetime as dt
from pathlib import Path

import pytest

from motcua.dossiers import services
from motcua.dossiers.models import Dossier, Status

from .factories import VN, applicant
from .test_worklist_browser import signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/tmp/shots-notify")


def online(world, when, name):
    return services.submit_online(
        None,
        procedure=world.procedure,
        receiving_unit=world.commune,
        applicant=applicant(name=name),
        at=when,
    )


@pytest.mark.parametrize("width", [360, 1280])
def test_counter_sees_online_dossiers_flagged_by_age(
    browser, live_server, world, clock, artifacts_dir, width
):
    clock.set(dt.datetime(2026, 11, 18, 8, 30, tzinfo=VN))
    online(world, dt.datetime(2026, 11, 16, 9, tzinfo=VN), "Nguyễn Thị Hoa")  # over
    soon = online(world, dt.datetime(2026, 11, 17, 9, tzinfo=VN), "Trần Văn Bình")  # 7 h
    online(world, dt.datetime(2026, 11, 18, 8, tzinfo=VN), "Lê Thị Cúc")  # fresh
    SHOTS.mkdir(exist_ok=True)

    ctx = signed_in(browser, live_server, world.officer, width)
    page = ctx.new_page()
    page.goto(f"{live_server.url}/can-bo/ho-so/?tab=awaiting_reception")
    rows = page.locator("[data-testid=dossier-row]")
    assert rows.count() == 3
    assert "Quá hạn tiếp nhận" in rows.nth(0).inner_text()
    assert "Sắp quá hạn tiếp nhận" in rows.nth(1).inner_text()
    assert "đã chờ 7,0 giờ làm việc" in rows.nth(1).inner_text()
    assert "Chờ tiếp nhận" in rows.nth(2).inner_text()
    summary = page.inner_text("[data-testid=reception-summary]")
    assert "1 hồ sơ quá hạn tiếp nhận" in summary and "1 hồ sơ sắp quá hạn tiếp nhận" in summary
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scroll
    for target in (SHOTS, artifacts_dir):
        page.screenshot(path=str(target / f"reception-worklist-{width}.png"), full_page=True)

    with page.expect_navigation():
        page.click(f"text={soon.code}")
    assert "Sắp quá hạn tiếp nhận" in page.inner_text("[data-testid=reception-clock]")
    for target in (SHOTS, artifacts_dir):
        page.screenshot(path=str(target / f"reception-counter-page-{width}.png"), full_page=True)
    with page.expect_navigation():
        page.click("text=Tiếp nhận hồ sơ trực tuyến")
    assert Dossier.objects.get(pk=soon.pk).status == Status.RECEIVED
    ctx.close()
