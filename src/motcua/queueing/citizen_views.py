"""The citizen app (PWA) of the queue: a unit's home, remote tickets, the ticket page. Thin views.

Villagers open it on cheap Android phones over 3G, so pages are small server-rendered HTML with
one vendored script (`queueing/app.js`), and a service worker (`/hang-doi/sw.js`) keeps the
ticket readable offline. The ticket is reached by its secret `access_token`, never by its
sequential id: whoever holds the link (or scans the slip's QR code) follows that one ticket.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from functools import cache

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.cache import cache as shared_cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from motcua.core import calendar, links, ratelimit
from motcua.core.models import Unit, Village
from motcua.core.statemachine import IllegalTransition
from motcua.core.text import mask_phone

from . import estimate, selectors, services
from .citizen_forms import RemoteTicketForm
from .models import Service, Ticket

S = Ticket.Status
THEME_COLOR = "#b3261e"
BACKGROUND_COLOR = "#faf8f5"
POLL_SECONDS = 15
# Abuse limits of remote tickets (settings may change them). Mobile carriers put many phones
# behind one address, so the per-address budget is generous; the per-phone ones are not.
IP_WINDOW_SECONDS = 600
PHONE_WINDOW_SECONDS = 3600
ACTIVE_STATES = (S.WAITING, S.TRANSFERRED, S.CALLED, S.SERVING)
TOKEN_MAX = 32
ICONS = (
    ("queueing/icons/icon-192.png", "192x192", "any"),
    ("queueing/icons/icon-512.png", "512x512", "any"),
    ("queueing/icons/icon-maskable-192.png", "192x192", "maskable"),
    ("queueing/icons/icon-maskable-512.png", "512x512", "maskable"),
)
SHELL = ("queueing/app.css", "queueing/app.js", "integrations/push.js")


# --- small helpers ---------------------------------------------------------------------------


def _unit_or_404(unit_code: str) -> Unit:
    unit = selectors.kiosk_unit(unit_code)
    if unit is None:
        raise Http404
    return unit


def _ticket_or_404(token: str) -> Ticket:
    if not token or len(token) > TOKEN_MAX:
        raise Http404
    return get_object_or_404(
        Ticket.objects.select_related("unit", "service", "counter"), access_token=token
    )


def _local(at: dt.datetime) -> dt.datetime:
    return timezone.localtime(at, calendar.LOCAL_TZ)


def hours_text(unit: Unit) -> str:
    """ "07:30–11:30 và 13:30–17:00, thứ Hai đến thứ Sáu (trừ ngày nghỉ lễ)"."""
    (am_open, am_close), (pm_open, pm_close) = calendar.office_hours()
    text = _(
        "%(am_open)s–%(am_close)s và %(pm_open)s–%(pm_close)s, thứ Hai đến thứ Sáu "
        "(trừ ngày nghỉ lễ)"
    ) % {
        "am_open": f"{am_open:%H:%M}",
        "am_close": f"{am_close:%H:%M}",
        "pm_open": f"{pm_open:%H:%M}",
        "pm_close": f"{pm_close:%H:%M}",
    }
    if unit.opens_saturday_morning:
        text += _("; sáng thứ Bảy %(open)s–%(close)s") % {
            "open": f"{am_open:%H:%M}",
            "close": f"{am_close:%H:%M}",
        }
    return text


def wait_text(est: estimate.WaitEstimate | None) -> str:
    """The estimate in plain words, or why there is none."""
    if est is None:
        return ""
    if not est.open_counters:
        return _("Chưa có quầy nào đang mở cho dịch vụ này nên chưa ước tính được thời gian chờ.")
    if est.minutes is None or est.high_minutes is None:
        return _("Chưa đủ số liệu hôm nay để ước tính thời gian chờ.")
    if not est.low_minutes:
        return _("Dự kiến dưới %(high)s phút") % {"high": est.high_minutes}
    return _("Dự kiến khoảng %(low)s–%(high)s phút") % {
        "low": est.low_minutes,
        "high": est.high_minutes,
    }


def ahead_text(ahead: int) -> str:
    if ahead <= 0:
        return _("Bạn là người tiếp theo")
    return ngettext("Còn %(n)s người trước bạn", "Còn %(n)s người trước bạn", ahead) % {"n": ahead}


def ticket_url(ticket: Ticket) -> str:
    return reverse("queueing:citizen_ticket", args=[ticket.access_token])


def public_ticket_url(request, ticket: Ticket) -> str:
    """Absolute address of the ticket page, as printed in the slip's QR code.

    The configured public base URL wins over the kiosk's own host, so a slip printed on the
    commune's internal network still opens on a villager's phone.
    """
    return links.public_url(ticket_url(ticket), request)


# --- the ticket's state (page and JSON share it) ---------------------------------------------


def ticket_state(ticket: Ticket, *, at: dt.datetime | None = None) -> dict:
    """What the ticket page shows, as plain data: the JSON the page polls is exactly this."""
    at = at or services.now()
    today = services.local_day(at)
    expired = ticket.day < today and ticket.status in ACTIVE_STATES
    counter = ticket.counter.number if ticket.counter_id else None
    est = None
    if ticket.status in Ticket.WAITING_STATES and not expired:
        est = estimate.wait_for(ticket, at=at)
    status = "expired" if expired else ticket.status
    texts = {
        S.WAITING: _("Đang chờ đến lượt"),
        S.TRANSFERRED: _("Đã chuyển sang “%(service)s”, đang chờ gọi")
        % {"service": ticket.service.name},
        S.CALLED: _("Mời bạn đến quầy số %(n)s") % {"n": counter},
        S.SERVING: _("Bạn đang được phục vụ tại quầy số %(n)s") % {"n": counter},
        S.DONE: _("Đã phục vụ xong. Cảm ơn bạn!"),
        S.NO_SHOW: _("Bạn đã không có mặt khi được gọi. Nếu vẫn cần làm thủ tục, xin lấy số mới."),
        S.CANCELLED: _("Bạn đã huỷ số này."),
        "expired": _("Số của ngày %(day)s đã hết hiệu lực.")
        % {"day": ticket.day.strftime("%d/%m/%Y")},
    }
    local_at = _local(at)
    return {
        "code": ticket.code,
        "service": ticket.service.name,
        "unit": ticket.unit.name,
        "day": ticket.day.isoformat(),
        "status": status,
        "status_text": texts.get(status, ticket.get_status_display()),
        "active": ticket.status in ACTIVE_STATES and not expired,
        "finished": ticket.status not in ACTIVE_STATES or expired,
        "called": ticket.status == S.CALLED and not expired,
        "counter": counter,
        "ahead": est.ahead if est else None,
        "ahead_text": ahead_text(est.ahead) if est else "",
        "minutes": est.minutes if est else None,
        "low_minutes": est.low_minutes if est else None,
        "high_minutes": est.high_minutes if est else None,
        "open_counters": est.open_counters if est else None,
        "wait_text": wait_text(est),
        "can_cancel": ticket.status in Ticket.WAITING_STATES and not expired,
        "rate_url": (
            reverse("feedback:rate_ticket", args=[ticket.access_token])
            if ticket.status == S.DONE
            else ""
        ),
        "as_of": local_at.isoformat(timespec="seconds"),
        "as_of_text": f"{local_at:%H:%M}",
    }


def _no_store_private(response: HttpResponse) -> HttpResponse:
    """Ticket answers are private and live: no shared cache, no search engine."""
    response["Cache-Control"] = "no-cache, private"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


# --- home: services, waits and the remote-ticket form ----------------------------------------


def _home_context(unit: Unit, form: RemoteTicketForm | None = None, error: str = "") -> dict:
    at = services.now()
    waits = estimate.service_waits(unit, at=at)
    rows = []
    for service in selectors.kiosk_services(unit):
        est = waits.get(service.pk)
        if est is None or (est.open_counters and est.minutes is None):
            short = ""  # no history yet: said once under the list, not on every service
        elif not est.open_counters:
            short = _("chưa có quầy mở")
        else:
            short = wait_text(est)
        rows.append({"service": service, "estimate": est, "wait_text": short})
    no_history = any(
        e.open_counters and e.minutes is None for e in (r["estimate"] for r in rows) if e
    )
    is_open = services.is_open_for_tickets(unit, at)
    day_off = calendar.day_off_reason(services.local_day(at), unit)
    return {
        "unit": unit,
        "rows": rows,
        "no_history_text": _("Chưa đủ số liệu hôm nay để ước tính thời gian chờ.")
        if no_history
        else "",
        "is_open": is_open,
        "hours": hours_text(unit),
        "day_off": day_off or "",
        "form": form or RemoteTicketForm(unit=unit),
        "villages": list(
            Village.objects.filter(unit=unit).order_by("name").values_list("pk", "name")
        ),
        "key": secrets.token_urlsafe(18),  # fresh per rendered form: a double tap is one ticket
        "error": error,
        "as_of_text": f"{_local(at):%H:%M}",
        "today": services.local_day(at).isoformat(),
    }


def _home(request, unit: Unit, *, form=None, error: str = "", status: int = 200) -> HttpResponse:
    response = render(
        request, "queueing/app_home.html", _home_context(unit, form, error), status=status
    )
    response["Cache-Control"] = "no-cache"
    return response


def _phone_limit_message(unit: Unit, phone: str, at: dt.datetime) -> str:
    """Why this phone may not take one more remote ticket now, or ""."""
    active = Ticket.objects.filter(
        unit=unit,
        day=services.local_day(at),
        source=Ticket.Source.REMOTE,
        phone=phone,
        status__in=ACTIVE_STATES,
    ).count()
    most = settings.MOTCUA_REMOTE_TICKETS_PER_PHONE
    if active >= most:
        return _(
            "Số điện thoại này đã có %(n)s số đang chờ hôm nay. Xin dùng các số đã lấy "
            "(trong mục “Vé của tôi”) hoặc huỷ bớt trước khi lấy số mới."
        ) % {"n": active}
    tries = ratelimit.hit("queue_remote_phone", phone, window=PHONE_WINDOW_SECONDS)
    if tries > settings.MOTCUA_REMOTE_TRIES_PER_PHONE_HOUR:
        return _("Số điện thoại này đã lấy số quá nhiều lần trong một giờ. Xin thử lại sau.")
    return ""


def _preselected(unit: Unit, value) -> RemoteTicketForm | None:
    """`?dich-vu=<id>` (the procedure page's "Lấy số thứ tự"): that service already chosen."""
    try:
        pk = int(value)
    except (TypeError, ValueError):
        return None
    if not 0 < pk < 2**31:  # past a database integer: PostgreSQL would refuse the query
        return None
    if not Service.objects.filter(unit=unit, pk=pk, is_active=True).exists():
        return None
    return RemoteTicketForm(unit=unit, initial={"service": pk})


@require_http_methods(["GET", "POST"])
def home(request, unit_code: str):
    """Trang hàng đợi của xã: numbers given now?, waits per service, take a number from afar."""
    unit = _unit_or_404(unit_code)
    if request.method == "GET":
        return _home(request, unit, form=_preselected(unit, request.GET.get("dich-vu")))
    budget = settings.MOTCUA_REMOTE_TICKETS_PER_IP
    if ratelimit.hit("queue_remote_ip", ratelimit.client_ip(request), window=IP_WINDOW_SECONDS) > (
        budget
    ):
        return ratelimit.too_many(
            request,
            _("Có quá nhiều lượt lấy số từ mạng của bạn. Xin đợi vài phút rồi thử lại."),
            retry_after=IP_WINDOW_SECONDS,
            back_url=reverse("queueing:citizen_home", args=[unit.code]),
        )
    form = RemoteTicketForm(request.POST, unit=unit)
    if not form.is_valid():
        if "key" in form.errors:
            error = _("Phiên lấy số đã hết hạn, xin chọn lại dịch vụ.")
        else:
            error = next(iter(form.errors.values()))[0]
        return _home(request, unit, form=form, error=error, status=400)
    data = form.cleaned_data
    # A double tap: the first request already made the ticket, whatever the limits say now.
    again = Ticket.objects.filter(
        unit=unit, idempotency_key=data["key"], source=Ticket.Source.REMOTE
    ).first()
    if again is not None:
        return redirect(ticket_url(again))
    at = services.now()
    if data["phone"]:
        message = _phone_limit_message(unit, data["phone"], at)
        if message:
            return _home(request, unit, form=form, error=message, status=429)
    try:
        ticket = services.issue_ticket(
            unit=unit,
            service=data["service"],
            source=Ticket.Source.REMOTE,
            idempotency_key=data["key"],
            village=data["village"],
            age_group=data["age_group"] or "",
            phone=data["phone"],
            at=at,
        )
    except ValidationError as exc:
        return _home(request, unit, form=form, error=exc.messages[0], status=400)
    return redirect(ticket_url(ticket))


# --- the ticket page, its JSON, cancelling -------------------------------------------------------


def _ticket_page(request, ticket: Ticket, *, error: str = "", status: int = 200) -> HttpResponse:
    state = ticket_state(ticket)
    context = {
        "ticket": ticket,
        "unit": ticket.unit,
        "state": state,
        "error": error,
        "token": ticket.access_token,
        "masked_phone": mask_phone(ticket.phone),
        "poll_seconds": POLL_SECONDS,
        "today": services.local_day(services.now()).isoformat(),
        "state_url": reverse("queueing:citizen_ticket_state", args=[ticket.access_token]),
        # kept in the phone's localStorage ("Vé của tôi"), so it is listed offline too
        "saved": {
            "token": ticket.access_token,
            "code": ticket.code,
            "service": ticket.service.name,
            "unit": ticket.unit.name,
            "unitCode": ticket.unit.code,
            "day": ticket.day.isoformat(),
            "url": ticket_url(ticket),
        },
    }
    response = render(request, "queueing/app_ticket.html", context, status=status)
    return _no_store_private(response)


@require_GET
def ticket(request, token: str):
    """Vé của bạn: the number, status in plain words, people ahead and the estimated wait."""
    return _ticket_page(request, _ticket_or_404(token))


def _cached_state(token: str) -> dict:
    """`ticket_state` from the cache while the unit's board version and the minute hold: every
    waiting citizen's page polls it (40 a second in `make loadtest`'s day), and between two
    changes to the unit's queue every answer is the same. A ticket never changes unit, so its
    unit is remembered by token and a cached answer costs three cache reads and no query."""
    unit_key = f"motcua:ticket-unit:{token}"
    unit_id = shared_cache.get(unit_key)
    found = None
    if unit_id is None:
        found = _ticket_or_404(token)
        unit_id = found.unit_id
        shared_cache.set(unit_key, unit_id, 24 * 3600)
    at = services.now()
    return estimate.cached_for_unit(
        unit_id,
        at,
        f"ticket:{get_language()}:{token}",
        lambda: ticket_state(found or _ticket_or_404(token), at=at),
    )


@require_GET
def ticket_state_json(request, token: str):
    """The ticket page polls this every ~15 s; the service worker keeps the last answer."""
    if not token or len(token) > TOKEN_MAX:
        raise Http404
    state = _cached_state(token)
    response = JsonResponse(state, json_dumps_params={"ensure_ascii": False})
    return _no_store_private(response)


@require_POST
def cancel(request, token: str):
    """Huỷ số: the citizen gives up a place still waiting (CSRF-protected form)."""
    found = _ticket_or_404(token)
    if found.status == S.CANCELLED:  # a second tap on "Huỷ số"
        return redirect(ticket_url(found))
    if found.day < services.local_day(services.now()):
        return _ticket_page(
            request, found, error=_("Số của ngày đã qua, không cần huỷ."), status=400
        )
    try:
        services.cancel_ticket(ticket=found)
    except IllegalTransition as exc:  # already called or served: a conflict, not bad input
        return _ticket_page(request, found, error=exc.reason, status=409)
    except ValidationError as exc:
        return _ticket_page(request, found, error=exc.messages[0], status=400)
    return redirect(ticket_url(found))


# --- PWA: manifest, service worker, offline page ---------------------------------------------


@require_GET
@cache_control(max_age=3600, public=True)
def manifest(request, unit_code: str):
    """The web app manifest of one unit's app: installs with the unit's home as start page."""
    unit = _unit_or_404(unit_code)
    start = reverse("queueing:citizen_home", args=[unit.code])
    data = {
        "id": start,
        "name": _("Một cửa %(unit)s") % {"unit": unit.name},
        "short_name": _("Lấy số"),
        "description": _("Lấy số thứ tự từ xa, theo dõi số và thời gian chờ tại %(unit)s.")
        % {"unit": unit.name},
        "lang": "vi",
        "dir": "ltr",
        "start_url": start,
        "scope": "/hang-doi/",
        "display": "standalone",
        "orientation": "portrait",
        "theme_color": THEME_COLOR,
        "background_color": BACKGROUND_COLOR,
        "icons": [
            {"src": static(path), "sizes": sizes, "type": "image/png", "purpose": purpose}
            for path, sizes, purpose in ICONS
        ],
    }
    return HttpResponse(
        json.dumps(data, ensure_ascii=False), content_type="application/manifest+json"
    )


@cache
def _sw_source() -> str:
    path = finders.find("queueing/sw.js")
    if not path:  # collected static only (no app directories on this server)
        from django.contrib.staticfiles.storage import staticfiles_storage

        with staticfiles_storage.open("queueing/sw.js") as handle:
            return handle.read().decode("utf-8")
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def sw_config() -> dict:
    """What the worker must know: the shell to precache (hashed names in production)."""
    precache = [static(p) for p in SHELL] + [static(p) for p, _s, _p in ICONS]
    precache.append(reverse("queueing:citizen_offline"))
    return {
        "precache": precache,
        "offline": reverse("queueing:citizen_offline"),
        "pushSw": static("integrations/push-sw.js"),
    }


@require_GET
def service_worker(request):
    """/hang-doi/sw.js: served from this path (not /static/) so its scope is the whole app.

    Its version is a hash of the source and the shell's URLs, so a new deploy (new hashed
    static names) changes the worker's bytes and every phone updates its cache.
    """
    source = _sw_source() if not settings.DEBUG else _sw_source.__wrapped__()
    config = sw_config()
    version = hashlib.sha256((source + json.dumps(config)).encode()).hexdigest()[:12]
    config["version"] = version
    body = f"self.MOTCUA_SW = {json.dumps(config)};\n{source}"
    response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def offline(request):
    """Shown by the service worker when a page is neither online nor cached."""
    today = services.local_day(services.now()).isoformat()
    return render(request, "queueing/app_offline.html", {"today": today})
