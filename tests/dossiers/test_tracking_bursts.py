"""Public tracking under bursts, through a real server and the caches app servers share (the
database, SQLite or PostgreSQL, and Redis). Guesses sent at the same instant get no more answers
than guesses sent one by one: 5 per code whatever the addresses, 20 distinct codes per address;
and a commune hall behind one address is never locked out by its visitors' own lookups."""

import pytest

from tests.bursts import CACHES, Site, burst, burst_server, shared_cache

from .factories import applicant, receive

URL = "/tra-cuu/"
pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture(params=CACHES)
def site(request, settings):
    settings.MOTCUA_TRUSTED_PROXIES = ["127.0.0.1"]  # the server's peer: our reverse proxy
    with shared_cache(request.param, settings), burst_server() as url:
        site = Site(url)
        assert site.get(URL).status == 200  # the CSRF cookie
        yield site


def look(site, code, digits, ip):
    return site.post(URL, {"ma": code, "so": digits}, ip=ip)


def test_thirty_guesses_at_once_from_thirty_addresses_get_five_answers(site, world):
    dossier = receive(world)  # ID ends 4567, phone 5678
    answers = burst(30, lambda i: look(site, dossier.code, f"{i:04d}", ip=f"198.51.100.{i + 1}"))
    statuses = [a.status for a in answers]
    assert statuses.count(404) == 5 and statuses.count(429) == 25, statuses
    assert all("tạm khóa" in a.body for a in answers if a.status == 429)
    # the code is locked: the right digits, from a fresh address, are refused too
    right = look(site, dossier.code, "4567", ip="198.51.100.200")
    assert right.status == 429 and "tạm khóa" in right.body
    assert int(right.headers["Retry-After"]) == 900


def test_forty_distinct_codes_at_once_from_one_address_get_twenty_answers(site, world):
    dossier = receive(world)
    prefix, day, number = dossier.code.rsplit("-", 2)
    codes = [f"{prefix}-{day}-{int(number) + i:04d}" for i in range(1, 41)]  # none exists
    answers = burst(40, lambda i: look(site, codes[i], "0000", ip="203.0.113.66"))
    statuses = [a.status for a in answers]
    assert statuses.count(404) == 20 and statuses.count(429) == 20, statuses
    refused = next(a for a in answers if a.status == 429)
    assert "quá nhiều lần" in refused.body and int(refused.headers["Retry-After"]) > 0
    # that address walks codes: a new one gets no answer, right or not; another address does
    assert look(site, dossier.code, "4567", ip="203.0.113.66").status == 429
    assert look(site, dossier.code, "4567", ip="203.0.113.67").status == 200


def test_a_hall_behind_one_wifi_address_is_never_locked_out(site, world):
    """Ten people in the hall check their own dossiers at the same moments, five rounds, and one
    of them mistypes the digits once: fifty lookups from one address, all answered."""
    dossiers = [receive(world, applicant=applicant(id_number=f"0012030{i:05d}")) for i in range(10)]
    hall = "203.0.113.88"
    for round_ in range(5):
        typo = round_ == 2

        def check(i, typo=typo):
            digits = "9999" if typo and i == 0 else dossiers[i].applicant_id_number[-4:]
            return look(site, dossiers[i].code, digits, ip=hall).status

        statuses = burst(10, check)
        assert statuses == ([404] + [200] * 9 if typo else [200] * 10), (round_, statuses)
    assert look(site, dossiers[0].code, dossiers[0].applicant_id_number[-4:], ip=hall).status == 200
