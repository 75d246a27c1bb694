# ruff: noqa: F811  (fixtures imported from test_booking_fixtures are used as arguments)
"""A booking code is not a key: whoever learns it (a screenshot, a shoulder, a shared QR) sees the
booking with the phone masked and cannot confirm, cancel or move it. Only the browser that
booked, or someone who types the phone's last 4 digits, can; and digits can be tried only a few
times per booking (decisions/0021)."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.core.signing import get_cookie_signer
from django.test import Client
from django.urls import reverse

from motcua.core.models import AuditEvent
from motcua.core.text import mask_phone
from motcua.queueing import booking, booking_views
from motcua.queueing.models import Booking

from .test_booking_fixtures import by_owner, hold, rule  # noqa: F401

pytestmark = pytest.mark.django_db

PHONE = "0987654321"


def book_on(client, unit, service, phone=PHONE):
    """The citizen's own browser: choose 09:00 on Wednesday, give name and phone, hold."""
    url = reverse("queueing:booking_book", args=[unit.code])
    query = {"dich-vu": service.pk, "gio": "2026-11-18T09:00"}
    page = client.get(url, query).content.decode()
    key = re.search(r'name="key" value="([^"]+)"', page).group(1)
    data = {**query, "citizen_name": "Trần Văn Bình", "phone": phone, "key": key}
    response = client.post(url, data)
    assert response.status_code == 302
    return Booking.objects.get(phone=phone), response["Location"]


