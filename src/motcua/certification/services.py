"""Chứng thực bản sao điện tử từ bản chính: one verb, `certify_copy`.

Checked first (who, which unit, the citizen, the title, the original by content, its page
count, the fee from the catalog), so nothing is numbered for a request that would be refused.
Then one transaction: the next number of the unit's book for the year (core.counters: locked
until commit, given back by a rollback, so the book has no gap), the copy composed with that
number on its certification page, signed by the certifying person and then the unit (the
number is inside what is signed, so the signing happens under the book's lock: certifications
of one unit are made one after the other, a second or so each), kept for public verification,
entered in the book, audited.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.models import Role
from motcua.accounts.scoping import has_role
from motcua.core import audit, counters, identifiers
from motcua.core.models import Unit
from motcua.documents import services as documents
from motcua.documents import uploads
from motcua.documents.models import SignedDocument
from motcua.documents.signing import SigningError

from . import copies, fees
from .models import BookCounter, CertifiedCopy

CERTIFIERS = (Role.LEADER,)  # Chủ tịch/Phó Chủ tịch UBND xã ký chứng thực (NĐ 23/2015, điều 5)
MAX_PAGES = 500
OBJECT_TYPE = "certification.certifiedcopy"
REASON = "Chứng thực bản sao đúng với bản chính"


def may_certify(user, unit: Unit | int) -> bool:
    return bool(getattr(user, "is_staff_member", False)) and has_role(user, *CERTIFIERS, unit=unit)


def book_label(year: int) -> str:
    """Quyển số of the electronic certification book of a year."""
    return f"01/{year}/SCT/BSĐT"


def _clean(value: str, field: str, max_length: int, message: str) -> str:
    value = " ".join((value or "").split())
    if not value:
        raise ValidationError({field: message})
    if len(value) > max_length:
        raise ValidationError({field: _("Tối đa %(n)s ký tự.") % {"n": max_length}})
    return value


def certify_copy(
    actor,
    *,
    unit_id: int,
    citizen_id: str,
    citizen_name: str,
    title: str,
    pages: int,
    files: list[uploads.Upload],
    pin: str = "",
    at: dt.datetime | None = None,
) -> CertifiedCopy:
    """Chứng thực bản sao điện tử từ bản chính and enter it in the unit's book."""
    unit = Unit.objects.select_related("parent").get(pk=unit_id)
    if not may_certify(actor, unit):
        raise PermissionDenied(_("Bạn không có quyền ký chứng thực bản sao của đơn vị này."))
    try:
        citizen_id = identifiers.citizen_id(citizen_id)
    except ValidationError as exc:
        raise ValidationError({"citizen_id": exc.messages}) from exc
    citizen_name = _clean(citizen_name, "citizen_name", 150, _("Nhập họ tên người yêu cầu."))
    title = _clean(title, "title", 300, _("Nhập tên giấy tờ, văn bản."))
    if not 1 <= pages <= MAX_PAGES:
        raise ValidationError({"pages": _("Số trang phải từ 1 đến %(n)s.") % {"n": MAX_PAGES}})
    try:
        paper = uploads.paper_pdf(files)
    except uploads.UploadRefused as exc:
        raise ValidationError({"files": exc.message}) from exc
    if paper.pages != pages:
        raise ValidationError(
            {
                "pages": _(
                    "Bản chính đã quét có %(found)s trang, khác số trang đã nhập (%(typed)s)."
                )
                % {"found": paper.pages, "typed": pages}
            }
        )
    at = at or timezone.now()
    day = timezone.localdate(at)
    try:
        fee = fees.certification_fee(unit=unit, pages=pages, day=day)
    except fees.FeeUnknown as exc:
        raise ValidationError({"__all__": str(exc)}) from exc
    signer_name = actor.full_name or actor.username
    with documents.atomic_with_files():
        number = counters.next_value(BookCounter, unit=unit, year=day.year)
        book = book_label(day.year)
        statement = copies.Statement(
            unit_name=unit.name,
            number=number,
            book=book,
            day=day,
            signer_name=signer_name,
            citizen_name=citizen_name,
            title=title,
            pages=pages,
            fee_text=fees.money(fee.amount_vnd),
        )
        try:
            pdf = copies.copy_with_statement(paper.pdf, statement)
            signed = documents.sign(
                unit=unit,
                pdf_bytes=pdf,
                signer_name=signer_name,
                reason=REASON,
                pin=pin,
                person=actor,
                on_page=-1,
            )
        except documents.WrongPin as exc:
            raise ValidationError({"pin": _("Mã PIN của khóa ký số không đúng.")}) from exc
        except SigningError as exc:
            raise ValidationError({"files": exc.reason}) from exc
        stored = documents.store(
            signed,
            actor=actor,
            title=_("Bản sao chứng thực: %(title)s") % {"title": title},
            object_type=OBJECT_TYPE,
        )
        entry = CertifiedCopy._default_manager.create(
            unit=unit,
            year=day.year,
            number=number,
            book=book,
            citizen_id=citizen_id,
            citizen_name=citizen_name,
            title=title,
            pages=pages,
            fee_vnd=fee.amount_vnd,
            fee_note=fee.explanation[:400],
            document=stored,
            certified_by=actor,
            certified_at=at,
        )
        SignedDocument.objects.filter(pk=stored.pk).update(object_id=str(entry.pk))
        audit.record(
            action="certification.copy_certified",
            obj=entry,
            actor=actor,
            unit=unit,
            changes={
                "number": number,
                "book": book,
                "pages": pages,
                "fee_vnd": fee.amount_vnd,
                "document": stored.verification_code,
            },
        )
    return entry


