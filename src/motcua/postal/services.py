"""Postal delivery of results: the tariff shown up front, the hand-over of a result to the post
(one consignment per dossier), the status updates the post sends back. Who may do what is
checked here (docs/decisions/0043-postal-delivery.md)."""

import datetime as dt
import logging
import re
from typing import NoReturn

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.core import audit
from motcua.core.models import Unit
from motcua.dossiers import services as dossier_services
from motcua.dossiers import workflow
from motcua.dossiers.models import Delivery, Dossier, Status

from . import post
from .models import Consignment, ConsignmentEvent, PostalTariff, RefusedUpdate, RequestedDelivery

log = logging.getLogger(__name__)
S = Consignment.Status
# where a consignment may go from each status (the post's updates may skip steps)
NEXT = {
    S.BOOKED: {S.ACCEPTED, S.IN_TRANSIT, S.DELIVERED, S.RETURNED},
    S.ACCEPTED: {S.IN_TRANSIT, S.DELIVERED, S.RETURNED},
    S.IN_TRANSIT: {S.IN_TRANSIT, S.DELIVERED, S.RETURNED},
    S.DELIVERED: set(),
    S.RETURNED: set(),
}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class PostDown(Exception):
    """The post could not book the consignment: nothing was recorded, try again later."""

    message = "Bưu điện chưa nhận được yêu cầu (hệ thống bưu điện đang gián đoạn). Chưa có gì "
    message += "được ghi nhận; hãy thử lại sau ít phút."


def tariff_for(unit: Unit | int | None) -> PostalTariff | None:
    """The unit's postal tariff, else its parent's (a province tariff for its communes)."""
    unit_id = unit.pk if isinstance(unit, Unit) else unit
    seen = 0
    while unit_id is not None and seen < 5:
        found = PostalTariff.objects.filter(unit_id=unit_id).first()
        if found is not None:
            return found
        unit_id = Unit.objects.filter(pk=unit_id).values_list("parent_id", flat=True).first()
        seen += 1
    return None


def clean_address(address: str) -> str:
    """A delivery address the post can use, or ValidationError with a Vietnamese message."""
    address = " ".join(_CONTROL.sub(" ", address or "").split())
    if not address:
        raise ValidationError(_("Hãy ghi địa chỉ nhận kết quả qua bưu điện."))
    if len(address) > 300:
        raise ValidationError(_("Địa chỉ nhận kết quả dài quá 300 ký tự."))
    if len(address) < 15 or "," not in address or not any(c.isalpha() for c in address):
        raise ValidationError(
            _(
                "Địa chỉ chưa đủ để bưu điện phát: ghi số nhà hoặc thôn/xóm, xã/phường, "
                "tỉnh/thành phố, cách nhau bằng dấu phẩy."
            )
        )
    return address


def record_request(dossier: Dossier, *, address: str, at: dt.datetime) -> RequestedDelivery:
    """The applicant asked for the result by post (online filing, counter reception): the
    address (checked) and the fee quoted from the tariff in force, once per dossier."""
    address = clean_address(address)
    tariff = tariff_for(dossier.receiving_unit_id)
    found, _created = RequestedDelivery.objects.get_or_create(
        dossier=dossier,
        defaults={
            "address": address,
            "fee_vnd": tariff.amount_vnd if tariff else None,
            "basis": tariff.basis if tariff else "",
            "requested_at": at,
        },
    )
    return found


def requested_address(dossier: Dossier) -> str:
    """Where the applicant asked the result to be posted, else their address."""
    found = RequestedDelivery.objects.filter(dossier_id=dossier.pk).first()
    return found.address if found else dossier.applicant_address


def refusal(actor, dossier: Dossier) -> str | None:
    """Why `actor` may not hand `dossier`'s result to the post now, or None."""
    refused = workflow.refusal(actor, "return_result", dossier)
    if refused:
        return refused
    if dossier.result_delivery != Delivery.POST:
        return _("Người nộp không chọn nhận kết quả qua bưu chính.")
    if dossier.status != Status.RESULT_READY:
        return _("Chỉ giao bưu điện khi hồ sơ đã có kết quả và chưa trả.")
    return None


def callback_url() -> str:
    if settings.MOTCUA_POST_CALLBACK_URL:
        return settings.MOTCUA_POST_CALLBACK_URL
    return settings.MOTCUA_PUBLIC_BASE_URL.rstrip("/") + reverse("postal:webhook")


