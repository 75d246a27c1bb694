"""Draining the outbox to the portal, and the manager's retry.

A worker (`drain`, run by `manage.py portal_sync` continuously and by a huey job every minute)
repeats: claim a batch, send it through the adapter, record each outcome.

- **Claim**: in one short transaction, `select_for_update(skip_locked=True)` the pending rows
  that are due and are the *head* of their dossier (no earlier row of the same dossier is
  pending or dead), then stamp them with this worker's token and a lease. Two workers never
  hold the same row; the lock is not held during the HTTP call.
- **Order per dossier**: a row is claimable only once every earlier row of its dossier was
  accepted, so a later change never reaches the portal before an earlier one; a dead row holds
  its dossier's later rows until a manager sends it again.
- **Crash**: a worker killed mid-batch leaves its rows pending with a lease that runs out
  (LEASE); the next claim takes them again and sends them with the same message ids, which
  the portal deduplicates ("DA_CO"): nothing is lost, nothing is held twice.
- **Outcomes**: accepted -> sent (accepted_at, lag); refused -> dead at once with the portal's
  code and reason; anything else (no answer, timeout, 5xx, an answer that is not JSON) ->
  retried with exponential backoff (30 s doubling, at most MOTCUA_DVCQG_MAX_BACKOFF_S), dead
  after MOTCUA_DVCQG_MAX_ATTEMPTS attempts. Outcomes are written only while the token still
  holds the row (a worker whose lease ran out writes nothing).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import DurationField, Exists, ExpressionWrapper, F, OuterRef, Q, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.models import Role
from motcua.accounts.scoping import has_role
from motcua.core import audit

from . import adapter
from .models import PortalMessage

log = logging.getLogger(__name__)

State = PortalMessage.State
LEASE = dt.timedelta(minutes=5)  # longer than a batch can take (timeout x 1 request)
BACKOFF_BASE = dt.timedelta(seconds=30)
RETRY_ROLES = (Role.MANAGER, Role.ADMINISTRATOR)


def backoff(attempts: int) -> dt.timedelta:
    """Pause after `attempts` failed tries: 30 s, 1, 2, 4, 8, 16 min, then the cap (30 min)."""
    delay = BACKOFF_BASE * (2 ** max(0, attempts - 1))
    return min(delay, dt.timedelta(seconds=settings.MOTCUA_DVCQG_MAX_BACKOFF_S))


def _claimable(now: dt.datetime):
    earlier_open = PortalMessage.objects.filter(
        dossier_id=OuterRef("dossier_id"),
        seq__lt=OuterRef("seq"),
        state__in=(State.PENDING, State.DEAD),
    )
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    return PortalMessage.objects.filter(free, due, state=State.PENDING).exclude(
        Exists(earlier_open)
    )


def claim(*, now: dt.datetime, limit: int) -> tuple[str, list[PortalMessage]]:
    """Take up to `limit` rows for this worker: (its token, the rows in send order)."""
    token = uuid.uuid4().hex
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    with transaction.atomic():
        ids = list(
            _claimable(now)
            .order_by("id")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:limit]
        )
        if not ids:
            return token, []
        # the condition again: on SQLite (no row locks) another worker may have got there first
        PortalMessage.objects.filter(free, pk__in=ids, state=State.PENDING).update(
            claim_token=token, claimed_until=now + LEASE, attempts=F("attempts") + 1
        )
    return token, list(PortalMessage.objects.filter(claim_token=token).order_by("id"))


@dataclass
class Drained:
    sent: int = 0
    refused: int = 0
    retried: int = 0
    dead: int = 0
    batches: int = 0

    def add(self, other: Drained) -> None:
        for name in ("sent", "refused", "retried", "dead", "batches"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def _held(token: str):
    return PortalMessage.objects.filter(claim_token=token, state=State.PENDING)


def record(token: str, rows: list[PortalMessage], outcomes, error: str, now: dt.datetime):
    """Write the outcome of one sent batch (only for rows this token still holds)."""
    done = Drained(batches=1)
    accepted = [m for m in rows if m.message_id in outcomes and outcomes[m.message_id].accepted]
    refused = [m for m in rows if m.message_id in outcomes and not outcomes[m.message_id].accepted]
    failed = [m for m in rows if m.message_id not in outcomes]
    with transaction.atomic():
        if accepted:
            done.sent = (
                _held(token)
                .filter(pk__in=[m.pk for m in accepted])
                .update(
                    state=State.SENT,
                    accepted_at=now,
                    lag=ExpressionWrapper(
                        Value(now) - F("changed_at"), output_field=DurationField()
                    ),
                    claim_token="",
                    claimed_until=None,
                    last_error="",
                    next_attempt_at=None,
                )
            )
        for m in refused:
            reason = outcomes[m.message_id].reason
            if (
                _held(token)
                .filter(pk=m.pk)
                .update(
                    state=State.DEAD,
                    rejected=True,
                    last_error=f"refused: {reason}"[:300],
                    claim_token="",
                    claimed_until=None,
                    next_attempt_at=None,
                )
            ):
                done.refused += 1
                _audit_dead(m, f"refused: {reason}")
        for m in failed:
            dead = m.attempts >= settings.MOTCUA_DVCQG_MAX_ATTEMPTS
            text = error or "missing: the answer did not mention this message"
            if (
                _held(token)
                .filter(pk=m.pk)
                .update(
                    state=State.DEAD if dead else State.PENDING,
                    last_error=text[:300],
                    claim_token="",
                    claimed_until=None,
                    next_attempt_at=None if dead else now + backoff(m.attempts),
                )
            ):
                if dead:
                    done.dead += 1
                    _audit_dead(m, text)
                else:
                    done.retried += 1
    return done


def _audit_dead(message: PortalMessage, reason: str) -> None:
    audit.record(
        action="portal_message.dead",
        obj=message,
        unit=message.unit_id,
        changes={"attempts": message.attempts, "reason": reason[:200]},
    )


def send_batch(*, now: dt.datetime | None = None, limit: int | None = None) -> Drained | None:
    """One claim, one request, its outcomes. None when nothing was claimable. Without `now`
    the outcome is stamped when the answer came (the lag includes the request)."""
    fixed = now
    now = now or timezone.now()
    token, rows = claim(now=now, limit=limit or settings.MOTCUA_DVCQG_BATCH)
    if not rows:
        return None
    error = ""
    try:
        outcomes = adapter.send(rows)
    except adapter.PortalUnavailable as exc:
        outcomes, error = {}, str(exc)
    except Exception as exc:  # an adapter bug must not leave the rows leased until it runs out
        log.exception("portal adapter crashed")
        outcomes, error = {}, f"internal: {type(exc).__name__}"
    if error:
        log.warning("portal batch of %s failed: %s", len(rows), error)
    return record(token, rows, outcomes, error, fixed or timezone.now())


def drain(
    *, now: dt.datetime | None = None, limit: int | None = None, seconds: float | None = None
) -> Drained:
    """Send batches until nothing is claimable (or `seconds` have passed). `now` (tests: a
    simulated moment) is the clock of every claim and outcome; None reads the clock each time."""
    total = Drained()
    started = time.monotonic()
    while seconds is None or time.monotonic() - started < seconds:
        done = send_batch(now=now, limit=limit)
        if done is None:
            break
        total.add(done)
        if done.sent == 0 and done.refused == 0:
            break  # the portal takes nothing now: the backoff decides when to try again
    return total


def may_retry(actor, message: PortalMessage) -> bool:
    return bool(actor) and has_role(actor, *RETRY_ROLES, unit=message.unit_id)


def retry(actor, *, message_pk: int, now: dt.datetime | None = None) -> PortalMessage:
    """A manager sends a dead message again: back to pending with fresh attempts, first in
    its dossier's line (its later messages follow once it is accepted)."""
    now = now or timezone.now()
    with transaction.atomic():
        message = PortalMessage.objects.select_for_update().get(pk=message_pk)
        if not may_retry(actor, message):
            raise PermissionDenied(_("Bạn không có quyền gửi lại tin nhắn đồng bộ này."))
        if message.state != State.DEAD:
            raise ValidationError(_("Tin nhắn này không ở danh sách lỗi, không cần gửi lại."))
        before = message.last_error
        PortalMessage.objects.filter(pk=message.pk).update(
            state=State.PENDING,
            attempts=0,
            next_attempt_at=now,
            rejected=False,
            claim_token="",
            claimed_until=None,
        )
        audit.record(
            action="portal_message.retry",
            obj=message,
            actor=actor,
            unit=message.unit_id,
            changes={"last_error": before[:200]},
        )
    message.refresh_from_db()
    return message


