"""On PostgreSQL, 200 receptions for the same unit and day from 8 processes get 200 distinct,
consecutive codes: the locked daily counter row serialises them, with no gap and no duplicate."""

import multiprocessing

import pytest
from django.db import connections

from motcua.dossiers.models import DailySequence, Dossier

from ._concurrent_reception import receive_many
from .factories import at

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
PROCESSES, EACH = 8, 25


def test_200_receptions_from_8_processes_get_200_consecutive_codes(world):
    when = at(2026, 11, 2, 9)
    job = (world.officer.pk, world.commune.pk, world.procedure.pk, EACH, when.isoformat())
    connections.close_all()  # a forked child must not share the parent's connection
    context = multiprocessing.get_context("fork")
    with context.Pool(PROCESSES) as pool:
        results = pool.map(receive_many, [job] * PROCESSES)
    codes = [code for batch in results for code in batch]
    prefix = f"{world.commune.agency_code}-261102-"
    assert len(codes) == len(set(codes)) == PROCESSES * EACH
    assert sorted(codes) == [f"{prefix}{n:04d}" for n in range(1, PROCESSES * EACH + 1)]
    assert Dossier.objects.filter(receiving_unit=world.commune).count() == 200
    assert DailySequence.objects.get(unit=world.commune).last_value == 200
    for batch in results:  # each process saw its own numbers increase
        assert batch == sorted(batch)


def test_two_leaders_approving_at_once_make_one_approval(world):
    from motcua.dossiers.models import DossierEvent, Status

    from ._concurrent_reception import approve_once
    from .factories import drive_to

    dossier = drive_to(world, Status.AWAITING_APPROVAL)
    connections.close_all()
    with multiprocessing.get_context("fork").Pool(4) as pool:
        outcomes = pool.map(approve_once, [(world.leader.pk, dossier.pk)] * 4)
    assert sorted(outcomes) == ["IllegalTransition"] * 3 + ["ok"]
    assert DossierEvent.objects.filter(dossier=dossier, action="approve").count() == 1
    dossier.refresh_from_db()
    assert dossier.status == Status.APPROVED
