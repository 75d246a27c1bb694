"""Tell the applicant of every status change of their dossier (ND 224/2026 art. 15(1)(g)).

One hook on the dossier core's `on_transition` registry, run inside the transition's
transaction for every verb whatever screen or API called it (reception, online submission and
acceptance, hand-over to processing and assignment, supplement request and its answer, the
financial obligation, apology with the new date, approval, result ready, return, refusal,
stop, withdrawal). It builds the message from templates
(`dossiers/notifications/{sms,push,email}.txt`: the dossier code, the new status in plain
Vietnamese, the agency, the officer handling it, the new date where there is one, the public
tracking link) and puts it in the notifications outbox (`integrations.services.notify`) on
the channel the applicant chose (`Dossier.notify_by`; not chosen: every contact they gave),
so the change and its messages commit together and the outbox sends after the commit.
Internal steps (a step finished, a draft submitted or sent back, a transfer) send nothing.

Nothing is sent when the applicant switched the dossier's messages off (`notifications_off`,
the link in every e-mail: `optout_url`) or gave no contact. The idempotency key is the dossier
code + the event id + the channel (+ the device for push), so a hook run twice for the same
event (a retried job, a re-delivered signal) never sends twice.

SMS: the outbox strips diacritics when MOTCUA_SMS_ASCII is on (the default), so a message is
GSM-7 text; with the tracking link it takes up to two concatenated parts (306 characters),
which `SMS_MAX_CHARS` bounds (docs/decisions/0029).

Registered on import: `DossiersConfig.ready()` imports this module.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from motcua.accounts.models import User
from motcua.core import links
from motcua.core.calendar import LOCAL_TZ

from .models import Dossier, NotifyBy
from .services import TransitionInfo, on_transition, online_return_allowed

logger = logging.getLogger(__name__)

OBJECT_TYPE = "dossiers.dossier"
OPTOUT_SALT = "dossiers.notifications-off"
SMS_MAX_CHARS = 306  # two concatenated GSM-7 parts (153 each), the tracking link included
SMS_DETAIL_CHARS = 80  # a supplement list or a reason, cut in SMS (e-mail has it whole)

# action -> (outbox purpose, the new status in plain Vietnamese)
EVENTS = {
    "submit_online": (
        "dossier_submitted",
        gettext_lazy("đã được gửi thành công, đang chờ cán bộ tiếp nhận"),
    ),
    "receive": ("dossier_received", gettext_lazy("đã được tiếp nhận")),
    "accept": ("dossier_received", gettext_lazy("đã được tiếp nhận")),
    "start_processing": ("dossier_assigned", gettext_lazy("đã được chuyển xử lý")),
    "assign_step": ("dossier_assigned", gettext_lazy("đã được phân công cán bộ giải quyết")),
    "request_supplement": ("supplement_requested", gettext_lazy("cần bổ sung giấy tờ")),
    "resubmit_supplement": (
        "dossier_status",
        gettext_lazy("đã nhận đủ phần bổ sung, tiếp tục giải quyết"),
    ),
    "request_financial_obligation": (
        "dossier_status",
        gettext_lazy("cần thực hiện nghĩa vụ tài chính"),
    ),
    "extend": ("apology", gettext_lazy("chưa thể trả kết quả đúng hẹn, xin lỗi ông/bà")),
    "approve": ("dossier_approved", gettext_lazy("đã được lãnh đạo phê duyệt")),
    "mark_result_ready": ("result_ready", gettext_lazy("đã có kết quả")),
    "return_result": ("dossier_returned", gettext_lazy("đã trả kết quả")),
    "refuse": ("dossier_refused", gettext_lazy("không được tiếp nhận")),
    "stop": ("dossier_stopped", gettext_lazy("bị dừng giải quyết")),
    "withdraw": ("dossier_withdrawn", gettext_lazy("đã được rút theo đề nghị của ông/bà")),
}
# done at the one-stop of the receiving unit; the others by the competent unit
_AT_RECEIVING_UNIT = frozenset(
    {"submit_online", "receive", "accept", "refuse", "resubmit_supplement", "return_result"}
)


@dataclass(frozen=True)
class Message:
    channel: str  # "sms" | "email" | "push"
    recipient: str | int  # phone, e-mail address, or a push subscription's id
    purpose: str
    subject: str
    body: str
    url: str
    idempotency_key: str
    object_id: str
    unit_id: int | None = None


def format_moment(value: dt.datetime | None) -> str:
    """ "17 giờ 00 ngày 27/11/2026" in Vietnam's time, as the appointment slip writes it."""
    if value is None:
        return ""
    local = value.astimezone(LOCAL_TZ)
    return _("%(h)s giờ %(m)s ngày %(d)s") % {
        "h": f"{local:%H}",
        "m": f"{local:%M}",
        "d": f"{local:%d/%m/%Y}",
    }


