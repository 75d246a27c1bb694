"""Recording a rating: one transaction, one audit event, and a replay returns the first rating.

A citizen's phone on 3G retries, and a tablet gets double taps: the second call for the same
ticket or dossier gets the stored rating back (`created=False`) and changes nothing, so a
rating never counts twice and a citizen can never overwrite an earlier one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from motcua.core.audit import record
from motcua.dossiers.models import Dossier
from motcua.dossiers.models import Status as DossierStatus
from motcua.queueing import services as queue_services
from motcua.queueing.models import Ticket

from .models import Channel, Level, Rating, Reason

COMMENT_MAX = 1000
# Dossiers the citizen can judge: the result was handed over, or the counter refused it.
RATEABLE_DOSSIER_STATUSES = (DossierStatus.RETURNED, DossierStatus.REFUSED)


def now() -> dt.datetime:
    """The queue's clock, so tests that move it move ratings too."""
    return queue_services.now()


@dataclass(frozen=True)
class Rated:
    rating: Rating
    created: bool


def clean_answer(*, level: str, reason: str = "", comment: str = "") -> tuple[str, str, str]:
    """Validate one answer (RULES.md section 8: a reason is required when not satisfied)."""
    comment = (comment or "").strip()
    reason = reason or ""
    if level not in Level.values:
        raise ValidationError(
            _("Xin chọn một mức: Rất hài lòng, Hài lòng hoặc Không hài lòng."), code="bad_level"
        )
    if reason and reason not in Reason.values:
        raise ValidationError(_("Lý do không hợp lệ."), code="bad_reason")
    if len(comment) > COMMENT_MAX:
        raise ValidationError(
            _("Ý kiến dài quá %(n)s ký tự.") % {"n": COMMENT_MAX}, code="comment_too_long"
        )
    if level == Level.NOT_SATISFIED:
        if not reason:
            raise ValidationError(
                _("Xin cho biết lý do bạn chưa hài lòng để chúng tôi khắc phục."),
                code="reason_required",
            )
        if reason == Reason.OTHER and not comment:
            raise ValidationError(
                _("Bạn chọn “Lý do khác”: xin ghi rõ lý do trong ô ý kiến."),
                code="comment_required",
            )
    else:
        reason = ""  # reasons explain dissatisfaction only; a kind word stays as a comment
    return level, reason, comment


def _audit(rating: Rating) -> None:
    record(
        action="feedback.rate",
        obj=rating,
        unit=rating.unit_id,
        changes={
            "subject": "ticket" if rating.ticket_id else "dossier",
            "level": rating.level,
            "reason": rating.reason,
            "channel": rating.channel,
            # the comment is the citizen's free text: kept on the row, not copied to the log
            "has_comment": bool(rating.comment),
        },
    )


def _save(rating: Rating, existing) -> Rated:
    """Insert, or return what is already there if another request got in first."""
    try:
        with transaction.atomic():
            rating.save(force_insert=True)
            _audit(rating)
    except IntegrityError:
        found = existing()
        if found is None:
            raise
        return Rated(found, created=False)
    return Rated(rating, created=True)


def rate_ticket(
    *,
    ticket: Ticket,
    level: str,
    reason: str = "",
    comment: str = "",
    channel: str = Channel.PHONE,
    rated_by=None,
    at: dt.datetime | None = None,
) -> Rated:
    """Rate the service a queue ticket received; only a served (done) ticket can be rated."""
    if channel not in Channel.values:
        raise ValidationError(_("Hình thức đánh giá không hợp lệ."), code="bad_channel")
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        existing = Rating.objects.filter(ticket_id=locked.pk).first()
        if existing is not None:
            return Rated(existing, created=False)
        if locked.status != Ticket.Status.DONE:
            raise ValidationError(
                _("Chỉ đánh giá được sau khi bạn đã được phục vụ xong."), code="not_served"
            )
        level, reason, comment = clean_answer(level=level, reason=reason, comment=comment)
        rating = Rating(
            unit_id=locked.unit_id,
            ticket=locked,
            dossier_code=locked.dossier_code,
            level=level,
            reason=reason,
            comment=comment,
            channel=channel,
            rated_by=rated_by if getattr(rated_by, "is_authenticated", False) else None,
            officer_id=locked.served_by_id,
            counter_id=locked.counter_id,
            service_id=locked.service_id,
            created_at=at or now(),
        )
        return _save(rating, lambda: Rating.objects.filter(ticket_id=locked.pk).first())


