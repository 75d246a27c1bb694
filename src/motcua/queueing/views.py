"""Kiosk (public, touch screen), printable ticket and the counter console (staff). Thin views."""

import secrets

import segno
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from motcua.accounts.decorators import staff_required
from motcua.accounts.models import Role
from motcua.accounts.scoping import get_scoped_or_404
from motcua.core.models import Counter
from motcua.core.statemachine import IllegalTransition

from . import selectors, services
from .citizen_views import public_ticket_url
from .forms import KioskForm, LinkDossierForm, TransferForm
from .models import Ticket

KIOSK_RETURN_SECONDS = 12


def _kiosk_context(unit, form=None, error: str = "") -> dict:
    return {
        "unit": unit,
        "services": selectors.kiosk_services(unit),
        "priorities": [c for c in Ticket.Priority.choices if c[0] != Ticket.Priority.NONE],
        # A fresh key per rendered screen: every tap on this screen is the same request.
        "key": secrets.token_urlsafe(18),
        "form": form,
        "error": error,
    }


@require_http_methods(["GET", "POST"])
def kiosk(request, unit_code: str):
    """Máy lấy số: touch a service, get a ticket to print."""
    unit = selectors.kiosk_unit(unit_code)
    if unit is None:
        raise Http404
    if request.method == "GET":
        return render(request, "queueing/kiosk.html", _kiosk_context(unit))
    form = KioskForm(request.POST, unit=unit)
    if not form.is_valid():
        error = next(iter(form.errors.values()))[0] if form.errors else ""
        if "key" in form.errors:
            error = _("Phiên lấy số đã hết hạn, xin chọn lại dịch vụ.")
        return render(request, "queueing/kiosk.html", _kiosk_context(unit, form, error), status=400)
    try:
        ticket = services.issue_ticket(
            unit=unit,
            service=form.cleaned_data["service"],
            source=Ticket.Source.KIOSK,
            priority_reason=form.cleaned_data["priority_reason"],
            idempotency_key=form.cleaned_data["key"],
        )
    except ValidationError as exc:
        return render(
            request, "queueing/kiosk.html", _kiosk_context(unit, form, exc.messages[0]), status=400
        )
    return redirect(f"{reverse('queueing:ticket_print', args=[ticket.access_token])}?kiosk=1")


def _qr_svg_data_uri(text: str) -> str:
    return segno.make(text, error="m").svg_data_uri(scale=4, border=2, dark="#000", light="#fff")


def ticket_print(request, token: str):
    """The slip for 58/80 mm thermal paper: no personal data on it, only the number.

    Reached by the ticket's secret token, and its QR code opens the citizen's ticket page, so
    a villager who took a number at the kiosk can follow it on the phone.
    """
    if not token or len(token) > 32:
        raise Http404
    ticket = get_object_or_404(Ticket.objects.select_related("unit", "service"), access_token=token)
    from_kiosk = request.GET.get("kiosk") == "1"
    return render(
        request,
        "queueing/ticket_print.html",
        {
            "ticket": ticket,
            "ahead": selectors.people_ahead(ticket),
            "paper": "58" if request.GET.get("giay") == "58" else "80",
            "from_kiosk": from_kiosk,
            "return_url": reverse("queueing:kiosk", args=[ticket.unit.code]),
            "return_seconds": KIOSK_RETURN_SECONDS,
            "qr": _qr_svg_data_uri(public_ticket_url(request, ticket)),
        },
    )


# --- counter console -------------------------------------------------------------------------


def _counter_or_404(request, pk: int) -> Counter:
    return get_scoped_or_404(
        Counter.objects.select_related("unit"),
        request.user,
        scope_roles=selectors.COUNTER_ROLES,
        pk=pk,
        is_active=True,
    )


@staff_required(Role.COUNTER_OFFICER)
def console_index(request):
    counters = list(selectors.counters_for(request.user))
    return render(request, "queueing/console_index.html", {"counters": counters})


def _console_context(counter: Counter) -> dict:
    data = selectors.console(counter, services.local_day(services.now()))
    return {
        "c": data,
        "counter": counter,
        "transfer_form": TransferForm(counter=counter),
        "link_form": LinkDossierForm(),
    }


