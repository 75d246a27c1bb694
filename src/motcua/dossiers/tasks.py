"""Background jobs of dossiers: the OCR of a counter scan (`ocr_scan_task`), and the periodic
job that flags dossiers at risk of being late and records overdue dossiers with no apology.

Idempotent: a flag or violation is unique per (dossier, kind, due date it refers to), so
running the job twice, or on two workers at once, records each fact once. A flag is cleared
when the dossier is no longer at risk (`deadlines.assess`), its current due date moves
(extension, pause) or it leaves the active states.
"""

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from motcua.core import audit

from . import deadlines, selectors
from .models import Dossier, DossierFlag, Extension, Status, Violation
from .workflow import ACTIVE


@db_task()
def ocr_scan_task(scan_id: int) -> None:
    """OCR of one counter scan (dossiers.scanning.process_scan), queued after its upload commits."""
    from .scanning import process_scan

    process_scan(scan_id)


@db_periodic_task(crontab(minute="*/30"))
def watch_deadlines_task() -> None:
    watch_deadlines()


@db_periodic_task(crontab(hour="8", minute="15"))
def remind_expiring_results_task() -> None:
    remind_expiring_results()


def remind_expiring_results(*, now: dt.datetime | None = None) -> int:
    """Proactive services: tell the holder of a returned result that it stops being valid
    within `MOTCUA_EXPIRY_REMINDER_DAYS` (a marital-status certificate: 6 months). Runs
    daily; the outbox's key sends each reminder once, however often the job runs."""
    from motcua.catalog import selectors as catalog_selectors

    from . import notifications

    now = now or deadlines.current_time()
    ahead = dt.timedelta(days=settings.MOTCUA_EXPIRY_REMINDER_DAYS)
    sent = 0
    for validity in catalog_selectors.result_validities():
        lasts = dt.timedelta(days=validity.days)
        expiring = Dossier.objects.filter(
            procedure_code=validity.code,
            status=Status.RETURNED,
            notifications_off=False,
            returned_at__gt=now - lasts,
            returned_at__lte=now - lasts + ahead,
        ).select_related("receiving_unit")
        for dossier in expiring:
            until = dossier.returned_at + lasts
            for message in notifications.expiry_messages(
                dossier, until=until, result=validity.result
            ):
                notifications.deliver(message)
                sent += 1
    return sent


def _insert_once(model, **fields) -> bool:
    """Create the row unless it exists; True when this call created it (race-safe)."""
    try:
        with transaction.atomic():
            _, created = model.objects.get_or_create(**fields)
    except IntegrityError:
        return False
    return created


def watch_deadlines(*, now: dt.datetime | None = None) -> dict[str, int]:
    """One pass: raise at-risk flags, clear stale ones, record missing apologies.

    "At risk" is `deadlines.assess`, the rule the worklist's tab and badge use: a flag is
    raised when it holds and cleared when it no longer does (the step got done, the deadline
    moved, the dossier paused or closed), so a flag never outlives the risk by more than one
    pass. A dossier that is at risk again for the same due date gets its flag back.
    """
    now = now or deadlines.current_time()
    counts = {"flagged": 0, "cleared": 0, "missing_apology": 0}
    active = Dossier.objects.filter(status__in=ACTIVE)

    found = selectors.warnings(
        active.filter(due_at_current__gte=now).exclude(status=Status.AWAITING_SUPPLEMENT),
        now=now,
    )
    risky = [pk for pk, warning in found.items() if warning.at_risk]
    for dossier_id, due in active.filter(pk__in=risky).values_list("id", "due_at_current"):
        if _insert_once(
            DossierFlag,
            dossier_id=dossier_id,
            kind=DossierFlag.Kind.AT_RISK,
            due_at_ref=due,
            defaults={"raised_at": now},
        ):
            counts["flagged"] += 1
        else:
            counts["flagged"] += DossierFlag.objects.filter(
                dossier_id=dossier_id,
                kind=DossierFlag.Kind.AT_RISK,
                due_at_ref=due,
                cleared_at__isnull=False,
            ).update(cleared_at=None, raised_at=now)

    stale = DossierFlag.objects.filter(cleared_at__isnull=True).exclude(
        dossier__status__in=ACTIVE, dossier__due_at_current=F("due_at_ref"), dossier_id__in=risky
    )
    counts["cleared"] = stale.update(cleared_at=now)

    # Overdue with no extension made for the deadline it missed: the apology was never sent.
    extended = Extension.objects.filter(
        dossier=OuterRef("pk"), old_due_at=OuterRef("due_at_current")
    )
    missing = deadlines.overdue(active, now=now).exclude(Exists(extended))
    for dossier in missing.only("id", "due_at_current", "competent_unit_id"):
        created = _insert_once(
            Violation,
            dossier_id=dossier.pk,
            kind=Violation.Kind.MISSING_APOLOGY,
            due_at_ref=dossier.due_at_current,
            defaults={
                "detected_at": now,
                "details": {"overdue_since": dossier.due_at_current.isoformat()},
            },
        )
        if created:
            counts["missing_apology"] += 1
            audit.record(
                action="dossier.violation",
                object_type="dossiers.dossier",
                object_id=dossier.pk,
                changes={"kind": Violation.Kind.MISSING_APOLOGY},
                unit=dossier.competent_unit_id,
            )
    return counts
