"""Appointment booking (đặt hẹn): slots, holds, confirm, cancel, reschedule, check-in, jobs.

Every state change goes through the shared state machine (`core.statemachine`, the `BOOKINGS`
machine below): it locks the booking row, checks the allowed-transitions table, writes a
`BookingEvent` and an audit event in the same transaction (docs/decisions/0010-booking.md,
0018). A move the table refuses raises `core.statemachine.IllegalTransition` (views answer 409);
the booking's own rules (slot passed, wrong day, too early, slot full) stay `ValidationError`.
Capacity is guarded by the `BookingSlot` row of (service, slot start): `hold_slot` locks it
before counting the seats taken, so the last seat goes to exactly one citizen. A hold lasts
10 minutes; an expired hold stops counting at once (only unexpired holds are counted) and the
periodic job merely records it as expired. The code alone is not a key: `confirm` (and the
pages that cancel or move) need a `Proof` that the booking is the citizen's (`check_owner`:
the browser that booked, or the phone's last 4 digits, a few tries per booking; 0021).

The clock is `services.now()` (the queue's), and every function takes an optional `now` so
tests and jobs can pass the moment explicitly.
"""

from __future__ import annotations

import datetime as dt
import hmac
import logging
import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.core import calendar, counters, identifiers, ratelimit
from motcua.core.models import Unit, Village
from motcua.core.statemachine import NOOP, IllegalTransition, Machine, Outcome

from . import services
from .models import Booking, BookingEvent, BookingRule, BookingSlot, Service, Ticket

B = Booking.Status
log = logging.getLogger(__name__)
HOLD_MINUTES = 10
# Check-in window around the slot start: on time -> a priority ticket (reason "appointment").
EARLY_MINUTES = 30
LATE_MINUTES = 15
# Vietnamese mobile numbers: 10 digits, prefixes 03, 05, 07, 08, 09 (after the 2018 renumbering).
_KEY = re.compile(r"^[0-9A-Za-z_\-]{8,64}$")
# No 0/O, 1/I/L: the code is read aloud and typed on a kiosk.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
# Statuses that occupy a seat (held counts only while unexpired).
SEAT_TAKING = (B.CONFIRMED, B.CHECKED_IN, B.NO_SHOW)

# action -> (statuses it may start from, status it leads to); the machine is `BOOKINGS` below
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "confirm": (frozenset({B.HELD}), B.CONFIRMED),
    "cancel": (frozenset({B.HELD, B.CONFIRMED}), B.CANCELLED),
    "reschedule": (frozenset({B.HELD, B.CONFIRMED}), B.CANCELLED),
    "expire": (frozenset({B.HELD}), B.EXPIRED),
    "check_in": (frozenset({B.CONFIRMED, B.NO_SHOW}), B.CHECKED_IN),
    "no_show": (frozenset({B.CONFIRMED}), B.NO_SHOW),
}


def max_active_per_person() -> int:
    return settings.MOTCUA_BOOKING_MAX_ACTIVE_PER_PERSON


def no_show_after() -> dt.timedelta:
    """How long after the slot start a booking not checked in is recorded as a no-show."""
    return dt.timedelta(minutes=settings.MOTCUA_BOOKING_NO_SHOW_AFTER_MINUTES)


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or services.now()


def _local(at: dt.datetime) -> dt.datetime:
    return timezone.localtime(at, calendar.LOCAL_TZ)


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(code: str) -> str:
    """What a citizen types -> the stored form: upper case, no spaces or dashes."""
    return re.sub(r"[\s\-]", "", code or "").upper()


# --- slots --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    start: dt.datetime  # aware, local time
    capacity: int
    remaining: int


def rule_for(service: Service) -> BookingRule | None:
    rule = BookingRule.objects.filter(service=service, is_active=True).first()
    if rule is None or not service.is_active:
        return None
    return rule


def _windows(unit: Unit, day: dt.date) -> list[tuple[dt.time, dt.time]]:
    """Opening windows of `unit` on `day`: both halves on a working day, the morning on a
    Saturday the unit receives (not a holiday), none otherwise."""
    morning, afternoon = calendar.office_hours()
    if calendar.is_working_day(day, unit):
        return [morning, afternoon]
    saturday = day.weekday() == 5 and unit.opens_saturday_morning
    if saturday and calendar.day_off_reason(day, unit) == "":
        return [morning]
    return []


