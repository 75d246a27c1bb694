"""Public booking pages (no login, mobile first) and the kiosk check-in. Thin views.

Flow: service -> day -> slot -> name and phone (the seat is held 10 minutes) -> confirm ->
confirmation with the code and a QR. Confirming, cancelling or changing a booking needs the code
and a proof (`booking.Proof`): the browser that made it (an owner token in a signed cookie) or
the last 4 digits of its phone; the rule is `booking.check_owner`. Pages reachable by the code
alone show the phone masked (`core.text.mask_phone`). Every POST counts against a per-IP budget;
past it the answer is a Vietnamese 429 page.
"""

from __future__ import annotations

import datetime as dt
import secrets

import segno
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from motcua.core import calendar, ratelimit
from motcua.core.forms import EARLIEST_DATE, LATEST_DATE, query_date, query_id
from motcua.core.models import Unit
from motcua.core.statemachine import IllegalTransition
from motcua.core.text import mask_phone

from . import booking, selectors
from .booking_forms import BookingForm, CheckInForm, LookupForm
from .models import Booking, Service, Ticket

# The browser's owner tokens (booking.owner_token) of its last bookings: signed, HTTP-only.
OWNER_COOKIE = "motcua_dat_hen"
OWNER_COOKIE_SALT = "motcua.queueing.booking.owner-cookie"
OWNER_COOKIE_AGE = 60 * 60 * 24 * 30  # bookings are taken up to 14 days ahead
OWNER_COOKIE_KEEP = 10


# --- helpers ---------------------------------------------------------------------------------


def _rate_limit() -> int:
    return settings.MOTCUA_BOOKING_RATE_PER_MINUTE


def _throttled(request) -> bool:
    """Count this POST against its IP's per-minute budget; True once the budget is spent."""
    return ratelimit.hit("booking", ratelimit.client_ip(request), window=60) > _rate_limit()


def rate_limited(view):
    def wrapped(request, *args, **kwargs):
        if request.method == "POST" and _throttled(request):
            message = _(
                "Bạn đã gửi quá nhiều yêu cầu đặt hẹn trong một phút. "
                "Vui lòng đợi một phút rồi thử lại."
            )
            return ratelimit.too_many(request, message, retry_after=60, back_url=request.path)
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _unit(unit_code: str) -> Unit:
    unit = selectors.kiosk_unit(unit_code)
    if unit is None:
        raise Http404
    return unit


def _service(unit: Unit, params) -> Service | None:
    pk = query_id(params, "dich-vu")
    if pk is None:
        return None
    service = Service.objects.filter(unit=unit, pk=pk, is_active=True).first()
    if service is None or booking.rule_for(service) is None:
        return None
    return service


def _slot_start(value) -> dt.datetime | None:
    """ "2026-11-18T09:00" (local time, as the slot links carry it) -> aware datetime."""
    try:
        naive = dt.datetime.fromisoformat(value or "")
    except ValueError:
        return None
    if naive.tzinfo is not None or not EARLIEST_DATE <= naive.date() <= LATEST_DATE:
        return None
    return naive.replace(tzinfo=calendar.LOCAL_TZ)


def _booking_or_404(unit: Unit, code: str) -> Booking:
    found = booking.find_by_code(unit, code)
    if found is None:
        raise Http404
    return found


def _device_tokens(request) -> tuple[str, ...]:
    raw = request.get_signed_cookie(
        OWNER_COOKIE, default="", salt=OWNER_COOKIE_SALT, max_age=OWNER_COOKIE_AGE
    )
    return tuple(t for t in raw.split(",") if t)[-OWNER_COOKIE_KEEP:]


def _proof(request, phone_last4: str = "") -> booking.Proof:
    return booking.Proof(device_tokens=_device_tokens(request), phone_last4=phone_last4)


