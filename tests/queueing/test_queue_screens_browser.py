"""Kiosk, printed ticket and counter console in a real browser (Debian chromium), screenshots
saved to test-artifacts/ to be looked at."""

import re

import pytest
from django.conf import settings
from django.test import Client

from .conftest import MODEL_BACKEND

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def new_page(browser, width, height, **extra):
    context = browser.new_context(viewport={"width": width, "height": height}, **extra)
    return context, context.new_page()


def watch_errors(page) -> list[str]:
    """Script errors, CSP refusals and missing files (the browser's own favicon probe aside)."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "response",
        lambda r: (
            errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico")
            else None
        ),
    )
    return errors


def real(errors: list[str]) -> list[str]:
    return [e for e in errors if not e.startswith("Failed to load resource")]


def test_a_villager_takes_a_ticket_at_the_kiosk(
    browser, live_server, commune, svc, clock, artifacts_dir
):
    context, page = new_page(browser, 1280, 800)
    errors = watch_errors(page)
    page.goto(f"{live_server.url}/hang-doi/kiosk/{commune.code}/")
    page.screenshot(path=artifacts_dir / "queue-kiosk-1280.png", full_page=True)
    page.get_by_text("Người cao tuổi").click()
    with page.expect_navigation():
        page.get_by_test_id("service-A").dblclick()  # a double tap
    assert page.get_by_test_id("ticket-code").inner_text() == "A001"
    page.screenshot(path=artifacts_dir / "queue-ticket-screen-1280.png", full_page=True)
    assert not real(errors), errors  # no CSP violation, no script error
    from motcua.queueing.models import Ticket

    assert list(Ticket.objects.values_list("code", "priority_reason")) == [("A001", "elderly")]
    context.close()

    # the kiosk screen on a small portrait tablet/phone
    context, page = new_page(browser, 360, 740)
    page.goto(f"{live_server.url}/hang-doi/kiosk/{commune.code}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=artifacts_dir / "queue-kiosk-360.png", full_page=True)
    context.close()


def test_the_ticket_prints_on_80_mm_paper(browser, live_server, issue, artifacts_dir):
    issue("B")
    ticket = issue("B", "pregnant")
    # 80 mm at 96 dpi = 302 px: what the thermal printer's page looks like
    context, page = new_page(browser, 302, 500)
    page.goto(f"{live_server.url}/hang-doi/ve/{ticket.access_token}/in/")
    page.emulate_media(media="print")
    assert not page.locator(".slip-actions").is_visible()
    page.screenshot(path=artifacts_dir / "queue-ticket-print-80mm.png", full_page=True)
    pdf = page.pdf(prefer_css_page_size=True)
    (artifacts_dir / "queue-ticket-80mm.pdf").write_bytes(pdf)
    # @page 80 mm wide -> 226.77 pt, and the whole slip on one page
    boxes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)
    assert len(boxes) == 1, boxes
    assert abs(float(boxes[0][0]) - 226.77) < 0.5
    context.close()


@pytest.mark.parametrize("width,height", [(360, 800), (1280, 800)])
def test_the_officer_calls_citizens_with_the_keyboard(
    browser, live_server, counters, officer, issue, artifacts_dir, width, height
):
    issue("A")
    issue("B", "elderly")
    issue("C")
    client = Client()
    client.force_login(officer, backend=MODEL_BACKEND)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context, page = new_page(browser, width, height)
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )
    errors = watch_errors(page)
    page.goto(f"{live_server.url}/can-bo/quay/{counters[1].pk}/")
    page.get_by_test_id("open-counter").click()
    page.get_by_text("Quầy đang mở").wait_for()
    page.keyboard.press("n")
    page.get_by_test_id("current-code").filter(has_text="B001").wait_for()
    assert (
        "Mời công dân có số B001 đến quầy số 1."
        in page.get_by_test_id("console-notice").inner_text()
    )
    page.keyboard.press("s")
    page.get_by_text("Bắt đầu phục vụ số B001.").wait_for()
    page.screenshot(path=artifacts_dir / f"queue-console-{width}.png", full_page=True)
    page.keyboard.press("f")
    page.get_by_text("Đã phục vụ xong số B001.").wait_for()
    page.keyboard.press("n")
    page.get_by_test_id("current-code").filter(has_text="A001").wait_for()
    assert page.locator('[data-shortcut="F"]').is_disabled()  # not started: F does nothing
    page.keyboard.press("f")
    page.keyboard.press("s")
    page.get_by_text("Bắt đầu phục vụ số A001.").wait_for()
    page.keyboard.press("f")
    page.get_by_text("Đã phục vụ xong số A001.").wait_for()
    page.keyboard.press("n")
    page.get_by_test_id("console-notice").filter(
        has_text="Hàng đợi trống: không có ai đang chờ"
    ).wait_for()
    assert page.locator(".messages").count() == 0  # answered in the panel, no page reload
    assert page.get_by_test_id("queue-empty").is_visible()
    if width == 360:
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=artifacts_dir / f"queue-console-empty-{width}.png", full_page=True)
    assert not real(errors), errors
    context.close()
