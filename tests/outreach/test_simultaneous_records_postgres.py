"""Two team members recording the same villager at the same moment still count one person
(row locks and unique constraints: proven on PostgreSQL)."""

import threading

import pytest
from django.db import connection

from motcua.outreach import services
from motcua.outreach.models import AgeGroup, AssistedAction, Resident

from .conftest import at, new_key

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_simultaneous_records_of_one_person_count_once(manager, team_member, villages):
    barrier = threading.Barrier(4)
    results, errors = [], []

    def record(actor, phone):
        try:
            barrier.wait()
            results.append(
                services.record_action(
                    actor=actor,
                    village=villages["thon1"],
                    kind=AssistedAction.Kind.APP_INSTALLED,
                    phone=phone,
                    age_group=AgeGroup.WORKING,
                    occurred_at=at("2026-11-20 09:00"),
                    client_uuid=new_key(),
                )
            )
        except Exception as exc:  # noqa: BLE001  collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=record, args=(who, phone))
        for who, phone in [
            (manager, "0912345678"),
            (team_member, "0912 345 678"),
            (manager, "+84912345678"),
            (team_member, "0912.345.678"),
        ]
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert not errors, errors
    assert sorted(r.created for r in results) == [False, False, False, True]
    assert Resident.objects.count() == 1
    assert AssistedAction.objects.count() == 1
