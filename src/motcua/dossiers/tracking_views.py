"""Public tracking of a dossier (tra cứu hồ sơ): no login, no personal data, never a 500.

The applicant proves they hold the receipt with the code plus the last 4 digits of their ID
number (or phone). An unknown code and wrong digits get the very same 404 answer, so nobody can
learn which codes exist. Guessing is stopped before the digits are compared
(`tracking_limits`): 5 wrong tries lock a code for a while, whatever the addresses and whether
or not it exists, and an address that fails on many distinct codes is refused. The page shows
only what the receiving counter would say aloud: procedure, unit, status, dates, what to bring.
"""

from __future__ import annotations

import datetime as dt
import hmac
import math
import re
from dataclasses import dataclass, field

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from motcua.core import ratelimit

from . import tracking_limits
from .models import Delivery, Dossier, Status
from .notifications import format_moment
from .services import online_return_allowed
from .tracking_forms import LookupForm, normalise_code

S = Status

# status -> (plain words, what it means for the applicant)
PUBLIC_STATUS = {
    S.SUBMITTED: (
        gettext_lazy("Đã nộp trực tuyến, chờ tiếp nhận"),
        gettext_lazy(
            "Cán bộ một cửa đang kiểm tra hồ sơ. Ngày hẹn trả kết quả có khi hồ sơ được tiếp nhận."
        ),
    ),
    S.RECEIVED: (
        gettext_lazy("Đã tiếp nhận"),
        gettext_lazy("Hồ sơ đã được tiếp nhận và sẽ được chuyển đến bộ phận giải quyết."),
    ),
    S.PROCESSING: (
        gettext_lazy("Đang giải quyết"),
        gettext_lazy("Hồ sơ đang được cơ quan có thẩm quyền giải quyết."),
    ),
    S.AWAITING_APPROVAL: (
        gettext_lazy("Đang giải quyết"),
        gettext_lazy("Hồ sơ đang được cơ quan có thẩm quyền giải quyết."),
    ),
    S.APPROVED: (
        gettext_lazy("Đang giải quyết"),
        gettext_lazy("Hồ sơ đang được cơ quan có thẩm quyền giải quyết."),
    ),
    S.TRANSFERRING: (
        gettext_lazy("Đang giải quyết"),
        gettext_lazy("Hồ sơ đang được chuyển đến cơ quan có thẩm quyền giải quyết."),
    ),
    S.AWAITING_SUPPLEMENT: (
        gettext_lazy("Cần bổ sung giấy tờ"),
        gettext_lazy(
            "Vui lòng bổ sung các giấy tờ nêu dưới đây. Thời hạn giải quyết tạm dừng cho đến "
            "khi hồ sơ được bổ sung đủ."
        ),
    ),
    S.AWAITING_FINANCIAL_OBLIGATION: (
        gettext_lazy("Chờ thực hiện nghĩa vụ tài chính"),
        gettext_lazy("Vui lòng nộp khoản tiền theo thông báo để hồ sơ được tiếp tục giải quyết."),
    ),
    S.RESULT_READY: (
        gettext_lazy("Đã có kết quả"),
        gettext_lazy("Mời ông/bà đến nhận kết quả theo hướng dẫn dưới đây."),
    ),
    S.RETURNED: (
        gettext_lazy("Đã trả kết quả"),
        gettext_lazy("Hồ sơ đã hoàn thành và kết quả đã được trả."),
    ),
    S.REFUSED: (
        gettext_lazy("Không được tiếp nhận"),
        gettext_lazy("Lý do được ghi trong phiếu từ chối tiếp nhận đã gửi ông/bà."),
    ),
    S.WITHDRAWN: (
        gettext_lazy("Đã rút hồ sơ"),
        gettext_lazy("Hồ sơ đã được rút theo đề nghị của người nộp."),
    ),
    S.STOPPED: (
        gettext_lazy("Đã dừng giải quyết"),
        gettext_lazy("Lý do được ghi trong thông báo dừng giải quyết đã gửi ông/bà."),
    ),
}
TONE = {
    S.AWAITING_SUPPLEMENT: "warn",
    S.AWAITING_FINANCIAL_OBLIGATION: "warn",
    S.RESULT_READY: "ok",
    S.RETURNED: "ok",
    S.REFUSED: "stop",
    S.WITHDRAWN: "stop",
    S.STOPPED: "stop",
}
# the events an applicant sees; internal hand-overs (assign, steps, approval) stay internal
PUBLIC_EVENTS = {
    "submit_online": gettext_lazy("Nộp hồ sơ trực tuyến"),
    "receive": gettext_lazy("Đã tiếp nhận hồ sơ"),
    "accept": gettext_lazy("Đã tiếp nhận hồ sơ"),
    "start_processing": gettext_lazy("Chuyển bộ phận giải quyết"),
    "transfer": gettext_lazy("Chuyển cơ quan có thẩm quyền giải quyết"),
    "acknowledge_transfer": gettext_lazy("Cơ quan có thẩm quyền đã nhận hồ sơ"),
    "request_supplement": gettext_lazy("Yêu cầu bổ sung giấy tờ"),
    "resubmit_supplement": gettext_lazy("Đã bổ sung giấy tờ"),
    "request_financial_obligation": gettext_lazy("Yêu cầu thực hiện nghĩa vụ tài chính"),
    "confirm_payment": gettext_lazy("Đã thực hiện nghĩa vụ tài chính"),
    "extend": gettext_lazy("Xin lỗi và hẹn lại ngày trả kết quả"),
    "mark_result_ready": gettext_lazy("Đã có kết quả"),
    "return_result": gettext_lazy("Đã trả kết quả"),
    "refuse": gettext_lazy("Không được tiếp nhận"),
    "withdraw": gettext_lazy("Rút hồ sơ"),
    "stop": gettext_lazy("Dừng giải quyết"),
}
NOT_PROCESSING = frozenset({S.SUBMITTED, S.REFUSED, S.WITHDRAWN, S.STOPPED})


