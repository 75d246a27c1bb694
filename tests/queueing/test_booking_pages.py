# ruff: noqa: F811  (fixtures imported from test_booking_fixtures are used as arguments)
"""The public booking pages and the kiosk check-in, as a villager uses them (Django client)."""

import re

import pytest
from django.urls import reverse

from motcua.core.models import Village
from motcua.queueing import booking
from motcua.queueing.models import Booking, Ticket

from .test_booking_fixtures import WEDNESDAY, at, confirmed, hold, rule  # noqa: F401

pytestmark = pytest.mark.django_db


def start_url(unit):
    return reverse("queueing:booking_start", args=[unit.code])


def book_url(unit, service, hhmm="09:00"):
    url = reverse("queueing:booking_book", args=[unit.code])
    return f"{url}?dich-vu={service.pk}&gio=2026-11-18T{hhmm}"


def form_data(client, unit, service, hhmm="09:00", **extra):
    page = client.get(book_url(unit, service, hhmm)).content.decode()
    key = re.search(r'name="key" value="([^"]+)"', page).group(1)
    data = {
        "dich-vu": service.pk,
        "gio": f"2026-11-18T{hhmm}",
        "citizen_name": "Trần Văn Bình",
        "phone": "0987 654 321",
        "key": key,
    }
    data.update(extra)
    return data


def test_the_citizen_picks_a_service_a_day_and_a_slot(client, commune, svc, rule, clock):
    page = client.get(start_url(commune)).content.decode()
    assert "Đặt lịch hẹn làm thủ tục" in page
    assert 'data-testid="book-service-A"' in page and 'data-testid="book-service-B"' not in page
    days = client.get(start_url(commune), {"dich-vu": svc["A"].pk}).content.decode()
    assert 'data-testid="day-2026-11-18"' in days
    assert "day-2026-11-21" not in days and "day-2026-11-22" not in days  # weekend
    slots = client.get(start_url(commune), {"dich-vu": svc["A"].pk, "ngay": "2026-11-18"})
    text = slots.content.decode()
    assert 'data-testid="slot-07:30"' in text and "còn 2 chỗ" in text
    assert 'data-testid="slot-12:00"' not in text


def test_booking_holds_then_confirms_and_shows_the_code_with_a_qr(
    client, commune, svc, rule, clock
):
    village = Village.objects.create(unit=commune, name="Thôn Trung")
    data = form_data(client, commune, svc["A"], village=village.pk, age_group="18_59")
    response = client.post(reverse("queueing:booking_book", args=[commune.code]), data)
    b = Booking.objects.get()
    assert response.status_code == 302
    assert (b.status, b.phone, b.village, b.age_group) == ("held", "0987654321", village, "18_59")
    held = client.get(response["Location"]).content.decode()
    assert "Giữ chỗ trong 10 phút, đến 09:10" in held
    done = client.post(response["Location"], follow=True).content.decode()
    b.refresh_from_db()
    assert b.status == "confirmed"
    assert "Đã đặt hẹn thành công" in done and b.code in done
    assert "09:00" in done and "18/11/2026" in done and "Hộ tịch" in done
    assert 'src="data:image/svg+xml' in done  # the QR of the code
    assert "098• ••• •••" in done and "0987654321" not in done
    assert "Hủy/đổi lịch" in done


def test_a_double_tap_on_hold_keeps_one_seat(client, commune, svc, rule, clock):
    data = form_data(client, commune, svc["A"])
    url = reverse("queueing:booking_book", args=[commune.code])
    first = client.post(url, data)
    second = client.post(url, data)
    assert first["Location"] == second["Location"]
    assert Booking.objects.count() == 1


def test_a_full_slot_gets_a_clear_message(client, commune, svc, rule, hold, clock):
    hold(9, 0)
    hold(9, 0)
    response = client.post(
        reverse("queueing:booking_book", args=[commune.code]),
        form_data(client, commune, svc["A"]),
    )
    assert response.status_code == 400
    assert "vừa hết chỗ" in response.content.decode()
    assert Booking.objects.count() == 2


def test_a_bad_phone_is_explained_next_to_the_field(client, commune, svc, rule, clock):
    response = client.post(
        reverse("queueing:booking_book", args=[commune.code]),
        form_data(client, commune, svc["A"], phone="12345"),
    )
    assert response.status_code == 400
    assert 'data-testid="error-phone"' in response.content.decode()
    assert not Booking.objects.exists()


def test_confirming_after_ten_minutes_asks_to_start_again(client, commune, svc, rule, clock):
    response = client.post(
        reverse("queueing:booking_book", args=[commune.code]), form_data(client, commune, svc["A"])
    )
    clock.advance(minutes=11)
    page = client.post(response["Location"])
    assert page.status_code == 409  # a refused move is a conflict (decisions/0018), was 400
    assert "hết thời gian giữ chỗ 10 phút" in page.content.decode()
    assert Booking.objects.get().status == "expired"


