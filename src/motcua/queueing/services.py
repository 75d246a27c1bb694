"""Queue use cases: issue a ticket, open and close a counter, call, recall, serve, transfer.

Every ticket state change goes through `transition()`, a thin layer over the shared state
machine (`core.statemachine`, the `TICKETS` machine below): it locks the ticket row, checks the
allowed-transitions table, writes a `TicketEvent` and an audit event in the same transaction and
publishes the display board after commit. A move the table refuses raises
`core.statemachine.IllegalTransition` (views answer 409); the verbs' own rules (the right
counter, enough calls) stay `ValidationError` (400).
Numbers come from `TicketSequence` by one upsert statement that also locks the (service, day)
row until commit, so numbers are gap-free and never duplicated (docs/decisions/0008).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.core import calendar, counters, identifiers
from motcua.core.audit import record
from motcua.core.models import Counter, Unit, Village
from motcua.core.statemachine import KEEP, IllegalTransition, Machine, Outcome, actor_or_none

from . import display, near_turn, priority
from .models import (
    CounterAssignment,
    QueuePolicy,
    Service,
    Ticket,
    TicketEvent,
    TicketSequence,
    display_code,
)

S = Ticket.Status
NONE = Ticket.Priority.NONE
QUEUE_ORDER = ("issued_at", "number", "id")
_DOSSIER_CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.\-/]{0,39}$")
_KEY = re.compile(r"^[0-9A-Za-z_\-]{8,64}$")
# actions after which the people behind move up: "your turn is near" is checked on commit
QUEUE_MOVES = frozenset({"call", "skip", "transfer", "cancel"})
log = logging.getLogger(__name__)


def now() -> dt.datetime:
    """The clock of this module (tests move it with monkeypatch)."""
    return timezone.now()


def local_day(at: dt.datetime) -> dt.date:
    return timezone.localtime(at, calendar.LOCAL_TZ).date()


def policy_for(unit: Unit | int) -> QueuePolicy:
    """The unit's rules, or an unsaved row carrying the defaults."""
    unit_id = unit.pk if isinstance(unit, Unit) else unit
    return QueuePolicy.objects.filter(unit_id=unit_id).first() or QueuePolicy(unit_id=unit_id)


def is_open_for_tickets(unit: Unit, at: dt.datetime) -> bool:
    """Office hours on a working day, or Saturday morning where the unit receives then."""
    local = timezone.localtime(at, calendar.LOCAL_TZ)
    (am_open, am_close), (pm_open, pm_close) = calendar.office_hours()
    time = local.time()
    day = local.date()
    if calendar.is_working_day(day, unit):
        return am_open <= time < am_close or pm_open <= time < pm_close
    if day.weekday() == 5 and unit.opens_saturday_morning:
        return calendar.day_off_reason(day, unit) == "" and am_open <= time < am_close
    return False


def _hours_text() -> str:
    (am_open, am_close), (pm_open, pm_close) = calendar.office_hours()
    return f"{am_open:%H:%M}-{am_close:%H:%M}, {pm_open:%H:%M}-{pm_close:%H:%M}"


def new_access_token() -> str:
    """24 URL-safe characters (144 bits): the citizen's phone opens its ticket by this."""
    return secrets.token_urlsafe(18)


# --- issuing --------------------------------------------------------------------------------


def _next_number(service_id: int, day: dt.date) -> int:
    """Increment and return the (service, day) counter; the row stays locked until commit."""
    return counters.next_value(TicketSequence, service=service_id, day=day)


def _check_issue(
    *,
    unit: Unit,
    service: Service,
    source: str,
    priority_reason: str,
    village: Village | None,
    age_group: str,
    at: dt.datetime,
) -> None:
    if service.unit_id != unit.pk:
        raise ValidationError(_("Nhóm dịch vụ này không thuộc đơn vị."), code="wrong_unit")
    if source not in Ticket.Source.values:
        raise ValidationError(_("Nguồn lấy số không hợp lệ."), code="bad_source")
    if priority_reason not in Ticket.Priority.values:
        raise ValidationError(_("Diện ưu tiên không hợp lệ."), code="bad_priority")
    if age_group not in Ticket.AgeGroup.values:
        raise ValidationError(_("Nhóm tuổi không hợp lệ."), code="bad_age_group")
    if village is not None and village.unit_id != unit.pk:
        raise ValidationError(_("Thôn/tổ dân phố không thuộc đơn vị."), code="wrong_village")
    if not service.is_active:
        raise ValidationError(
            _("Nhóm dịch vụ “%(name)s” hiện không nhận số.") % {"name": service.name},
            code="service_closed",
        )
    if not is_open_for_tickets(unit, at):
        raise ValidationError(
            _(
                "Ngoài giờ tiếp nhận. Xin mời quay lại trong giờ làm việc (%(hours)s, "
                "các ngày làm việc)."
            )
            % {"hours": _hours_text()},
            code="outside_hours",
        )


