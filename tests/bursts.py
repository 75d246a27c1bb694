"""Bursts of simultaneous requests, on the caches that several app servers share.

`shared_cache(kind, settings)` points the default cache at the database (the test database:
SQLite or PostgreSQL, whichever DATABASE_URL gives) or at Redis (REDIS_TEST_URL). `burst(n, f)`
calls f(0..n-1) from n threads released at the same instant. `burst_server()` is a real threaded
server whose listen queue takes a whole burst. `Site` speaks HTTP to it like n citizens behind
our reverse proxy: each request says which address it comes from in X-Forwarded-For, believed
because the test lists the server's peer (127.0.0.1) in MOTCUA_TRUSTED_PROXIES (see
`motcua.core.ratelimit.client_ip`).
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connections
from django.test.testcases import LiveServerThread, _StaticFilesHandler

REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")
CACHES = ("database", "redis")


@contextlib.contextmanager
def shared_cache(kind: str, settings):
    """The default cache as app servers share it; Redis keys get a prefix of their own and are
    deleted afterwards, so a shared Redis database is left as it was."""
    if kind == "database":
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.db.DatabaseCache",
                "LOCATION": "motcua_cache",
            }
        }
        yield kind
        return
    import redis

    try:
        redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"Redis is not running at {REDIS_TEST_URL} (a failure under CI=true)")
    prefix = f"motcua-test-{uuid.uuid4().hex[:12]}"
    settings.CACHES = {
        "default": {
            "BACKEND": "motcua.core.redis_cache.RedisCache",  # the one settings.py uses
            "LOCATION": REDIS_TEST_URL,
            "KEY_PREFIX": prefix,
        }
    }
    try:
        yield kind
    finally:
        client = redis.Redis.from_url(REDIS_TEST_URL)
        keys = list(client.scan_iter(f"{prefix}:*"))
        if keys:
            client.delete(*keys)


def burst(n: int, call) -> list:
    """call(i) for i in 0..n-1, from n threads that all start at the same instant; the results
    in order. Each thread closes the database connections it opened."""
    start = threading.Barrier(n)

    def run(i):
        start.wait()
        try:
            return call(i)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(run, range(n)))


class _WideServer(ThreadedWSGIServer):
    # Django's listen backlog is 10: the 11th of 30 simultaneous connections is reset
    request_queue_size = 128


class _BurstServerThread(LiveServerThread):
    server_class = _WideServer


@contextlib.contextmanager
def burst_server():
    """A threaded server of this Django process (a request per thread, like pytest-django's
    live_server) that accepts a whole burst of connections at once; yields its base URL."""
    thread = _BurstServerThread("127.0.0.1", _StaticFilesHandler)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    try:
        yield f"http://127.0.0.1:{thread.port}"
    finally:
        thread.terminate()


@dataclass
class Answer:
    status: int
    body: str
    headers: dict


def _headers(response) -> dict:
    headers = dict(response.headers)
    headers["Set-Cookie"] = "; ".join(response.headers.get_all("Set-Cookie") or [])
    return headers


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 302 is an answer to look at, not to follow


class Site:
    """A live server seen from outside: GET and form POSTs with the CSRF cookie, each from the
    client address given (as our proxy would forward it)."""

    def __init__(self, base_url: str) -> None:
        if not base_url.startswith("http://"):
            raise ValueError(f"a live server's http:// address, not {base_url!r}")
        self.base_url = base_url
        self._opener = urllib.request.build_opener(_NoRedirect)
        self.csrf = ""

    def _send(self, request: urllib.request.Request) -> Answer:
        try:
            with self._opener.open(request, timeout=60) as response:
                return Answer(response.status, response.read().decode(), _headers(response))
        except urllib.error.HTTPError as error:
            return Answer(error.code, error.read().decode(), _headers(error))

    def get(self, path: str, *, ip: str = "203.0.113.1") -> Answer:
        url = self.base_url + path  # http:// only (checked in __init__)
        request = urllib.request.Request(url, headers={"X-Forwarded-For": ip})  # noqa: S310
        answer = self._send(request)
        cookie = re.search(r"csrftoken=([A-Za-z0-9]+)", answer.headers.get("Set-Cookie", ""))
        if cookie:
            self.csrf = cookie.group(1)
        return answer

    def post(self, path: str, data: dict, *, ip: str) -> Answer:
        if not self.csrf:
            raise RuntimeError("GET a page with a form first: its CSRF cookie is needed")
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": self.csrf}).encode()
        headers = {
            "X-Forwarded-For": ip,
            "Cookie": f"csrftoken={self.csrf}",
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "text/html",
        }
        url = self.base_url + path
        request = urllib.request.Request(url, data=body, headers=headers)  # noqa: S310
        return self._send(request)
