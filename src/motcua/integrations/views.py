"""Push subscription endpoints for the citizen app and the staff page of failed notifications.

The subscription endpoints are CSRF-exempt on purpose: they change no signed-in state (anyone
may subscribe a browser), and a service worker renewing its subscription after
`pushsubscriptionchange` has no page to read a CSRF token from. What protects them is strict
validation of the subscription, the push-host allowlist and a per-IP rate limit.
"""

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from motcua.accounts.decorators import staff_required
from motcua.accounts.scoping import get_scoped_or_404

from . import selectors, services, throttle, vapid
from .models import Notification, explain_error, mask_recipient

PAGE_SIZE = 25
MAX_BODY = 4096


@require_GET
@cache_control(max_age=300, public=True)
def vapid_public_key(request):
    return JsonResponse({"publicKey": vapid.public_key()})


def _json_body(request) -> dict | None:
    if len(request.body) > MAX_BODY:
        return None
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def _error(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


@csrf_exempt
@require_POST
@never_cache
def subscribe(request):
    """Body: the browser's `PushSubscription.toJSON()` plus optional "ticket"/"booking"."""
    if not throttle.allow(request):
        return _error(_("Bạn đăng ký quá nhiều lần. Vui lòng thử lại sau ít phút."), 429)
    data = _json_body(request)
    if data is None:
        return _error(_("Dữ liệu đăng ký không hợp lệ."))
    keys = data.get("keys") if isinstance(data.get("keys"), dict) else {}
    fields = {
        "endpoint": data.get("endpoint"),
        "p256dh": keys.get("p256dh"),
        "auth": keys.get("auth"),
        "ticket_ref": data.get("ticket") or "",
        "booking_ref": data.get("booking") or "",
    }
    if not all(isinstance(v, str) for v in fields.values()):
        return _error(_("Dữ liệu đăng ký không hợp lệ."))
    try:
        services.subscribe(**fields, user_agent=request.META.get("HTTP_USER_AGENT", ""))
    except ValidationError as exc:
        return _error(exc.messages[0])
    return JsonResponse(
        {"status": "subscribed", "message": _("Đã bật thông báo trên thiết bị này.")}, status=201
    )


@csrf_exempt
@never_cache
def unsubscribe(request):
    """POST or DELETE with {"endpoint": ...}; the same answer whether it existed or not."""
    if request.method not in ("POST", "DELETE"):
        return HttpResponseNotAllowed(["POST", "DELETE"])
    if not throttle.allow(request, scope="push-unsubscribe"):
        return _error(_("Bạn thao tác quá nhiều lần. Vui lòng thử lại sau ít phút."), 429)
    data = _json_body(request)
    endpoint = data.get("endpoint") if data else None
    if not isinstance(endpoint, str) or not endpoint:
        return _error(_("Dữ liệu không hợp lệ."))
    services.unsubscribe(endpoint=endpoint)
    return JsonResponse(
        {"status": "unsubscribed", "message": _("Đã tắt thông báo trên thiết bị này.")}
    )


# --- staff ----------------------------------------------------------------------------------


@staff_required(*selectors.VIEWER_ROLES)
def failed_list(request):
    status = request.GET.get("trang-thai", "")
    channel = request.GET.get("kenh", "")
    qs = selectors.problem_notifications(request.user, status=status, channel=channel)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for n in page.object_list:
        n.masked_recipient = mask_recipient(n)
        n.error_text = explain_error(n.last_error)
        n.device_gone = n.channel == Notification.Channel.PUSH and not (
            n.subscription and n.subscription.is_active
        )
    return render(
        request,
        "integrations/failed_list.html",
        {
            "page": page,
            "status": status,
            "channel": channel,
            "statuses": [(s, Notification.Status(s).label) for s in selectors.PROBLEM_STATUSES],
            "channels": Notification.Channel.choices,
        },
    )


@staff_required(*selectors.VIEWER_ROLES)
@require_POST
def resend(request, pk: int):
    notification = get_scoped_or_404(
        Notification.objects.all(), request.user, scope_roles=selectors.VIEWER_ROLES, pk=pk
    )
    try:
        services.resend(notification=notification, actor=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("Đã đưa thông báo #%(id)s vào hàng đợi gửi lại.") % {"id": pk})
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("integrations:failed_list")
    return redirect(next_url)
