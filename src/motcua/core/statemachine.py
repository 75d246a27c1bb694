"""One state-machine helper for every row whose status is a workflow (tickets, bookings, dossiers).

Each app declares its table once as a `Machine` ({action: (sources, target)}, labels, terminal
statuses, how its event row looks, which audit names it uses) and changes a status only through
`Machine.run()`, which does the same things in the same order for everyone, in one transaction:

1. lock the row (`select_for_update`), or take the row the caller already locked;
2. `guard(row)`: the caller's checks that come before anything else (roles, idempotent repeats
   that end the call with `NOOP`);
3. the version check against `expected_version` (a stale or double-submitted form);
4. the table check (`Machine.check`): an action not allowed from this status raises
   `IllegalTransition` (or the app's subclass, `error=`) with the Vietnamese reason the app
   words for it;
5. `permit(row, move)`: the caller's checks that come after the table's (who may run a move
   the status allows: a dossier's roles, so a move the status forbids is a 409 for anyone and
   a role refusal a 403);
6. `apply(row, move, at)`: the caller's rules and field changes (it may raise to refuse: the
   transaction rolls back and nothing is written);
7. the new status, `version + 1` when the model has one, the event row (the app's factory), the
   row saved (only the columns that changed), one `core.audit.record()` row;
8. the `in_transaction` hooks the caller passes (rows that must commit with the change or not
   at all, e.g. a notification outbox; they see the saved event, an error undoes everything);
9. the hooks, only after commit (`transaction.on_commit`): a failing hook is logged, it never
   undoes or hides a committed change.

Creation is not a transition (there is no row to lock or status to leave): `Machine.created()`
writes the first event, the audit row and the hooks for a row the caller has just inserted, with
no extra query, so the queue's issuance path costs what it did before.

Every refusal of the table (and every stale version) is `IllegalTransition`, and every app's
refusal is that class or a subclass: views answer it with HTTP 409 and the `reason`
(decisions/0018), and `IllegalTransitionMiddleware` answers any that a view did not catch.
"""

from __future__ import annotations

import copy
import datetime as dt
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit

log = logging.getLogger(__name__)

# A target that keeps the status (a step, a note, a recall): the event still records the action.
KEEP = None
# What `guard` returns to end the call without a transition (an idempotent repeat).
NOOP = object()


class IllegalTransition(Exception):
    """An action not allowed now; `reason` is the Vietnamese sentence shown (HTTP 409).

    The one error type of every state machine: dossiers' `workflow.IllegalTransition` derives
    from it, tickets and bookings raise it directly, so one `except` (or the middleware) answers
    every refused move the same way.
    """

    code = "illegal_transition"

    def __init__(self, reason: str, *, action: str = "", status: Any = None):
        super().__init__(reason)
        self.reason = reason
        self.action = action
        self.status = status


@dataclass(frozen=True)
class Move:
    """What the table allows: `action` takes the row from `from_status` to `to_status`."""

    action: str
    from_status: Any
    to_status: Any


@dataclass
class Outcome:
    """What `run`/`created` did: handed to the hooks after commit and returned to the caller.

    `changed` is {attribute: [old, new]} for every column the transition changed (the hooks use
    it, e.g. the service a transferred ticket left); `move` and `event` are None after `NOOP`.
    `actor` and `note` are what the caller passed to `run`/`created`, for the event factory.
    """

    obj: Any
    move: Move | None
    event: Any = None
    at: dt.datetime | None = None
    data: dict = field(default_factory=dict)
    changed: dict = field(default_factory=dict)
    actor: Any = None
    note: str = ""


Hook = Callable[[Outcome], None]
Target = Any  # a status, KEEP, or a callable (locked row) -> status


def _default_refusal(machine: Machine, action: str, status: Any, obj: Any) -> str:
    return _("Không thể “%(action)s” khi đang ở trạng thái “%(status)s”.") % {
        "action": machine.label(action),
        "status": machine.status_label(status),
    }


