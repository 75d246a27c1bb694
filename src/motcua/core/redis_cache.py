"""Django's Redis cache backend, keeping one redis-py client per connection pool.

Django's `RedisCacheClient.get_client` builds a new `redis.Redis` object for every cache call,
and redis-py's constructor fills a table of about 170 response callbacks each time: measured on
a cached catalog page (two cache reads), a fifth of the request's CPU. A `redis.Redis` object
takes a connection from its pool for each command and is documented as safe to share between
threads, so one per pool is enough (docs/decisions/0023).
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class ReusedClient(RedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._shared = None

    def get_client(self, key=None, *, write=False):
        # With several servers Django reads from a replica chosen at random per call: leave
        # that as it is. With one (every deployment in docs/operations.md) reads and writes
        # share pool 0, so they share one client too.
        if len(self._servers) > 1:
            return super().get_client(key, write=write)
        if self._shared is None:
            self._shared = self._client(connection_pool=self._get_connection_pool(True))
        return self._shared


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = ReusedClient
