"""Several app servers: a call on one wakes the boards connected to another, through Redis."""

import pytest

from motcua.queueing import display

REDIS = "redis://127.0.0.1:6379/15"


@pytest.fixture
def redis_url(settings):
    import redis

    try:
        redis.Redis.from_url(REDIS, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis is not running on 127.0.0.1:6379 (a failure under CI=true)")
    settings.REDIS_URL = REDIS
    return REDIS


@pytest.fixture
def other_server(redis_url):
    """The waiters of another app server and its own Redis subscriber thread."""
    hub = display.Hub()
    subscriber = display.RedisSubscriber(redis_url, hub).start()
    assert subscriber.ready.wait(5), "the subscriber did not connect to Redis"
    yield hub
    subscriber.stop()


def test_a_call_published_on_one_server_wakes_only_that_units_boards_on_another(
    other_server, commune, other_commune
):
    this_board, other_units_board = display.ThreadWaiter(), display.ThreadWaiter()
    other_server.add(commune.pk, this_board)
    other_server.add(other_commune.pk, other_units_board)

    display.publish(commune.pk)  # what the queue services do after a commit, on server 1

    assert this_board.event.wait(2), "no wake-up came through Redis"
    assert not other_units_board.event.wait(0.2)


def test_without_redis_configured_publish_stays_in_the_process(settings, commune):
    settings.REDIS_URL = ""
    here = display.ThreadWaiter()
    display.hub.add(commune.pk, here)
    try:
        display.publish(commune.pk)
        assert here.event.is_set()
    finally:
        display.hub.remove(commune.pk, here)


def test_an_unreachable_redis_never_breaks_a_call(settings, commune, caplog):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    display.publish(commune.pk)  # logs, does not raise
    assert "could not publish to Redis" in caplog.text
