"""A nightly pg_dump restores into a database whose audit chain still verifies, and tampering
with the restored copy is caught: the steps of docs/operations.md, run once for real."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]

WRITE_EVENTS = """
from django.db import transaction
from motcua.core import audit
from motcua.core.models import Unit
with transaction.atomic():
    unit = Unit.objects.create(code="25210", name="Xã Tân Lập", kind="commune")
    audit.record(action="unit.create", obj=unit, changes={"name": [None, unit.name]})
for i in range(1, 41):
    with transaction.atomic():
        audit.record(action="dossier.receive", object_type="dossiers.dossier",
                     object_id=f"000.00.12.H23-250115-{i:04d}", unit=unit,
                     changes={"status": [1, 2]}, ip="2001:db8::7")
"""


def _server() -> dict:
    db = settings.DATABASES["default"]
    return {
        "host": db["HOST"] or "127.0.0.1",
        "port": str(db["PORT"] or 5432),
        "user": db["USER"] or "postgres",
    }


def _url(server: dict, name: str) -> str:
    return f"postgres://{server['user']}@{server['host']}:{server['port']}/{name}"


def _admin(server: dict, sql: str, dbname: str = "postgres") -> None:
    with psycopg.connect(
        host=server["host"],
        port=server["port"],
        user=server["user"],
        dbname=dbname,
        autocommit=True,
    ) as conn:
        conn.execute(sql)


def _manage(args: list[str], database_url: str, var_dir: Path, stdin: str | None = None):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "REDIS_URL"))}
    env.update(
        DATABASE_URL=database_url,
        MOTCUA_VAR_DIR=str(var_dir),
        MOTCUA_PUBLIC_BASE_URL="https://motcua.tanlap.gov.vn",  # migrate runs the system checks
    )
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_restored_backup_verifies_and_tampering_with_it_is_caught(tmp_path):
    server = _server()
    suffix = uuid.uuid4().hex[:8]
    source, restored = f"motcua_bk_src_{suffix}", f"motcua_bk_dst_{suffix}"
    dump = tmp_path / "motcua.dump"
    pg = ["-h", server["host"], "-p", server["port"], "-U", server["user"]]
    timings = {}
    _admin(server, f'CREATE DATABASE "{source}"')
    _admin(server, f'CREATE DATABASE "{restored}"')
    try:
        started = time.monotonic()
        migrated = _manage(["migrate", "--noinput", "-v0"], _url(server, source), tmp_path)
        assert migrated.returncode == 0, migrated.stderr
        wrote = _manage(["shell"], _url(server, source), tmp_path, stdin=WRITE_EVENTS)
        assert wrote.returncode == 0, wrote.stderr
        timings["migrate+write"] = time.monotonic() - started

        started = time.monotonic()
        subprocess.run(
            ["pg_dump", *pg, "-Fc", "--no-owner", "-f", str(dump), source],
            check=True,
            timeout=60,
        )
        subprocess.run(
            ["pg_restore", *pg, "--no-owner", "--exit-on-error", "-d", restored, str(dump)],
            check=True,
            timeout=60,
        )
        timings["dump+restore"] = time.monotonic() - started

        verified = _manage(["audit_verify"], _url(server, restored), tmp_path)
        assert verified.returncode == 0, verified.stderr
        assert "Nhật ký nguyên vẹn: đã kiểm tra 41 sự kiện" in verified.stdout

        # The append-only trigger came back with the restore ...
        refused = subprocess.run(
            [
                "psql",
                *pg,
                "-d",
                restored,
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                "UPDATE core_auditevent SET action = 'x' WHERE id = 7",
            ],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        assert refused.returncode != 0
        assert "chỉ được ghi thêm" in refused.stderr

        # ... and someone who switches it off to edit a row is still caught by the chain.
        subprocess.run(
            [
                "psql",
                *pg,
                "-d",
                restored,
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                "ALTER TABLE core_auditevent DISABLE TRIGGER USER; "
                "UPDATE core_auditevent SET object_id = 'sửa' WHERE id = 7; "
                "ALTER TABLE core_auditevent ENABLE TRIGGER USER;",
            ],
            check=True,
            capture_output=True,
            timeout=30,
        )
        broken = _manage(["audit_verify"], _url(server, restored), tmp_path)
        assert broken.returncode == 1
        assert "Sự kiện #7: nội dung đã bị sửa" in broken.stderr
        print(f"backup/restore timings (s): {timings}")  # noqa: T201  reported on purpose (-s)
    finally:
        for name in (source, restored):
            _admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
