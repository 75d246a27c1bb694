"""Rating screens: the citizen's phone (by the ticket's secret token) and the counter tablet.

Thin: parse the answer with `RatingForm`, call `services.rate_ticket`, render. The phone page
needs no account, so it is rate-limited per client address; the tablet is a staff page of
one counter, scoped to the officer's unit (another unit's counter is a 404).
"""

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from motcua.accounts.decorators import staff_required
from motcua.accounts.models import Role
from motcua.accounts.scoping import get_scoped_or_404
from motcua.core import ratelimit
from motcua.core.models import Counter
from motcua.dossiers.models import Dossier
from motcua.queueing import selectors as queue_selectors
from motcua.queueing.models import Ticket

from . import invitations, selectors, services
from .forms import RatingForm
from .models import Channel, Level, Reason

# A commune hall shares one mobile-carrier address: generous, but a script cannot flood.
RATE_LIMIT = 30
RATE_WINDOW = 600
TABLET_POLL_SECONDS = 5
TABLET_THANKS_SECONDS = 6
TABLET_ROLES = (Role.COUNTER_OFFICER,)


def _limited(request) -> HttpResponse | None:
    if (
        ratelimit.hit("feedback-rate", ratelimit.client_ip(request), window=RATE_WINDOW)
        > RATE_LIMIT
    ):
        return ratelimit.too_many(
            request,
            _("Bạn đã gửi quá nhiều lần. Xin thử lại sau ít phút."),
            retry_after=RATE_WINDOW,
        )
    return None


def _faces() -> list[dict]:
    return [
        {"value": Level.VERY_SATISFIED, "label": Level.VERY_SATISFIED.label, "face": "very"},
        {"value": Level.SATISFIED, "label": Level.SATISFIED.label, "face": "ok"},
        {"value": Level.NOT_SATISFIED, "label": Level.NOT_SATISFIED.label, "face": "not"},
    ]


def _form_context(rated, form: RatingForm | None = None, *, subject="ticket") -> dict:
    """What the three faces need, for a ticket or (`subject="dossier"`) a dossier."""
    form = form or RatingForm()
    return {
        subject: rated,
        "form": form,
        "faces": _faces(),
        "reasons": Reason.choices,
        "show_reason": form.wants_reason,
        "chosen_reason": form.data.get("reason", "") if form.is_bound else "",
        "error": form.first_error() if form.is_bound else "",
    }


@require_http_methods(["GET", "POST"])
def rate_ticket(request, token: str):
    """Đánh giá sau khi được phục vụ: three big faces, a reason when not satisfied."""
    if request.method == "POST" and (limited := _limited(request)):
        return limited
    ticket = selectors.ticket_by_token(token)
    if ticket is None:
        if request.method == "GET" and (limited := _limited(request)):
            return limited  # someone walking through guessed tokens
        raise Http404
    existing = selectors.rating_for_ticket(ticket)
    if existing is not None:
        if request.method == "POST":  # a double tap or a retried request: same answer
            return redirect("feedback:ticket_thanks", token=token)
        return render(request, "feedback/rated.html", {"ticket": ticket, "rating": existing})
    if ticket.status != Ticket.Status.DONE:
        status = 400 if request.method == "POST" else 200
        return render(request, "feedback/not_yet.html", {"ticket": ticket}, status=status)
    if request.method == "GET":
        return render(request, "feedback/rate.html", _form_context(ticket))
    form = RatingForm(request.POST)
    if not form.is_valid():
        return render(request, "feedback/rate.html", _form_context(ticket, form), status=400)
    try:
        services.rate_ticket(
            ticket=ticket,
            level=form.cleaned_data["level"],
            reason=form.cleaned_data["reason"],
            comment=form.cleaned_data["comment"],
            channel=Channel.PHONE,
            rated_by=request.user,
        )
    except ValidationError as exc:
        context = _form_context(ticket, form)
        context["error"] = exc.messages[0]
        return render(request, "feedback/rate.html", context, status=400)
    return redirect("feedback:ticket_thanks", token=token)


