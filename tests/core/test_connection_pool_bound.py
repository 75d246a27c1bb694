"""A real page server (gunicorn, the province's) against PostgreSQL: however many requests come
at once, it opens no more database connections than processes x DATABASE_POOL_MAX_SIZE, answers
them all, and a request that cannot get a connection in time is told "busy, retry" (503 +
Retry-After), never a 500."""

import concurrent.futures
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

from tests.catalog.factories_public import make_procedure

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
APP_NAME = "motcua-pool-bound-test"
GUNICORN_ARGS = ["-c", "python:motcua.gunicorn_config", "motcua.wsgi:application"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _db_params() -> dict:
    db = settings.DATABASES["default"]
    return {
        "host": db["HOST"] or "127.0.0.1",
        "port": str(db["PORT"] or 5432),
        "user": db["USER"] or "postgres",
        "dbname": db["NAME"],  # the test database pytest-django made
    }


def _get(url: str, timeout: float = 30) -> tuple[int, dict, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (loopback)
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode()


class PageServer:
    """gunicorn with motcua.gunicorn_config, as docs/operations.md runs it, on a free port."""

    def __init__(self, tmp_path: Path, *, workers: int, threads: int, pool: dict[str, str]):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        p = _db_params()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "REDIS_URL"))}
        env.update(
            DATABASE_URL=f"postgres://{p['user']}@{p['host']}:{p['port']}/{p['dbname']}",
            MOTCUA_VAR_DIR=str(tmp_path),
            PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
            WEB_BIND=f"127.0.0.1:{self.port}",
            WEB_WORKERS=str(workers),
            WEB_THREADS=str(threads),
            PGAPPNAME=APP_NAME,  # libpq names the server's connections: only they are counted
            **pool,
        )
        self.log = open(tmp_path / "gunicorn.log", "w+")  # noqa: SIM115 (closed in stop)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", *GUNICORN_ARGS],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                if _get(f"{self.url}/healthz?probe=web", timeout=5)[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        self.log.seek(0)
        raise AssertionError(f"gunicorn did not start:\n{self.log.read()[-3000:]}")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


@pytest.fixture
def page_server(tmp_path):
    servers = []

    def start(**kwargs) -> PageServer:
        server = PageServer(tmp_path, **kwargs)
        servers.append(server)
        server.wait_ready()
        return server

    yield start
    for server in servers:
        server.stop()


def _server_connections(dbname: str, monitor: psycopg.Connection) -> int:
    return monitor.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND application_name = %s",
        [dbname, APP_NAME],
    ).fetchone()[0]


def test_fifty_concurrent_requests_never_open_more_than_the_pools_connections(page_server):
    for i in range(30):
        make_procedure(name=f"Đăng ký khai sinh {i}", code=f"1.{i:06d}")
    workers, max_size = 2, 3
    # More threads than connections: threads have to queue for the pool, which is the point.
    server = page_server(
        workers=workers,
        threads=8,
        pool={"DATABASE_POOL_MAX_SIZE": str(max_size), "DATABASE_POOL_MIN_SIZE": "1"},
    )
    params = _db_params()
    seen: list[int] = []
    done = threading.Event()

    def watch() -> None:
        with psycopg.connect(**params, autocommit=True) as monitor:
            while not done.is_set():
                seen.append(_server_connections(params["dbname"], monitor))
                time.sleep(0.005)

    watcher = threading.Thread(target=watch)
    watcher.start()
    # Distinct searches (no two the same page), plus the health check's own SELECT 1.
    urls = [f"{server.url}/thu-tuc/?q=khai+sinh+{i}" for i in range(40)]
    urls += [f"{server.url}/healthz?probe=web" for _ in range(10)]
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=len(urls)) as pool:
            answers = list(pool.map(_get, urls))
    finally:
        done.set()
        watcher.join()

    assert [status for status, _h, _b in answers] == [200] * 50
    assert "Đăng ký khai sinh" in answers[0][2]
    assert len(seen) > 10, "the watcher must have sampled during the burst"
    assert max(seen) <= workers * max_size, f"connections seen: {max(seen)} > {workers * max_size}"
    assert max(seen) >= 1


def test_a_request_that_waits_too_long_for_a_connection_is_told_to_retry_not_given_a_500(
    page_server,
):
    make_procedure(name="Đăng ký kết hôn", code="1.000894")
    server = page_server(
        workers=1,
        threads=4,
        pool={
            "DATABASE_POOL_MAX_SIZE": "1",
            "DATABASE_POOL_MIN_SIZE": "1",
            "DATABASE_POOL_TIMEOUT": "0.5",
        },
    )
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        with psycopg.connect(**_db_params()) as blocker:
            # The first search takes the only connection and waits on this lock...
            blocker.execute("LOCK TABLE catalog_procedure IN ACCESS EXCLUSIVE MODE")
            first = pool.submit(_get, f"{server.url}/thu-tuc/?q=ket+hon")
            time.sleep(1.0)
            # ...so the second finds no free connection within 0.5 s.
            status, headers, body = _get(f"{server.url}/thu-tuc/?q=khai+sinh")
            blocker.rollback()  # the lock goes; the first request finishes normally
        first_status, _h, first_body = first.result(timeout=30)

    assert status == 503
    assert headers["Retry-After"] == "5"
    assert "Hệ thống đang bận" in body
    assert first_status == 200
    assert "Đăng ký kết hôn" in first_body