def _remember_owner(request, response, b: Booking):
    """This browser made (or proved) `b`: keep its owner token, so it may confirm and change."""
    token = booking.owner_token(b)
    tokens = [t for t in _device_tokens(request) if t != token][-(OWNER_COOKIE_KEEP - 1) :]
    response.set_signed_cookie(
        OWNER_COOKIE,
        ",".join([*tokens, token]),
        salt=OWNER_COOKIE_SALT,
        max_age=OWNER_COOKIE_AGE,
        path=reverse("queueing:booking_start", args=[b.unit.code]),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


def _too_many_tries(request, exc: ValidationError):
    retry_after = (exc.params or {}).get("retry_after", booking.PROOF_WINDOW)
    return ratelimit.too_many(
        request, exc.messages[0], retry_after=retry_after, back_url=request.path
    )


def _slot_param(start: dt.datetime) -> str:
    return booking._local(start).strftime("%Y-%m-%dT%H:%M")


def _days_context(service: Service) -> list[dict]:
    days = []
    for day in booking.bookable_days(service):
        free = sum(s.remaining for s in booking.available_slots(service, day))
        days.append({"day": day, "free": free, "param": day.isoformat()})
    return days


def _slots_context(service: Service, day: dt.date) -> list[dict]:
    return [
        {"start": booking._local(s.start), "remaining": s.remaining, "param": _slot_param(s.start)}
        for s in booking.available_slots(service, day)
    ]


# --- booking ------------------------------------------------------------------------------------


@require_http_methods(["GET"])
def start(request, unit_code: str):
    """Step 1-3: choose a service, then a day, then a slot with seats left."""
    unit = _unit(unit_code)
    services = [s for s in selectors.kiosk_services(unit) if booking.rule_for(s) is not None]
    service = _service(unit, request.GET)
    day = query_date(request.GET, "ngay") if service else None
    context = {"unit": unit, "services": services, "service": service, "day": day}
    if service and day:
        context["step"] = 3
        context["slots"] = _slots_context(service, day)
    elif service:
        context["step"] = 2
        context["days"] = _days_context(service)
    else:
        context["step"] = 1
    return render(request, "queueing/booking_start.html", context)


@rate_limited
@require_http_methods(["GET", "POST"])
def book(request, unit_code: str):
    """Step 4: name and phone for the chosen slot; submitting holds the seat for 10 minutes."""
    unit = _unit(unit_code)
    data = request.POST if request.method == "POST" else request.GET
    service = _service(unit, data)
    slot_start = _slot_start(data.get("gio"))
    if service is None or slot_start is None:
        return redirect("queueing:booking_start", unit_code=unit.code)
    status, error = 200, ""
    if request.method == "POST":
        form = BookingForm(request.POST, unit=unit)
        if form.is_valid():
            clean = form.cleaned_data
            try:
                held = booking.hold_slot(
                    service=service,
                    slot_start=slot_start,
                    citizen_name=clean["citizen_name"],
                    phone=clean["phone"],
                    citizen_id=clean["citizen_id"],
                    village=clean["village"],
                    age_group=clean["age_group"],
                    idempotency_key=clean["key"],
                    ip=ratelimit.client_ip(request),
                )
            except ValidationError as exc:
                field = {"bad_phone": "phone", "bad_citizen_id": "citizen_id"}.get(exc.code)
                if field:
                    form.add_error(field, exc.messages[0])
                else:
                    error = exc.messages[0]
            else:
                response = redirect("queueing:booking_held", unit_code=unit.code, code=held.code)
                return _remember_owner(request, response, held)
        elif "key" in form.errors:
            error = _("Phiên đặt hẹn đã hết hạn, xin gửi lại.")
        status = 400
        form.data = form.data.copy()
        form.data["key"] = secrets.token_urlsafe(18)
    else:
        form = BookingForm(unit=unit, initial={"key": secrets.token_urlsafe(18)})
    context = {
        "unit": unit,
        "service": service,
        "slot_start": booking._local(slot_start),
        "slot_param": _slot_param(slot_start),
        "form": form,
        "error": error,
        "hold_minutes": booking.HOLD_MINUTES,
    }
    return render(request, "queueing/booking_form.html", context, status=status)


@rate_limited
@require_http_methods(["GET", "POST"])
def held(request, unit_code: str, code: str):
    """The seat is held: check the details and confirm within 10 minutes. A browser other than
    the one that booked confirms with the last 4 digits of the phone."""
    unit = _unit(unit_code)
    found = _booking_or_404(unit, code)
    if found.status == Booking.Status.CONFIRMED and request.method == "GET":
        return redirect("queueing:booking_detail", unit_code=unit.code, code=found.code)
    error = ""
    status = 400
    if request.method == "GET" and booking.hold_lapsed(found):
        error = _("Đã quá %(m)s phút giữ chỗ. Xin đặt lại từ đầu.") % {"m": booking.HOLD_MINUTES}
    if request.method == "POST":
        proof = _proof(request, request.POST.get("phone_last4", ""))
        try:
            booking.confirm(booking=found, proof=proof)
        except IllegalTransition as exc:  # lapsed, cancelled or used meanwhile
            error, status = exc.reason, 409
            found.refresh_from_db()
        except ValidationError as exc:
            if exc.code == "proof_locked":
                return _too_many_tries(request, exc)
            error = exc.messages[0]
            found.refresh_from_db()
        else:
            response = redirect("queueing:booking_detail", unit_code=unit.code, code=found.code)
            return _remember_owner(request, response, found)
    context = {
        "unit": unit,
        "b": found,
        "slot": booking._local(found.slot_start),
        "held_until": booking._local(found.held_until),
        "hold_minutes": booking.HOLD_MINUTES,
        "open": found.status == Booking.Status.HELD and not booking.hold_lapsed(found),
        "from_this_device": booking.owned_by_device(found, _proof(request)),
        "phone_masked": mask_phone(found.phone),
        "error": error,
    }
    return render(request, "queueing/booking_held.html", context, status=status if error else 200)


def _qr(code: str) -> str:
    return segno.make(code, error="m").svg_data_uri(scale=6, border=2)


@require_http_methods(["GET"])
def detail(request, unit_code: str, code: str):
    """Confirmation: the code to show at the kiosk, date, time, place and a QR of the code."""
    unit = _unit(unit_code)
    found = _booking_or_404(unit, code)
    if found.status == Booking.Status.HELD:
        return redirect("queueing:booking_held", unit_code=unit.code, code=found.code)
    context = {
        "unit": unit,
        "b": found,
        "slot": booking._local(found.slot_start),
        "qr": _qr(found.code),
        "phone_masked": mask_phone(found.phone),
        "replacement": getattr(found, "rescheduled_to", None)
        if found.status == Booking.Status.CANCELLED
        else None,
    }
    return render(request, "queueing/booking_detail.html", context)


@rate_limited
@require_http_methods(["GET", "POST"])
def lookup(request, unit_code: str):
    """Find one's booking to cancel or change it: code + last 4 digits of the phone."""
    unit = _unit(unit_code)
    form = LookupForm(request.POST or None, initial={"code": request.GET.get("ma", "")})
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            found = booking.find_for_owner(
                unit, form.cleaned_data["code"], form.cleaned_data["phone_last4"]
            )
        except ValidationError as exc:  # too many tries on this booking
            return _too_many_tries(request, exc)
        if found is not None:
            response = redirect("queueing:booking_manage", unit_code=unit.code, code=found.code)
            return _remember_owner(request, response, found)
        error = _("Mã đặt hẹn hoặc 4 số cuối điện thoại không đúng.")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "queueing/booking_lookup.html",
        {"unit": unit, "form": form, "error": error},
        status=status,
    )


