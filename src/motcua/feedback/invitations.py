"""The invitation to rate a dossier, sent when its result is returned (issue 15, part 1).

The index counts satisfaction per dossier (QĐ 766, 18 points), and most citizens leave the
counter before a tablet can ask them. So the return of a result queues one message per contact
the applicant gave (the same choice of channel as the status messages,
`dossiers.notifications.recipients`), in the return's own transaction, with a link that needs
no account: `/danh-gia/ho-so/<token>/`.

The token is the dossier's id signed with the project's secret (`django.core.signing.Signer`,
its own salt): short enough for an SMS, impossible to forge or to point at another dossier. The
link is "one-time" because a dossier takes one rating (the database's one-to-one key): after
it, the link shows the rating given. It stops working `LINK_DAYS` after the result was returned
(the dossier's own `returned_at`, so no clock is read to make or to judge it).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override

from motcua.core import links
from motcua.dossiers.models import Dossier, Status
from motcua.dossiers.services import TransitionInfo, on_transition

logger = logging.getLogger(__name__)

SALT = "feedback.dossier-rating"
LINK_DAYS = 30
INVITE_ACTION = "return_result"


def _signer() -> signing.Signer:
    return signing.Signer(salt=SALT, sep=".")


def token_for(dossier_id: int) -> str:
    return _signer().sign(str(dossier_id))


def rating_url(dossier_id: int) -> str:
    return links.public_url(reverse("feedback:rate_dossier", args=[token_for(dossier_id)]))


def dossier_from_token(token: str) -> Dossier | None:
    """The dossier a link names, or None when it was altered, truncated or made up."""
    if not token or len(token) > 80:
        return None
    try:
        value = _signer().unsign(token)
    except signing.BadSignature:
        return None
    if not value.isdigit():
        return None
    return (
        Dossier.objects.select_related("competent_unit", "receiving_unit")
        .filter(pk=int(value))
        .first()
    )


def link_expires_at(dossier: Dossier) -> dt.datetime | None:
    """When the link stops working; None for a dossier whose result was not returned."""
    if dossier.returned_at is None:
        return None
    return dossier.returned_at + dt.timedelta(days=LINK_DAYS)


def link_expired(dossier: Dossier, *, at: dt.datetime) -> bool:
    until = link_expires_at(dossier)
    return until is not None and at >= until


def _texts(dossier: Dossier) -> dict[str, str]:
    with override(settings.LANGUAGE_CODE):
        facts = {"code": dossier.code, "unit": dossier.competent_unit.name}
        subject = _("Mời ông/bà đánh giá việc giải quyết hồ sơ %(code)s") % facts
        # the outbox strips the diacritics for SMS (MOTCUA_SMS_ASCII) and appends the link
        short = (
            _(
                "Hồ sơ %(code)s đã trả kết quả. Mời ông/bà đánh giá mức độ hài lòng (1 phút, "
                "không cần đăng nhập):"
            )
            % facts
        )
        push = (
            _("Hồ sơ %(code)s đã trả kết quả. Mời ông/bà đánh giá mức độ hài lòng (1 phút).")
            % facts
        )
        email = "\n\n".join(
            [
                _("Kính gửi ông/bà,"),
                _(
                    "Hồ sơ %(code)s đã được %(unit)s trả kết quả. Ý kiến của ông/bà giúp cơ quan "
                    "phục vụ tốt hơn: mời ông/bà cho biết mức độ hài lòng (một phút, không cần "
                    "đăng nhập). Đường dẫn dùng được một lần, trong %(days)s ngày:"
                )
                % {**facts, "days": LINK_DAYS},
            ]
        )  # the outbox appends the link on its own line
    return {"subject": subject, "sms": short, "push": push, "email": email}


@on_transition(in_transaction=True)
def invite_to_rate(info: TransitionInfo) -> None:
    """The registered hook: a returned result queues the invitation, once per dossier and
    channel (the outbox's idempotency key), nothing when the applicant switched the dossier's
    messages off or gave no contact, or rated already (at the counter, before the return)."""
    if info.action != INVITE_ACTION or info.to_status != Status.RETURNED:
        return
    from motcua.dossiers.notifications import recipients
    from motcua.integrations.models import Notification
    from motcua.integrations.services import notify

    from .models import Rating

    dossier = Dossier.objects.select_related("competent_unit").filter(pk=info.dossier_id).first()
    if dossier is None or Rating.objects.filter(dossier_id=dossier.pk).exists():
        return
    targets = recipients(dossier)
    if not targets:
        return
    url = rating_url(dossier.pk)
    texts = _texts(dossier)
    for channel, to in targets:
        key = f"rating-invite:{dossier.code}:{channel}" + (f":{to}" if channel == "push" else "")
        try:
            notify(
                channel=channel,
                recipient=to,
                purpose=Notification.Purpose.RATING_INVITE,
                subject=texts["subject"],
                body=texts[channel],
                object_type="dossiers.dossier",
                object_id=str(dossier.pk),
                idempotency_key=key,
                url=url,
                unit=dossier.competent_unit_id,
            )
        except Exception:  # one channel failing must not undo the return or the other channel
            logger.exception("could not queue the rating invitation %s", key)
