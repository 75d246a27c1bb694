"""The citizen app on a 360 px phone in Debian chromium: install pieces, a remote ticket, the
ticket followed live and read again without signal. Screenshots go to test-artifacts/app-*.png
to be looked at."""

import datetime as dt

import pytest

from motcua.core.models import Village
from motcua.queueing import services
from motcua.queueing.models import Ticket

from .conftest import HCM
from .test_queue_screens_browser import real, watch_errors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shoot(page, artifacts_dir, name):
    path = artifacts_dir / f"app-{name}-360.png"
    page.screenshot(path=path, full_page=True)


def fits_the_screen(page) -> bool:
    return page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")


def test_a_villager_takes_a_number_from_home_and_follows_it_offline(
    browser, live_server, commune, svc, open_counters, officer, issue, clock, artifacts_dir
):
    Village.objects.create(unit=commune, name="Thôn Trung Tiến")
    issue("A")
    issue("A")
    context = browser.new_context(
        viewport={"width": 360, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        service_workers="allow",
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors = watch_errors(page)

    # the commune's home: installable (manifest + service worker), waits per service
    page.goto(f"{live_server.url}/hang-doi/{commune.code}/")
    manifest = page.locator('link[rel="manifest"]').get_attribute("href")
    assert manifest == f"/hang-doi/{commune.code}/manifest.webmanifest"
    assert page.evaluate("navigator.serviceWorker.ready.then(r => r.active.state)") in (
        "activating",
        "activated",
    )
    assert page.get_by_test_id("svc-A").inner_text().count("2 người đang chờ") == 1
    assert fits_the_screen(page)
    shoot(page, artifacts_dir, "home")

    # remote ticket: a service, the optional phone and village, one (double) tap
    page.get_by_test_id("svc-A").tap()
    page.locator("details.more summary").tap()
    page.get_by_label("Số điện thoại (không bắt buộc)").fill("0912 345 678")
    page.get_by_label("Thôn/tổ dân phố nơi bạn ở (không bắt buộc)").select_option(
        label="Thôn Trung Tiến"
    )
    shoot(page, artifacts_dir, "home-form")
    with page.expect_navigation():
        page.get_by_test_id("take-ticket").dblclick()
    assert page.get_by_test_id("ticket-code").inner_text() == "A003"
    assert page.get_by_test_id("people-ahead").inner_text() == "Còn 2 người trước bạn"
    assert "091• ••• •••" in page.get_by_test_id("sms-fallback").inner_text()
    ticket = Ticket.objects.get(code="A003")
    assert (ticket.source, ticket.phone) == ("remote", "0912345678")
    assert Ticket.objects.count() == 3  # the double tap gave one ticket
    assert fits_the_screen(page)
    shoot(page, artifacts_dir, "ticket")

    # "Vé của tôi" on the home, from this phone's storage; back to the ticket through it
    page.get_by_text("← Về trang lấy số").tap()
    page.get_by_test_id("my-tickets").get_by_text("A003").wait_for()
    shoot(page, artifacts_dir, "home-my-tickets")
    page.get_by_test_id("my-tickets").get_by_text("A003").tap()
    page.get_by_test_id("ticket-code").wait_for()
    assert page.evaluate("navigator.serviceWorker.controller !== null")
    page.wait_for_function(
        "caches.open('motcua-pages').then(c => c.match(location.href)).then(Boolean)"
    )
    # this page asks for its JSON at once (its server time is frozen, so it looks old): wait
    # until that answer has come, or it may be answered after the clock moves, 7 min later
    page.wait_for_function(
        "() => performance.getEntriesByType('resource')"
        ".some(e => e.name.includes('/trang-thai.json') && e.responseEnd > 0)"
    )
    assert not real(errors), errors

    # no signal: the ticket still shows from the phone's cache, saying since when
    cached_at = page.locator('[data-field="as_of_text"]').inner_text()
    clock.advance(minutes=7)  # a page from the server would say a later time
    context.set_offline(True)
    page.reload()
    assert page.get_by_test_id("ticket-code").inner_text() == "A003"
    note = page.get_by_test_id("offline-note")
    note.wait_for()
    assert note.inner_text() == f"Ngoại tuyến, cập nhật lúc {cached_at}"
    shoot(page, artifacts_dir, "ticket-offline")
    page.goto(f"{live_server.url}/hang-doi/{commune.code}/")
    page.get_by_test_id("my-tickets").get_by_text("A003").wait_for()

    # signal back, the officer calls: the page says where to go
    context.set_offline(False)
    page.goto(f"{live_server.url}/hang-doi/ve/{ticket.access_token}/")
    counter = open_counters[2]
    services.call_next(counter=counter, officer=officer)
    services.call_next(counter=open_counters[1], officer=officer)
    services.finish_service(
        ticket=services.start_service(
            ticket=Ticket.objects.get(code="A001"), counter=counter, officer=officer
        ),
        counter=counter,
        officer=officer,
    )
    services.call_next(counter=counter, officer=officer)
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")  # poll now
    page.get_by_test_id("ticket-status").filter(has_text="Mời bạn đến quầy số 2").wait_for()
    assert page.get_by_test_id("offline-note").is_hidden()
    assert page.locator(".ticket.status-called").count() == 1
    shoot(page, artifacts_dir, "ticket-called")
    context.close()


def test_outside_opening_hours_the_phone_shows_the_hours(
    browser, live_server, commune, svc, clock, artifacts_dir
):
    clock.set(dt.datetime(2026, 11, 17, 12, 0, tzinfo=HCM))  # lunch break
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    page = context.new_page()
    errors = watch_errors(page)
    page.goto(f"{live_server.url}/hang-doi/{commune.code}/")
    closed = page.get_by_test_id("closed-now").inner_text()
    assert "Hiện ngoài giờ nhận số." in closed and "13:30–17:00" in closed
    assert page.get_by_test_id("take-ticket").count() == 0
    assert fits_the_screen(page)
    shoot(page, artifacts_dir, "home-closed")
    assert not real(errors), errors
    context.close()