def rate_dossier(
    *,
    dossier: Dossier,
    level: str,
    reason: str = "",
    comment: str = "",
    channel: str,
    officer=None,
    counter=None,
    rated_by=None,
    at: dt.datetime | None = None,
) -> Rated:
    """Rate a dossier at hand-over (kiosk, counter) or online, once its result is returned.

    `officer` and `counter` are who handed the result over, when known (the counter's screen).
    """
    if channel not in Channel.values:
        raise ValidationError(_("Hình thức đánh giá không hợp lệ."), code="bad_channel")
    if counter is not None and counter.unit_id not in (
        dossier.receiving_unit_id,
        dossier.competent_unit_id,
    ):
        raise ValidationError(_("Quầy không thuộc đơn vị của hồ sơ."), code="wrong_counter")
    with transaction.atomic():
        locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
        existing = Rating.objects.filter(dossier_id=locked.pk).first()
        if existing is not None:
            return Rated(existing, created=False)
        if locked.status not in RATEABLE_DOSSIER_STATUSES:
            raise ValidationError(
                _("Chỉ đánh giá được hồ sơ đã trả kết quả hoặc đã từ chối tiếp nhận."),
                code="not_finished",
            )
        level, reason, comment = clean_answer(level=level, reason=reason, comment=comment)
        rating = Rating(
            # the index counts satisfaction for the unit that decides the dossier
            unit_id=locked.competent_unit_id,
            dossier=locked,
            dossier_code=locked.code,
            level=level,
            reason=reason,
            comment=comment,
            channel=channel,
            rated_by=rated_by if getattr(rated_by, "is_authenticated", False) else None,
            officer=officer,
            counter=counter,
            procedure_id=locked.procedure_id,
            procedure_code=locked.procedure_code,
            created_at=at or now(),
        )
        return _save(rating, lambda: Rating.objects.filter(dossier_id=locked.pk).first())


def rate_dossier_at_counter(
    *,
    counter,
    dossier: Dossier,
    level: str,
    reason: str = "",
    comment: str = "",
    at: dt.datetime | None = None,
) -> Rated:
    """Rate a dossier on the counter's tablet, right after the officer there returned its
    result or refused it (`selectors.counter_handover`, within the tablet's window), counted
    for that officer and counter.

    A double tap gets the rating this tablet already took (`created=False`); a dossier the
    counter did not just hand over, or one already rated elsewhere, is refused.
    """
    from . import selectors

    at = at or now()
    existing = Rating.objects.filter(dossier_id=dossier.pk).first()
    if existing is not None:
        if existing.channel == Channel.COUNTER_TABLET and existing.counter_id == counter.pk:
            return Rated(existing, created=False)
        raise ValidationError(_("Hồ sơ này đã được đánh giá."), code="already_rated")
    handover = selectors.counter_handover(counter, dossier, at=at)
    if handover is None:
        raise ValidationError(
            _(
                "Hồ sơ này không vừa được trả kết quả hoặc từ chối tiếp nhận tại quầy này, "
                "nên không đánh giá tại đây được."
            ),
            code="not_handed_over",
        )
    return rate_dossier(
        dossier=dossier,
        level=level,
        reason=reason,
        comment=comment,
        channel=Channel.COUNTER_TABLET,
        officer=handover.actor,
        counter=counter,
        at=at,
    )


def handed_over_by(dossier: Dossier):
    """The officer who returned the result (the `return_result` event's actor), or None."""
    from motcua.dossiers.models import DossierEvent

    event = (
        DossierEvent.objects.filter(dossier_id=dossier.pk, action="return_result")
        .select_related("actor")
        .order_by("-at", "-id")
        .first()
    )
    return event.actor if event is not None else None


def rate_by_invitation(
    *,
    dossier: Dossier,
    level: str,
    reason: str = "",
    comment: str = "",
    rated_by=None,
    at: dt.datetime | None = None,
) -> Rated:
    """Rate from the link the invitation carried (`feedback.invitations`): no account needed,
    on the citizen's phone, counted for the officer who handed the result over. A link used
    again answers with the rating already given; an expired one is refused."""
    from .invitations import LINK_DAYS, link_expired

    at = at or now()
    existing = Rating.objects.filter(dossier_id=dossier.pk).first()
    if existing is not None:
        return Rated(existing, created=False)
    if link_expired(dossier, at=at):
        raise ValidationError(
            _(
                "Đường dẫn đánh giá đã hết hạn (dùng được trong %(days)s ngày sau khi trả kết "
                "quả). Ông/bà vẫn có thể đánh giá tại mục Hồ sơ của tôi."
            )
            % {"days": LINK_DAYS},
            code="link_expired",
        )
    return rate_dossier(
        dossier=dossier,
        level=level,
        reason=reason,
        comment=comment,
        channel=Channel.PHONE,
        officer=handed_over_by(dossier),
        rated_by=rated_by,
        at=at,
    )
