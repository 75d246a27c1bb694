"""Every change of a petition: submission, the staff's moves, the citizen's rating.

Who may do what is decided here, not in the views:
- unit managers and leaders (`Role.MANAGER`, `Role.LEADER` reaching the petition's unit) assign,
  reroute, publish, close and transfer;
- a handler is a specialist assigned to the petition's department in its unit: they may take a
  petition of their department (assign it to themselves) and answer the one they hold;
- the submitter, who holds the code, rates a published answer once.
A staff member who does not reach the petition's unit gets `Http404` (as if it did not exist);
one who reaches it without the right gets `PermissionDenied`; a move the status does not allow
is `IllegalTransition` (409).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import re
import secrets
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from motcua.accounts.models import Role, StaffAssignment, User
from motcua.accounts.scoping import has_role
from motcua.core import audit, calendar, identifiers, links
from motcua.core.models import Department, Unit, Village
from motcua.core.statemachine import NOOP, Move, Outcome
from motcua.documents.uploads import Upload, UploadRefused, paper_pdf
from motcua.dossiers import selectors as dossiers

from . import challenge, redaction
from .machine import PETITIONS
from .models import Attachment, Category, Petition

logger = logging.getLogger(__name__)
S = Petition.Status
MANAGERS = (Role.MANAGER, Role.LEADER)
HANDLER_ROLES = (Role.SPECIALIST,)
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud, typed on a phone


@dataclass
class PetitionIn:
    """What the form sends (strings as typed; the service checks and normalises them)."""

    category: int | str | None = None
    subject: str = ""
    content: str = ""
    village: int | str | None = None
    place: str = ""
    latitude: str = ""
    longitude: str = ""
    anonymous: bool = False
    name: str = ""
    phone: str = ""
    email: str = ""
    repeat_of: str = ""
    dossier: str = ""  # "Mã hồ sơ": the dossier the petition is about, if any
    files: list[Upload] = field(default_factory=list)


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def new_code() -> str:
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))
    return f"PA-{raw[:4]}-{raw[4:]}"


def normalise_code(raw: str) -> str:
    """What a citizen types ("pa 7kq2 m9xd") -> "PA-7KQ2-M9XD"; "" when it cannot be a code."""
    letters = re.sub(r"[^0-9A-Za-z]", "", raw or "").upper()
    if letters.startswith("PA"):
        letters = letters[2:]
    if len(letters) != 8 or any(c not in _CODE_ALPHABET for c in letters):
        return ""
    return f"PA-{letters[:4]}-{letters[4:]}"


def _id(value) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return -1
    return number if 0 < number < 2**31 else -1


def _coordinate(raw: str, limit: int, label: str) -> Decimal | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or abs(value) > limit:
        raise ValidationError({label: _("Vị trí trên bản đồ không hợp lệ.")})
    return value.quantize(Decimal("0.000001"))


def _attachments(files: list[Upload]) -> list[tuple[Upload, bytes, int]]:
    """Each file judged by its content and kept as one PDF; refusals name the file."""
    most = settings.MOTCUA_PETITION_MAX_FILES
    if len(files) > most:
        raise ValidationError(
            {
                "files": _("Gửi tối đa %(n)s tệp; bạn đã chọn %(k)s tệp.")
                % {"n": most, "k": len(files)}
            }
        )
    kept = []
    for f in files:
        if len(f.data) > settings.MOTCUA_PETITION_MAX_BYTES:
            mb = settings.MOTCUA_PETITION_MAX_BYTES / (1024 * 1024)
            raise ValidationError(
                {"files": _("Tệp “%(name)s” lớn hơn %(mb).0f MB.") % {"name": f.name, "mb": mb}}
            )
        try:
            paper = paper_pdf([f], max_files=1)
        except UploadRefused as exc:
            raise ValidationError({"files": exc.message}) from exc
        kept.append((f, paper.pdf, paper.pages))
    return kept


def dossier_not_here() -> str:
    """One message for an unknown code and another unit's dossier (no oracle of codes)."""
    return _(
        "Không tìm thấy hồ sơ có mã này do đơn vị tiếp nhận hoặc giải quyết. Kiểm tra lại mã in "
        "trên giấy tiếp nhận và hẹn trả kết quả, hoặc để trống ô này."
    )