# --- the lookup -------------------------------------------------------------------------------


def _last4(value: str) -> str:
    digits = re.sub(r"[^0-9]", "", value or "")
    return digits[-4:] if len(digits) >= 4 else ""


def find_dossier(code: str, digits: str) -> Dossier | None:
    """The dossier with this code whose applicant's ID or phone ends with `digits`, else None.

    Both comparisons always run, in constant time, whether or not the code exists.
    """
    dossier = (
        Dossier.objects.select_related("receiving_unit", "competent_unit").filter(code=code).first()
    )
    id_tail = _last4(dossier.applicant_id_number) if dossier else "----"
    phone_tail = _last4(dossier.applicant_phone) if dossier else "----"
    by_id = hmac.compare_digest(id_tail.encode() or b"-", digits.encode())
    by_phone = hmac.compare_digest(phone_tail.encode() or b"-", digits.encode())
    return dossier if dossier is not None and (by_id or by_phone) else None


# --- the public view of a dossier ---------------------------------------------------------------


@dataclass
class PublicEvent:
    at: str
    title: str
    details: list[str] = field(default_factory=list)
    tone: str = ""


@dataclass
class PublicDossier:
    code: str
    procedure_name: str
    receiving_unit: str
    competent_unit: str
    initials: str
    channel: str
    status: str
    status_hint: str
    tone: str
    appointment: str
    new_appointment: str
    new_appointment_reason: str
    paused: bool
    ready: bool
    returned: bool
    to_bring: list[str]
    collect: str
    collect_hint: str
    timeline: list[PublicEvent]


def initials(name: str) -> str:
    """ "Nguyễn Văn An" -> "N.V.A.": enough for the applicant to recognise, not to identify."""
    return "".join(f"{w[0].upper()}." for w in (name or "").split() if w[0].isalpha())