def slot_starts(rule: BookingRule, unit: Unit, day: dt.date) -> list[dt.datetime]:
    """Every slot start of `day` (aware, local), whole slots inside the opening windows."""
    step = dt.timedelta(minutes=rule.slot_minutes)
    starts = []
    for opening, closing in _windows(unit, day):
        start = dt.datetime.combine(day, opening, tzinfo=calendar.LOCAL_TZ)
        end = dt.datetime.combine(day, closing, tzinfo=calendar.LOCAL_TZ)
        while start + step <= end:
            starts.append(start)
            start += step
    return starts


def _taken_q(now: dt.datetime) -> Q:
    return Q(status__in=SEAT_TAKING) | Q(status=B.HELD, held_until__gt=now)


def bookable_days(service: Service, *, now: dt.datetime | None = None) -> list[dt.date]:
    """Days from today within the rule's horizon on which the unit is open for bookings."""
    now = _now(now)
    rule = rule_for(service)
    if rule is None:
        return []
    today = _local(now).date()
    unit = service.unit
    return [
        day
        for day in (today + dt.timedelta(days=i) for i in range(rule.days_ahead + 1))
        if _windows(unit, day)
    ]


def available_slots(
    service: Service, day: dt.date, *, now: dt.datetime | None = None, include_full: bool = False
) -> list[Slot]:
    """Slots of `day` still in the future with seats left (capacity minus confirmed,
    checked-in, no-show and unexpired held bookings). None on days the unit is closed."""
    now = _now(now)
    rule = rule_for(service)
    if rule is None:
        return []
    today = _local(now).date()
    if day < today or day > today + dt.timedelta(days=rule.days_ahead):
        return []
    starts = [s for s in slot_starts(rule, service.unit, day) if s > now]
    if not starts:
        return []
    taken = dict(
        Booking.objects.filter(service=service, slot_start__in=starts)
        .filter(_taken_q(now))
        .values_list("slot_start")
        .annotate(n=Count("id"))
        .values_list("slot_start", "n")
    )
    slots = []
    for start in starts:
        remaining = max(rule.capacity - taken.get(start, 0), 0)
        if remaining or include_full:
            slots.append(Slot(start=start, capacity=rule.capacity, remaining=remaining))
    return slots


# --- checks ---------------------------------------------------------------------------------------


def _check_person(*, unit: Unit, citizen_name: str, village) -> None:
    if not citizen_name or len(citizen_name) > 150:
        raise ValidationError(_("Xin nhập họ và tên (tối đa 150 ký tự)."), code="bad_name")
    if village is not None and village.unit_id != unit.pk:
        raise ValidationError(_("Thôn/tổ dân phố không thuộc đơn vị."), code="wrong_village")


def _active(now: dt.datetime) -> QuerySet[Booking]:
    """Bookings that still hold a future seat: confirmed ahead, or held and unexpired."""
    return Booking.objects.filter(
        Q(status=B.CONFIRMED, slot_start__gt=now - no_show_after())
        | Q(status=B.HELD, held_until__gt=now)
    )


def _check_limits(
    *, phone: str, citizen_id: str, now: dt.datetime, exclude: int | None = None
) -> None:
    limit = max_active_per_person()
    active = _active(now)
    if exclude is not None:
        active = active.exclude(pk=exclude)
    if active.filter(phone=phone).count() >= limit:
        raise ValidationError(
            _(
                "Số điện thoại này đã có %(n)s lịch hẹn chưa đến ngày. Xin huỷ một lịch cũ "
                "trước khi đặt thêm."
            )
            % {"n": limit},
            code="too_many_for_phone",
        )
    if citizen_id and active.filter(citizen_id=citizen_id).count() >= limit:
        raise ValidationError(
            _(
                "Số định danh này đã có %(n)s lịch hẹn chưa đến ngày. Xin huỷ một lịch cũ "
                "trước khi đặt thêm."
            )
            % {"n": limit},
            code="too_many_for_citizen_id",
        )


