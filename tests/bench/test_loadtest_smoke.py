"""`make loadtest` must not rot: the whole province topology (PostgreSQL, Redis, two hosts of
two gunicorns (citizens', staff) and uvicorn, two huey workers, HAProxy) comes up, serves a small
mix without an error, stays within the pool's connections, survives kill -9 of a host and a
worker with at most the requests in flight lost, boards reconnected, and no number or code
duplicated; staff pages are served by the staff gunicorns."""

import json
import os
import shutil
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]


def _free_port_block(size: int = 40) -> int:
    """A base port with `size` free ports above it (the harness uses base .. base+2x)."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            base = s.getsockname()[1]
        if base + size > 65000:
            continue
        taken = False
        for port in range(base, base + size):
            with socket.socket() as s:
                try:
                    s.bind(("127.0.0.1", port))
                except OSError:
                    taken = True
                    break
        if not taken:
            return base
    raise RuntimeError("no free block of ports")


def test_small_loadtest_holds_and_survives_a_crash(tmp_path):
    assert shutil.which("haproxy"), "make system-deps installs haproxy"
    db = settings.DATABASES["default"]
    server = (
        f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    )
    result = tmp_path / "result.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    run = subprocess.run(
        [
            sys.executable, str(ROOT / "bench" / "loadtest" / "run.py"),
            "--users", "40", "--seconds", "12", "--spawn-rate", "20",
            "--phases", "mix,crash", "--settle", "3",
            "--port", str(_free_port_block()),
            "--postgres", server,
            "--database", f"motcua_lt_{uuid.uuid4().hex[:8]}",
            "--redis", os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15"),
            "--result", str(result),
        ],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    out = run.stdout + run.stderr
    assert run.returncode == 0, out[-4000:]
    data = json.loads(result.read_text())
    mix, crash = (next(r for r in data["rows"] if r["phase"] == p) for p in ("mix", "crash"))
    assert mix["http_requests"] > 50, out[-3000:]
    assert mix["errors"] == 0, mix["failures"]
    assert max(r["max_db_connections"] for r in data["rows"]) <= data["bound"]
    assert crash["extra"]["killed_pids"], "the crash happened"
    # app host 1's threads: its citizens' gunicorn (1 x 8) and its staff gunicorn (4)
    assert crash["extra"]["in_flight_bound"] == 12
    assert crash["errors"] <= 12, crash["failures"]
    # the staff pages went to the staff gunicorns (HAProxy's path rule), which used the database
    assert {"motcua-staff1", "motcua-staff2"} <= set(mix["db_connections_by_process"])
    assert data["checks"]["duplicate_ticket_codes"] == 0
    assert data["checks"]["duplicate_dossier_codes"] == 0
    assert data["checks"]["notifications_sent_twice"] == 0
    connects = crash["per_name"]["SSE connect (first message)"]
    assert connects["fail"] == 0