def issue_ticket(
    *,
    unit: Unit,
    service: Service,
    source: str,
    priority_reason: str = NONE,
    idempotency_key: str | None = None,
    village: Village | None = None,
    age_group: str = "",
    phone: str = "",
    actor=None,
    at: dt.datetime | None = None,
) -> Ticket:
    """Give the next number of `service` today; a repeated `idempotency_key` returns the first.

    A double tap on the kiosk sends the same key twice: the second request gets the ticket of
    the first, whether it arrives after it or at the same moment (unique key per unit).
    """
    at = at or now()
    if idempotency_key is not None and not _KEY.match(idempotency_key):
        raise ValidationError(_("Phiên lấy số không hợp lệ, xin lấy lại."), code="bad_key")
    if idempotency_key:
        existing = Ticket.objects.filter(unit=unit, idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    phone = identifiers.phone(phone) if phone else ""
    _check_issue(
        unit=unit,
        service=service,
        source=source,
        priority_reason=priority_reason,
        village=village,
        age_group=age_group,
        at=at,
    )
    day = local_day(at)
    try:
        with transaction.atomic():
            number = _next_number(service.pk, day)
            ticket = Ticket.objects.create(
                unit=unit,
                service=service,
                issued_service=service,
                day=day,
                number=number,
                code=display_code(service.code, number),
                source=source,
                priority_reason=priority_reason,
                issued_at=at,
                village=village,
                age_group=age_group,
                phone=phone,
                idempotency_key=idempotency_key or None,
                access_token=new_access_token(),
            )
            TICKETS.created(
                ticket,
                action="issue",
                actor=actor,
                at=at,
                changes={
                    "code": ticket.code,
                    "service": service.code,
                    "source": source,
                    "priority_reason": priority_reason,
                },
                after_commit=[_count_adoption] if village is not None and phone else (),
            )
            return ticket
    except IntegrityError:
        # The same key committed first in a parallel request: the numbering rolled back.
        if idempotency_key:
            existing = Ticket.objects.filter(unit=unit, idempotency_key=idempotency_key).first()
            if existing is not None:
                return existing
        raise


def _count_adoption(outcome: Outcome) -> None:
    count_adoption_from_ticket(outcome.obj.pk)


def count_adoption_from_ticket(ticket_id: int) -> None:
    """On commit: a ticket with a village and a phone counts its holder as a digital user.

    The outreach app deduplicates per person; nothing here may make the ticket fail.
    """
    from motcua.outreach.models import AssistedAction
    from motcua.outreach.services import count_from_queue_event

    try:
        ticket = Ticket.objects.select_related("village").get(pk=ticket_id)
        count_from_queue_event(
            village=ticket.village,
            source=AssistedAction.Source.FIRST_TICKET,
            event_key=f"ticket:{ticket.pk}",
            occurred_at=ticket.issued_at,
            phone=ticket.phone,
            age_group=ticket.age_group,
        )
    except Exception:  # adoption statistics must never cost a citizen their number
        log.exception("adoption count failed for ticket %s", ticket_id)


# --- the one transition function ---------------------------------------------------------------

# End of day: never called -> cancelled, called but never came -> absent, at the desk -> done.
CLOSED_AS = {
    S.WAITING: S.CANCELLED,
    S.TRANSFERRED: S.CANCELLED,
    S.CALLED: S.NO_SHOW,
    S.SERVING: S.DONE,
}

# action -> (statuses it may start from, status it leads to; KEEP keeps the status; a function
# computes it from the locked ticket)
TRANSITIONS: dict[str, tuple[frozenset[str], object]] = {
    "call": (frozenset({S.WAITING, S.TRANSFERRED}), S.CALLED),
    "recall": (frozenset({S.CALLED}), S.CALLED),
    "start": (frozenset({S.CALLED}), S.SERVING),
    "finish": (frozenset({S.SERVING}), S.DONE),
    "skip": (frozenset({S.CALLED}), S.NO_SHOW),
    "transfer": (frozenset({S.CALLED, S.SERVING}), S.TRANSFERRED),
    "cancel": (frozenset({S.WAITING, S.TRANSFERRED}), S.CANCELLED),
    "link_dossier": (frozenset({S.SERVING, S.DONE}), KEEP),
    # the nightly job: the status it leads to depends on the one it starts from (CLOSED_AS)
    "close_day": (frozenset(CLOSED_AS), lambda t: CLOSED_AS[t.status]),
}
# the verb of the refusal sentence ("Không thể gọi số A001 ..."), lower case on purpose
VERBS = {
    "call": gettext_lazy("gọi"),
    "recall": gettext_lazy("gọi lại"),
    "start": gettext_lazy("bắt đầu phục vụ"),
    "finish": gettext_lazy("kết thúc"),
    "skip": gettext_lazy("đánh vắng mặt"),
    "transfer": gettext_lazy("chuyển"),
    "cancel": gettext_lazy("huỷ"),
    "link_dossier": gettext_lazy("gắn hồ sơ cho"),
    "close_day": gettext_lazy("đóng cuối ngày"),
}


def _verb(action: str) -> str:
    return str(VERBS[action])


def _refusal(machine: Machine, action: str, status: str, ticket: Ticket | None) -> str:
    """The sentence the counter and the citizen's phone have always shown for a refused move."""
    return _("Không thể %(verb)s số %(code)s: số đang ở trạng thái “%(status)s”.") % {
        "verb": _verb(action),
        "code": ticket.code if ticket is not None else "",
        "status": machine.status_label(status),
    }


def _ticket_event(outcome: Outcome) -> TicketEvent:
    move = outcome.move
    assert move is not None and outcome.at is not None  # the factory only sees a real move
    return TicketEvent(
        ticket=outcome.obj,
        from_status=move.from_status,
        to_status=move.to_status,
        action=move.action,
        actor=actor_or_none(outcome.data.get("actor")),
        at=outcome.at,
        counter=outcome.data.get("counter"),
    )


def _publish(outcome: Outcome) -> None:
    display.publish(outcome.obj.unit_id)


def _near_turn(outcome: Outcome) -> None:
    """After a move that lets the people behind move up: tell those whose turn is near."""
    if outcome.move is None or outcome.move.action not in QUEUE_MOVES:
        return
    ticket = outcome.obj
    left = outcome.changed.get("service_id", [ticket.service_id])[0]
    near_turn.after_queue_change(
        unit_id=ticket.unit_id, service_ids={left, ticket.service_id}, day=ticket.day
    )


TICKETS = Machine(
    name="ticket",
    model=Ticket,
    transitions=TRANSITIONS,
    labels=VERBS,
    terminal={S.NO_SHOW, S.CANCELLED},
    statuses=S.values,
    event=_ticket_event,
    audit_prefix="queue.ticket_",
    audit_names={"issue": "issued"},
    refusal=_refusal,
    hooks=[_publish, _near_turn],
)


def transition(
    *,
    ticket: Ticket,
    action: str,
    actor=None,
    counter: Counter | None = None,
    at: dt.datetime | None = None,
    check: Callable[[Ticket], None] | None = None,
    apply: Callable[[Ticket, dt.datetime], None] | None = None,
    changes: dict | None = None,
    locked: bool = False,
) -> Ticket:
    """Move `ticket` by `action` through `TICKETS.run`: lock, check, change, event and audit row.

    `check` (the verb's rules, after the table's) and `apply` (its field changes) see the locked
    row. `locked=True` says this transaction already holds `ticket` locked (call-next took it
    with SKIP LOCKED), which spares the hot path a second SELECT ... FOR UPDATE.
    """

    def run_verb(t: Ticket, move, when: dt.datetime) -> None:
        if check is not None:
            check(t)
        if apply is not None:
            apply(t, when)

    outcome = TICKETS.run(
        ticket.pk,
        action=action,
        actor=actor,
        at=at or now(),
        apply=run_verb,
        data={"actor": actor, "counter": counter},
        changes=dict(changes or {}),
        locked=ticket if locked else None,
    )
    return outcome.obj


def _at_counter(counter: Counter) -> Callable[[Ticket], None]:
    def check(ticket: Ticket) -> None:
        if ticket.counter_id != counter.pk:
            raise ValidationError(
                _("Số %(code)s không do quầy này gọi.") % {"code": ticket.code},
                code="other_counter",
            )

    return check


# --- counters ------------------------------------------------------------------------------------


def _active_ticket(counter: Counter, day: dt.date) -> Ticket | None:
    return (
        Ticket.objects.filter(counter=counter, day=day, status__in=Ticket.ACTIVE_AT_COUNTER)
        .order_by("-called_at")
        .first()
    )


def open_counter(
    *, counter: Counter, officer, services: list[Service] | None = None, at=None
) -> CounterAssignment:
    """The officer sits at the counter; `services` (same unit) replaces what it serves."""
    at = at or now()
    with transaction.atomic():
        setup, _created = CounterAssignment.objects.select_for_update().get_or_create(
            counter=counter
        )
        if not counter.is_active:
            raise ValidationError(_("Quầy này đã ngừng sử dụng."), code="counter_inactive")
        previous = setup.officer_id if setup.is_open else None
        if services is not None:
            if any(s.unit_id != counter.unit_id for s in services):
                raise ValidationError(_("Nhóm dịch vụ không thuộc đơn vị."), code="wrong_unit")
            setup.services.set(services)
        setup.is_open = True
        setup.officer = officer
        setup.opened_at = at
        setup.priority_streak = 0
        setup.save()
        record(
            action="queue.counter_opened",
            obj=counter,
            unit=counter.unit_id,
            actor=officer,
            changes={
                "officer": [previous, officer.pk],
                "services": sorted(setup.services.values_list("code", flat=True)),
            },
        )
    return setup


def close_counter(*, counter: Counter, officer, at=None) -> CounterAssignment:
    """Close the counter; a citizen still called or being served must be finished first."""
    at = at or now()
    with transaction.atomic():
        setup, _created = CounterAssignment.objects.select_for_update().get_or_create(
            counter=counter
        )
        active = _active_ticket(counter, local_day(at))
        if active is not None:
            raise ValidationError(
                _("Quầy đang có số %(code)s: hãy kết thúc hoặc chuyển trước khi đóng quầy.")
                % {"code": active.code},
                code="counter_busy",
            )
        was_open = setup.is_open
        setup.is_open = False
        setup.officer = None
        setup.save()
        record(
            action="queue.counter_closed",
            obj=counter,
            unit=counter.unit_id,
            actor=officer,
            changes={"is_open": [was_open, False]},
        )
    return setup


def _lock_head(qs: QuerySet) -> Ticket | None:
    """The first row of `qs` that no other transaction holds (PostgreSQL: SKIP LOCKED)."""
    if connection.features.has_select_for_update_skip_locked:
        qs = qs.select_for_update(skip_locked=True)
    return qs.order_by(*QUEUE_ORDER).first()


def call_next(*, counter: Counter, officer, at: dt.datetime | None = None) -> Ticket | None:
    """Call the next citizen for this counter (priority rule in `priority.py`); None if empty.

    The counter's row is locked for the whole call (one call per counter at a time); the
    chosen ticket is locked with SKIP LOCKED so two counters pressing at once take two
    different tickets.
    """
    at = at or now()
    day = local_day(at)
    with transaction.atomic():
        setup = CounterAssignment.objects.select_for_update().filter(counter=counter).first()
        if setup is None or not setup.is_open:
            raise ValidationError(
                _("Quầy đang đóng. Hãy mở quầy trước khi gọi số."), code="counter_closed"
            )
        active = _active_ticket(counter, day)
        if active is not None:
            raise ValidationError(
                _(
                    "Quầy đang có số %(code)s: hãy kết thúc, chuyển hoặc đánh vắng mặt "
                    "trước khi gọi số mới."
                )
                % {"code": active.code},
                code="counter_busy",
            )
        service_ids = list(setup.services.filter(is_active=True).values_list("id", flat=True))
        if not service_ids:
            raise ValidationError(_("Quầy chưa được phân nhóm dịch vụ nào."), code="no_services")
        waiting = Ticket.objects.filter(
            unit_id=counter.unit_id,
            day=day,
            status__in=Ticket.WAITING_STATES,
            service_id__in=service_ids,
        ).filter(Q(target_counter__isnull=True) | Q(target_counter=counter))
        groups = {
            True: waiting.exclude(priority_reason=NONE),
            False: waiting.filter(priority_reason=NONE),
        }
        heads = [
            priority.Candidate(row["id"], is_p, row["issued_at"], row["number"])
            for is_p, qs in groups.items()
            for row in qs.order_by(*QUEUE_ORDER).values("id", "issued_at", "number")[:1]
        ]
        policy = policy_for(counter.unit_id)
        choice = priority.choose(
            heads, streak=setup.priority_streak, limit=policy.priority_streak_limit
        )
        if choice is None:
            return None
        picked = None
        for is_p in (choice.candidate.is_priority, not choice.candidate.is_priority):
            picked = _lock_head(groups[is_p])
            if picked is not None:
                break
        if picked is None:
            return None  # every waiting ticket is being taken by another counter right now
        setup.priority_streak = setup.priority_streak + 1 if picked.is_priority else 0
        setup.save(update_fields=["priority_streak"])

        def apply(ticket: Ticket, when: dt.datetime) -> None:
            ticket.counter = counter
            ticket.target_counter = None
            ticket.called_at = when
            ticket.call_count = 1
            ticket.served_by = officer

        return transition(
            ticket=picked,
            action="call",
            actor=officer,
            counter=counter,
            at=at,
            apply=apply,
            changes={"counter": counter.number, "priority_reason": picked.priority_reason},
            locked=connection.features.has_select_for_update_skip_locked,
        )


def recall(*, ticket: Ticket, counter: Counter, officer, at=None) -> Ticket:
    """Call the same number again (the citizen did not come yet)."""

    def apply(t: Ticket, when: dt.datetime) -> None:
        t.call_count += 1
        t.called_at = when

    return transition(
        ticket=ticket,
        action="recall",
        actor=officer,
        counter=counter,
        at=at,
        check=_at_counter(counter),
        apply=apply,
    )


def skip(*, ticket: Ticket, counter: Counter, officer, at=None) -> Ticket:
    """Mark the called citizen absent (vắng mặt), only after the unit's number of calls."""
    needed = policy_for(counter.unit_id).calls_before_no_show

    def check(t: Ticket) -> None:
        _at_counter(counter)(t)
        if t.call_count < needed:
            raise ValidationError(
                _(
                    "Cần gọi đủ %(needed)s lần trước khi đánh vắng mặt (mới gọi %(count)s lần). "
                    "Nhấn R để gọi lại."
                )
                % {"needed": needed, "count": t.call_count},
                code="too_few_calls",
            )

    def apply(t: Ticket, when: dt.datetime) -> None:
        t.finished_at = when

    return transition(
        ticket=ticket,
        action="skip",
        actor=officer,
        counter=counter,
        at=at,
        check=check,
        apply=apply,
    )


def start_service(*, ticket: Ticket, counter: Counter, officer, at=None) -> Ticket:
    """The citizen sits down at the counter."""

    def apply(t: Ticket, when: dt.datetime) -> None:
        t.serving_started_at = when
        t.served_by = officer

    return transition(
        ticket=ticket,
        action="start",
        actor=officer,
        counter=counter,
        at=at,
        check=_at_counter(counter),
        apply=apply,
    )


def finish_service(*, ticket: Ticket, counter: Counter, officer, at=None) -> Ticket:
    def apply(t: Ticket, when: dt.datetime) -> None:
        t.finished_at = when

    return transition(
        ticket=ticket,
        action="finish",
        actor=officer,
        counter=counter,
        at=at,
        check=_at_counter(counter),
        apply=apply,
    )


def transfer(
    *,
    ticket: Ticket,
    counter: Counter,
    officer,
    to_service: Service | None = None,
    to_counter: Counter | None = None,
    at=None,
) -> Ticket:
    """Send the citizen to another service and/or counter; they keep their place by issue time."""
    if to_service is None and to_counter is None:
        raise ValidationError(_("Chọn nhóm dịch vụ hoặc quầy để chuyển đến."), code="no_target")
    if to_service is not None and (
        to_service.unit_id != counter.unit_id or not to_service.is_active
    ):
        raise ValidationError(_("Nhóm dịch vụ chuyển đến không hợp lệ."), code="bad_service")
    if to_counter is not None:
        if to_counter.unit_id != counter.unit_id or not to_counter.is_active:
            raise ValidationError(_("Quầy chuyển đến không hợp lệ."), code="bad_counter")
        if to_counter.pk == counter.pk:
            raise ValidationError(_("Không thể chuyển đến chính quầy này."), code="same_counter")

    def check(t: Ticket) -> None:
        _at_counter(counter)(t)
        service_id = to_service.pk if to_service is not None else t.service_id
        if (
            to_counter is not None
            and not CounterAssignment.objects.filter(
                counter=to_counter, services__id=service_id
            ).exists()
        ):
            raise ValidationError(
                _("Quầy %(number)s không phục vụ nhóm dịch vụ này.")
                % {"number": to_counter.number},
                code="counter_does_not_serve",
            )

    def apply(t: Ticket, when: dt.datetime) -> None:
        if to_service is not None:
            t.service = to_service
        t.target_counter = to_counter
        t.counter = None
        t.called_at = None
        t.call_count = 0
        t.serving_started_at = None
        t.served_by = None

    return transition(
        ticket=ticket,
        action="transfer",
        actor=officer,
        counter=counter,
        at=at,
        check=check,
        apply=apply,
        changes={
            "to_service": to_service.code if to_service is not None else None,
            "to_counter": to_counter.number if to_counter is not None else None,
        },
    )


def cancel_ticket(*, ticket: Ticket, actor=None, at=None) -> Ticket:
    """The citizen gives up their place (remote ticket, or at the kiosk desk)."""

    def apply(t: Ticket, when: dt.datetime) -> None:
        t.finished_at = when

    return transition(ticket=ticket, action="cancel", actor=actor, at=at, apply=apply)


def link_dossier(*, ticket: Ticket, dossier_code: str, actor, at=None) -> Ticket:
    """Note the dossier received from this citizen (plain code; dossiers link back later)."""
    code = (dossier_code or "").strip()
    if not _DOSSIER_CODE.match(code):
        raise ValidationError(
            _("Mã hồ sơ không hợp lệ (chữ, số, dấu chấm, gạch ngang; tối đa 40 ký tự)."),
            code="bad_dossier_code",
        )

    def apply(t: Ticket, when: dt.datetime) -> None:
        t.dossier_code = code

    return transition(
        ticket=ticket,
        action="link_dossier",
        actor=actor,
        at=at,
        apply=apply,
        changes={"dossier_code": code},
    )


# --- end of day ----------------------------------------------------------------------------------

CLOSE_DAY_BATCH = 2000


def close_past_days(*, at: dt.datetime | None = None) -> dict[str, int]:
    """Close the tickets of past days still open; returns how many ended in each status.

    A citizen still waiting at closing time is cancelled, one called but absent is a no-show,
    one left "serving" (the officer forgot to press finish) is done with no finish time, so
    `selectors.queue_statistics` and the wait estimate ignore its unknown service time. Each
    ticket goes through `transition` (event row and audit row); a ticket closed meanwhile by
    another worker is skipped, so the job is safe to run twice or on two workers.
    """
    at = at or now()
    today = local_day(at)
    closed: dict[str, int] = {}

    while True:
        pks = list(
            Ticket.objects.filter(day__lt=today, status__in=TRANSITIONS["close_day"][0])
            .order_by("day", "id")
            .values_list("pk", flat=True)[:CLOSE_DAY_BATCH]
        )
        progressed = False
        for pk in pks:
            try:
                ticket = transition(
                    ticket=Ticket(pk=pk),
                    action="close_day",
                    at=at,
                    changes={"reason": "end_of_day"},
                )
            except IllegalTransition:
                continue  # closed by another worker since the list was read
            closed[ticket.status] = closed.get(ticket.status, 0) + 1
            progressed = True
        if len(pks) < CLOSE_DAY_BATCH or not progressed:
            return closed