def _check_slot(service: Service, slot_start: dt.datetime, now: dt.datetime) -> BookingRule:
    rule = rule_for(service)
    if rule is None:
        raise ValidationError(
            _("Nhóm dịch vụ “%(name)s” hiện không nhận đặt hẹn.") % {"name": service.name},
            code="not_bookable",
        )
    if slot_start.tzinfo is None:
        raise ValueError("naive slot_start: pass an aware datetime")
    local = _local(slot_start)
    if local <= now:
        raise ValidationError(
            _("Khung giờ này đã qua. Xin chọn khung giờ khác."), code="slot_passed"
        )
    today = _local(now).date()
    if local.date() > today + dt.timedelta(days=rule.days_ahead):
        raise ValidationError(
            _("Chỉ nhận đặt hẹn trước tối đa %(n)s ngày.") % {"n": rule.days_ahead},
            code="too_far",
        )
    if local not in slot_starts(rule, service.unit, local.date()):
        raise ValidationError(
            _("Không có khung giờ này (ngày nghỉ hoặc ngoài giờ làm việc)."), code="no_such_slot"
        )
    return rule


def _lock_slot(service: Service, slot_start: dt.datetime) -> None:
    """Create the (service, start) row if needed and lock it until the transaction ends."""
    counters.lock_row(BookingSlot, service=service, start=slot_start)


def _take_seat(rule: BookingRule, service: Service, slot_start: dt.datetime, now) -> None:
    """With the slot row locked: refuse when every seat is taken."""
    taken = Booking.objects.filter(service=service, slot_start=slot_start).filter(_taken_q(now))
    if taken.count() >= rule.capacity:
        raise ValidationError(
            _("Khung giờ %(time)s ngày %(day)s vừa hết chỗ. Xin chọn khung giờ khác.")
            % {"time": f"{_local(slot_start):%H:%M}", "day": f"{_local(slot_start):%d/%m/%Y}"},
            code="slot_full",
        )


def _remind_event(booking: Booking, action: str, at: dt.datetime) -> None:
    """A reminder sent: an event row without a status change (no transition, no audit row)."""
    BookingEvent.objects.create(
        booking=booking, from_status=booking.status, to_status=booking.status, action=action, at=at
    )


# --- hold, confirm ----------------------------------------------------------------------------


def _create_held(
    *,
    service: Service,
    slot_start: dt.datetime,
    citizen_name: str,
    phone: str,
    citizen_id: str,
    village: Village | None,
    age_group: str,
    idempotency_key: str | None,
    now: dt.datetime,
    status: str = B.HELD,
    rescheduled_from: Booking | None = None,
) -> Booking:
    """Inside a transaction that already locked the slot and checked the seat."""
    for _attempt in range(5):
        code = new_code()
        if not Booking.objects.filter(code=code).exists():
            break
    return Booking.objects.create(
        unit_id=service.unit_id,
        service=service,
        slot_start=slot_start,
        status=status,
        held_until=now + dt.timedelta(minutes=HOLD_MINUTES),
        code=code,
        citizen_name=citizen_name,
        phone=phone,
        citizen_id=citizen_id,
        village=village,
        age_group=age_group,
        idempotency_key=idempotency_key or None,
        created_at=now,
        confirmed_at=now if status == B.CONFIRMED else None,
        rescheduled_from=rescheduled_from,
    )