def _iso(value) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def _event_details(event, dossier: Dossier) -> tuple[list[str], str]:
    data = event.data or {}
    action = event.action
    if action in ("receive", "accept") and dossier.due_at:
        return [_("Hẹn trả kết quả: %(due)s") % {"due": format_moment(dossier.due_at)}], ""
    if action == "request_supplement":
        items = [str(i) for i in data.get("items") or []]
        return [_("Cần bổ sung: %(item)s") % {"item": i} for i in items], "warn"
    if action == "request_financial_obligation" and isinstance(data.get("amount_vnd"), int):
        amount = f"{data['amount_vnd']:,}".replace(",", ".")
        return [_("Số tiền: %(amount)s đồng") % {"amount": amount}], "warn"
    if action == "extend":
        new_due = _iso(data.get("new_due_at"))
        if new_due:
            return [_("Hẹn trả kết quả mới: %(due)s") % {"due": format_moment(new_due)}], "warn"
    if action == "return_result":
        lines = []
        if data.get("delivery") in Delivery.values:
            lines.append(str(Delivery(data["delivery"]).label))
        if data.get("tracking_number"):
            lines.append(_("Số vận đơn: %(no)s") % {"no": data["tracking_number"]})
        return lines, "ok"
    if action == "mark_result_ready":
        return [], "ok"
    if action in ("refuse", "withdraw", "stop"):
        return [], "stop"
    return [], ""


# the same details on the citizen's own dossier page (citizens.selectors)
event_details = _event_details


ONLINE_RESULT = gettext_lazy(
    "Nhận trực tuyến: tải kết quả đã ký số tại mục “Hồ sơ của tôi” (đăng nhập bằng VNeID)."
)


def _collect(dossier: Dossier) -> tuple[str, str]:
    if dossier.status != S.RETURNED and online_return_allowed(dossier):
        return str(ONLINE_RESULT), ""  # asked online, signed: nobody needs to come
    unit = dossier.receiving_unit
    place = _("Bộ phận Một cửa %(unit)s") % {"unit": unit.name}
    if unit.address:
        place = f"{place}, {unit.address}"
    if dossier.status == S.RETURNED:
        how = Delivery(dossier.result_delivery).label if dossier.result_delivery else ""
        return str(how) or place, ""
    hint = _("Mang theo giấy tiếp nhận và hẹn trả kết quả và giấy tờ tùy thân.")
    if unit.phone:
        hint = f"{hint} " + _("Điện thoại: %(phone)s.") % {"phone": unit.phone}
    return place, hint


def public_view(dossier: Dossier) -> PublicDossier:
    """Everything the public page shows, built from the dossier without a personal field."""
    status = Status(dossier.status)
    label, hint = PUBLIC_STATUS[status]
    if status == S.RESULT_READY and online_return_allowed(dossier):
        hint = ONLINE_RESULT
    events = list(dossier.events.order_by("at", "id").only("action", "at", "data"))
    timeline = []
    for event in events:
        title = PUBLIC_EVENTS.get(event.action)
        if title is None:
            continue
        details, tone = _event_details(event, dossier)
        timeline.append(PublicEvent(format_moment(event.at), str(title), details, tone))
    timeline.reverse()  # newest first: what happened last is what the applicant came for

    extension = dossier.extensions.order_by("-created_at", "-id").first()
    new_appointment, reason = "", ""
    if dossier.due_at and dossier.due_at_current and dossier.due_at_current != dossier.due_at:
        new_appointment = format_moment(dossier.due_at_current)
        reason = (
            _("Cơ quan giải quyết đã gửi văn bản xin lỗi và hẹn lại ngày trả kết quả.")
            if extension is not None
            else _("Đã cộng thêm thời gian chờ bổ sung giấy tờ.")
        )
    to_bring: list[str] = []
    if status == S.AWAITING_SUPPLEMENT:
        request = dossier.supplements.filter(resubmitted_at__isnull=True).last()
        to_bring = [str(i) for i in (request.items if request else [])]
    collect, collect_hint = ("", "")
    if status not in NOT_PROCESSING:
        collect, collect_hint = _collect(dossier)
    competent = ""
    if dossier.competent_unit_id != dossier.receiving_unit_id:
        competent = dossier.competent_unit.name
    return PublicDossier(
        code=dossier.code,
        procedure_name=dossier.procedure_name,
        receiving_unit=dossier.receiving_unit.name,
        competent_unit=competent,
        initials=initials(dossier.applicant_name),
        channel=str(dossier.get_channel_display()),
        status=str(label),
        status_hint=str(hint),
        tone=TONE.get(status, ""),
        appointment=format_moment(dossier.due_at) if dossier.due_at else "",
        new_appointment=new_appointment,
        new_appointment_reason=reason,
        paused=status == S.AWAITING_SUPPLEMENT,
        ready=status == S.RESULT_READY,
        returned=status == S.RETURNED,
        to_bring=to_bring,
        collect=collect,
        collect_hint=collect_hint,
        timeline=timeline,
    )