@rate_limited
@require_http_methods(["GET", "POST"])
def manage(request, unit_code: str, code: str):
    """Cancel, or move to another slot of the same service (one step: the seat is kept until
    the new one is taken)."""
    unit = _unit(unit_code)
    found = _booking_or_404(unit, code)
    if not booking.owned_by_device(found, _proof(request)):
        return redirect(f"{reverse('queueing:booking_lookup', args=[unit.code])}?ma={found.code}")
    error, status = "", 400
    if request.method == "POST":
        try:
            if request.POST.get("action") == "huy":
                booking.cancel(booking=found, reason=_("Công dân tự huỷ"))
                return redirect("queueing:booking_detail", unit_code=unit.code, code=found.code)
            slot_start = _slot_start(request.POST.get("gio"))
            if slot_start is None:
                raise ValidationError(_("Xin chọn khung giờ mới."))
            new = booking.reschedule(booking=found, slot_start=slot_start)
        except IllegalTransition as exc:  # cancelled, used or no-show meanwhile
            error, status = exc.reason, 409
            found.refresh_from_db()
        except ValidationError as exc:
            error = exc.messages[0]
            found.refresh_from_db()
        else:
            response = redirect("queueing:booking_detail", unit_code=unit.code, code=new.code)
            return _remember_owner(request, response, new)
    day = query_date(request.GET, "ngay")
    changeable = found.status in (Booking.Status.HELD, Booking.Status.CONFIRMED)
    context = {
        "unit": unit,
        "b": found,
        "slot": booking._local(found.slot_start),
        "changeable": changeable,
        "day": day,
        "days": _days_context(found.service) if changeable and not day else [],
        "slots": [
            s
            for s in (_slots_context(found.service, day) if changeable and day else [])
            if s["param"] != _slot_param(found.slot_start)
        ],
        "error": error,
    }
    return render(request, "queueing/booking_manage.html", context, status=status if error else 200)


# --- kiosk check-in --------------------------------------------------------------------------


@rate_limited
@require_http_methods(["GET", "POST"])
def check_in(request, unit_code: str):
    """Kiosk: "Tôi đã đặt hẹn" -> type the code -> the ticket prints (priority if on time)."""
    unit = _unit(unit_code)
    form = CheckInForm(request.POST or None)
    error, status = "", 400
    if request.method == "POST" and form.is_valid():
        found = booking.find_by_code(unit, form.cleaned_data["code"])
        if found is None:
            error = _("Không tìm thấy lịch hẹn với mã này tại %(unit)s. Xin kiểm tra lại mã.") % {
                "unit": unit.name
            }
        else:
            try:
                ticket = booking.check_in(booking=found)
            except IllegalTransition as exc:  # cancelled, not confirmed, expired
                error, status = exc.reason, 409
            except ValidationError as exc:
                error = exc.messages[0]
            else:
                url = reverse("queueing:ticket_print", args=[ticket.access_token])
                return redirect(f"{url}?kiosk=1")
    elif request.method == "POST":
        error = form.errors["code"][0]
    return render(
        request,
        "queueing/booking_check_in.html",
        {"unit": unit, "form": form, "error": error, "appointment": Ticket.Priority.APPOINTMENT},
        status=status if error else 200,
    )