def _stale_reason() -> str:
    return _("Dữ liệu vừa được cập nhật bởi thao tác khác; vui lòng tải lại trang.")


class Machine:
    """One workflow: the table, its words, and how its event and audit rows are written.

    `event(outcome_so_far)` returns the unsaved event row (the helper inserts it); `unit(row)`
    names the audit chain; `audit_names` maps an action to the audit verb where the app's log
    uses another word (`confirm` -> `confirmed`); `refusal(machine, action, status, row)` words
    the Vietnamese reason of a refused move; `error` is the IllegalTransition class raised (an
    app's subclass); `hooks` run after the commit of every transition and creation of this
    machine. `audit_kept_status=False` leaves the status pair out of the audit row of a move
    that keeps the status (a dossier's audit row lists only what changed; a ticket's records
    the pair always).
    """

    def __init__(
        self,
        *,
        name: str,
        model: type[models.Model],
        transitions: Mapping[str, tuple[Iterable[Any], Target]],
        labels: Mapping[str, Any],
        terminal: Iterable[Any] = (),
        statuses: Iterable[Any] | None = None,
        event: Callable[[Outcome], models.Model],
        audit_prefix: str,
        audit_names: Mapping[str, str] | None = None,
        unit: Callable[[Any], Any] = lambda row: row.unit_id,
        refusal: Callable[[Machine, str, Any, Any], str] = _default_refusal,
        stale_reason: Callable[[], str] = _stale_reason,
        error: type[IllegalTransition] = IllegalTransition,
        status_field: str = "status",
        current_event_field: str | None = None,
        audit_kept_status: bool = True,
        hooks: Iterable[Hook] = (),
    ):
        self.name = name
        self.model = model
        self.transitions = {a: (frozenset(src), to) for a, (src, to) in transitions.items()}
        self.labels = dict(labels)
        self.terminal = frozenset(terminal)
        self.statuses = frozenset(statuses) if statuses is not None else None
        self.event = event
        self.audit_prefix = audit_prefix
        self.audit_names = dict(audit_names or {})
        self.unit = unit
        self.refusal = refusal
        self.stale_reason = stale_reason
        self.error = error
        self.status_field = status_field
        self.current_event_field = current_event_field
        self.audit_kept_status = audit_kept_status
        self.hooks: list[Hook] = list(hooks)
        names = {f.name for f in model._meta.concrete_fields}
        self.versioned = "version" in names
        self._fields = [f.attname for f in model._meta.concrete_fields if not f.primary_key]
        self._validate()

    # --- the table ---------------------------------------------------------------------------

    def _validate(self) -> None:
        """Refuse at import a table that lets a terminal status out, or lacks a label."""
        for action, (sources, target) in self.transitions.items():
            if sources & self.terminal:
                raise AssertionError(f"{self.name}.{action}: a terminal status cannot be a source")
            if action not in self.labels:
                raise AssertionError(f"{self.name}.{action}: no label")
            if self.statuses is not None:
                known = sources <= self.statuses
                if not known or (not callable(target) and target not in (KEEP, *self.statuses)):
                    raise AssertionError(f"{self.name}.{action}: unknown status")

    def label(self, action: str) -> str:
        return str(self.labels.get(action, action))

    def status_label(self, status: Any) -> str:
        field_ = self.model._meta.get_field(self.status_field)
        assert isinstance(field_, models.Field)  # a status is a column, never a relation
        return str(dict(field_.flatchoices).get(status, status))

    def allowed(self, status: Any) -> list[str]:
        """Actions a screen may offer for a row in `status` (the caller's rules come later)."""
        if status in self.terminal:
            return []
        return [a for a, (sources, _t) in self.transitions.items() if status in sources]

    def check(self, action: str, status: Any, obj: Any = None) -> Move:
        """The move `action` makes from `status`, or IllegalTransition saying why not.

        A callable target is computed from the locked row `obj` (the end-of-day close, a
        dossier's resume); `KEEP` keeps the status.
        """
        if action not in self.transitions:
            raise self.error(
                _("Thao tác không tồn tại: %(action)s.") % {"action": action}, action=action
            )
        sources, target = self.transitions[action]
        if status not in sources:
            raise self.error(self.refusal(self, action, status, obj), action=action, status=status)
        if target is KEEP:
            target = status
        elif callable(target):
            target = target(obj)
        return Move(action=action, from_status=status, to_status=target)

    def refuse(self, action: str, obj: Any) -> IllegalTransition:
        """The error the table gives for `action` on `obj` as it is now (for a caller that found
        out itself, e.g. a hold that lapsed while the citizen read the page)."""
        status = getattr(obj, self.status_field)
        return self.error(self.refusal(self, action, status, obj), action=action, status=status)

    # --- writing -----------------------------------------------------------------------------

    def _values(self, obj: Any) -> dict:
        # JSON columns are copied: a verb that edits a dict in place must still show as changed.
        return {
            name: copy.deepcopy(v) if isinstance(v, dict | list) else v
            for name in self._fields
            for v in (getattr(obj, name),)
        }

    @staticmethod
    def _in_transaction(outcome: Outcome, hooks: Iterable[Hook]) -> None:
        for hook in hooks:  # not caught: an error here must undo the transition
            hook(outcome)

    def _after_commit(self, outcome: Outcome, hooks: Iterable[Hook]) -> None:
        todo = [*self.hooks, *hooks]
        if not todo:
            return

        def run_hooks() -> None:
            for hook in todo:
                try:
                    hook(outcome)
                except Exception:  # a failing notifier must not hide a committed change
                    log.exception("%s hook %r failed", self.name, hook)

        transaction.on_commit(run_hooks)

    def _audit(
        self,
        outcome: Outcome,
        action: str,
        changes: dict,
        actor: Any,
        ip: str | None,
        unit: Any = None,
    ) -> None:
        audit.record(
            action=f"{self.audit_prefix}{self.audit_names.get(action, action)}",
            obj=outcome.obj,
            unit=self.unit(outcome.obj) if unit is None else unit,
            actor=actor,
            ip=ip,
            changes=changes,
        )

    def run(
        self,
        pk: Any = None,
        *,
        action: str,
        actor: Any = None,
        at: dt.datetime | None = None,
        apply: Callable[[Any, Move, dt.datetime], dict | None] | None = None,
        guard: Callable[[Any], Any] | None = None,
        permit: Callable[[Any, Move], None] | None = None,
        expected_version: int | None = None,
        data: dict | None = None,
        note: str = "",
        changes: dict | None = None,
        audit_fields: Iterable[str] = (),
        queryset: models.QuerySet | None = None,
        locked: Any = None,
        in_transaction: Iterable[Hook] = (),
        after_commit: Iterable[Hook] = (),
        ip: str | None = None,
        savepoint: bool = True,
    ) -> Outcome:
        """Run `action` on row `pk` (or on `locked`, a row this transaction already locked).

        `data` goes to the event factory (a note, the counter); what `apply` returns is added to
        it; `note` is handed to the factory as `outcome.note`. `guard` runs before the version
        and table checks, `permit` after them (both before `apply`). The audit row's changes are
        the status pair, the changed `audit_fields`, and `changes` (read after `apply`, so
        `apply` may add to it). `in_transaction` hooks run after the audit row, inside the
        transaction; `after_commit` hooks (with the machine's) after the commit. Raises
        IllegalTransition for a refused move or a stale `expected_version`; whatever `guard`,
        `permit`, `apply` or an `in_transaction` hook raise rolls the whole transition back.
        `savepoint=False` for a caller whose own transaction ends with any error this raises
        (two round trips less; the caller must not catch the error and go on writing).
        """
        at = at or timezone.now()
        if timezone.is_naive(at):
            raise ValueError("naive datetime: pass an aware datetime")
        data = dict(data or {})
        changes = changes if changes is not None else {}
        with transaction.atomic(savepoint=savepoint):
            if locked is not None:
                obj = locked
            else:
                qs = queryset if queryset is not None else self.model._default_manager.all()
                obj = qs.select_for_update().get(pk=pk)
            if guard is not None and guard(obj) is NOOP:
                return Outcome(obj=obj, move=None, at=at)
            status = getattr(obj, self.status_field)
            if expected_version is not None and expected_version != getattr(obj, "version", None):
                raise self.error(self.stale_reason(), action=action, status=status)
            move = self.check(action, status, obj)
            if permit is not None:
                permit(obj, move)
            before = self._values(obj)
            if apply is not None:
                data.update(apply(obj, move, at) or {})
            setattr(obj, self.status_field, move.to_status)
            if self.versioned:
                obj.version += 1
            outcome = Outcome(obj=obj, move=move, at=at, data=data, actor=actor, note=note)
            event = self.event(outcome)
            event.save(force_insert=True)
            outcome.event = event
            if self.current_event_field is not None:
                setattr(obj, self.current_event_field, event)
            after = self._values(obj)
            outcome.changed = {k: [before[k], v] for k, v in after.items() if v != before[k]}
            if outcome.changed:
                obj.save(update_fields=list(outcome.changed))
            status_column = self.model._meta.get_field(self.status_field)
            assert isinstance(status_column, models.Field)  # a column, never a relation
            status_field = status_column.attname
            kept = move.from_status == move.to_status
            self._audit(
                outcome,
                action,
                {
                    **(
                        {status_field: [move.from_status, move.to_status]}
                        if self.audit_kept_status or not kept
                        else {}
                    ),
                    **{k: outcome.changed[k] for k in audit_fields if k in outcome.changed},
                    **changes,
                },
                actor,
                ip,
            )
            self._in_transaction(outcome, in_transaction)
            self._after_commit(outcome, after_commit)
        return outcome

    def created(
        self,
        obj: Any,
        *,
        action: str,
        actor: Any = None,
        at: dt.datetime | None = None,
        data: dict | None = None,
        note: str = "",
        changes: dict | None = None,
        audited: bool = True,
        unit: Any = None,
        in_transaction: Iterable[Hook] = (),
        after_commit: Iterable[Hook] = (),
        ip: str | None = None,
    ) -> Outcome:
        """The first event of a row the caller has just inserted in its open transaction.

        The event goes from "" to the row's status; the audit row carries `changes` as given
        (creation has no old values), in the chain of `unit` when given (a dossier is created by
        its receiving unit, then audited under its competent one); `audited=False` when the
        caller's audit row of another transition already tells it (a rescheduled booking).
        With a `current_event_field` the row is pointed at its event and saved (whole: the
        caller's unsaved changes go with it; the one UPDATE the caller would have made), before
        the audit row and the `in_transaction` hooks. Adds no query beyond the event and audit
        inserts (and that UPDATE): it is on the queue's issuance path.
        """
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError(f"{self.name}: created() must run inside the creating transaction")
        at = at or timezone.now()
        move = Move(action=action, from_status="", to_status=getattr(obj, self.status_field))
        outcome = Outcome(obj=obj, move=move, at=at, data=dict(data or {}), actor=actor, note=note)
        event = self.event(outcome)
        event.save(force_insert=True)
        outcome.event = event
        if self.current_event_field is not None:
            setattr(obj, self.current_event_field, event)
            obj.save()
        if audited:
            self._audit(outcome, action, dict(changes or {}), actor, ip, unit)
        self._in_transaction(outcome, in_transaction)
        self._after_commit(outcome, after_commit)
        return outcome


def actor_or_none(actor: Any) -> Any:
    """The actor as an event's foreign key: None for a job, an anonymous citizen, a kiosk."""
    return actor if getattr(actor, "is_authenticated", False) else None
