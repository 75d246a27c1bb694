"""Staff sign-in under bursts, through a real server and the caches app servers share (the
database, SQLite or PostgreSQL, and Redis): thirty passwords tried at the same instant for one
account get no more checks than five tried one by one, and an address spraying usernames gets
exactly its ceiling."""

import pytest
from axes.models import AccessAttempt

from motcua.accounts.models import Role
from motcua.core.models import AuditEvent
from tests.bursts import CACHES, Site, burst, burst_server, shared_cache

from .conftest import PASSWORD

LOGIN = "/can-bo/dang-nhap/"
pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture(params=CACHES)
def site(request, settings):
    settings.MOTCUA_TRUSTED_PROXIES = ["127.0.0.1"]  # the server's peer: our reverse proxy
    with shared_cache(request.param, settings), burst_server() as url:
        site = Site(url)
        assert site.get(LOGIN).status == 200  # the CSRF cookie
        yield site


def sign_in(site, username, password, ip):
    return site.post(LOGIN, {"username": username, "password": password}, ip=ip)


def test_thirty_passwords_at_once_for_one_account_get_five_checks(site, units, make_staff):
    make_staff((Role.COUNTER_OFFICER, units["thach_ha"]), username="canbo.thachha")
    answers = burst(30, lambda i: sign_in(site, "canbo.thachha", f"doan-{i}", ip="203.0.113.5"))
    statuses = [a.status for a in answers]
    assert statuses.count(200) <= 4 and statuses.count(429) >= 26, statuses  # 5th check locks
    assert sum(AccessAttempt.objects.values_list("failures_since_start", flat=True)) <= 5
    # locked: even the right password is refused
    assert sign_in(site, "canbo.thachha", PASSWORD, ip="203.0.113.5").status == 429


def test_an_address_spraying_thirty_usernames_at_once_gets_its_ceiling(site, settings):
    settings.MOTCUA_LOGIN_IP_FAILURE_LIMIT = 10
    answers = burst(30, lambda i: sign_in(site, f"doan-ten-{i}", "sai", ip="203.0.113.6"))
    statuses = [a.status for a in answers]
    assert statuses.count(200) == 10 and statuses.count(429) == 20, statuses
    assert AuditEvent.objects.filter(changes__reason="ip_blocked").count() == 20