def phone_digits_shown(html: str, phone: str = PHONE) -> bool:
    """Whether the page gives away the number or its last four digits (the QR image and the
    form's random token aside: their characters are not the phone)."""
    text = re.sub(r'src="data:[^"]*"|name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    return phone in text or phone[-4:] in text


# --- the rule, in the service -----------------------------------------------------------------


def test_confirming_needs_the_booking_device_or_the_last_four_digits(hold, clock):
    held = hold(9, 0, phone="0912345678")
    other = hold(10, 0, phone="0912000111")
    for proof, code in (
        (booking.Proof(), "proof_missing"),
        (booking.Proof(device_tokens=(booking.owner_token(other),)), "proof_missing"),
        (booking.Proof(device_tokens=("not-a-token",), phone_last4="1234"), "proof_wrong"),
        (booking.Proof(phone_last4="56789"), "proof_wrong"),
    ):
        with pytest.raises(ValidationError) as refused:
            booking.confirm(booking=held, proof=proof)
        assert refused.value.code == code
    held.refresh_from_db()
    assert held.status == "held"
    assert "4 số cuối" in str(refused.value.messages[0])

    assert booking.confirm(booking=held, proof=booking.Proof(phone_last4="5678")).status == (
        "confirmed"
    )
    event = AuditEvent.objects.get(action="queue.booking_confirmed", object_id=str(held.pk))
    assert event.changes["proof"] == "phone"
    assert booking.confirm(booking=other, proof=by_owner(other)).status == "confirmed"
    event = AuditEvent.objects.get(action="queue.booking_confirmed", object_id=str(other.pk))
    assert event.changes["proof"] == "device"


def test_typed_digits_are_limited_per_booking_but_the_booking_device_still_confirms(
    hold, clock, settings
):
    settings.MOTCUA_BOOKING_PROOF_ATTEMPTS = 3
    held = hold(9, 0, phone="0912345678")
    for wrong in ("0000", "1111", "2222"):
        with pytest.raises(ValidationError) as refused:
            booking.confirm(booking=held, proof=booking.Proof(phone_last4=wrong))
        assert refused.value.code == "proof_wrong"
    with pytest.raises(ValidationError) as refused:  # the right digits, but too late
        booking.confirm(booking=held, proof=booking.Proof(phone_last4="5678"))
    assert refused.value.code == "proof_locked"
    assert "quá nhiều lần" in refused.value.messages[0]
    with pytest.raises(ValidationError):  # the lookup for cancelling shares the budget
        booking.find_for_owner(held.unit, held.code, "5678")
    assert booking.confirm(booking=held, proof=by_owner(held)).status == "confirmed"


def test_a_day_of_slow_guessing_is_capped_too(hold, clock, settings):
    """Five tries every quarter hour would be 480 a day; a booking taken 14 days ahead would
    then fall to patience. The day's budget stops that."""
    settings.MOTCUA_BOOKING_PROOF_ATTEMPTS_PER_DAY = 3
    held = hold(9, 0, phone="0912345678")
    for wrong in ("0000", "1111", "2222"):
        with pytest.raises(ValidationError):
            booking.confirm(booking=held, proof=booking.Proof(phone_last4=wrong))
    with pytest.raises(ValidationError) as refused:
        booking.confirm(booking=held, proof=booking.Proof(phone_last4="5678"))
    assert refused.value.code == "proof_locked"
    assert refused.value.params["retry_after"] == booking.PROOF_DAY
    assert "hôm nay" in refused.value.messages[0]


def test_lookup_tries_share_the_same_budget(hold, clock, settings):
    settings.MOTCUA_BOOKING_PROOF_ATTEMPTS = 2
    held = hold(9, 0, phone="0912345678")
    assert booking.find_for_owner(held.unit, held.code, "0000") is None
    assert booking.find_for_owner(held.unit, held.code, "5678") == held
    with pytest.raises(ValidationError):
        booking.find_for_owner(held.unit, held.code, "5678")


# --- the pages ----------------------------------------------------------------------------------


def test_someone_else_with_the_code_sees_a_masked_phone_and_cannot_confirm(
    client, commune, svc, rule, clock
):
    b, held_page = book_on(client, commune, svc["A"])
    stranger = Client()
    page = stranger.get(held_page)
    html = page.content.decode()
    assert page.status_code == 200
    assert '<dd data-testid="phone-masked">098• ••• •••</dd>' in html
    assert not phone_digits_shown(html)
    assert 'data-testid="phone-last4"' in html  # asked for proof

    no_proof = stranger.post(held_page)
    assert no_proof.status_code == 400
    assert "được đặt trên thiết bị khác" in no_proof.content.decode()
    wrong = stranger.post(held_page, {"phone_last4": "1234"})
    assert wrong.status_code == 400
    assert "4 số cuối điện thoại không đúng" in wrong.content.decode()
    assert not phone_digits_shown(wrong.content.decode())
    b.refresh_from_db()
    assert b.status == "held"


def test_the_browser_that_booked_confirms_with_one_tap(client, commune, svc, rule, clock):
    b, held_page = book_on(client, commune, svc["A"])
    html = client.get(held_page).content.decode()
    assert 'data-testid="phone-last4"' not in html and 'data-testid="confirm"' in html
    assert not phone_digits_shown(html)
    done = client.post(held_page, follow=True)
    b.refresh_from_db()
    assert b.status == "confirmed"
    page = done.content.decode()
    assert "Đã đặt hẹn thành công" in page and not phone_digits_shown(page)


def test_the_last_four_digits_confirm_from_another_phone_which_may_then_manage_it(
    client, commune, svc, rule, clock
):
    b, held_page = book_on(client, commune, svc["A"])
    other_phone = Client()
    response = other_phone.post(held_page, {"phone_last4": "4321"})
    assert response.status_code == 302
    b.refresh_from_db()
    assert b.status == "confirmed"
    manage = reverse("queueing:booking_manage", args=[commune.code, b.code])
    assert other_phone.get(manage).status_code == 200  # proved once: this browser may change it
    assert Client().get(manage).status_code == 302  # a third one is sent to the lookup


def test_too_many_wrong_digits_get_429_in_vietnamese_from_any_address(
    client, commune, svc, rule, clock, settings
):
    settings.MOTCUA_BOOKING_PROOF_ATTEMPTS = 2
    b, held_page = book_on(client, commune, svc["A"])
    stranger = Client()
    assert stranger.post(held_page, {"phone_last4": "0000"}).status_code == 400
    assert stranger.post(held_page, {"phone_last4": "1111"}).status_code == 400
    locked = Client(REMOTE_ADDR="10.0.0.7").post(held_page, {"phone_last4": "4321"})
    assert locked.status_code == 429
    assert locked["Retry-After"] == str(booking.PROOF_WINDOW)
    assert "quá nhiều lần" in locked.content.decode()
    lookup = reverse("queueing:booking_lookup", args=[commune.code])
    assert stranger.post(lookup, {"code": b.code, "phone_last4": "4321"}).status_code == 429
    b.refresh_from_db()
    assert b.status == "held"
    assert client.post(held_page).status_code == 302  # the booking's own browser still can
    b.refresh_from_db()
    assert b.status == "confirmed"


def test_a_forged_or_borrowed_owner_cookie_proves_nothing(client, commune, svc, rule, clock):
    b, held_page = book_on(client, commune, svc["A"])
    token = booking.owner_token(b)
    path = reverse("queueing:booking_start", args=[commune.code])
    unsigned = Client()
    unsigned.cookies[booking_views.OWNER_COOKIE] = token  # the right token, not signed by us
    unsigned.cookies[booking_views.OWNER_COOKIE]["path"] = path
    assert unsigned.post(held_page).status_code == 400
    mine, _ = book_on(Client(), commune, svc["A"], phone="0912000111")
    signer = get_cookie_signer(salt=booking_views.OWNER_COOKIE + booking_views.OWNER_COOKIE_SALT)
    borrowed = Client()  # a genuine cookie, but for another booking
    borrowed.cookies[booking_views.OWNER_COOKIE] = signer.sign(booking.owner_token(mine))
    borrowed.cookies[booking_views.OWNER_COOKIE]["path"] = path
    assert borrowed.post(held_page).status_code == 400
    b.refresh_from_db()
    assert b.status == "held"
    assert (
        borrowed.post(reverse("queueing:booking_held", args=[commune.code, mine.code])).status_code
        == 302
    )


def test_no_public_booking_page_shows_the_full_phone(client, commune, svc, rule, clock):
    b, held_page = book_on(client, commune, svc["A"])
    stranger = Client()
    pages = [client.get(held_page), stranger.get(held_page)]
    client.post(held_page)
    detail = reverse("queueing:booking_detail", args=[commune.code, b.code])
    pages += [client.get(detail), stranger.get(detail)]
    pages.append(client.get(reverse("queueing:booking_manage", args=[commune.code, b.code])))
    for response in pages:
        assert response.status_code == 200
        assert not phone_digits_shown(response.content.decode()), response.request["PATH_INFO"]


def test_the_mask_shows_the_network_prefix_and_none_of_the_last_four():
    assert mask_phone("0912345678") == "091• ••• •••"
    assert mask_phone("0912.345.678") == "091• ••• •••"
    assert mask_phone("+84912345678") == "849••••••••"  # never a digit of the last four
    assert mask_phone("12345") == "•••••"  # too short to show anything
    assert mask_phone("") == ""