def _day(value: dt.datetime | None) -> str:
    return f"{value.astimezone(LOCAL_TZ):%d/%m/%Y}" if value is not None else ""


def short_moment(value: dt.datetime | None) -> str:
    """ "17:00 27/11/2026": the same moment, short enough for an SMS."""
    if value is None:
        return ""
    return f"{value.astimezone(LOCAL_TZ):%H:%M %d/%m/%Y}"


def lookup_url(code: str) -> str:
    """The public tracking page with the code filled in (what the receipt's QR opens)."""
    return links.public_url(f"{reverse('dossiers:tracking_lookup')}?{urlencode({'ma': code})}")


def optout_token(dossier_id: int) -> str:
    return signing.dumps(dossier_id, salt=OPTOUT_SALT)


def dossier_from_optout_token(token: str) -> int | None:
    """The dossier a "switch off" link names, or None when the link was altered."""
    try:
        value = signing.loads(token, salt=OPTOUT_SALT)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None


def optout_url(dossier_id: int) -> str:
    path = reverse("dossiers:tracking_notifications_off", args=[optout_token(dossier_id)])
    return links.public_url(path)


def _where_to_collect(dossier: Dossier) -> str:
    unit = dossier.receiving_unit
    place = _("Bộ phận Một cửa %(unit)s") % {"unit": unit.name}
    return f"{place}, {unit.address}" if unit.address else place


def _name(user: User | None) -> str:
    return (user.full_name or "").strip() if user is not None else ""


def _officer(info: TransitionInfo) -> str:
    """Who handles the dossier now: the specialist given the dossier, else who acted."""
    assignee = (info.data or {}).get("assignee")
    if info.action in ("assign_step", "start_processing") and assignee:
        found = User.objects.filter(pk=assignee).only("full_name").first()
        if found is not None and _name(found):
            return _name(found)
    return _name(info.actor if isinstance(info.actor, User) else None)


def _details(dossier: Dossier, info: TransitionInfo) -> dict:
    """The date (with its label) and the detail line one event's message carries."""
    action, data = info.action, info.data or {}
    date, date_label, detail, note = None, "", "", ""
    if action in ("receive", "accept", "resubmit_supplement"):
        date, date_label = dossier.due_at_current, _("hẹn trả kết quả")
    elif action == "extend":
        new_due = data.get("new_due_at")
        date = dt.datetime.fromisoformat(new_due) if new_due else dossier.due_at_current
        date_label = _("hẹn trả kết quả mới")
    elif action == "request_supplement":
        detail = _("Gồm: %(items)s") % {"items": "; ".join(str(i) for i in data.get("items") or [])}
        note = _("Thời hạn giải quyết tạm dừng đến khi ông/bà bổ sung đủ")
    elif action == "request_financial_obligation":
        amount = int(data.get("amount_vnd") or 0)
        detail = _("Số tiền: %(amount)s đồng") % {"amount": f"{amount:,}".replace(",", ".")}
    elif action == "mark_result_ready" and online_return_allowed(dossier):
        detail = _("Ông/bà tải kết quả đã ký số tại mục Hồ sơ của tôi (đăng nhập bằng VNeID)")
    elif action == "mark_result_ready":
        detail = _("Mời ông/bà nhận kết quả tại %(place)s") % {"place": _where_to_collect(dossier)}
    elif action in ("refuse", "stop", "withdraw") and info.note.strip():
        detail = _("Lý do: %(reason)s") % {"reason": info.note.strip()}
    return {"date": date, "date_label": date_label, "detail": detail.rstrip(" ."), "note": note}


