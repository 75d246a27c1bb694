"""Worker for the PostgreSQL concurrency test: runs in a forked process with its own connection."""


def receive_many(job: tuple[int, int, int, int, str]) -> list[str]:
    from django.db import connections

    from motcua.accounts.models import User
    from motcua.catalog.models import Procedure
    from motcua.core.models import Unit
    from motcua.dossiers import services

    from .factories import applicant

    officer_id, unit_id, procedure_id, count, when_iso = job
    connections.close_all()  # never reuse a socket inherited from the parent
    import datetime as dt

    when = dt.datetime.fromisoformat(when_iso)
    officer = User.objects.get(pk=officer_id)
    unit = Unit.objects.get(pk=unit_id)
    procedure = Procedure.objects.get(pk=procedure_id)
    codes = []
    for _ in range(count):
        dossier = services.receive_at_counter(
            officer, procedure=procedure, receiving_unit=unit, applicant=applicant(), at=when
        )
        codes.append(dossier.code)
    connections.close_all()
    return codes


def approve_once(job: tuple[int, int]) -> str:
    """Try to approve; 'ok' or the refusal's class name (the other process won)."""
    from django.db import connections

    from motcua.accounts.models import User
    from motcua.dossiers import services
    from motcua.dossiers.workflow import IllegalTransition

    leader_id, dossier_id = job
    connections.close_all()
    try:
        services.approve(User.objects.get(pk=leader_id), dossier_id=dossier_id)
        return "ok"
    except IllegalTransition as exc:
        return type(exc).__name__
    finally:
        connections.close_all()