def hand_over(
    actor, *, dossier_id: int, address: str, phone: str = "", now: dt.datetime | None = None
) -> Consignment:
    """Book the dossier's result with the post and record the tracking number on the dossier.

    One consignment per dossier: the order id sent to the post is the dossier's code, so a
    double click or a retry after a lost answer gets the same tracking number, and a second
    call after success returns the recorded consignment. The post down: PostDown, nothing
    recorded. Refusals (role, unit, a dossier not ready or not asked by post): PermissionDenied.
    """
    now = now or timezone.now()
    dossier = Dossier.objects.select_related("receiving_unit").get(pk=dossier_id)
    existing = Consignment.objects.filter(dossier_id=dossier_id).first()
    if existing is not None:  # a second click: the recorded consignment, to whoever may see it
        refused = workflow.refusal(actor, "return_result", dossier)
        if refused:
            raise PermissionDenied(refused)
        return existing
    refused = refusal(actor, dossier)
    if refused:
        raise PermissionDenied(refused)
    try:
        address = clean_address(address)
    except ValidationError as exc:
        raise ValidationError({"address": exc.messages}) from None
    phone = "".join((phone or dossier.applicant_phone or "").split())[:20]
    tariff = tariff_for(dossier.receiving_unit_id)
    try:
        booking = post.book(
            order_id=dossier.code,
            recipient=dossier.applicant_name,
            phone=phone,
            address=address,
            contents=f"Kết quả giải quyết hồ sơ {dossier.code}",
            callback_url=callback_url(),
        )
    except post.PostUnavailable as exc:
        log.warning("post booking failed for dossier %s: %s", dossier.pk, exc)
        raise PostDown(_(PostDown.message)) from exc
    try:
        with transaction.atomic():
            locked = Dossier.objects.select_for_update().get(pk=dossier_id)
            again = Consignment.objects.filter(dossier_id=dossier_id).first()
            if again is not None:  # the other click won the race: one consignment
                return again
            consignment = Consignment.objects.create(
                dossier=locked,
                unit_id=locked.receiving_unit_id,
                idempotency_key=locked.code,
                tracking_number=booking.tracking_number,
                recipient_name=locked.applicant_name,
                recipient_phone=phone,
                address=address,
                fee_vnd=tariff.amount_vnd if tariff else 0,
                booked_by=actor,
                booked_at=now,
                status_at=now,
            )
            locked.postal_tracking_number = booking.tracking_number
            locked.save(update_fields=["postal_tracking_number"])
            ConsignmentEvent.objects.create(consignment=consignment, status=S.BOOKED, at=now)
            audit.record(
                action="postal.hand_over",
                obj=consignment,
                actor=actor,
                unit=locked.receiving_unit_id,
                changes={
                    "dossier": locked.pk,
                    "tracking_number": booking.tracking_number,
                    "fee_vnd": consignment.fee_vnd,
                },
            )
    except IntegrityError:
        return Consignment.objects.get(dossier_id=dossier_id)
    return consignment


def _refuse(
    reason: str, *, tracking: str = "", message_id: str = "", now, unsigned: bool = False
) -> NoReturn:
    RefusedUpdate.objects.create(
        received_at=now, reason=reason[:200], tracking_number=tracking, message_id=message_id
    )
    log.warning("postal update refused (%s): %s", tracking or "-", reason)
    raise post.Refused(reason, tracking, message_id, unsigned=unsigned)


def receive_update(body: bytes, headers, *, now: dt.datetime | None = None) -> Consignment:
    """A signed status update from the post: recorded on the consignment (event + audit);
    delivered returns the dossier's result (by `workflow.SYSTEM`). Forged, stale, replayed,
    unknown or out-of-order updates are logged in RefusedUpdate and raise post.Refused."""
    now = now or timezone.now()
    try:
        update = post.parse_update(body, headers)  # freshness on the wire's real clock
    except post.Refused as exc:
        _refuse(
            exc.reason,
            tracking=exc.tracking_number,
            message_id=exc.message_id,
            now=now,
            unsigned=exc.unsigned,
        )
    tracking, message_id = update.tracking_number, update.message_id
    with transaction.atomic():
        consignment = (
            Consignment.objects.select_for_update().filter(tracking_number=tracking).first()
        )
        refused = None
        if consignment is None:
            refused = _("Số vận đơn không có trong hệ thống.")
        elif ConsignmentEvent.objects.filter(message_id=message_id).exists():
            refused = _("Bản tin đã được nhận trước đó (gửi lại).")
        elif update.status not in NEXT[S(consignment.status)]:
            refused = _("Bưu gửi đang ở trạng thái “%(s)s”, không chuyển sang “%(t)s”.") % {
                "s": S(consignment.status).label,
                "t": S(update.status).label,
            }
        if refused is None and consignment is not None:
            before = consignment.status
            consignment.status, consignment.status_at = update.status, now
            consignment.note = update.note
            consignment.save(update_fields=["status", "status_at", "note"])
            ConsignmentEvent.objects.create(
                consignment=consignment,
                status=update.status,
                at=now,
                message_id=message_id,
                note=update.note,
            )
            audit.record(
                action="postal.status",
                obj=consignment,
                actor=None,
                unit=consignment.unit_id,
                changes={"status": [before, update.status], "message_id": message_id},
            )
            if update.status == S.DELIVERED:
                _returned(consignment)
            return consignment
    _refuse(refused or "", tracking=tracking, message_id=message_id, now=now)


def _returned(consignment: Consignment) -> None:
    """Delivered: the result is returned through the dossier's one transition function, as of
    the hand-over to the post: the time the post takes is not counted in the time to settle
    the dossier (QĐ 45/2016/QĐ-TTg on receiving and returning results by public post), so a
    result handed over on time is on time however long the delivery takes."""
    dossier = Dossier.objects.get(pk=consignment.dossier_id)
    if dossier.status != Status.RESULT_READY:
        return  # already returned another way: the delivery stands on the consignment
    dossier_services.return_result(
        workflow.SYSTEM,
        dossier_id=dossier.pk,
        delivery=Delivery.POST,
        tracking_number=consignment.tracking_number,
        at=consignment.booked_at,
    )


def mark_followed_up(actor, *, consignment_id: int) -> Consignment:
    """The officer dealt with a result the post returned (called the citizen, etc.)."""
    with transaction.atomic():
        consignment = Consignment.objects.select_for_update().get(pk=consignment_id)
        dossier = Dossier.objects.get(pk=consignment.dossier_id)
        refused = workflow.refusal(actor, "return_result", dossier)
        if refused:
            raise PermissionDenied(refused)
        if consignment.status != S.RETURNED or consignment.followed_up:
            return consignment
        consignment.followed_up = True
        consignment.save(update_fields=["followed_up"])
        audit.record(
            action="postal.followed_up",
            obj=consignment,
            actor=actor,
            unit=consignment.unit_id,
            changes={"followed_up": True},
        )
    return consignment