def _dossier(raw: str, unit_ids: set[int]):
    """The dossier a typed code names, if one of `unit_ids` received or decides it; else None
    (one answer for "no such code" and "another unit's dossier": no oracle of codes)."""
    return dossiers.by_code_for_units(raw, unit_ids)


def _routed_units(petition: Petition) -> set[int]:
    """The unit handling the petition and every unit it was transferred from."""
    units = {petition.unit_id}
    previous = petition.transferred_from_id
    for _hop in range(5):
        if previous is None:
            break
        row = Petition.objects.filter(pk=previous).values("unit_id", "transferred_from_id").first()
        if row is None:
            break
        units.add(row["unit_id"])
        previous = row["transferred_from_id"]
    return units


def _clean(unit: Unit, data: PetitionIn, user) -> dict:
    errors: dict[str, str] = {}
    subject = " ".join((data.subject or "").split())
    content = (data.content or "").strip()
    if len(subject) < 5:
        errors["subject"] = _("Nhập tiêu đề phản ánh (ít nhất 5 ký tự).")
    elif len(subject) > 200:
        errors["subject"] = _("Tiêu đề tối đa 200 ký tự.")
    if len(content) < 20:
        errors["content"] = _("Nhập nội dung phản ánh (ít nhất 20 ký tự).")
    elif len(content) > 5000:
        errors["content"] = _("Nội dung tối đa 5.000 ký tự.")
    category = None
    category_id = _id(data.category)
    if category_id is None:
        errors["category"] = _("Chọn lĩnh vực phản ánh.")
    else:
        category = (
            Category.objects.filter(pk=category_id, unit=unit, is_active=True)
            .select_related("department")
            .first()
        )
        if category is None:
            errors["category"] = _("Lĩnh vực đã chọn không có ở đơn vị này.")
    village = None
    village_id = _id(data.village)
    if village_id is not None:
        village = Village.objects.filter(pk=village_id, unit=unit).first()
        if village is None:
            errors["village"] = _("Thôn, tổ dân phố đã chọn không thuộc đơn vị này.")
    place = " ".join((data.place or "").split())[:300]
    try:
        latitude = _coordinate(data.latitude, 90, "latitude")
        longitude = _coordinate(data.longitude, 180, "longitude")
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
        latitude = longitude = None
    if (latitude is None) != (longitude is None):
        errors["latitude"] = _("Vị trí trên bản đồ không hợp lệ.")
    if village is None and not place and latitude is None and "village" not in errors:
        errors["place"] = _("Cho biết nơi xảy ra: chọn thôn, tổ dân phố hoặc ghi địa điểm.")
    name = phone = email = ""
    if not data.anonymous:
        name = " ".join((data.name or "").split())[:150]
        if data.phone and data.phone.strip():
            try:
                phone = identifiers.phone(data.phone, mobile=False)
            except ValidationError as exc:
                errors["phone"] = exc.messages[0]
        email = (data.email or "").strip()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                errors["email"] = _("Địa chỉ thư điện tử không hợp lệ.")
        if len(email) > 254:
            errors["email"] = _("Địa chỉ thư điện tử không hợp lệ.")
    repeat_of = None
    if (data.repeat_of or "").strip():
        code = normalise_code(data.repeat_of)
        repeat_of = Petition.objects.filter(code=code, unit=unit).first() if code else None
        if repeat_of is None:
            errors["repeat_of"] = _("Không tìm thấy phản ánh trước với mã này ở đơn vị này.")
    dossier = None
    if (data.dossier or "").strip():
        dossier = _dossier(data.dossier, {unit.pk})
        if dossier is None:
            errors["dossier"] = dossier_not_here()
    if errors:
        raise ValidationError(errors)
    return {
        "category": category,
        "department": category.department if category else None,
        "subject": subject,
        "content": content,
        "village": village,
        "place": place,
        "latitude": latitude,
        "longitude": longitude,
        "anonymous": bool(data.anonymous),
        "name": name,
        "phone": phone,
        "email": email,
        "repeat_of": repeat_of,
        "dossier": dossier,
        "submitted_by": user if getattr(user, "is_authenticated", False) else None,
    }


