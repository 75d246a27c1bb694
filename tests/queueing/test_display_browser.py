"""The hall TV in a real browser (Debian chromium): a call appears and is announced within 2 s.
Screenshots at TV sizes go to test-artifacts/ to be looked at."""

import time

import pytest

from motcua.core.models import Counter
from motcua.queueing import display, services
from motcua.queueing.models import CounterAssignment

from .test_queue_screens_browser import new_page, real, watch_errors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def short_streams(settings):
    """Streams end quickly, and the test waits for the live server's stream threads to end
    before the database is emptied (a stream still reading would lock SQLite's tables)."""
    settings.MOTCUA_DISPLAY_HEARTBEAT_SECONDS = 1
    settings.MOTCUA_DISPLAY_STREAM_SECONDS = 6
    yield
    deadline = time.monotonic() + 10
    while display.open_sync_streams() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert display.open_sync_streams() == 0, "a display stream outlived its test"


def test_the_hall_tv_shows_and_announces_a_new_call_within_two_seconds(
    browser, live_server, commune, open_counters, officer, issue, short_streams, artifacts_dir
):
    issue("A")
    issue("B", "elderly")
    context, page = new_page(browser, 1280, 720)
    errors = watch_errors(page)
    audio = []
    page.on("response", lambda r: audio.append((r.status, r.url)) if ".wav" in r.url else None)
    page.goto(f"{live_server.url}/hang-doi/man-hinh/{commune.code}/")
    page.get_by_test_id("connection").filter(has_text="Trực tuyến").wait_for(timeout=3000)
    page.get_by_test_id("sound-on").click()  # the operator's one press: sound allowed
    assert page.get_by_test_id("announcement").inner_text() == ""

    ticket = services.call_next(counter=open_counters[2], officer=officer)

    code = page.get_by_test_id("counter-2-code")
    code.filter(has_text=ticket.code).wait_for(timeout=2000)
    announcement = page.get_by_test_id("announcement")
    assert announcement.inner_text() == f"Mời công dân có số {ticket.code} đến quầy số 2"
    assert ticket.code in page.get_by_test_id("recent-calls").inner_text()
    # headless chromium has no Vietnamese voice: the chime, then the server's WAV
    page.wait_for_function(
        "() => performance.getEntriesByType('resource').some(e => e.name.indexOf('-2.wav') > 0)",
        timeout=5000,
    )
    assert any(status == 200 and url.endswith(f"{ticket.code}-2.wav") for status, url in audio)
    page.screenshot(path=artifacts_dir / "queue-display-1280x720.png")
    assert page.evaluate("document.documentElement.scrollHeight") <= 720  # no scrolling on a TV
    assert not real(errors), errors
    context.close()


def test_the_board_fills_a_full_hd_tv_with_many_counters(
    browser, live_server, commune, svc, open_counters, officer, issue, short_streams, artifacts_dir
):
    for number in (3, 4, 5):
        counter = Counter.objects.create(unit=commune, number=number, name=f"Quầy {number}")
        CounterAssignment.objects.create(counter=counter).services.set(list(svc.values()))
        services.open_counter(counter=counter, officer=officer)
    for code in "AABBCCABCAB":
        issue(code)
    for number in (1, 2, 3, 4):
        ticket = services.call_next(
            counter=Counter.objects.get(unit=commune, number=number), officer=officer
        )
        if number in (1, 3):
            services.start_service(
                ticket=ticket,
                counter=Counter.objects.get(unit=commune, number=number),
                officer=officer,
            )
    for width, height in ((1920, 1080), (1280, 720)):
        context, page = new_page(browser, width, height)
        errors = watch_errors(page)
        page.goto(f"{live_server.url}/hang-doi/man-hinh/{commune.code}/")
        page.get_by_test_id("connection").filter(has_text="Trực tuyến").wait_for(timeout=3000)
        page.screenshot(path=artifacts_dir / f"queue-display-many-{width}x{height}.png")
        assert page.evaluate("document.documentElement.scrollHeight") <= height
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert not real(errors), errors
        context.close()
    # a staff member glancing at the board on a phone
    context, page = new_page(browser, 360, 740)
    page.goto(f"{live_server.url}/hang-doi/man-hinh/{commune.code}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=artifacts_dir / "queue-display-360.png", full_page=True)
    context.close()


def test_the_board_falls_back_to_polling_when_the_stream_is_blocked(
    browser, live_server, commune, open_counters, officer, issue, short_streams
):
    issue("A")
    context, page = new_page(browser, 1280, 720)
    page.route("**/su-kien/", lambda route: route.abort())  # a proxy that breaks SSE
    page.goto(f"{live_server.url}/hang-doi/man-hinh/{commune.code}/")
    page.get_by_test_id("connection").filter(has_text="Cập nhật định kỳ").wait_for(timeout=5000)
    ticket = services.call_next(counter=open_counters[1], officer=officer)
    page.get_by_test_id("counter-1-code").filter(has_text=ticket.code).wait_for(timeout=4000)
    assert ticket.code in page.get_by_test_id("announcement").inner_text()
    context.close()