def next_steps(dossier: Dossier) -> list[dict]:
    """Proactive services (ND 224/2026 art. 16): the procedures a result usually leads to,
    as the unit publishes them, with the page to file or book them."""
    from motcua.catalog import selectors as catalog_selectors

    steps = catalog_selectors.follow_ups(
        code=dossier.procedure_code, unit_id=dossier.competent_unit_id
    )
    return [
        {
            "name": step.procedure.name,
            "reason": step.reason,
            "url": links.public_url(reverse("catalog:procedure_detail", args=[step.procedure.pk])),
        }
        for step in steps
    ]


def valid_until(dossier: Dossier) -> dt.datetime | None:
    """When the returned result stops being valid, where a rule limits it (else None)."""
    from motcua.catalog import selectors as catalog_selectors

    validity = catalog_selectors.result_validity(dossier.procedure_code)
    if validity is None or dossier.returned_at is None:
        return None
    return dossier.returned_at + dt.timedelta(days=validity.days)


def _squeeze(text: str) -> str:
    return " ".join(text.split())


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def _sms(context: dict) -> str:
    """The SMS text; the detail, then the officer, left out if the text with its link would
    not fit two parts (`SMS_MAX_CHARS`), then cut (e-mail and the tracking page say it all)."""
    room = SMS_MAX_CHARS - len(context["url"]) - 1
    for drop in ((), ("detail",), ("detail", "officer")):
        text = _squeeze(
            render_to_string(
                "dossiers/notifications/sms.txt", {**context, **dict.fromkeys(drop, "")}
            )
        )
        if len(text) <= room:
            return text
    return _cut(text, room)


def render(dossier: Dossier, info: TransitionInfo) -> dict | None:
    """Subject and the body of each channel for one event, or None if the applicant need not
    be told. Rendered in Vietnamese, whoever acted."""
    purpose_status = EVENTS.get(info.action)
    if purpose_status is None:
        return None
    purpose, status = purpose_status
    with override(settings.LANGUAGE_CODE):
        unit = dossier.receiving_unit if info.action in _AT_RECEIVING_UNIT else None
        details = _details(dossier, info)
        context = {
            "code": dossier.code,
            "status": str(status),
            "agency": (unit or dossier.competent_unit).name,
            "officer": _officer(info),
            "procedure": dossier.procedure_name,
            "date_label": details["date_label"],
            "date_long": format_moment(details["date"]),
            "date_short": short_moment(details["date"]),
            "detail": details["detail"],
            "note": details["note"],
            "url": lookup_url(dossier.code),
            "optout_url": optout_url(dossier.pk),
            "next_steps": next_steps(dossier) if info.action == "return_result" else [],
            "valid_until": _day(valid_until(dossier)) if info.action == "return_result" else "",
        }
        subject = _("Hồ sơ %(code)s %(status)s") % {"code": dossier.code, "status": status}
        short = {**context, "detail": _cut(details["detail"], SMS_DETAIL_CHARS)}
        return {
            "purpose": purpose,
            "subject": subject,
            "sms": _sms(short),
            "push": _squeeze(render_to_string("dossiers/notifications/push.txt", short)),
            "email": render_to_string("dossiers/notifications/email.txt", context).strip(),
            "url": context["url"],
        }


def _push_devices(dossier: Dossier) -> list[int]:
    try:
        from motcua.integrations.selectors import active_subscriptions
    except ImportError:
        return []
    return list(active_subscriptions(dossier_ref=dossier.code).values_list("pk", flat=True))


def recipients(dossier: Dossier) -> list[tuple[str, str | int]]:
    """(channel, recipient) for each message one event sends: the channel chosen, falling
    back to a contact they gave when that channel cannot reach them (push with no device
    registered, an SMS choice without a phone); none when switched off or no contact."""
    if dossier.notifications_off:
        return []
    phone = (dossier.applicant_phone or "").strip()
    email = (dossier.applicant_email or "").strip()
    given: list[tuple[str, str | int]] = [
        (c, to) for c, to in (("sms", phone), ("email", email)) if to
    ]
    chosen = dossier.notify_by
    if chosen == NotifyBy.PUSH:
        devices = _push_devices(dossier)
        if devices:
            return [("push", pk) for pk in devices]
        return given[:1]
    if chosen in (NotifyBy.SMS, NotifyBy.EMAIL):
        picked = [(c, to) for c, to in given if c == chosen]
        return picked or given[:1]
    return given