def submit(
    *,
    unit: Unit,
    data: PetitionIn,
    user=None,
    challenge_token: str = "",
    nonce: str = "",
    now: dt.datetime | None = None,
) -> Petition:
    """Receive a petition: checked, routed to its category's department, with its deadline in
    working days from the unit's calendar. A visitor who is not signed in must send a solved,
    unused challenge (`challenge.spend`, in the same transaction: a refused petition leaves it
    unused). Raises ValidationError (field -> message) or ChallengeRefused."""
    now = _now(now)
    fields = _clean(unit, data, user)
    kept = _attachments(data.files)
    category = fields["category"]
    days = category.days if category else Decimal(settings.MOTCUA_PETITION_DAYS)
    due = calendar.add_working_days(now, days, unit)
    with transaction.atomic():
        if fields["submitted_by"] is None:
            challenge.spend(challenge_token, nonce, now=now)
        petition = _insert(unit=unit, now=now, days=days, due=due, **fields)
        for upload, pdf, pages in kept:
            name = re.sub(r"[^\w.\-]+", "-", upload.name)[:150] or "tep"
            attachment = Attachment(
                petition=petition,
                name=upload.name[:200],
                pages=pages,
                size=len(pdf),
                sha256=hashlib.sha256(upload.data).hexdigest(),
            )
            attachment.file.save(f"{name.rsplit('.', 1)[0]}.pdf", ContentFile(pdf), save=False)
            attachment.save()
        PETITIONS.created(
            petition,
            action="receive",
            actor=fields["submitted_by"],
            at=now,
            data={"department": petition.department_id, "days": str(days)},
            changes={
                "category": petition.category_id,
                "department": petition.department_id,
                "due_at": petition.due_at.isoformat(),
                "attachments": len(kept),
            },
        )
    return petition


def _insert(**fields) -> Petition:
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Petition.objects.create(
                    code=new_code(),
                    received_at=fields["now"],
                    due_at=fields["due"],
                    **{k: v for k, v in fields.items() if k not in ("now", "due")},
                )
        except IntegrityError:  # the same random code twice: one in a trillion, try again
            continue
    raise RuntimeError("no free petition code")


# --- who may do what ---------------------------------------------------------------------------


def is_manager(user, petition: Petition) -> bool:
    return has_role(user, *MANAGERS, unit=petition.unit_id)


def is_handler(user, petition: Petition, department_id: int | None = None) -> bool:
    """A specialist of the petition's department (or `department_id`) in its unit."""
    department_id = department_id or petition.department_id
    if department_id is None or not getattr(user, "is_authenticated", False):
        return False
    if not user.is_staff_member:
        return False
    return StaffAssignment.objects.filter(
        user_id=user.pk,
        unit_id=petition.unit_id,
        department_id=department_id,
        role__in=HANDLER_ROLES,
        is_active=True,
    ).exists()


def reaches(user, petition: Petition) -> bool:
    from motcua.accounts.scoping import visible_unit_ids

    return petition.unit_id in visible_unit_ids(user)


def actions_for(user, petition: Petition) -> list[str]:
    """The moves the petition page offers this user now (the services check the same rules)."""
    allowed = set(PETITIONS.allowed(petition.status)) - {"flag_overdue", "rate"}
    manager = is_manager(user, petition)
    handler = is_handler(user, petition)
    may = {
        "assign": manager or (handler and petition.handler_id != user.pk),
        "answer": manager or petition.handler_id == user.pk,
        "publish": manager,
        "close": manager,
        "transfer": manager,
        "link_dossier": manager or petition.handler_id == user.pk,
    }
    out: list[str] = [
        a
        for a in ("assign", "answer", "publish", "close", "transfer", "link_dossier")
        if a in allowed and may[a]
    ]
    return out


def handlers_of(unit_id: int, department_id: int | None) -> list[User]:
    """The people a petition of that department may be given to."""
    if department_id is None:
        return []
    ids = StaffAssignment.objects.filter(
        unit_id=unit_id, department_id=department_id, role__in=HANDLER_ROLES, is_active=True
    ).values("user_id")
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("full_name"))


def _visible_or_404(user, petition_id: int) -> Petition:
    petition = Petition.objects.filter(pk=petition_id).only("unit_id").first()
    if petition is None or not reaches(user, petition):
        raise Http404
    return petition


# --- the staff's moves -------------------------------------------------------------------------


