"""`services.fees_in_force`: the public rule for which fees a new dossier owes, used by
reception and by the demo history alike."""

import datetime as dt

import pytest

from motcua.catalog.models import Fee
from motcua.dossiers import services

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 11, 2)


def amounts(rows) -> list[int]:
    return sorted(r["amount_vnd"] for r in rows)


def test_online_exemption_replaces_the_general_fee_only_online(world):
    assert amounts(services.fees_in_force(world.procedure, online=False, day=DAY)) == [8000]
    assert amounts(services.fees_in_force(world.procedure, online=True, day=DAY)) == [0]


def test_a_fee_counts_only_on_the_days_it_is_in_force(world):
    Fee.objects.create(
        procedure=world.procedure,
        kind=Fee.Kind.FEE,
        amount_vnd=20000,
        channel=Fee.Channel.ANY,
        valid_from=dt.date(2026, 12, 1),
    )
    assert amounts(services.fees_in_force(world.procedure, online=False, day=DAY)) == [8000]
    later = services.fees_in_force(world.procedure, online=False, day=dt.date(2026, 12, 1))
    assert amounts(later) == [8000, 20000]
    assert set(later[0]) == {"kind", "amount_vnd", "channel", "condition", "case", "legal_basis"}


def test_reception_snapshots_exactly_these_fees(world):
    from .factories import receive

    d = receive(world)
    assert d.fees == services.fees_in_force(world.procedure, online=False, day=DAY)
    assert d.fee_total_vnd == 8000