@require_GET
def ticket_thanks(request, token: str):
    ticket = selectors.ticket_by_token(token)
    if ticket is None:
        raise Http404
    rating = selectors.rating_for_ticket(ticket)
    if rating is None:
        return redirect("feedback:rate_ticket", token=token)
    return render(
        request, "feedback/thanks.html", {"ticket": ticket, "rating": rating, "just_rated": True}
    )


# --- counter tablet ----------------------------------------------------------------------------


def _counter_or_404(request, pk: int) -> Counter:
    return get_scoped_or_404(
        Counter.objects.select_related("unit"),
        request.user,
        scope_roles=TABLET_ROLES,
        pk=pk,
        is_active=True,
    )


@staff_required(*TABLET_ROLES)
@require_GET
def tablet_index(request):
    """Which counter's tablet to open: the counters of the officer's units."""
    counters = list(queue_selectors.counters_for(request.user))
    return render(request, "feedback/tablet_index.html", {"counters": counters})


def _tablet_render(request, counter: Counter, context: dict, status: int = 200):
    context = {
        "counter": counter,
        "poll_seconds": TABLET_POLL_SECONDS,
        "thanks_seconds": TABLET_THANKS_SECONDS,
        "panel_url": reverse("feedback:tablet", args=[counter.pk]),
        "shown": _shown_key(context.get("ticket"), context.get("dossier")),
        **context,
    }
    if request.htmx:
        # htmx swaps only 2xx answers: a refused answer is shown in the panel, sent as 200
        return render(request, "feedback/_tablet_panel.html", context)
    return render(request, "feedback/tablet.html", context, status=status)


def _newest_awaiting(counter: Counter, at):
    """What the tablet offers: the ticket finished or the dossier handed over last, if any."""
    ticket = selectors.ticket_awaiting_rating(counter, at=at)
    dossier = selectors.dossier_awaiting_rating(counter, at=at)
    if ticket is not None and dossier is not None:
        if dossier.handed_over_at >= ticket.finished_at:
            return None, dossier
        return ticket, None
    return ticket, dossier


def _shown_key(ticket, dossier) -> str:
    """What the screen shows, sent back by its poll (`dang-hien`): a ticket's id, `hs<id>` for a
    dossier, 0 for nothing."""
    if dossier is not None:
        return f"hs{dossier.pk}"
    return str(ticket.pk if ticket else 0)


def _counter_dossier_or_404(counter: Counter, raw: str):
    """A dossier the counter's unit receives or decides; anything else is not found here."""
    try:
        dossier_id = int(raw)
    except ValueError as exc:
        raise Http404 from exc
    return get_object_or_404(
        Dossier.objects.filter(
            Q(receiving_unit_id=counter.unit_id) | Q(competent_unit_id=counter.unit_id)
        ),
        pk=dossier_id,
    )


@staff_required(*TABLET_ROLES)
@require_http_methods(["GET", "POST"])
def tablet(request, counter_pk: int):
    """Màn hình đánh giá tại quầy: turned towards the citizen, it shows the ticket just served
    or the dossier just returned or refused at this counter, whichever came last."""
    counter = _counter_or_404(request, counter_pk)
    at = services.now()
    if request.method == "GET":
        ticket, dossier = _newest_awaiting(counter, at)
        shown = request.GET.get("dang-hien", "")
        if request.htmx and shown == _shown_key(ticket, dossier):
            return HttpResponse(status=204)  # nothing new: keep the screen as the citizen has it
        if dossier is not None:
            return _tablet_render(request, counter, _tablet_dossier_state(dossier))
        return _tablet_render(request, counter, _tablet_state(ticket))
    if "dossier" in request.POST:
        return _tablet_rate_dossier(request, counter, at)
    try:
        ticket_id = int(request.POST.get("ticket", ""))
    except ValueError as exc:
        raise Http404 from exc
    ticket = get_object_or_404(
        Ticket.objects.select_related("service"), pk=ticket_id, counter=counter
    )
    form = RatingForm(request.POST)
    if not form.is_valid():
        return _tablet_render(request, counter, _tablet_state(ticket, form), status=400)
    try:
        rated = services.rate_ticket(
            ticket=ticket,
            level=form.cleaned_data["level"],
            reason=form.cleaned_data["reason"],
            comment=form.cleaned_data["comment"],
            channel=Channel.COUNTER_TABLET,
        )
    except ValidationError as exc:
        context = _tablet_state(ticket, form)
        context["error"] = exc.messages[0]
        return _tablet_render(request, counter, context, status=400)
    return _tablet_render(request, counter, {"state": "thanks", "rating": rated.rating})


