"""The queue world of tests/queueing (a commune, services A-C, two counters, a clock at 09:00 on
Tuesday 17/11/2026), plus a helper that serves a ticket from start to finish; and the dossier
world of tests/dossiers for ratings of dossiers."""

import pytest

from motcua.queueing import services
from motcua.queueing.models import Ticket
from tests.dossiers.conftest import (  # noqa: F401  the dossier world, for dossier ratings
    _media_in_tmp,
    commit,
    notify_outbox,
    shipped_calendar,
    world,
)
from tests.queueing import conftest as queue_world

MODEL_BACKEND = queue_world.MODEL_BACKEND
clock = queue_world.clock
commune = queue_world.commune
other_commune = queue_world.other_commune
svc = queue_world.svc
counters = queue_world.counters
make_officer = queue_world.make_officer
officer = queue_world.officer
open_counters = queue_world.open_counters
issue = queue_world.issue


@pytest.fixture
def serve(open_counters, officer, issue, clock):
    """serve("A", counter=1, minutes=5) -> a done ticket, served at that counter by `officer`."""

    def make(code="A", *, counter=1, minutes=5, wait=2) -> Ticket:
        ticket = issue(code)
        at = open_counters[counter]
        clock.advance(minutes=wait)
        called = services.call_next(counter=at, officer=officer)
        assert called.pk == ticket.pk, "another ticket was waiting"
        services.start_service(ticket=called, counter=at, officer=officer)
        clock.advance(minutes=minutes)
        done = services.finish_service(ticket=called, counter=at, officer=officer)
        done.refresh_from_db()
        if not done.access_token:  # tickets issued before tokens existed
            done.access_token = services.new_access_token()
            done.save(update_fields=["access_token"])
        return done

    return make


@pytest.fixture
def staff_client(client):
    """A Django test client signed in as a given user: staff_client(user)."""

    def sign_in(user):
        client.force_login(user, backend=MODEL_BACKEND)
        return client

    return sign_in
