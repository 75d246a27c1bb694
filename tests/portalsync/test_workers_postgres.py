"""Two workers at once, and a worker process killed with SIGKILL mid-batch (PostgreSQL: row
locks with SKIP LOCKED, and a real second process on the same database)."""

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connection, connections
from django.utils import timezone

from motcua.portalsim.models import Behaviour, ReceivedMessage
from motcua.portalsync import services as sync
from motcua.portalsync.models import PortalMessage
from tests.dossiers.factories import at, receive

from .conftest import TOKEN
from .test_portal_over_http import busy_day, received_statuses

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]


def test_two_workers_claiming_at_once_never_hold_the_same_message(world):
    for i in range(10):
        receive(world, at(2026, 11, 2, 9, i))
    barrier = threading.Barrier(2)
    got: list[list[int]] = [[], []]

    def worker(k: int) -> None:
        try:
            barrier.wait()
            got[k] = [m.pk for m in sync.claim(now=at(2026, 11, 2, 10), limit=10)[1]]
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(k,)) for k in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not set(got[0]) & set(got[1])
    assert len(got[0]) + len(got[1]) == 10


def test_a_worker_killed_mid_batch_loses_and_duplicates_nothing(world, portal, tmp_path):
    dossiers = busy_day(world)
    # the portal stores the batch, then takes 20 s to answer: the worker is killed meanwhile
    Behaviour.objects.update_or_create(pk=1, defaults={"accept_then_sleep_ms": 20_000})
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        f"/{db['NAME']}",
        "MOTCUA_DVCQG_URL": f"{portal.url}/gia-lap/dvcqg/api",
        "MOTCUA_DVCQG_TOKEN": TOKEN,
        "MOTCUA_DVCQG_TIMEOUT": "60",
        "MOTCUA_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "motcua.settings",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); "
            "from motcua.portalsync import services; services.drain()",
        ],
        env=env,
        cwd=ROOT,
    )
    try:
        deadline = time.monotonic() + 30
        while ReceivedMessage.objects.count() < 3:  # the portal holds the worker's batch
            assert time.monotonic() < deadline and worker.poll() is None
            time.sleep(0.1)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
    leased = PortalMessage.objects.exclude(claim_token="")
    assert leased.count() == 3 and set(leased.values_list("state", flat=True)) == {"pending"}
    Behaviour.objects.filter(pk=1).update(accept_then_sleep_ms=0)
    # before the lease runs out, no one else sends the dead worker's rows
    assert sync.drain(now=timezone.now()).sent == 0
    later = timezone.now() + sync.LEASE + dt.timedelta(seconds=1)
    assert sync.drain(now=later).sent == 6
    assert ReceivedMessage.objects.count() == 6
    for d in dossiers:
        assert received_statuses(d) == [2, 4]
