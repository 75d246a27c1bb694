"""Shared builders: a received dossier of the world and its fee request."""

from motcua.payments import services
from tests.dossiers.factories import at, receive

WHEN = at(2026, 11, 2, 9)


def fee_request(world, **kw):
    dossier = receive(world)
    return services.request_fees(world.officer, dossier_id=dossier.pk, at=WHEN, **kw)


def report(attempt, **kw) -> services.Report:
    return services.Report(
        **{
            "reference": attempt.reference,
            "amount_vnd": attempt.amount_vnd,
            "transaction_id": "PG-0001",
            "source": "test",
            **kw,
        }
    )