class AlreadyVoided(Exception):
    """The entry was voided already (by this request sent twice, or by someone else)."""

    def __init__(self, entry: CertifiedCopy) -> None:
        super().__init__(entry.pk)
        self.entry = entry
        self.message = _("Bản sao số %(n)s đã được hủy bỏ trước đó.") % {"n": entry.number}


def void_copy(actor, *, entry_id: int, reason: str, at: dt.datetime | None = None) -> CertifiedCopy:
    """Hủy bỏ một bản sao đã chứng thực (a wrong title, the wrong citizen, an original found
    forged): by a certifier of the entry's unit, with a reason. The number stays in the book,
    marked void (never deleted, never reused); the signed copy stays stored and verifiable and
    its public verification page says it was voided, when and why. One transaction, the entry
    locked; audited. Refused: another role or unit (PermissionDenied, the same for an entry the
    actor cannot see), no reason (ValidationError), already void (AlreadyVoided)."""
    entry = CertifiedCopy._default_manager.filter(pk=entry_id).first()
    if entry is None or not may_certify(actor, entry.unit_id):
        raise PermissionDenied(_("Bạn không có quyền hủy bỏ bản sao chứng thực này."))
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": _("Phải ghi rõ lý do hủy bỏ.")})
    if len(reason) > 500:
        raise ValidationError({"reason": _("Tối đa %(n)s ký tự.") % {"n": 500}})
    at = at or timezone.now()
    with transaction.atomic():
        entry = CertifiedCopy._default_manager.select_for_update().get(pk=entry_id)
        if entry.voided:
            raise AlreadyVoided(entry)
        entry.voided_at, entry.voided_by, entry.void_reason = at, actor, reason
        entry.save(update_fields=["voided_at", "voided_by", "void_reason"])
        SignedDocument.objects.filter(pk=entry.document_id).update(
            revoked_at=at, revoked_reason=reason
        )
        audit.record(
            action="certification.copy_voided",
            obj=entry,
            actor=actor,
            unit=entry.unit_id,
            changes={"number": entry.number, "book": entry.book, "reason": reason},
        )
    return entry