# --- backfill ----------------------------------------------------------------------------------


@dataclass
class Backfilled:
    dossiers: int = 0
    messages: int = 0


def backfill(*, batch: int = 500, dossier_ids: list[int] | None = None) -> Backfilled:
    """Write the outbox messages of the changes made before the sync existed (`manage.py
    portal_sync_backfill`; `load_demo` runs it for the demo's history).

    Every creation, status change and new appointment of every dossier gets the message the
    hook would have written, with the same uuid5 id and order (`seq` from its event), its
    payload what had happened by that change (outbox.snapshot): run again, it writes nothing.
    A dossier whose messages the portal already accepted one of is left alone: each message
    carries the whole step history, so the portal knows the earlier changes, and an older
    status sent after a newer one would move the dossier back there. Batches of `batch`
    dossiers, a fixed number of queries each."""
    from motcua.dossiers.models import Dossier
    from motcua.dossiers.services import TransitionInfo

    from . import outbox, selectors

    done = Backfilled()
    dossiers = selectors.with_fee_request(Dossier.objects.order_by("pk"))
    if dossier_ids is not None:
        dossiers = dossiers.filter(pk__in=dossier_ids)
    last = 0
    while True:
        chunk = list(
            dossiers.filter(pk__gt=last).select_related("receiving_unit", "competent_unit")[:batch]
        )
        if not chunk:
            return done
        last = chunk[-1].pk
        ids = [d.pk for d in chunk]
        known: set[str] = set()
        accepted: set[int] = set()
        for dossier_id, message_id, state in PortalMessage.objects.filter(
            dossier_id__in=ids
        ).values_list("dossier_id", "message_id", "state"):
            known.add(message_id)
            if state == State.SENT:
                accepted.add(dossier_id)
        found = outbox.facts(chunk)
        rows: list[PortalMessage] = []
        for dossier in chunk:
            if dossier.pk in accepted:
                continue
            fresh = []
            for step in found[dossier.pk].history:
                info = TransitionInfo(
                    dossier_id=dossier.pk,
                    action=step.action,
                    from_status=step.from_status,
                    to_status=step.to_status,
                    event_id=step.event_id,
                    data=step.data,
                    note=step.note,
                )
                if not outbox.wanted(info):
                    continue
                status_id = outbox.message_id(
                    dossier.code, step.event_id, PortalMessage.Kind.STATUS
                )
                if status_id in known:  # the hook (or an earlier backfill) wrote this change's
                    continue
                fresh.extend(outbox.messages_for(dossier, info, step.at, found[dossier.pk]))
            for row in fresh:
                row.backfilled = True
            if fresh:
                done.dossiers += 1
                rows.extend(fresh)
        # the unique ids keep one copy if a hook wrote the same change meanwhile
        PortalMessage.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
        done.messages += len(rows)
