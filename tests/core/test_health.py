"""/healthz tells the load balancer whether this server can serve: database and worker."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import OperationalError, connection
from django.utils import timezone

from motcua.core.tasks import beat
from motcua.core.views import HEARTBEAT_KEY

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_heartbeat():
    cache.delete(HEARTBEAT_KEY)
    yield
    cache.delete(HEARTBEAT_KEY)


def test_healthy_when_database_answers_and_worker_beat_recently(client):
    beat()
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"] == {"database": "ok", "worker": "ok"}
    assert 0 <= body["worker_heartbeat_age_seconds"] < 5
    assert "no-cache" in response["Cache-Control"]


def test_unhealthy_when_no_worker_ever_beat(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "worker": "missing"}


def test_unhealthy_when_worker_heartbeat_is_older_than_allowed(client, settings):
    settings.WORKER_HEARTBEAT_MAX_AGE = 180
    cache.set(HEARTBEAT_KEY, timezone.now() - dt.timedelta(seconds=181), timeout=None)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["worker"] == "stale"
    assert response.json()["worker_heartbeat_age_seconds"] >= 181


def test_unhealthy_when_database_does_not_answer(client, monkeypatch):
    beat()

    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    with monkeypatch.context() as patched:
        patched.setattr(connection, "cursor", refuse)  # the database server went away
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "degraded"
    assert response.json()["checks"]["database"] == "error"


def test_any_task_run_by_a_worker_counts_as_a_heartbeat(client):
    """core.apps hooks huey's 'executing' signal: a busy worker is alive."""
    from huey.contrib.djhuey import HUEY

    @HUEY.task()
    def some_job():
        return "done"

    was_immediate = HUEY.immediate
    HUEY.immediate = True  # run in this process, through the worker's execute path
    try:
        assert some_job()() == "done"
    finally:
        HUEY.immediate = was_immediate
    assert client.get("/healthz").status_code == 200


def test_load_balancer_probe_keeps_serving_pages_while_workers_are_down(client):
    response = client.get("/healthz?probe=web")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "worker": "missing"}


def test_load_balancer_probe_fails_without_database(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    with monkeypatch.context() as patched:
        patched.setattr(connection, "cursor", refuse)
        response = client.get("/healthz?probe=web")
    assert response.status_code == 503