def test_cancelling_needs_the_right_last_four_phone_digits(client, commune, confirmed, clock):
    b = confirmed(9, 0, phone="0912345678")
    lookup = reverse("queueing:booking_lookup", args=[commune.code])
    manage = reverse("queueing:booking_manage", args=[commune.code, b.code])
    # a stranger's browser is sent to the lookup, and wrong digits are refused
    assert client.get(manage)["Location"].startswith(lookup)
    wrong = client.post(lookup, {"code": b.code, "phone_last4": "1111"})
    assert wrong.status_code == 400
    assert "4 số cuối điện thoại không đúng" in wrong.content.decode()
    assert client.post(manage, {"action": "huy"}).status_code == 302
    b.refresh_from_db()
    assert b.status == "confirmed"
    # the owner
    right = client.post(lookup, {"code": b.code.lower(), "phone_last4": "5678"})
    assert right["Location"] == manage
    client.post(manage, {"action": "huy"})
    b.refresh_from_db()
    assert b.status == "cancelled"


def test_rescheduling_from_the_page_moves_the_booking(client, commune, confirmed, clock):
    b = confirmed(9, 0, phone="0912345678")
    client.post(
        reverse("queueing:booking_lookup", args=[commune.code]),
        {"code": b.code, "phone_last4": "5678"},
    )
    manage = reverse("queueing:booking_manage", args=[commune.code, b.code])
    page = client.get(manage, {"ngay": "2026-11-18"}).content.decode()
    assert 'data-testid="move-14:00"' in page and 'data-testid="move-09:00"' not in page
    response = client.post(manage, {"gio": "2026-11-18T14:00"}, follow=True)
    new = Booking.objects.get(status="confirmed")
    assert new.rescheduled_from == b
    assert "14:00" in response.content.decode() and new.code in response.content.decode()


def test_another_communes_booking_code_is_not_found(client, commune, other_commune, confirmed):
    b = confirmed(9, 0)
    url = reverse("queueing:booking_detail", args=[other_commune.code, b.code])
    assert client.get(url).status_code == 404
    assert client.get(reverse("queueing:booking_start", args=["99999"])).status_code == 404


def test_too_many_booking_requests_from_one_address_get_429_in_vietnamese(
    client, commune, settings
):
    # the limiter's clock is frozen at the start of a window of this test's own (tests/conftest.py)
    settings.MOTCUA_BOOKING_RATE_PER_MINUTE = 3
    url = reverse("queueing:booking_lookup", args=[commune.code])
    data = {"code": "ABCDEFGH", "phone_last4": "1234"}
    statuses = [client.post(url, data).status_code for _ in range(4)]
    assert statuses == [400, 400, 400, 429]
    response = client.post(url, data)
    assert response["Retry-After"] == "60"
    assert "Quá nhiều yêu cầu" in response.content.decode()
    assert client.post(url, data, REMOTE_ADDR="10.0.0.9").status_code == 400


# --- kiosk check-in -------------------------------------------------------------------------


def test_the_kiosk_offers_i_have_booked(client, commune, svc, clock):
    page = client.get(reverse("queueing:kiosk", args=[commune.code])).content.decode()
    assert "Tôi đã đặt hẹn" in page
    assert reverse("queueing:booking_check_in", args=[commune.code]) in page


def test_checking_in_at_the_kiosk_prints_a_priority_ticket(client, commune, confirmed, clock):
    b = confirmed(9, 0)
    clock.set(at(WEDNESDAY, 8, 45))
    url = reverse("queueing:booking_check_in", args=[commune.code])
    response = client.post(url, {"code": f" {b.code.lower()} "})
    ticket = Ticket.objects.get()
    assert (
        response["Location"]
        == reverse("queueing:ticket_print", args=[ticket.access_token]) + "?kiosk=1"
    )
    slip = client.get(response["Location"]).content.decode()
    assert "A001" in slip and "Đặt hẹn đúng giờ" in slip
    again = client.post(url, {"code": b.code})  # a second tap: same ticket
    assert again["Location"] == response["Location"]


def test_a_wrong_code_at_the_kiosk_is_explained(client, commune, confirmed, clock):
    url = reverse("queueing:booking_check_in", args=[commune.code])
    response = client.post(url, {"code": "ZZZZZZZZ"})
    assert response.status_code == 400
    assert "Không tìm thấy lịch hẹn với mã này" in response.content.decode()
    assert not Ticket.objects.exists()


def test_arriving_at_the_kiosk_too_early_is_explained(client, commune, confirmed, clock):
    b = confirmed(14, 0)
    clock.set(at(WEDNESDAY, 9, 0))
    response = client.post(
        reverse("queueing:booking_check_in", args=[commune.code]), {"code": b.code}
    )
    assert response.status_code == 400
    assert "Bạn đến sớm" in response.content.decode()
    assert booking.find_by_code(commune, b.code).status == "confirmed"


def test_opening_a_hold_after_ten_minutes_says_so_at_once(client, commune, svc, rule, clock):
    response = client.post(
        reverse("queueing:booking_book", args=[commune.code]), form_data(client, commune, svc["A"])
    )
    clock.advance(minutes=10)
    page = client.get(response["Location"]).content.decode()
    assert "Đã quá 10 phút giữ chỗ" in page and 'data-testid="confirm"' not in page


def test_the_slot_and_day_pages_use_a_bounded_number_of_queries(
    client, commune, svc, rule, hold, django_assert_max_num_queries
):
    for hh in (8, 9, 10, 14):
        hold(hh, 0)
    with django_assert_max_num_queries(12):
        client.get(start_url(commune), {"dich-vu": svc["A"].pk, "ngay": "2026-11-18"})
    with django_assert_max_num_queries(30):  # one count per offered day (at most 15)
        client.get(start_url(commune), {"dich-vu": svc["A"].pk})
