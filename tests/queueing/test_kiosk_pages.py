"""The touch-screen kiosk and the printed ticket."""

import datetime as dt
import re

import segno
from django.urls import reverse

from motcua.queueing.models import Ticket

from .conftest import HCM


def kiosk_url(unit):
    return reverse("queueing:kiosk", args=[unit.code])


def fresh_key(client, unit):
    page = client.get(kiosk_url(unit)).content.decode()
    return re.search(r'name="key" value="([^"]+)"', page).group(1)


def test_the_kiosk_shows_big_buttons_for_each_service(client, commune, svc, clock):
    page = client.get(kiosk_url(commune)).content.decode()
    assert "Lấy số thứ tự" in page
    for code, service in svc.items():
        assert f'data-testid="service-{code}"' in page and service.name in page
    assert "queueing/kiosk.js" in page and "<script>" not in page


def test_each_screen_carries_its_own_key(client, commune, svc, clock):
    assert fresh_key(client, commune) != fresh_key(client, commune)


def test_touching_a_service_prints_a_ticket(client, commune, svc, clock):
    response = client.post(
        kiosk_url(commune), {"service": svc["B"].pk, "key": fresh_key(client, commune)}
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == (
        reverse("queueing:ticket_print", args=[ticket.access_token]) + "?kiosk=1"
    )
    assert (ticket.code, ticket.source, ticket.priority_reason) == ("B001", "kiosk", "none")


def test_a_double_tap_prints_the_same_ticket(client, commune, svc, clock):
    data = {"service": svc["A"].pk, "key": fresh_key(client, commune)}
    first = client.post(kiosk_url(commune), data)
    second = client.post(kiosk_url(commune), data)
    assert first["Location"] == second["Location"]
    assert Ticket.objects.count() == 1


def test_a_priority_citizen_says_so_on_the_kiosk(client, commune, svc, clock):
    client.post(
        kiosk_url(commune),
        {
            "service": svc["A"].pk,
            "priority_reason": "disability",
            "key": fresh_key(client, commune),
        },
    )
    assert Ticket.objects.get().priority_reason == "disability"


def test_outside_opening_hours_the_kiosk_explains(client, commune, svc, clock):
    key = fresh_key(client, commune)
    clock.set(dt.datetime(2026, 11, 17, 18, 30, tzinfo=HCM))
    response = client.post(kiosk_url(commune), {"service": svc["A"].pk, "key": key})
    assert response.status_code == 400
    assert "Ngoài giờ tiếp nhận" in response.content.decode()
    assert not Ticket.objects.exists()


def test_without_a_service_or_key_the_kiosk_asks_again(client, commune, svc, clock):
    response = client.post(kiosk_url(commune), {"key": fresh_key(client, commune)})
    assert response.status_code == 400 and "Xin chọn dịch vụ." in response.content.decode()
    response = client.post(kiosk_url(commune), {"service": svc["A"].pk})
    assert "Phiên lấy số đã hết hạn" in response.content.decode()


def test_another_units_service_cannot_be_taken_from_this_kiosk(
    client, commune, other_commune, svc, clock
):
    response = client.post(kiosk_url(other_commune), {"service": svc["A"].pk, "key": "k" * 20})
    assert response.status_code == 400
    assert not Ticket.objects.exists()


def test_an_unknown_unit_has_no_kiosk(client, db):
    assert client.get(reverse("queueing:kiosk", args=["99999"])).status_code == 404


def test_the_ticket_slip_shows_number_service_time_and_people_ahead(client, issue):
    issue("A")
    issue("A")
    ticket = issue("A")
    page = client.get(reverse("queueing:ticket_print", args=[ticket.access_token])).content.decode()
    assert 'data-testid="ticket-code">A003<' in page
    assert "Hộ tịch" in page and "Xã Thạch Hà" in page
    assert 'data-testid="people-ahead">2<' in page
    assert "09:03" in page  # local time of issue, 02:03 UTC
    assert "paper-80" in page
    narrow = client.get(reverse("queueing:ticket_print", args=[ticket.access_token]) + "?giay=58")
    assert "paper-58" in narrow.content.decode()


def test_the_slip_is_reached_by_its_secret_not_by_a_sequential_id(client, issue):
    ticket = issue("A")
    assert len(ticket.access_token) >= 20
    assert client.get(f"/hang-doi/ve/{ticket.pk}/in/").status_code == 404
    assert client.get(f"/hang-doi/ve/{ticket.access_token}/in/").status_code == 200


def test_the_slip_has_a_qr_code_to_follow_the_number_on_the_phone(client, issue, settings):
    settings.MOTCUA_PUBLIC_BASE_URL = "https://motcua.thachha.gov.vn"
    ticket = issue("A")
    page = client.get(reverse("queueing:ticket_print", args=[ticket.access_token])).content.decode()
    assert 'data-testid="ticket-qr"' in page and 'src="data:image/svg+xml' in page
    assert "Quét mã bằng điện thoại để xem số" in page
    # the QR holds the public address of the citizen's ticket page
    qr = segno.make(
        "https://motcua.thachha.gov.vn"
        + reverse("queueing:citizen_ticket", args=[ticket.access_token]),
        error="m",
    ).svg_data_uri(scale=4, border=2, dark="#000", light="#fff")
    assert qr in page
