"""Tell the applicant by SMS / email when their dossier is received, needs a supplement, is
delayed with an apology, or has its result ready (issue 5 item 9).

A hook on the dossier core's `on_transition` registry that runs inside the transition's
transaction: it builds the Vietnamese text and puts the messages in the notifications outbox
(`motcua.integrations.services.notify`), one per channel the applicant gave, so the change and
its messages commit together (the outbox sends after the commit). The
idempotency key is the dossier code + the event id + the channel, so a hook run twice for the
same event (a retried job, a re-delivered signal) never sends twice.

Registered on import: `DossiersConfig.ready()` imports this module.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override

from motcua.core import links
from motcua.core.calendar import LOCAL_TZ

from .models import Dossier, Status
from .services import TransitionInfo, on_transition

logger = logging.getLogger(__name__)

OBJECT_TYPE = "dossiers.dossier"
# action -> outbox purpose (values of integrations.Notification.Purpose)
PURPOSES = {
    "receive": "dossier_received",
    "accept": "dossier_received",
    "request_supplement": "supplement_requested",
    "extend": "apology",
    "mark_result_ready": "result_ready",
}


@dataclass(frozen=True)
class Message:
    channel: str  # "sms" | "email"
    recipient: str
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


def lookup_url(code: str) -> str:
    """The public tracking page with the code filled in (what the receipt's QR opens)."""
    return links.public_url(f"{reverse('dossiers:tracking_lookup')}?{urlencode({'ma': code})}")


def _where_to_collect(dossier: Dossier) -> str:
    unit = dossier.receiving_unit
    place = _("Bộ phận Một cửa %(unit)s") % {"unit": unit.name}
    return f"{place}, {unit.address}" if unit.address else place


def _texts(dossier: Dossier, info: TransitionInfo) -> tuple[str, str] | None:
    """(subject, body) for the event, or None when the applicant need not be told."""
    code = dossier.code
    action = info.action
    if action in ("receive", "accept"):
        if dossier.due_at_current is None:
            return None
        return (
            _("Hồ sơ %(code)s đã được tiếp nhận") % {"code": code},
            _("Hồ sơ %(code)s đã được tiếp nhận. Hẹn trả kết quả %(due)s. Tra cứu:")
            % {"code": code, "due": format_moment(dossier.due_at_current)},
        )
    if action == "request_supplement":
        items = [str(i) for i in (info.data or {}).get("items") or []]
        return (
            _("Hồ sơ %(code)s cần bổ sung giấy tờ") % {"code": code},
            _(
                "Hồ sơ %(code)s cần bổ sung: %(items)s. Thời hạn giải quyết tạm dừng đến khi "
                "ông/bà bổ sung đủ. Tra cứu:"
            )
            % {"code": code, "items": "; ".join(items)},
        )
    if action == "extend":
        new_due = (info.data or {}).get("new_due_at")
        due = dt.datetime.fromisoformat(new_due) if new_due else dossier.due_at_current
        return (
            _("Xin lỗi: hồ sơ %(code)s được hẹn lại ngày trả kết quả") % {"code": code},
            _(
                "Xin lỗi ông/bà: hồ sơ %(code)s chưa thể trả kết quả đúng hẹn. "
                "Hẹn trả kết quả mới %(due)s. Tra cứu:"
            )
            % {"code": code, "due": format_moment(due)},
        )
    if action == "mark_result_ready":
        return (
            _("Hồ sơ %(code)s đã có kết quả") % {"code": code},
            _("Hồ sơ %(code)s đã có kết quả. Mời ông/bà nhận kết quả tại %(place)s. Tra cứu:")
            % {"code": code, "place": _where_to_collect(dossier)},
        )
    return None


def messages_for(info: TransitionInfo) -> list[Message]:
    """The messages one transition should send: none, or one per contact channel."""
    purpose = PURPOSES.get(info.action)
    if purpose is None:
        return []
    if info.action in ("receive", "accept") and info.to_status == Status.SUBMITTED:
        return []
    dossier = (
        Dossier.objects.select_related("receiving_unit")
        .only(
            "code",
            "receiving_unit",
            "applicant_phone",
            "applicant_email",
            "due_at_current",
            "receiving_unit__name",
            "receiving_unit__address",
        )
        .filter(pk=info.dossier_id)
        .first()
    )
    if dossier is None:
        return []
    contacts = [
        ("sms", (dossier.applicant_phone or "").strip()),
        ("email", (dossier.applicant_email or "").strip()),
    ]
    contacts = [(channel, to) for channel, to in contacts if to]
    if not contacts:
        return []
    with override(settings.LANGUAGE_CODE):  # the applicant reads Vietnamese, whoever acted
        texts = _texts(dossier, info)
    if texts is None:
        return []
    subject, body = texts
    url = lookup_url(dossier.code)
    return [
        Message(
            channel=channel,
            recipient=to,
            purpose=purpose,
            subject=subject,
            body=body,
            url=url,
            idempotency_key=f"dossier:{dossier.code}:{info.event_id}:{channel}",
            object_id=str(dossier.pk),
            unit_id=dossier.receiving_unit_id,
        )
        for channel, to in contacts
    ]


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

    Each message in a savepoint of its own: a message the outbox refuses (a malformed
    address) is logged and dropped without undoing the dossier's change or the other channel.
    """
    for message in messages_for(info):
        try:
            with transaction.atomic():
                deliver(message)
        except Exception:  # one channel failing must not stop the other
            logger.exception("could not queue %s %s", message.channel, message.idempotency_key)
