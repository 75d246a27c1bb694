"""The queue's public budgets under bursts, through a real server and the caches app servers
share (the database, SQLite or PostgreSQL, and Redis): forty remote tickets asked at the same
instant from one address issue exactly the address's twenty, a phone's hourly tries hold the
same way, and the booking pages answer exactly their per-minute budget."""

import secrets

import pytest
from django.urls import reverse

from motcua.queueing.models import Ticket
from tests.bursts import CACHES, Site, burst, burst_server, shared_cache

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture(params=CACHES)
def site(request, settings):
    settings.MOTCUA_TRUSTED_PROXIES = ["127.0.0.1"]  # the server's peer: our reverse proxy
    with shared_cache(request.param, settings), burst_server() as url:
        yield Site(url)


def take(site, unit, service, *, ip, **extra):
    data = {"service": service.pk, "key": secrets.token_urlsafe(18), **extra}
    return site.post(reverse("queueing:citizen_home", args=[unit.code]), data, ip=ip)


def test_forty_remote_tickets_at_once_from_one_address_issue_exactly_twenty(
    site, commune, svc, clock
):
    assert site.get(reverse("queueing:citizen_home", args=[commune.code])).status == 200
    answers = burst(40, lambda i: take(site, commune, svc["A"], ip="203.0.113.70"))
    statuses = [a.status for a in answers]
    assert statuses.count(302) == 20 and statuses.count(429) == 20, statuses
    refused = next(a for a in answers if a.status == 429)
    assert "Có quá nhiều lượt lấy số từ mạng của bạn" in refused.body
    assert refused.headers["Retry-After"] == "600"
    tickets = Ticket.objects.filter(unit=commune, source=Ticket.Source.REMOTE)
    assert sorted(tickets.values_list("number", flat=True)) == list(range(1, 21))
    # the budget is the address's: another one still gets its number
    assert take(site, commune, svc["A"], ip="203.0.113.71").status == 302


def test_twelve_tries_at_once_for_one_phone_get_its_six_an_hour(
    site, commune, svc, clock, settings
):
    settings.MOTCUA_REMOTE_TICKETS_PER_PHONE = 50  # only the tries per hour are tested here
    assert site.get(reverse("queueing:citizen_home", args=[commune.code])).status == 200
    answers = burst(
        12, lambda i: take(site, commune, svc["B"], phone="0912345678", ip=f"198.51.100.{i}")
    )
    statuses = [a.status for a in answers]
    assert statuses.count(302) == 6 and statuses.count(429) == 6, statuses
    assert Ticket.objects.filter(phone="0912345678").count() == 6
    assert all("quá nhiều lần trong một giờ" in a.body for a in answers if a.status == 429)


def test_forty_booking_lookups_at_once_from_one_address_get_twenty_answers(site, commune, svc):
    url = reverse("queueing:booking_lookup", args=[commune.code])
    assert site.get(url).status == 200
    answers = burst(
        40,
        lambda i: site.post(url, {"code": "KHONGCO", "phone_last4": f"{i:04d}"}, ip="203.0.113.90"),
    )
    statuses = [a.status for a in answers]
    assert statuses.count(400) == 20 and statuses.count(429) == 20, statuses
    assert all("Mã đặt hẹn hoặc 4 số cuối" in a.body for a in answers if a.status == 400)
