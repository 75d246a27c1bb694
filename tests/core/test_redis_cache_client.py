"""The Redis cache keeps one redis-py client (settings.py's backend), and it is shared safely:
many threads counting at once lose no increment."""

import pytest
from django.core.cache import caches

from tests.bursts import burst, shared_cache

pytestmark = pytest.mark.django_db(transaction=True)


def test_one_client_serves_every_call_and_threads_count_exactly(settings):
    with shared_cache("redis", settings):
        store = caches.create_connection("default")
        first = store._cache.get_client("k")
        assert store._cache.get_client("k", write=True) is first
        store.set("visits", 0)

        def count(_i):
            for _ in range(50):
                store.incr("visits")

        burst(20, count)
        assert store.get("visits") == 1000
        assert store._cache.get_client() is first
