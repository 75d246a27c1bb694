"""The limiter under bursts, on the caches app servers share (the database, SQLite or
PostgreSQL, and Redis): of N simultaneous reservations exactly the budget is allowed, every hit
gets its own count, a place given back is taken by the next caller, and a lock outlasts its
window. Requests from a real server: tests/dossiers, tests/queueing, tests/accounts
(`*_bursts.py`)."""

import pytest

from motcua.core import ratelimit
from motcua.core.models import RateCounter
from tests.bursts import CACHES, burst, shared_cache

pytestmark = pytest.mark.django_db(transaction=True)
START = 1_800_000_000.0  # a minute, ten minutes and an hour all start here


@pytest.fixture(params=CACHES)
def cache_kind(request, settings):
    with shared_cache(request.param, settings) as kind:
        yield kind


def test_a_burst_of_forty_gets_exactly_the_budget_of_twenty(cache_kind):
    places = burst(
        40, lambda i: ratelimit.reserve("remote", "203.0.113.7", limit=20, window=600, now=START)
    )
    assert sum(bool(p) for p in places) == 20
    # refused places were given straight back: the count is the places held
    assert ratelimit.seen("remote", "203.0.113.7", window=600, now=START) == 20
    assert all(p.retry_after == 600 for p in places)


def test_places_given_back_go_to_the_next_callers_and_no_more(cache_kind):
    places = [
        ratelimit.reserve("track", "CODE-1", limit=5, window=900, now=START) for _ in range(5)
    ]
    for place in places[:2]:
        place.release()
        place.release()  # twice is once
    again = burst(
        10, lambda i: ratelimit.reserve("track", "CODE-1", limit=5, window=900, now=START)
    )
    assert sum(bool(p) for p in again) == 2
    assert ratelimit.seen("track", "CODE-1", window=900, now=START) == 5


def test_every_hit_of_a_burst_is_counted_once(cache_kind):
    counts = burst(30, lambda i: ratelimit.hit("booking", "203.0.113.9", window=60, now=START))
    assert sorted(counts) == list(range(1, 31))


def test_a_new_window_starts_empty_and_a_reset_empties_this_one(cache_kind):
    for _ in range(3):
        ratelimit.hit("login", "a\x00203.0.113.7", window=900, now=START)
    assert (
        ratelimit.reserve("login", "a\x00203.0.113.7", limit=3, window=900, now=START + 5).allowed
        is False
    )
    assert ratelimit.reserve("login", "a\x00203.0.113.7", limit=3, window=900, now=START + 900)
    ratelimit.reset("login", "a\x00203.0.113.7", window=900, now=START + 900)
    assert ratelimit.seen("login", "a\x00203.0.113.7", window=900, now=START + 900) == 0


def test_a_lock_lasts_its_length_from_when_it_was_set(cache_kind):
    ratelimit.lock("track-code", "CODE-2", seconds=900, now=START + 899)  # the window's last second
    assert ratelimit.locked_for("track-code", "CODE-2", now=START + 900) == 899
    assert ratelimit.locked_for("track-code", "CODE-2", now=START + 1798) == 1
    assert ratelimit.locked_for("track-code", "CODE-2", now=START + 1799) == 0
    assert ratelimit.locked_for("track-code", "CODE-3", now=START) == 0


def test_the_database_counts_in_its_own_table_and_keeps_no_address_in_clear(settings):
    with shared_cache("database", settings):
        ratelimit.hit("verify", "203.0.113.7", window=60, now=START)
        ratelimit.hit("booking-phone", "0912345678", window=600, now=START)
    names = " ".join(RateCounter.objects.values_list("name", flat=True))
    assert names.count("motcua:rl:") == 2
    assert "203.0.113.7" not in names and "0912345678" not in names


def test_counters_of_ended_windows_are_purged(settings):
    with shared_cache("database", settings):
        ratelimit.hit("verify", "203.0.113.7", window=60, now=START)  # ends at START + 60
        ratelimit.hit("remote", "203.0.113.7", window=600, now=START)  # ends at START + 600
        assert ratelimit.purge(now=START + 59) == 0
        assert ratelimit.purge(now=START + 61) == 1
        assert ratelimit.hit("remote", "203.0.113.7", window=600, now=START + 61) == 2