def hold_slot(
    *,
    service: Service,
    slot_start: dt.datetime,
    citizen_name: str,
    phone: str,
    citizen_id: str = "",
    village: Village | None = None,
    age_group: str = "",
    idempotency_key: str | None = None,
    ip: str | None = None,
    now: dt.datetime | None = None,
) -> Booking:
    """Hold one seat of the slot for 10 minutes while the citizen confirms.

    A repeated `idempotency_key` (double tap) returns the first booking. Refused with a clear
    message when the slot is full, passed or not a slot, or the person already has the maximum
    number of active bookings.
    """
    now = _now(now)
    citizen_name = " ".join((citizen_name or "").split())
    phone = identifiers.phone(phone)
    citizen_id = identifiers.citizen_id(citizen_id) if (citizen_id or "").strip() else ""
    if idempotency_key is not None and not _KEY.match(idempotency_key):
        raise ValidationError(_("Phiên đặt hẹn không hợp lệ, xin đặt lại."), code="bad_key")
    if idempotency_key:
        existing = Booking.objects.filter(
            unit_id=service.unit_id, idempotency_key=idempotency_key
        ).first()
        if existing is not None:
            return existing
    if age_group not in Ticket.AgeGroup.values:
        raise ValidationError(_("Nhóm tuổi không hợp lệ."), code="bad_age_group")
    _check_person(
        unit=service.unit,
        citizen_name=citizen_name,
        village=village,
    )
    rule = _check_slot(service, slot_start, now)
    try:
        with transaction.atomic():
            _lock_slot(service, slot_start)
            _check_limits(phone=phone, citizen_id=citizen_id, now=now)
            _take_seat(rule, service, slot_start, now)
            booking = _create_held(
                service=service,
                slot_start=slot_start,
                citizen_name=citizen_name,
                phone=phone,
                citizen_id=citizen_id,
                village=village,
                age_group=age_group,
                idempotency_key=idempotency_key,
                now=now,
            )
            BOOKINGS.created(
                booking,
                action="hold",
                at=now,
                ip=ip,
                changes={"service": service.code, "slot_start": slot_start.isoformat()},
            )
            return booking
    except IntegrityError:
        # The same key committed first in a parallel request.
        if idempotency_key:
            existing = Booking.objects.filter(
                unit_id=service.unit_id, idempotency_key=idempotency_key
            ).first()
            if existing is not None:
                return existing
        raise


def _refusal(machine: Machine, action: str, status: str, booking: Booking | None) -> str:
    """What the citizen is told, worded by where the booking is now (whatever they tried)."""
    messages = {
        B.CANCELLED: _("Lịch hẹn %(code)s đã bị huỷ."),
        B.EXPIRED: _("Lịch hẹn %(code)s đã hết thời gian giữ chỗ %(m)s phút. Xin đặt lại từ đầu."),
        B.CHECKED_IN: _("Lịch hẹn %(code)s đã được dùng để lấy số."),
        B.NO_SHOW: _("Lịch hẹn %(code)s đã qua giờ hẹn."),
        B.CONFIRMED: _("Lịch hẹn %(code)s đã được xác nhận."),
        B.HELD: _("Lịch hẹn %(code)s chưa được xác nhận."),
    }
    return messages[status] % {"code": booking.code if booking else "", "m": HOLD_MINUTES}


def _booking_event(outcome: Outcome) -> BookingEvent:
    return BookingEvent(
        booking=outcome.obj,
        from_status=outcome.move.from_status,
        to_status=outcome.move.to_status,
        action=outcome.move.action,
        at=outcome.at,
        note=outcome.data.get("note", "")[:200],
    )


BOOKINGS = Machine(
    name="booking",
    model=Booking,
    transitions=TRANSITIONS,
    labels={
        "confirm": gettext_lazy("Xác nhận lịch hẹn"),
        "cancel": gettext_lazy("Huỷ lịch hẹn"),
        "reschedule": gettext_lazy("Đổi lịch hẹn"),
        "expire": gettext_lazy("Hết thời gian giữ chỗ"),
        "check_in": gettext_lazy("Lấy số theo lịch hẹn"),
        "no_show": gettext_lazy("Không đến theo lịch hẹn"),
    },
    terminal={B.CANCELLED, B.EXPIRED, B.CHECKED_IN},
    statuses=B.values,
    event=_booking_event,
    audit_prefix="queue.booking_",
    audit_names={
        "hold": "held",
        "confirm": "confirmed",
        "cancel": "cancelled",
        "reschedule": "rescheduled",
        "expire": "expired",
        "check_in": "checked_in",
    },
    refusal=_refusal,
)
# the booking's pages and the kiosk need these with the locked row
_WITH_PLACE = Booking.objects.select_related("service", "unit")


# --- who may act on a booking: the code alone is not enough ------------------------------------

# Typed phone digits: at most so many tries per booking in 15 minutes, and in a day.
PROOF_WINDOW = 15 * 60
PROOF_DAY = 24 * 60 * 60


def proof_attempts() -> int:
    return settings.MOTCUA_BOOKING_PROOF_ATTEMPTS


def proof_attempts_per_day() -> int:
    return settings.MOTCUA_BOOKING_PROOF_ATTEMPTS_PER_DAY