@staff_required(Role.COUNTER_OFFICER)
def console(request, pk: int):
    """Bàn làm việc của quầy: the officer's screen, keyboard first."""
    counter = _counter_or_404(request, pk)
    context = _console_context(counter)
    if request.htmx and request.GET.get("part") == "counts":
        return render(request, "queueing/_console_counts.html", context)
    if request.htmx:
        return render(request, "queueing/_console_panel.html", context)
    return render(request, "queueing/console.html", context)


class QueueEmpty(Exception):
    """Nobody waits: an answer to show, not an error."""


def _ticket_at(counter: Counter, request) -> Ticket:
    """The ticket the button was pressed for, in this counter's unit (else 404)."""
    try:
        ticket_id = int(request.POST.get("ticket", ""))
    except ValueError as exc:
        raise Http404 from exc
    return get_object_or_404(Ticket, pk=ticket_id, unit_id=counter.unit_id)


def _run(action: str, counter: Counter, request) -> str:
    """Call the service for `action`; returns the message to show."""
    user = request.user
    if action == "mo":
        services.open_counter(counter=counter, officer=user)
        return _("Đã mở quầy %(n)s.") % {"n": counter.number}
    if action == "dong":
        services.close_counter(counter=counter, officer=user)
        return _("Đã đóng quầy %(n)s.") % {"n": counter.number}
    if action == "goi-tiep":
        ticket = services.call_next(counter=counter, officer=user)
        if ticket is None:
            raise QueueEmpty(_("Hàng đợi trống: không có ai đang chờ các dịch vụ của quầy này."))
        return _("Mời công dân có số %(code)s đến quầy số %(n)s.") % {
            "code": ticket.code,
            "n": counter.number,
        }
    ticket = _ticket_at(counter, request)
    if action == "goi-lai":
        ticket = services.recall(ticket=ticket, counter=counter, officer=user)
        return _("Đã gọi lại số %(code)s (lần %(k)s).") % {
            "code": ticket.code,
            "k": ticket.call_count,
        }
    if action == "bat-dau":
        services.start_service(ticket=ticket, counter=counter, officer=user)
        return _("Bắt đầu phục vụ số %(code)s.") % {"code": ticket.code}
    if action == "ket-thuc":
        services.finish_service(ticket=ticket, counter=counter, officer=user)
        return _("Đã phục vụ xong số %(code)s.") % {"code": ticket.code}
    if action == "vang-mat":
        services.skip(ticket=ticket, counter=counter, officer=user)
        return _("Số %(code)s vắng mặt.") % {"code": ticket.code}
    if action == "chuyen":
        form = TransferForm(request.POST, counter=counter)
        if not form.is_valid():
            raise ValidationError(_("Chọn nhóm dịch vụ hoặc quầy để chuyển đến."))
        services.transfer(
            ticket=ticket,
            counter=counter,
            officer=user,
            to_service=form.cleaned_data["to_service"],
            to_counter=form.cleaned_data["to_counter"],
        )
        return _("Đã chuyển số %(code)s.") % {"code": ticket.code}
    if action == "gan-ho-so":
        form = LinkDossierForm(request.POST)
        if not form.is_valid():
            raise ValidationError(form.errors["dossier_code"][0])
        services.link_dossier(
            ticket=ticket, dossier_code=form.cleaned_data["dossier_code"], actor=user
        )
        return _("Đã gắn hồ sơ %(d)s cho số %(code)s.") % {
            "d": form.cleaned_data["dossier_code"].strip(),
            "code": ticket.code,
        }
    raise Http404


@staff_required(Role.COUNTER_OFFICER)
def console_action(request, pk: int, action: str):
    """Every console button posts here; htmx gets the refreshed panel, others a redirect."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    counter = _counter_or_404(request, pk)
    level, status = messages.SUCCESS, 200
    try:
        text = _run(action, counter, request)
    except QueueEmpty as empty:
        text, level = str(empty), messages.INFO
    except IllegalTransition as exc:  # the number moved on meanwhile (another counter, a job)
        text, level, status = exc.reason, messages.ERROR, 409
    except ValidationError as exc:
        text, level, status = exc.messages[0], messages.ERROR, 400
    if request.htmx:
        context = _console_context(counter)
        context["notice"] = {"text": text, "level": level}
        # htmx swaps only 2xx answers by default: the error is shown in the panel, sent as 200
        response = render(request, "queueing/_console_panel.html", context)
        response["X-Queue-Result"] = "error" if status != 200 else "ok"
        return response
    messages.add_message(request, level, text)
    return redirect("queueing:console", pk=counter.pk)
