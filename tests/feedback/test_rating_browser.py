"""Rating in a real browser (Debian chromium): the phone at 360 px, the counter tablet at 1024 px,
and the statistics page at 1280 px. Screenshots go to test-artifacts/ (and SHOTS_DIR if set)."""

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from motcua.accounts.models import Role
from motcua.feedback import services as feedback
from motcua.feedback.models import Level, Rating, Reason

from .conftest import MODEL_BACKEND

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shot(artifacts_dir):
    """Save a full-page screenshot as rating-<name>.png, copied to $SHOTS_DIR when set."""
    extra = os.environ.get("SHOTS_DIR")

    def take(page, name: str) -> Path:
        path = artifacts_dir / f"rating-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        if extra:
            Path(extra).mkdir(parents=True, exist_ok=True)
            shutil.copy(path, Path(extra) / path.name)
        return path

    return take


def new_page(browser, width, height, **extra):
    context = browser.new_context(
        viewport={"width": width, "height": height}, locale="vi-VN", **extra
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    # a refused form answers 400 on purpose: the document's status is checked by the test, and
    # any other failed file is caught by the response hook below
    page.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "response",
        lambda r: (
            errors.append(f"{r.status} {r.url}")
            if r.status >= 400
            and r.request.resource_type != "document"
            and not r.url.endswith("/favicon.ico")
            else None
        ),
    )
    return context, page, errors


def signed_in(browser, live_server, user, width, height):
    client = Client()
    client.force_login(user, backend=MODEL_BACKEND)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context, page, errors = new_page(browser, width, height)
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )
    return context, page, errors


def fits(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_a_villager_rates_from_the_phone_and_explains_why_not_satisfied(
    browser, live_server, serve, shot
):
    ticket = serve("A")
    context, page, errors = new_page(
        browser, 360, 740, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    page.goto(f"{live_server.url}/danh-gia/ve/{ticket.access_token}/")
    assert page.get_by_role("button", name="Rất hài lòng").is_visible()
    box = page.get_by_role("button", name="Không hài lòng").bounding_box()
    assert box["height"] >= 64 and box["width"] >= 300  # a thumb-sized target
    fits(page, 360)
    shot(page, "phone-faces-360")

    page.get_by_role("button", name="Không hài lòng").tap()
    assert page.locator("#reason-step").is_visible()  # opened in place, nothing sent yet
    assert not Rating.objects.exists()
    page.get_by_role("button", name="Gửi đánh giá").tap()
    assert "Xin cho biết lý do" in page.get_by_test_id("rate-error").inner_text()
    page.get_by_label("Chờ lâu").check()
    page.get_by_label("Ý kiến của bạn").fill("Đợi gần một tiếng, quạt không chạy")
    shot(page, "phone-reason-360")
    with page.expect_navigation():
        page.get_by_role("button", name="Gửi đánh giá").tap()
    assert page.get_by_role("heading", name="Cảm ơn bạn đã đánh giá!").is_visible()
    fits(page, 360)
    shot(page, "phone-thanks-360")
    rating = Rating.objects.get()
    assert (rating.level, rating.reason) == ("not_satisfied", "long_wait")
    assert rating.comment == "Đợi gần một tiếng, quạt không chạy"

    page.goto(f"{live_server.url}/danh-gia/ve/{ticket.access_token}/")
    assert page.get_by_role("heading", name="Bạn đã đánh giá").is_visible()
    shot(page, "phone-already-rated-360")
    assert errors == []
    context.close()


def test_the_counter_tablet_shows_the_ticket_just_served_and_returns_to_waiting(
    browser, live_server, officer, serve, open_counters, shot
):
    context, page, errors = signed_in(browser, live_server, officer, 1024, 768)
    page.goto(f"{live_server.url}/can-bo/quay/{open_counters[1].pk}/danh-gia/")
    assert page.get_by_test_id("tablet-waiting").is_visible()
    shot(page, "tablet-waiting-1024")

    ticket = serve("A", counter=1)  # the officer presses "kết thúc" at the console
    page.get_by_test_id("tablet-rate").wait_for(timeout=12_000)  # the poll brings it in
    assert ticket.code in page.get_by_test_id("tablet-rate").inner_text()
    shot(page, "tablet-rate-1024")
    page.get_by_role("button", name="Rất hài lòng").click()
    page.get_by_test_id("tablet-thanks").wait_for()
    shot(page, "tablet-thanks-1024")
    page.get_by_test_id("tablet-waiting").wait_for(timeout=12_000)
    assert Rating.objects.get().channel == "counter_tablet"
    assert errors == []
    context.close()


def _morning(serve, clock):
    a1 = serve("A", counter=1, wait=3, minutes=6)
    a2 = serve("A", counter=2, wait=12, minutes=15)
    c1 = serve("C", counter=2, wait=4, minutes=20)
    b1 = serve("B", counter=1, wait=1, minutes=4)
    clock.set(dt.datetime(2026, 11, 17, 14, 5, tzinfo=clock.current.tzinfo))
    serve("A", counter=1, wait=8, minutes=7)
    feedback.rate_ticket(ticket=a1, level=Level.VERY_SATISFIED)
    feedback.rate_ticket(ticket=a2, level=Level.NOT_SATISFIED, reason=Reason.LONG_WAIT)
    feedback.rate_ticket(ticket=c1, level=Level.SATISFIED)
    feedback.rate_ticket(ticket=b1, level=Level.VERY_SATISFIED)


def test_a_leader_reads_the_statistics_page(
    browser, live_server, serve, clock, make_officer, commune, shot
):
    from motcua.dossiers.models import Channel as DossierChannel
    from tests.feedback.test_tt01_indicators import returned, supplement

    _morning(serve, clock)
    # two dossiers returned that day: the nine TT 01/2018 indicators under dossier satisfaction
    returned(commune, 1)
    supplement(returned(commune, 2, channel=DossierChannel.COUNTER))
    leader = make_officer(commune, role=Role.LEADER)
    query = "?tu_ngay=2026-11-17&den_ngay=2026-11-17"
    context, page, errors = signed_in(browser, live_server, leader, 1280, 900)
    page.goto(f"{live_server.url}/can-bo/hang-doi/thong-ke/{query}")
    assert page.get_by_test_id("total-issued").inner_text() == "5"
    assert page.get_by_test_id("total-satisfied").inner_text().startswith("75,0%")
    shot(page, "statistics-1280")
    with page.expect_download() as download:
        page.get_by_test_id("export-xlsx").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    assert errors == []
    context.close()

    context, page, errors = signed_in(browser, live_server, leader, 360, 740)
    page.goto(f"{live_server.url}/can-bo/hang-doi/thong-ke/{query}")
    fits(page, 360)
    assert page.get_by_test_id("indicators-grade").inner_text() == "Xuất sắc"
    assert page.get_by_test_id("indicators-total").inner_text() == "17,00"
    shot(page, "statistics-360")
    assert errors == []
    context.close()
