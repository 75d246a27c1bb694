"""A petition flood through a real server and the caches app servers share (the database,
SQLite or PostgreSQL, and Redis): a burst of simultaneous submissions from one address gets
exactly the hourly budget, and one solved challenge sent many times at once makes one petition."""

from __future__ import annotations

import pytest

from motcua.petitions import challenge
from motcua.petitions.models import Petition
from tests.bursts import CACHES, Site, burst, burst_server, shared_cache

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture(params=CACHES)
def site(request, settings, world):
    settings.MOTCUA_TRUSTED_PROXIES = ["127.0.0.1"]
    with shared_cache(request.param, settings), burst_server() as url:
        site = Site(url)
        assert site.get(f"/phan-anh/{world.commune.code}/gui/").status == 200  # CSRF cookie
        yield site


def _form(w, token=None) -> dict:
    token = token or challenge.issue()
    return {
        "category": str(w.roads.pk),
        "subject": "Ổ gà trên đường trục thôn Đông",
        "content": "Đoạn đường trước nhà văn hóa có ổ gà sâu, xe máy ngã nhiều lần.",
        "village": str(w.village.pk),
        "anonymous": "1",
        "challenge": token,
        "nonce": challenge.solve(token),
    }


def test_twenty_petitions_at_once_from_one_address_get_the_budget(site, world, settings):
    settings.MOTCUA_PETITION_IP_LIMIT = 5
    forms = [_form(world) for _ in range(20)]
    url = f"/phan-anh/{world.commune.code}/gui/"
    answers = burst(20, lambda i: site.post(url, forms[i], ip="203.0.113.9"))
    statuses = sorted(a.status for a in answers)
    assert statuses == [302] * 5 + [429] * 15, statuses
    assert Petition.objects.count() == 5
    assert all(int(a.headers["Retry-After"]) > 0 for a in answers if a.status == 429)
    assert site.post(url, _form(world), ip="203.0.113.10").status == 302


def test_one_solved_challenge_sent_ten_times_at_once_makes_one_petition(site, world):
    form = _form(world)
    url = f"/phan-anh/{world.commune.code}/gui/"
    answers = burst(10, lambda i: site.post(url, form, ip=f"198.51.100.{i + 1}"))
    statuses = sorted(a.status for a in answers)
    assert statuses == [302] + [400] * 9, statuses
    assert all("đã được gửi" in a.body for a in answers if a.status == 400)
    assert Petition.objects.count() == 1