# --- the view ---------------------------------------------------------------------------------


def _form_page(request, form, *, status=200, not_found=False):
    return render(
        request,
        "dossiers/tracking/lookup.html",
        {"form": form, "not_found": not_found},
        status=status,
    )


def _too_many(request, refused: tracking_limits.Refused):
    minutes = max(1, math.ceil(refused.retry_after / 60))
    if refused.code_locked:
        message = _(
            "Mã hồ sơ này đã được tra cứu sai nhiều lần nên tạm khóa. "
            "Vui lòng thử lại sau %(minutes)s phút."
        )
    else:
        message = _(
            "Ông/bà đã tra cứu quá nhiều lần trong thời gian ngắn. "
            "Vui lòng thử lại sau %(minutes)s phút."
        )
    back_url = reverse("dossiers:tracking_lookup")
    return ratelimit.too_many(
        request, message % {"minutes": minutes}, retry_after=refused.retry_after, back_url=back_url
    )


@never_cache
@require_http_methods(["GET", "POST"])
def lookup(request):
    """GET: the form (?ma=<code> from the receipt's QR fills the code in).
    POST: the dossier's public page, or "Không tìm thấy hồ sơ" (404) for any mismatch."""
    if request.method == "GET":
        initial = {}
        if request.GET.get("ma"):
            initial["ma"] = normalise_code(request.GET["ma"])[:60]
        return _form_page(request, LookupForm(initial=initial))

    form = LookupForm(request.POST)
    if not form.is_valid():
        return _form_page(request, form, status=400)
    code, digits = form.cleaned_data["ma"], form.cleaned_data["so"]
    attempt = tracking_limits.admit(code, ratelimit.client_ip(request))
    if isinstance(attempt, tracking_limits.Refused):
        return _too_many(request, attempt)
    try:
        dossier = find_dossier(code, digits)
    except BaseException:
        attempt.cancel()  # not judged: a failure of ours is no wrong try of theirs
        raise
    attempt.judged(found=dossier is not None)
    if dossier is None:
        # the digits are not echoed back; the code is what the user typed, found or not
        return _form_page(request, LookupForm(initial={"ma": code}), status=404, not_found=True)
    response = render(
        request, "dossiers/tracking/status.html", {"dossier": public_view(dossier)}, status=200
    )
    response["X-Robots-Tag"] = "noindex"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def notifications_off(request, token: str):
    """The link at the foot of every e-mail about a dossier: switch its messages off (or on
    again). The signed token names the dossier; an altered one is a 404. GET only asks (mail
    scanners open links); the POST switches. Nothing personal is shown, only the code."""
    from . import services
    from .notifications import dossier_from_optout_token

    dossier_id = dossier_from_optout_token(token[:200])
    dossier = (
        Dossier.objects.filter(pk=dossier_id).only("code", "notifications_off").first()
        if dossier_id
        else None
    )
    if dossier is None:
        raise Http404
    changed = False
    if request.method == "POST":
        enable = request.POST.get("bat") == "1"
        dossier = services.set_notifications(
            None, dossier_id=dossier.pk, enabled=enable, via="link"
        )
        changed = True
    response = render(
        request,
        "dossiers/tracking/notifications_off.html",
        {"code": dossier.code, "off": dossier.notifications_off, "changed": changed},
    )
    response["X-Robots-Tag"] = "noindex"
    return response