def _run(
    petition_id: int,
    *,
    action: str,
    actor,
    permit,
    apply,
    now,
    note="",
    expected_version=None,
    changes=None,
    in_transaction=(),
):
    _visible_or_404(actor, petition_id)
    return PETITIONS.run(
        petition_id,
        action=action,
        actor=actor,
        at=_now(now),
        permit=permit,
        apply=apply,
        note=note,
        expected_version=expected_version,
        changes=changes,
        audit_fields=("handler_id", "department_id", "overdue", "rating", "dossier_id"),
        in_transaction=in_transaction,
    ).obj


def assign(
    petition_id: int,
    *,
    actor,
    handler: User | int,
    department: Department | int | None = None,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Petition:
    """Give the petition to `handler` (a specialist of its department; a manager may first move
    it to another `department` of the unit). A handler may take one of their department."""
    handler_id: int = handler.pk if isinstance(handler, User) else int(handler)
    department_id: int | None = department.pk if isinstance(department, Department) else department

    def permit(row: Petition, move: Move) -> None:
        target = department_id or row.department_id
        if target is None:
            raise ValidationError(_("Chọn phòng, ban xử lý."))
        if (
            department_id
            and not Department.objects.filter(pk=department_id, unit_id=row.unit_id).exists()
        ):
            raise ValidationError(_("Phòng, ban đã chọn không thuộc đơn vị này."))
        manager = is_manager(actor, row)
        if not manager and not (
            is_handler(actor, row) and handler_id == actor.pk and target == row.department_id
        ):
            raise PermissionDenied(
                _("Chỉ lãnh đạo, quản lý hoặc cán bộ của phòng, ban xử lý được giao việc.")
            )
        if not StaffAssignment.objects.filter(
            user_id=handler_id,
            unit_id=row.unit_id,
            department_id=target,
            role__in=HANDLER_ROLES,
            is_active=True,
        ).exists():
            raise ValidationError(_("Người được giao không phải cán bộ của phòng, ban xử lý."))

    def apply(row: Petition, move: Move, at: dt.datetime) -> dict:
        if department_id:
            row.department_id = department_id
        row.handler_id = handler_id
        return {"handler": handler_id, "department": row.department_id}

    return _run(
        petition_id,
        action="assign",
        actor=actor,
        permit=permit,
        apply=apply,
        now=now,
        expected_version=expected_version,
    )


def answer(
    petition_id: int,
    *,
    actor,
    text: str,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Petition:
    """The handler's answer (or a manager's). Not public until published."""
    text = (text or "").strip()
    if len(text) < 20:
        raise ValidationError(_("Nhập nội dung trả lời (ít nhất 20 ký tự)."))
    if len(text) > 10000:
        raise ValidationError(_("Nội dung trả lời tối đa 10.000 ký tự."))

    def permit(row: Petition, move: Move) -> None:
        if not (row.handler_id == actor.pk or is_manager(actor, row)):
            raise PermissionDenied(_("Chỉ người được giao hoặc lãnh đạo, quản lý được trả lời."))

    def apply(row: Petition, move: Move, at: dt.datetime) -> None:
        row.answer = text
        row.answered_at = at

    return _run(
        petition_id,
        action="answer",
        actor=actor,
        permit=permit,
        apply=apply,
        now=now,
        expected_version=expected_version,
    )


def publish(
    petition_id: int,
    *,
    actor,
    text: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Petition:
    """Publish the answer (or the text the leader edited from it) with personal data removed:
    `redaction.mask`, with the submitter's own name, phone and e-mail hidden wherever they
    appear. The answer as written stays for the staff only."""

    def permit(row: Petition, move: Move) -> None:
        if not is_manager(actor, row):
            raise PermissionDenied(_("Chỉ lãnh đạo, quản lý được công khai trả lời."))

    def apply(row: Petition, move: Move, at: dt.datetime) -> None:
        source = (text or "").strip() or row.answer
        known = [row.name, row.phone, row.email]
        row.published_answer = redaction.mask(source, known=known)
        row.published_subject = redaction.mask(row.subject, known=known)[:200]
        row.published_at = at
        row.finished_at = at

    return _run(
        petition_id,
        action="publish",
        actor=actor,
        permit=permit,
        apply=apply,
        now=now,
        expected_version=expected_version,
        in_transaction=[tell_submitter],
    )


# --- telling the submitter that the answer is public -------------------------------------------

OBJECT_TYPE = "petitions.petition"
PURPOSE = "petition_answered"


def submitter_contacts(petition: Petition) -> list[tuple[str, str]]:
    """(channel, recipient) to tell: an SMS to the mobile and an e-mail to the address the
    submitter gave; a signed-in citizen who gave neither, their account's mobile or e-mail.
    Nobody for an anonymous petition (even from a signed-in citizen: an outbox row naming
    them would undo the anonymity they chose) or one without any contact."""
    if petition.anonymous:
        return []
    phone, email = petition.phone, petition.email
    user = petition.submitted_by
    if not phone and not email and user is not None and user.kind == User.Kind.CITIZEN:
        phone, email = (user.phone or "").strip(), (user.email or "").strip()
    out: list[tuple[str, str]] = []
    if phone:
        with contextlib.suppress(ValidationError):  # a landline gets no SMS
            out.append(("sms", identifiers.phone(phone)))
    if email:
        out.append(("email", email))
    return out


def first_code(petition: Petition) -> str:
    """The code the submitter was given: after transfers, the first petition's (it leads here)."""
    code, previous = petition.code, petition.transferred_from_id
    for _hop in range(5):
        if previous is None:
            break
        row = Petition.objects.filter(pk=previous).values("code", "transferred_from_id").first()
        if row is None:
            break
        code, previous = row["code"], row["transferred_from_id"]
    return code


def answer_message(petition: Petition) -> dict[str, str]:
    """Subject, SMS and e-mail texts: the unit, the code and the follow link; nothing of the
    content or the submitter (the page behind the link shows the masked answer)."""
    code = first_code(petition)
    with override(settings.LANGUAGE_CODE):
        url = links.public_url(reverse("petitions:follow", args=[code]))
        facts = {"unit": petition.unit.name, "code": code}
        subject = _("Phản ánh %(code)s đã có trả lời") % facts
        sms = _("%(unit)s đã trả lời phản ánh %(code)s của ông/bà. Xem trả lời và đánh giá:") % (
            facts
        )
        email = "\n\n".join(
            [
                _("Kính gửi ông/bà,"),
                _(
                    "%(unit)s đã trả lời và công khai trả lời phản ánh, kiến nghị mã %(code)s "
                    "của ông/bà."
                )
                % facts,
                _("Xem trả lời và cho biết ông/bà có hài lòng không tại:") + f" {url}",
                _("Thư này được gửi tự động, xin đừng trả lời thư."),
            ]
        )
    return {"subject": subject, "sms": f"{sms} {url}", "email": email, "url": url, "code": code}


def tell_submitter(outcome: Outcome) -> None:
    """In the publication's transaction: one outbox row per contact (`integrations.services
    .notify`, which sends after the commit). The key (petition id + channel) makes a second
    publication or a retried job send nothing new. Logs name the petition, never the contact."""
    from motcua.integrations.services import notify

    petition: Petition = outcome.obj
    targets = submitter_contacts(petition)
    if not targets:
        return
    texts = answer_message(petition)
    for channel, to in targets:
        key = f"petition:{petition.pk}:published:{channel}"
        try:
            notify(
                channel=channel,
                recipient=to,
                purpose=PURPOSE,
                subject=texts["subject"],
                body=texts[channel],
                object_type=OBJECT_TYPE,
                object_id=petition.pk,
                idempotency_key=key,
                url=texts["url"],
                unit=petition.unit_id,
            )
        except (ValidationError, ValueError):  # refused before writing: the answer stays public
            logger.warning("petition %s: %s notice not queued", petition.code, channel)


# --- the dossier a petition is about -------------------------------------------------------------


def link_dossier(
    petition_id: int,
    *,
    actor,
    code: str,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Petition:
    """Set (or, with an empty code, clear) the dossier the petition is about. The unit's
    managers and leaders, or the officer holding the petition; the dossier must be received
    or decided by the unit handling the petition or one it was transferred from."""
    code = (code or "").strip()

    def permit(row: Petition, move: Move) -> None:
        if not (is_manager(actor, row) or row.handler_id == actor.pk):
            raise PermissionDenied(
                _("Chỉ lãnh đạo, quản lý hoặc người được giao được gắn hồ sơ liên quan.")
            )

    def apply(row: Petition, move: Move, at: dt.datetime) -> dict:
        dossier = _dossier(code, _routed_units(row)) if code else None
        if code and dossier is None:
            raise ValidationError(dossier_not_here())
        row.dossier_id = dossier.pk if dossier is not None else None
        return {"dossier": dossier.code if dossier is not None else ""}

    return _run(
        petition_id,
        action="link_dossier",
        actor=actor,
        permit=permit,
        apply=apply,
        now=now,
        expected_version=expected_version,
    )


def close(
    petition_id: int,
    *,
    actor,
    reason: str,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Petition:
    """Close without publishing (not a matter for the administration, a duplicate, an answer
    that concerns the submitter alone); the reason is kept."""
    reason = " ".join((reason or "").split())
    if len(reason) < 5:
        raise ValidationError(_("Nhập lý do đóng phản ánh."))

    def permit(row: Petition, move: Move) -> None:
        if not is_manager(actor, row):
            raise PermissionDenied(_("Chỉ lãnh đạo, quản lý được đóng phản ánh."))

    def apply(row: Petition, move: Move, at: dt.datetime) -> None:
        row.closed_reason = reason[:300]
        row.finished_at = at

    return _run(
        petition_id,
        action="close",
        actor=actor,
        permit=permit,
        apply=apply,
        now=now,
        note=reason[:300],
        expected_version=expected_version,
    )


def transfer_targets(unit: Unit) -> list[Unit]:
    """Units a petition can be sent to: the other communes of the province and the province."""
    province = unit.province
    return list(Unit.objects.filter(parent_id=province.pk).exclude(pk=unit.pk).order_by("name")) + (
        [province] if province.pk != unit.pk else []
    )


def transfer(
    petition_id: int,
    *,
    actor,
    to_unit: Unit | int,
    reason: str,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Petition:
    """Send the petition to the competent unit: this one ends as transferred, a new petition
    (a new code, the same content and files, the deadline counted anew in that unit's calendar
    and its category of the same code) is received there. The submitter's code leads to it."""
    reason = " ".join((reason or "").split())
    if len(reason) < 5:
        raise ValidationError(_("Nhập lý do chuyển."))
    to_unit_id: int = to_unit.pk if isinstance(to_unit, Unit) else int(to_unit)
    created: list[Petition] = []

    def permit(row: Petition, move: Move) -> None:
        if not is_manager(actor, row):
            raise PermissionDenied(_("Chỉ lãnh đạo, quản lý được chuyển phản ánh."))
        if to_unit_id not in {u.pk for u in transfer_targets(row.unit)}:
            raise ValidationError(_("Đơn vị nhận không hợp lệ."))

    def apply(row: Petition, move: Move, at: dt.datetime) -> dict:
        row.finished_at = at
        return {"to_unit": to_unit_id}

    def receive_there(outcome) -> None:
        row: Petition = outcome.obj
        target = Unit.objects.get(pk=to_unit_id)
        category = (
            Category.objects.filter(unit=target, code=row.category.code, is_active=True).first()
            if row.category is not None
            else None
        )
        days = category.days if category else Decimal(settings.MOTCUA_PETITION_DAYS)
        at = outcome.at
        new = _insert(
            unit=target,
            now=at,
            days=days,
            due=calendar.add_working_days(at, days, target),
            category=category,
            department=category.department if category else None,
            subject=row.subject,
            content=row.content,
            village=None,
            place=" ".join(x for x in (str(row.village or ""), row.place) if x)[:300],
            latitude=row.latitude,
            longitude=row.longitude,
            anonymous=row.anonymous,
            name=row.name,
            phone=row.phone,
            email=row.email,
            submitted_by=row.submitted_by,
            dossier_id=row.dossier_id,
            transferred_from=row,
        )
        for old in row.attachments.all():
            Attachment.objects.create(
                petition=new,
                name=old.name,
                file=old.file.name,
                pages=old.pages,
                size=old.size,
                sha256=old.sha256,
            )
        PETITIONS.created(
            new,
            action="receive",
            actor=actor,
            at=at,
            note=reason[:300],
            data={"transferred_from": row.code},
            changes={"transferred_from": row.code, "due_at": new.due_at.isoformat()},
        )
        created.append(new)

    return _run(
        petition_id,
        action="transfer",
        actor=actor,
        permit=permit,
        apply=apply,
        now=now,
        note=reason[:300],
        expected_version=expected_version,
        in_transaction=[receive_there],
    )


def flag_overdue(*, now: dt.datetime | None = None) -> int:
    """The periodic job: every open petition past its deadline is flagged once (an event and an
    audit row each). Returns how many were flagged."""
    now = _now(now)
    ids = list(
        Petition.objects.filter(
            status__in=[S.RECEIVED, S.ASSIGNED], overdue=False, due_at__lt=now
        ).values_list("pk", flat=True)
    )
    flagged = 0
    for pk in ids:

        def guard(row: Petition) -> object:
            return NOOP if row.overdue or row.due_at >= now else None

        def apply(row: Petition, move: Move, at: dt.datetime) -> None:
            row.overdue = True

        outcome = PETITIONS.run(
            pk, action="flag_overdue", at=now, guard=guard, apply=apply, audit_fields=("overdue",)
        )
        flagged += outcome.move is not None
    return flagged


# --- the submitter -----------------------------------------------------------------------------


def current(code: str) -> Petition | None:
    """The petition a code leads to now: after a transfer, the one in the competent unit."""
    code = normalise_code(code)
    petition = Petition.objects.filter(code=code).select_related("unit").first() if code else None
    for _hop in range(5):
        if petition is None:
            return None
        nxt = Petition.objects.filter(transferred_from=petition).select_related("unit").first()
        if nxt is None:
            return petition
        petition = nxt
    return petition


def rate(code: str, *, level: str, now: dt.datetime | None = None) -> Petition:
    """The submitter's rating of the published answer: once. A second rating, or one before the
    answer is published, changes nothing (ValidationError / IllegalTransition)."""
    if level not in Petition.Rating.values:
        raise ValidationError(_("Chọn Hài lòng hoặc Không hài lòng."))
    petition = current(code)
    if petition is None:
        raise Http404

    def guard(row: Petition) -> None:
        if row.rating:
            raise ValidationError(_("Bạn đã đánh giá trả lời này."))

    def apply(row: Petition, move: Move, at: dt.datetime) -> dict:
        row.rating = level
        row.rated_at = at
        return {"rating": level}

    return PETITIONS.run(
        petition.pk, action="rate", at=_now(now), guard=guard, apply=apply, audit_fields=("rating",)
    ).obj


# --- set-up --------------------------------------------------------------------------------------

# A starting routing table by the kind of department (an administrator edits it in the admin).
DEFAULT_CATEGORIES = [
    ("thu-tuc-hanh-chinh", "Thủ tục hành chính, thái độ phục vụ", Department.Kind.OFFICE, 10),
    ("dat-dai-xay-dung", "Đất đai, xây dựng", Department.Kind.ECONOMY, 15),
    ("giao-thong", "Giao thông, chiếu sáng, hạ tầng", Department.Kind.ECONOMY, 10),
    ("moi-truong", "Môi trường, vệ sinh", Department.Kind.ECONOMY, 10),
    ("van-hoa-xa-hoi", "Văn hóa, xã hội, giáo dục, y tế", Department.Kind.CULTURE_SOCIETY, 10),
    ("khac", "Khác", Department.Kind.OFFICE, 10),
]


def ensure_categories(*, unit: Unit, actor=None) -> int:
    """Give a unit the starting categories its departments can handle (missing ones only);
    returns how many were created. One audit row."""
    departments = {d.kind: d for d in Department.objects.filter(unit=unit).order_by("id")}
    created = []
    with transaction.atomic():
        for position, (code, name, kind, days) in enumerate(DEFAULT_CATEGORIES):
            department = departments.get(kind)
            if department is None:
                continue
            _row, new = Category.objects.get_or_create(
                unit=unit,
                code=code,
                defaults={
                    "name": name,
                    "department": department,
                    "days": Decimal(days),
                    "position": position,
                },
            )
            if new:
                created.append(code)
        if created:
            audit.record(
                action="petition.categories_created",
                object_type="petitions.category",
                object_id=unit.pk,
                unit=unit,
                actor=actor,
                changes={"codes": created},
            )
    return len(created)