@dataclass(frozen=True)
class Proof:
    """What a citizen shows, besides the code, that a booking is theirs (decisions/0021).

    `device_tokens`: the owner tokens the browser holds (the booking pages keep them in a signed
    cookie, set on the browser that booked or that proved the phone's digits once);
    `phone_last4`: the last 4 digits of the booking's phone, typed.
    """

    device_tokens: tuple[str, ...] = ()
    phone_last4: str = ""


def owner_token(booking: Booking) -> str:
    """The secret a browser keeps to show it made (or has proved) `booking`; never stored."""
    return salted_hmac(
        "motcua.queueing.booking.owner", f"{booking.pk}:{booking.code}", algorithm="sha256"
    ).hexdigest()[:32]


def owned_by_device(booking: Booking, proof: Proof) -> bool:
    """The browser holds this booking's owner token."""
    expected = owner_token(booking)
    return any(
        isinstance(token, str) and hmac.compare_digest(expected, token)
        for token in proof.device_tokens
    )


def check_owner(booking: Booking, proof: Proof) -> str:
    """How `proof` shows the booking is the citizen's ("device" or "phone"), or a refusal.

    Typed digits are counted per booking (every try, right or wrong, so each count is one atomic
    increment): past `proof_attempts()` in 15 minutes or `proof_attempts_per_day()` in a day
    the booking refuses digits, whoever types them (`params["retry_after"]` says for how long),
    while the browser that booked still may act. Compared in constant time.
    """
    if owned_by_device(booking, proof):
        return "device"
    digits = (proof.phone_last4 or "").strip()
    if not digits:
        raise ValidationError(
            _(
                "Lịch hẹn này được đặt trên thiết bị khác. Xin nhập 4 số cuối của số điện thoại "
                "đã dùng khi đặt."
            ),
            code="proof_missing",
        )
    key = f"{booking.unit_id}:{booking.code}"
    in_window = ratelimit.hit("booking-proof", key, window=PROOF_WINDOW)
    in_day = ratelimit.hit("booking-proof-day", key, window=PROOF_DAY)
    if in_day > proof_attempts_per_day():
        raise ValidationError(
            _(
                "Đã nhập 4 số cuối điện thoại quá nhiều lần hôm nay. Xin mở lịch hẹn trên chính "
                "điện thoại đã đặt, hoặc thử lại vào ngày mai."
            ),
            code="proof_locked",
            params={"retry_after": PROOF_DAY},
        )
    if in_window > proof_attempts():
        raise ValidationError(
            _(
                "Đã nhập 4 số cuối điện thoại quá nhiều lần. Xin thử lại sau %(m)s phút, hoặc "
                "mở lịch hẹn trên chính điện thoại đã đặt."
            ),
            code="proof_locked",
            params={"m": PROOF_WINDOW // 60, "retry_after": PROOF_WINDOW},
        )
    if not re.fullmatch(r"\d{4}", digits) or not hmac.compare_digest(booking.phone[-4:], digits):
        raise ValidationError(_("4 số cuối điện thoại không đúng."), code="proof_wrong")
    return "phone"


class _HoldLapsed(Exception):
    """Inside `confirm`: the hold's 10 minutes are over; record it as expired instead."""


def confirm(*, booking: Booking, proof: Proof, now: dt.datetime | None = None) -> Booking:
    """Turn a hold into a confirmed booking; confirming twice returns the same booking.

    Only the citizen who booked may confirm: the code plus `proof` (the browser that booked, or
    the phone's last 4 digits), else ValidationError with the reason (`check_owner`).
    A hold past its 10 minutes is recorded as expired (its seat may already be someone else's)
    and the citizen is asked to start again: the expiry commits, the refusal follows it.
    """
    now = _now(now)
    shown_by = check_owner(booking, proof)

    def guard(b: Booking):
        if b.status == B.CONFIRMED:
            return NOOP  # a second tap
        if b.status == B.HELD and b.held_until <= now:
            raise _HoldLapsed
        return None

    def apply(b: Booking, move, at: dt.datetime) -> None:
        b.confirmed_at = at

    def count_adoption(outcome: Outcome) -> None:
        if outcome.obj.village_id is not None:
            count_adoption_from_booking(outcome.obj.pk)

    try:
        outcome = BOOKINGS.run(
            booking.pk,
            action="confirm",
            at=now,
            guard=guard,
            apply=apply,
            queryset=_WITH_PLACE,
            after_commit=[count_adoption],
            changes={"proof": shown_by},
        )
    except _HoldLapsed:
        try:
            lapsed = BOOKINGS.run(booking.pk, action="expire", at=now, queryset=_WITH_PLACE).obj
        except IllegalTransition:  # moved on meanwhile (the job recorded the expiry first)
            lapsed = _WITH_PLACE.get(pk=booking.pk)
        raise BOOKINGS.refuse("confirm", lapsed) from None
    return outcome.obj


def count_adoption_from_booking(booking_id: int) -> None:
    """On commit: a confirmed booking with a village counts its citizen as a digital user.

    The outreach app deduplicates per person (citizen ID, else phone); a failure here is
    logged and never undoes the booking.
    """
    from motcua.outreach.models import AssistedAction
    from motcua.outreach.services import count_from_queue_event

    try:
        booking = Booking.objects.select_related("village").get(pk=booking_id)
        count_from_queue_event(
            village=booking.village,
            source=AssistedAction.Source.FIRST_BOOKING,
            event_key=f"booking:{booking.pk}",
            occurred_at=booking.confirmed_at or booking.created_at,
            phone=booking.phone,
            citizen_id=booking.citizen_id or None,
            age_group=booking.age_group,
        )
    except Exception:  # adoption statistics must never cost a citizen their appointment
        log.exception("adoption count failed for booking %s", booking_id)


def hold_lapsed(booking: Booking, *, now: dt.datetime | None = None) -> bool:
    """A hold whose 10 minutes are over (recorded as expired or not yet)."""
    return booking.status == B.HELD and booking.held_until <= _now(now)


def find_by_code(unit: Unit, code: str) -> Booking | None:
    return (
        Booking.objects.filter(unit=unit, code=normalise_code(code))
        .select_related("service", "unit", "village", "ticket")
        .first()
    )


def find_for_owner(unit: Unit, code: str, phone_last4: str) -> Booking | None:
    """The booking only when the last 4 digits of its phone match: nobody else may change it.

    Tries count against the booking's budget (`check_owner`); once it is spent this raises
    ValidationError(code="proof_locked") instead of answering.
    """
    booking = find_by_code(unit, code)
    if booking is None or not (phone_last4 or "").strip():
        return None
    try:
        check_owner(booking, Proof(phone_last4=phone_last4))
    except ValidationError as exc:
        if exc.code == "proof_locked":
            raise
        return None
    return booking


# --- cancel, reschedule --------------------------------------------------------------------------


def _not_passed(b: Booking, now: dt.datetime) -> None:
    if b.slot_start <= now:
        raise ValidationError(
            _("Đã qua giờ hẹn, không thể huỷ hoặc đổi lịch hẹn này."), code="slot_passed"
        )


def cancel(*, booking: Booking, reason: str = "", actor=None, now: dt.datetime | None = None):
    """The citizen (or an officer) gives the seat back; only before the appointment time."""
    now = _now(now)

    def apply(b: Booking, move, at: dt.datetime) -> None:
        _not_passed(b, at)
        b.cancelled_at = at

    outcome = BOOKINGS.run(
        booking.pk,
        action="cancel",
        actor=actor,
        at=now,
        apply=apply,
        data={"note": reason},
        queryset=_WITH_PLACE,
    )
    return outcome.obj


def reschedule(
    *, booking: Booking, slot_start: dt.datetime, now: dt.datetime | None = None
) -> Booking:
    """Move to another slot of the same service in one transaction: the new booking is held
    and confirmed, the old one cancelled; if the new slot is full nothing changes."""
    now = _now(now)
    service = booking.service
    rule = _check_slot(service, slot_start, now)
    changes: dict = {}
    created: list[Booking] = []

    def apply(old: Booking, move, at: dt.datetime) -> None:
        _not_passed(old, at)
        if old.slot_start == slot_start:
            raise ValidationError(
                _("Đây đã là giờ hẹn hiện tại. Xin chọn khung giờ khác."), code="same_slot"
            )
        _take_seat(rule, service, slot_start, at)
        old.cancelled_at = at
        new = _create_held(
            service=service,
            slot_start=slot_start,
            citizen_name=old.citizen_name,
            phone=old.phone,
            citizen_id=old.citizen_id,
            village=old.village,
            age_group=old.age_group,
            idempotency_key=None,
            now=at,
            status=B.CONFIRMED,
            rescheduled_from=old,
        )
        # the old booking's audit row tells the whole move (below)
        BOOKINGS.created(
            new, action="reschedule", at=at, data={"note": f"<- {old.code}"}, audited=False
        )
        created.append(new)
        changes["new_code"] = new.code
        changes["slot_start"] = [old.slot_start.isoformat(), slot_start.isoformat()]

    with transaction.atomic():
        # Lock both slot rows in time order, so two reschedules across them cannot deadlock.
        for start in sorted({booking.slot_start, slot_start}):
            _lock_slot(service, start)
        BOOKINGS.run(
            booking.pk,
            action="reschedule",
            at=now,
            apply=apply,
            data={"note": f"-> {slot_start.isoformat()}"},
            changes=changes,
            queryset=_WITH_PLACE,
        )
    return created[0]


# --- check-in at the kiosk ---------------------------------------------------------------------


def check_in(*, booking: Booking, at: dt.datetime | None = None, actor=None) -> Ticket:
    """The citizen arrives: a ticket for the booked service, linked to the booking.

    From 30 minutes before to 15 minutes after the slot start the ticket is a priority one
    (reason "appointment"); later the same day it is an ordinary ticket. A second check-in
    returns the same ticket.
    """
    at = _now(at)
    changes: dict = {}

    def guard(b: Booking):
        return NOOP if b.status == B.CHECKED_IN and b.ticket_id else None

    def apply(b: Booking, move, when: dt.datetime) -> dict:
        start = _local(b.slot_start)
        if _local(when).date() != start.date():
            raise ValidationError(
                _("Lịch hẹn %(code)s là ngày %(day)s, không phải hôm nay.")
                % {"code": b.code, "day": f"{start:%d/%m/%Y}"},
                code="wrong_day",
            )
        earliest = b.slot_start - dt.timedelta(minutes=EARLY_MINUTES)
        if when < earliest:
            raise ValidationError(
                _("Bạn đến sớm. Xin quay lại lấy số từ %(time)s (giờ hẹn %(slot)s).")
                % {"time": f"{_local(earliest):%H:%M}", "slot": f"{start:%H:%M}"},
                code="too_early",
            )
        on_time = when <= b.slot_start + dt.timedelta(minutes=LATE_MINUTES)
        b.ticket = services.issue_ticket(
            unit=b.unit,
            service=b.service,
            source=Ticket.Source.APPOINTMENT,
            priority_reason=Ticket.Priority.APPOINTMENT if on_time else Ticket.Priority.NONE,
            idempotency_key=f"booking-{b.code}",
            village=b.village,
            age_group=b.age_group,
            phone=b.phone,
            actor=actor,
            at=when,
        )
        b.checked_in_at = when
        changes.update(ticket=b.ticket.code, on_time=on_time)
        return {"note": "on_time" if on_time else "late"}

    outcome = BOOKINGS.run(
        booking.pk,
        action="check_in",
        actor=actor,
        at=at,
        guard=guard,
        apply=apply,
        changes=changes,
        queryset=_WITH_PLACE,
    )
    return outcome.obj.ticket  # after NOOP: the ticket of the first check-in


# --- periodic jobs -----------------------------------------------------------------------------


def _job_transition(qs: QuerySet[Booking], action: str, now: dt.datetime, stamp: str = "") -> int:
    """Move each booking of `qs` by `action`, one locked transaction each; returns how many."""
    done = 0

    def apply(b: Booking, move, at: dt.datetime) -> None:
        if stamp:
            setattr(b, stamp, at)

    for pk in list(qs.values_list("pk", flat=True)[:1000]):
        try:
            BOOKINGS.run(pk, action=action, at=now, apply=apply)
        except IllegalTransition:
            continue  # changed meanwhile (confirmed, checked in, or another worker)
        done += 1
    return done


def expire_holds(*, now: dt.datetime | None = None) -> int:
    """Record holds past their 10 minutes as expired (they already stopped counting)."""
    now = _now(now)
    return _job_transition(
        Booking.objects.filter(status=B.HELD, held_until__lte=now), "expire", now
    )


def mark_no_shows(*, now: dt.datetime | None = None) -> int:
    """Confirmed bookings whose slot started more than the grace period ago -> no-show."""
    now = _now(now)
    due = Booking.objects.filter(status=B.CONFIRMED, slot_start__lte=now - no_show_after())
    return _job_transition(due, "no_show", now, stamp="no_show_at")


DAY_BEFORE_AT = dt.time(16, 0)
REMIND_BEFORE = dt.timedelta(minutes=30)


def _reminder_text(booking: Booking, kind: str) -> str:
    start = _local(booking.slot_start)
    lead = _("Nhắc lịch hẹn ngày mai") if kind == "day_before" else _("Sắp đến giờ hẹn")
    return _(
        "%(lead)s: %(time)s ngày %(day)s, %(service)s tại %(unit)s. Mã đặt hẹn %(code)s. "
        "Xin đến trước giờ hẹn 5-10 phút và lấy số tại máy lấy số."
    ) % {
        "lead": lead,
        "time": f"{start:%H:%M}",
        "day": f"{start:%d/%m/%Y}",
        "service": booking.service.name,
        "unit": booking.unit.name,
        "code": booking.code,
    }


def deliver_reminder(booking: Booking, kind: str) -> int:
    """The sending hook: queue the reminder in the notification outbox (SMS to the booking's
    phone, and a web push to each browser that subscribed with this booking code), inside the
    caller's transaction; the outbox sends after commit and never twice for the same key.

    Returns how many messages were queued.
    """
    from motcua.integrations import selectors as outbox_selectors
    from motcua.integrations import services as outbox

    purpose = "booking_reminder"
    subject = _("Nhắc lịch hẹn %(code)s") % {"code": booking.code}
    body = _reminder_text(booking, kind)
    common = {
        "purpose": purpose,
        "subject": subject,
        "body": body,
        "object_type": "queueing.booking",
        "object_id": booking.pk,
        "unit": booking.unit_id,
    }
    outbox.notify(
        channel="sms",
        recipient=booking.phone,
        idempotency_key=f"booking:{booking.pk}:{kind}:sms",
        **common,
    )
    queued = 1
    for subscription in outbox_selectors.active_subscriptions(booking_ref=booking.code):
        outbox.notify(
            channel="push",
            recipient=subscription,
            idempotency_key=f"booking:{booking.pk}:{kind}:push:{subscription.pk}",
            **common,
        )
        queued += 1
    return queued


def _remind(qs: QuerySet[Booking], field: str, kind: str, now: dt.datetime) -> int:
    sent = 0
    for pk in list(qs.values_list("pk", flat=True)[:1000]):
        with transaction.atomic():
            # The conditional update is the claim: two workers cannot both send.
            claimed = Booking.objects.filter(
                pk=pk, status=B.CONFIRMED, **{f"{field}__isnull": True}
            ).update(**{field: now})
            if not claimed:
                continue
            booking = Booking.objects.select_related("service", "unit").get(pk=pk)
            _remind_event(booking, f"remind_{kind}", now)
            deliver_reminder(booking, kind)
            sent += 1
    return sent


def send_reminders(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Day-before reminders from 16:00 for tomorrow's bookings, and 30-minute reminders.

    Each booking is reminded at most once of each kind, whoever runs the job and how often.
    """
    now = _now(now)
    local = _local(now)
    counts = {"day_before": 0, "30min": 0}
    confirmed = Booking.objects.filter(status=B.CONFIRMED)
    if local.time() >= DAY_BEFORE_AT:
        tomorrow = local.date() + dt.timedelta(days=1)
        start = dt.datetime.combine(tomorrow, dt.time(0, 0), tzinfo=calendar.LOCAL_TZ)
        due = confirmed.filter(
            reminder_day_before_sent_at__isnull=True,
            slot_start__gte=start,
            slot_start__lt=start + dt.timedelta(days=1),
        )
        counts["day_before"] = _remind(due, "reminder_day_before_sent_at", "day_before", now)
    due = confirmed.filter(
        reminder_30min_sent_at__isnull=True,
        slot_start__gt=now,
        slot_start__lte=now + REMIND_BEFORE,
    )
    counts["30min"] = _remind(due, "reminder_30min_sent_at", "30min", now)
    return counts
