# ruff: noqa: F811  (fixtures imported from test_booking_fixtures are used as arguments)
"""A villager books on a 360 px phone and checks in at the kiosk, in Debian chromium.

Screenshots go to test-artifacts/booking-*.png to be looked at.
"""

import pytest

from motcua.core.models import Village
from motcua.queueing.models import Booking, Ticket

from .test_booking_fixtures import WEDNESDAY, at, rule  # noqa: F401
from .test_queue_screens_browser import new_page, real, watch_errors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_villager_books_on_a_phone_and_checks_in_at_the_kiosk(
    browser, live_server, commune, svc, rule, clock, artifacts_dir
):
    commune.address = "Số 1 đường Trần Phú, xã Thạch Hà, tỉnh Hà Tĩnh"
    commune.save()
    Village.objects.create(unit=commune, name="Thôn Trung Tiến")
    Village.objects.create(unit=commune, name="Thôn Đông Sơn")
    context, page = new_page(browser, 360, 780)
    errors = watch_errors(page)
    page.goto(f"{live_server.url}/hang-doi/dat-hen/{commune.code}/")
    page.screenshot(path=artifacts_dir / "booking-1-service-360.png", full_page=True)
    page.get_by_test_id("book-service-A").click()
    page.screenshot(path=artifacts_dir / "booking-2-day-360.png", full_page=True)
    page.get_by_test_id("day-2026-11-18").click()
    page.screenshot(path=artifacts_dir / "booking-3-slot-360.png", full_page=True)
    page.get_by_test_id("slot-09:00").click()
    page.get_by_label("Họ và tên").fill("Nguyễn Thị Hoa")
    page.get_by_label("Số điện thoại di động").fill("0912 345 678")
    page.get_by_label("Thôn/tổ dân phố nơi bạn ở, không bắt buộc").select_option(
        label="Thôn Trung Tiến"
    )
    page.screenshot(path=artifacts_dir / "booking-4-form-360.png", full_page=True)
    page.get_by_test_id("hold").dblclick()  # a double tap
    assert "Giữ chỗ trong 10 phút" in page.get_by_test_id("hold-notice").inner_text()
    page.screenshot(path=artifacts_dir / "booking-5-held-360.png", full_page=True)
    page.get_by_test_id("confirm").click()
    code = page.get_by_test_id("booking-code").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=artifacts_dir / "booking-6-confirmed-360.png", full_page=True)
    assert list(Booking.objects.values_list("code", "status")) == [(code, "confirmed")]
    page.get_by_test_id("manage-link").click()  # the browser that booked may change it
    page.get_by_test_id("cancel-open").click()
    assert page.get_by_test_id("cancel").is_visible()
    page.screenshot(path=artifacts_dir / "booking-7-manage-360.png", full_page=True)
    assert not real(errors), errors
    context.close()

    # the same confirmation on a desktop; another browser must prove the phone to change it
    context, page = new_page(browser, 1280, 800)
    page.goto(f"{live_server.url}/hang-doi/dat-hen/{commune.code}/lich/{code}/")
    page.screenshot(path=artifacts_dir / "booking-6-confirmed-1280.png", full_page=True)
    page.get_by_test_id("manage-link").click()
    page.get_by_label("4 số cuối điện thoại đã dùng khi đặt").fill("5678")
    page.get_by_role("button", name="Tiếp tục").click()
    assert page.get_by_test_id("cancel-open").is_visible()
    context.close()

    # Wednesday 08:45 at the hall kiosk
    clock.set(at(WEDNESDAY, 8, 45))
    context, page = new_page(browser, 1280, 800)
    errors = watch_errors(page)
    page.goto(f"{live_server.url}/hang-doi/kiosk/{commune.code}/")
    page.screenshot(path=artifacts_dir / "booking-8-kiosk-start-1280.png", full_page=True)
    page.get_by_test_id("i-have-booked").click()
    page.get_by_label("Mã đặt hẹn").fill(code.lower())
    page.screenshot(path=artifacts_dir / "booking-8-kiosk-checkin-1280.png", full_page=True)
    with page.expect_navigation():
        page.get_by_test_id("checkin").click()
    assert page.get_by_test_id("ticket-code").inner_text() == "A001"
    page.screenshot(path=artifacts_dir / "booking-9-ticket-1280.png", full_page=True)
    assert not real(errors), errors
    ticket = Ticket.objects.get()
    assert (ticket.priority_reason, ticket.village.name) == ("appointment", "Thôn Trung Tiến")
    context.close()


def test_a_hold_opened_on_another_phone_asks_for_the_last_four_digits(
    browser, live_server, commune, svc, rule, clock, artifacts_dir
):
    """A grandson books for his grandmother, then sends her the link: her phone did not book,
    so it shows the number masked and asks for its last 4 digits before confirming."""
    context, page = new_page(browser, 360, 780)
    page.goto(f"{live_server.url}/hang-doi/dat-hen/{commune.code}/")
    page.get_by_test_id("book-service-A").click()
    page.get_by_test_id("day-2026-11-18").click()
    page.get_by_test_id("slot-09:00").click()
    page.get_by_label("Họ và tên").fill("Nguyễn Thị Hoa")
    page.get_by_label("Số điện thoại di động").fill("0912 345 678")
    page.get_by_test_id("hold").click()
    link = page.url
    context.close()

    context, page = new_page(browser, 360, 780)
    errors = watch_errors(page)
    page.goto(link)
    assert page.get_by_test_id("phone-masked").inner_text() == "091• ••• •••"
    assert "0912345678" not in page.content() and "5678" not in page.inner_text("body")
    page.get_by_test_id("confirm").click()
    assert "được đặt trên thiết bị khác" in page.get_by_test_id("booking-error").inner_text()
    page.get_by_label("4 số cuối số điện thoại đã dùng khi đặt").fill("1234")
    page.get_by_test_id("confirm").click()
    assert "không đúng" in page.get_by_test_id("booking-error").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=artifacts_dir / "booking-5b-held-other-phone-360.png", full_page=True)
    page.get_by_label("4 số cuối số điện thoại đã dùng khi đặt").fill("5678")
    page.get_by_test_id("confirm").click()
    assert page.get_by_test_id("booking-code").is_visible()
    page.screenshot(path=artifacts_dir / "booking-6b-confirmed-other-phone-360.png", full_page=True)
    assert Booking.objects.get().status == "confirmed"
    refusals = [e for e in real(errors) if e.startswith("400 ") and e.endswith("/xac-nhan/")]
    assert len(refusals) == 2 and not set(real(errors)) - set(refusals), errors  # only ours
    context.close()