def messages_for(info: TransitionInfo) -> list[Message]:
    """The messages one transition sends: none, or one per recipient (see `recipients`)."""
    if info.action not in EVENTS:
        return []
    dossier = (
        Dossier.objects.select_related("receiving_unit", "competent_unit")
        .filter(pk=info.dossier_id)
        .first()
    )
    if dossier is None:
        return []
    targets = recipients(dossier)
    if not targets:
        return []
    texts = render(dossier, info)
    if texts is None:
        return []
    result = []
    for channel, to in targets:
        key = f"dossier:{dossier.code}:{info.event_id}:{channel}"
        if channel == "push":
            key = f"{key}:{to}"
        result.append(
            Message(
                channel=channel,
                recipient=to,
                purpose=texts["purpose"],
                subject=texts["subject"],
                body=texts[channel],
                url=texts["url"],
                idempotency_key=key,
                object_id=str(dossier.pk),
                unit_id=dossier.receiving_unit_id,
            )
        )
    return result


def deliver(message: Message) -> None:
    """Hand one message to the outbox (`integrations.services.notify`).

    Looked up at call time: the outbox may be installed after this module. Without it the
    message is only logged (without the recipient) so nothing breaks.
    """
    try:
        from motcua.integrations.services import notify
    except ImportError:
        logger.warning(
            "notification outbox unavailable: %s for %s not queued",
            message.purpose,
            message.idempotency_key,
        )
        return
    notify(
        channel=message.channel,
        recipient=message.recipient,
        purpose=message.purpose,
        subject=message.subject,
        body=message.body,
        object_type=OBJECT_TYPE,
        object_id=message.object_id,
        idempotency_key=message.idempotency_key,
        url=message.url,
        unit=message.unit_id,
    )


@on_transition(in_transaction=True)
def notify_applicant(info: TransitionInfo) -> None:
    """The registered hook: in the transition's transaction, queue its messages.

    A message the outbox refuses (a malformed address: refused before it writes; its writes
    run in a savepoint of their own) is logged and dropped without undoing the dossier's
    change or the other channel.
    """
    for message in messages_for(info):
        try:
            deliver(message)
        except Exception:  # one channel failing must not stop the other
            logger.exception("could not queue %s %s", message.channel, message.idempotency_key)


def expiry_messages(dossier: Dossier, *, until: dt.datetime, result: str) -> list[Message]:
    """The reminder that a returned result stops being valid on `until` (proactive
    services): one message per recipient, once per dossier and channel (the outbox's key);
    none when the applicant switched this dossier's notifications off."""
    targets = recipients(dossier)
    if not targets:
        return []
    with override(settings.LANGUAGE_CODE):
        again = links.public_url(reverse("catalog:procedure_detail", args=[dossier.procedure_id]))
        facts = {"result": result, "code": dossier.code, "day": _day(until)}
        subject = _("%(result)s của hồ sơ %(code)s sắp hết giá trị") % facts
        text = (
            _(
                "%(result)s (hồ sơ %(code)s) hết giá trị sử dụng ngày %(day)s. Nếu còn cần, "
                "ông/bà có thể làm lại thủ tục tại"
            )
            % facts
        )
        email = "\n\n".join(
            [
                _("Kính gửi ông/bà,"),
                f"{text}: {again}",
                _("Không muốn nhận thông báo về hồ sơ này nữa? Tắt tại")
                + f": {optout_url(dossier.pk)}",
            ]
        )
        bodies = {"sms": f"{_cut(text, SMS_MAX_CHARS - len(again) - 2)}:", "push": text}
        bodies["email"] = email
    return [
        Message(
            channel=channel,
            recipient=to,
            purpose="result_expiring",
            subject=subject,
            body=bodies[channel],
            url=again,
            idempotency_key=f"dossier:{dossier.code}:expiry:{channel}"
            + (f":{to}" if channel == "push" else ""),
            object_id=str(dossier.pk),
            unit_id=dossier.receiving_unit_id,
        )
        for channel, to in targets
    ]