def _tablet_rate_dossier(request, counter: Counter, at):
    dossier = _counter_dossier_or_404(counter, request.POST.get("dossier", ""))
    form = RatingForm(request.POST)
    if not form.is_valid():
        return _tablet_render(request, counter, _tablet_dossier_state(dossier, form), status=400)
    try:
        rated = services.rate_dossier_at_counter(
            counter=counter,
            dossier=dossier,
            level=form.cleaned_data["level"],
            reason=form.cleaned_data["reason"],
            comment=form.cleaned_data["comment"],
            at=at,
        )
    except ValidationError as exc:
        context = _tablet_dossier_state(dossier, form)
        context["error"] = exc.messages[0]
        return _tablet_render(request, counter, context, status=400)
    return _tablet_render(request, counter, {"state": "thanks", "rating": rated.rating})


def _tablet_state(ticket: Ticket | None, form: RatingForm | None = None) -> dict:
    if ticket is None:
        return {"state": "waiting", "ticket": None}
    return {"state": "rate", **_form_context(ticket, form)}


def _tablet_dossier_state(dossier, form: RatingForm | None = None) -> dict:
    return {"state": "rate", **_dossier_context(dossier, form)}


# --- a dossier, from the invitation's link -----------------------------------------------------


def _dossier_context(dossier, form: RatingForm | None = None) -> dict:
    return _form_context(dossier, form, subject="dossier")


def _invited_dossier_or_404(token: str):
    dossier = invitations.dossier_from_token(token)
    if dossier is None:
        raise Http404
    return dossier


@require_http_methods(["GET", "POST"])
def rate_dossier(request, token: str):
    """Đánh giá hồ sơ from the SMS, push or e-mail link: no account, three faces, once."""
    if request.method == "POST" and (limited := _limited(request)):
        return limited
    dossier = invitations.dossier_from_token(token)
    if dossier is None:
        if request.method == "GET" and (limited := _limited(request)):
            return limited  # someone walking through made-up links
        raise Http404
    existing = selectors.rating_for_dossier(dossier)
    if existing is not None:
        if request.method == "POST":  # a double tap or a retried request: same answer
            return redirect("feedback:dossier_thanks", token=token)
        return render(
            request, "feedback/dossier_rated.html", {"dossier": dossier, "rating": existing}
        )
    at = services.now()
    if invitations.link_expired(dossier, at=at):
        return render(
            request,
            "feedback/dossier_link_expired.html",
            {"dossier": dossier, "link_days": invitations.LINK_DAYS},
            status=410,
        )
    if request.method == "GET":
        return render(request, "feedback/dossier_rate.html", _dossier_context(dossier))
    form = RatingForm(request.POST)
    if not form.is_valid():
        return render(
            request, "feedback/dossier_rate.html", _dossier_context(dossier, form), status=400
        )
    try:
        services.rate_by_invitation(
            dossier=dossier,
            level=form.cleaned_data["level"],
            reason=form.cleaned_data["reason"],
            comment=form.cleaned_data["comment"],
            rated_by=request.user,
            at=at,
        )
    except ValidationError as exc:
        context = _dossier_context(dossier, form)
        context["error"] = exc.messages[0]
        return render(request, "feedback/dossier_rate.html", context, status=400)
    return redirect("feedback:dossier_thanks", token=token)


@require_GET
def dossier_thanks(request, token: str):
    dossier = _invited_dossier_or_404(token)
    rating = selectors.rating_for_dossier(dossier)
    if rating is None:
        return redirect("feedback:rate_dossier", token=token)
    return render(
        request,
        "feedback/dossier_rated.html",
        {"dossier": dossier, "rating": rating, "just_rated": True},
    )
