"""`manage.py migrate` alone gives a working install: the database cache's table is created by
a migration (core 0004), so the API (its throttle reads the cache), the rate limits and the
calendar's version check work without a separate `createcachetable`.

Run as an operator would: a fresh database, `manage.py migrate` in a subprocess, then requests
in another. (The test database of pytest cannot show it: Django's test runner calls
createcachetable after migrating.)
"""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]

CHECK = """
from django.core.cache import cache
from django.test import Client
client = Client(raise_request_exception=False)
print("api", client.get("/api/v1/procedures/").status_code)
print("catalog", client.get("/thu-tuc/").status_code)
print("kept", cache.get("motcua:probe"))
cache.add("motcua:probe", 42, timeout=None)
print("cache", cache.get("motcua:probe"))
"""


def _manage(args: list[str], tmp_path: Path, database_url: str | None, stdin: str | None = None):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "REDIS_URL", "DATABASE_URL", "MOTCUA_TEST_NOW"))
    }
    # as an operator runs it: the public address set (docs/operations.md, check motcua.E001)
    env.update(
        MOTCUA_VAR_DIR=str(tmp_path),
        PYTHONPATH=str(ROOT / "src"),
        MOTCUA_PUBLIC_BASE_URL="https://motcua.example.vn",
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _migrate_then_request(tmp_path: Path, database_url: str | None) -> str:
    migrated = _manage(["migrate", "--noinput", "-v0"], tmp_path, database_url)
    assert migrated.returncode == 0, migrated.stderr[-2000:]
    answered = _manage(["shell"], tmp_path, database_url, stdin=CHECK)
    assert answered.returncode == 0, answered.stderr[-2000:]
    return answered.stdout


def test_migrate_alone_on_a_fresh_sqlite_database_serves_the_api(tmp_path):
    out = _migrate_then_request(tmp_path, None)
    assert "api 200" in out and "catalog 200" in out and "cache 42" in out, out

    # An install that ran createcachetable by hand before this migration existed: the
    # migration finds the table and leaves it (and what it holds) as it is.
    back = _manage(["migrate", "core", "0003", "--noinput", "-v0"], tmp_path, None)
    assert back.returncode == 0, back.stderr[-2000:]
    assert "kept 42" in _migrate_then_request(tmp_path, None)


@pytest.mark.postgres
def test_migrate_alone_on_a_fresh_postgresql_database_serves_the_api(tmp_path):
    db = settings.DATABASES["default"]
    server = {
        "host": db["HOST"] or "127.0.0.1",
        "port": str(db["PORT"] or 5432),
        "user": db["USER"] or "postgres",
    }
    name = f"motcua_cache_{uuid.uuid4().hex[:8]}"
    url = f"postgres://{server['user']}@{server['host']}:{server['port']}/{name}"
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        out = _migrate_then_request(tmp_path, url)
        assert "api 200" in out and "catalog 200" in out and "cache 42" in out, out
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **server) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
