"""Citizens' sign-in and sign-out, and the identity level a procedure may require.

The audit events name the account (an opaque username) and the identity level, never the
citizen ID or the name: the identity row holds those, behind the admin."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from motcua.core.audit import record
from motcua.documents import uploads
from motcua.dossiers import services as dossier_services
from motcua.dossiers import workflow
from motcua.dossiers.models import Dossier, DossierComponent, DossierDocument
from motcua.dossiers.papers import render as papers
from motcua.feedback import services as feedback
from motcua.feedback.models import Channel as RatingChannel

from . import selectors
from .claims import Claims
from .models import CitizenIdentity

if TYPE_CHECKING:
    from motcua.accounts.models import User
    from motcua.registry.interface import Person


class NotACitizen(Exception):
    """The account bound to this identity is not an active citizen account."""


class LevelTooLow(Exception):
    def __init__(self, required: int, held: int) -> None:
        super().__init__(f"identity level {held} < {required}")
        self.required = required
        self.held = held


def sign_in(*, issuer: str, claims: Claims) -> User:
    """The citizen account for (issuer, sub), created at the first sign-in, its identity
    refreshed from the claims; one audit event. A staff account is never returned.

    Two first sign-ins of one person at once (two tabs) both try to create the row; the one
    that loses the unique (issuer, sub) race finds the winner's row on its second try."""
    try:
        return _sign_in(issuer=issuer, claims=claims)
    except IntegrityError:
        return _sign_in(issuer=issuer, claims=claims)


def _sign_in(*, issuer: str, claims: Claims) -> User:
    user_model = get_user_model()
    now = timezone.now()
    with transaction.atomic():
        identity = (
            CitizenIdentity.objects.select_for_update()
            .select_related("user")
            .filter(issuer=issuer, subject=claims.subject)
            .first()
        )
        first = identity is None
        if identity is None:
            user = _new_account(claims.full_name)
            identity = CitizenIdentity(user=user, issuer=issuer, subject=claims.subject)
        user = identity.user
        if user.kind != user_model.Kind.CITIZEN or not user.is_active:
            raise NotACitizen
        if user.full_name != claims.full_name:
            user.full_name = claims.full_name
            user.save(update_fields=["full_name"])
        identity.citizen_id = claims.citizen_id
        identity.full_name = claims.full_name
        identity.date_of_birth = claims.date_of_birth
        identity.sex = claims.sex
        identity.address = claims.address
        identity.identity_level = claims.identity_level
        identity.last_signed_in_at = now
        identity.full_clean(exclude=["user"], validate_unique=False, validate_constraints=False)
        identity.save()
        record(
            action="citizen.sign_in",
            obj=user,
            actor=user,
            changes={"identity_level": claims.identity_level, "first_sign_in": first},
        )
    return user


def _new_account(full_name: str) -> User:
    """A citizen account: kind citizen, an opaque username, no usable password (it can never
    sign in with a password, and is never a staff account)."""
    user_model = get_user_model()
    user = user_model(
        username=f"congdan-{secrets.token_hex(8)}",
        kind=user_model.Kind.CITIZEN,
        full_name=full_name,
    )
    user.set_unusable_password()
    user.save()
    return user


def account_from_registry(person: Person, *, issuer: str, at: dt.datetime) -> User:
    """A citizen account made for `person` from the population registry's record, not from a
    sign-in (assisted filing at the counter, decisions/0032): its identity's `issuer` says who
    made it, its level is 1 (not VNeID's word), `last_signed_in_at` is `at` (nobody signed
    in). One per (issuer, citizen ID): a second call returns the first account."""
    try:
        with transaction.atomic():
            user = _new_account(person.full_name)
            CitizenIdentity.objects.create(
                user=user,
                issuer=issuer,
                subject=person.citizen_id,
                citizen_id=person.citizen_id,
                full_name=person.full_name,
                date_of_birth=person.date_of_birth,
                sex=person.sex if person.sex in CitizenIdentity.Sex.values else "",
                address=person.permanent_residence[:500],
                identity_level=CitizenIdentity.Level.ONE,
                last_signed_in_at=at,
            )
    except IntegrityError:  # the same person at two counters at once
        return CitizenIdentity.objects.get(issuer=issuer, subject=person.citizen_id).user
    record(
        action="citizens.account_from_registry",
        obj=user,
        actor=None,
        changes={"issuer": issuer, "identity_level": 1},
    )
    return user


def record_sign_out(*, user: User) -> None:
    with transaction.atomic():
        record(action="citizen.sign_out", obj=user, actor=user, changes={})


def identity_of(user) -> CitizenIdentity | None:
    if not getattr(user, "is_authenticated", False) or user.kind != user.Kind.CITIZEN:
        return None
    return CitizenIdentity.objects.filter(user=user).first()


def require_level(user, level: int) -> CitizenIdentity:
    """The citizen's identity if it has at least `level`; LevelTooLow otherwise (a citizen
    without an identity row holds none: level 0)."""
    identity = identity_of(user)
    held = identity.identity_level if identity is not None else 0
    if identity is None or held < level:
        raise LevelTooLow(level, held)
    return identity


# --- "Hồ sơ của tôi": what a citizen does to their own dossier ---------------------------------
#
# Each goes through the dossiers' (or feedback's) service with the citizen as the actor: the
# dossier's permit lets a citizen through only on the dossier whose applicant ID number is
# their own (`workflow.is_applicant`), and the dossier's own rules (its status, the version the
# page showed) refuse the rest. The checks here come first so nothing is written (a paper, a
# PDF) for a request that would be refused.

NOTE_MAX = 2000
REASON_MAX = 1000


class NotYours(Exception):
    """No dossier of this citizen has that id: the views answer 404 (as for a missing one)."""


def _mine(user, dossier_id: int) -> Dossier:
    dossier = selectors.my_dossiers(user).filter(pk=dossier_id).first()
    if dossier is None:
        raise NotYours
    return dossier


def _allowed_now(user, dossier: Dossier, action: str, expected_version: int | None) -> None:
    """The action is allowed now by the table and the permit, on the version the page showed
    (the same checks `transition` makes again under the row lock)."""
    workflow.check(action, dossier.status)
    workflow.require(user, action, dossier)
    if expected_version is not None and expected_version != dossier.version:
        raise workflow.IllegalTransition(
            workflow.stale_form_message(), action=action, status=dossier.status
        )


def supplement_component_name(dossier: Dossier) -> str:
    request = (
        dossier.supplements.filter(resubmitted_at__isnull=True).order_by("requested_at").last()
    )
    items = "; ".join(str(i) for i in (request.items if request else []))
    name = _("Giấy tờ bổ sung trực tuyến")
    return f"{name}: {items}" if items else name


def answer_supplement(
    user,
    *,
    dossier_id: int,
    files: list[uploads.Upload],
    note: str = "",
    expected_version: int | None = None,
    at: dt.datetime | None = None,
) -> Dossier:
    """The applicant answers a supplement request online: their photos or PDF become one PDF
    (`documents.uploads.paper_pdf`, refusals in Vietnamese), kept as a digitized component
    through the scan pipeline (a `Scan`, OCR in the worker: decisions/0037), and
    `dossiers.services.resubmit_supplement` resumes the deadline clock with the working days
    that were left. Raises NotYours, UploadRefused, ValidationError, PermissionDenied or
    IllegalTransition (answered already, or the page was stale)."""
    dossier = _mine(user, dossier_id)
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": _("Ghi chú dài quá %(n)s ký tự.") % {"n": NOTE_MAX}})
    _allowed_now(user, dossier, "resubmit_supplement", expected_version)
    paper = uploads.paper_pdf(files)  # slow (decoding photos): before any lock
    component = dossier_services.ComponentIn(
        name=supplement_component_name(dossier),
        form=_("Bản điện tử"),
        upload=(ContentFile(paper.pdf, name=f"bo-sung-{dossier.code}.pdf"),),
    )
    return dossier_services.resubmit_supplement(
        user,
        dossier_id=dossier.pk,
        components=[component],
        note=note,
        at=at,
        expected_version=dossier.version if expected_version is None else expected_version,
    )


def may_withdraw(user, dossier: Dossier) -> bool:
    """The rules let this citizen withdraw this dossier now (the button is offered)."""
    return "withdraw" in workflow.actions_for(user, dossier)


def _withdrawal_request_pdf(dossier: Dossier, identity: CitizenIdentity, reason: str, at) -> bytes:
    from motcua.dossiers.papers import from_dossier

    context = {
        "d": {"agency": from_dossier.agency(dossier.receiving_unit)},
        "dossier": dossier,
        "identity": identity,
        "reason": reason,
        "date_line": papers.date_line(from_dossier.locality(dossier.receiving_unit), at),
        "submitted": papers.official_datetime(dossier.submitted_at),
    }
    with translation.override("vi"):
        html = render_to_string("citizens/papers/withdrawal_request.html", context)
    return papers.html_to_pdf(html)


def withdraw(
    user,
    *,
    dossier_id: int,
    reason: str,
    confirmed: bool,
    expected_version: int | None = None,
    at: dt.datetime | None = None,
) -> Dossier:
    """Rút hồ sơ: the applicant's written request (Đơn rút hồ sơ, made from their reason and
    their identity) is attached and the dossier withdrawn, in one transaction, through
    `dossiers.services.withdraw` with the citizen as the actor."""
    dossier = _mine(user, dossier_id)
    reason = " ".join((reason or "").split())
    errors = {}
    if not reason:
        errors["reason"] = _("Vui lòng ghi lý do rút hồ sơ.")
    elif len(reason) > REASON_MAX:
        errors["reason"] = _("Lý do dài quá %(n)s ký tự.") % {"n": REASON_MAX}
    if not confirmed:
        errors["confirm"] = _("Vui lòng đánh dấu xác nhận bạn muốn rút hồ sơ.")
    if errors:
        raise ValidationError(errors)
    _allowed_now(user, dossier, "withdraw", expected_version)
    identity = selectors.identity(user)
    assert identity is not None  # _mine found the dossier through it
    at = at or timezone.now()
    pdf = _withdrawal_request_pdf(dossier, identity, reason, at)
    version = dossier.version if expected_version is None else expected_version
    with transaction.atomic():
        dossier_services.attach_document(
            user,
            dossier_id=dossier.pk,
            kind=DossierDocument.Kind.WITHDRAWAL_REQUEST,
            file=ContentFile(pdf, name=f"don-rut-ho-so-{dossier.code}.pdf"),
            note=_("Công dân đề nghị rút hồ sơ trực tuyến"),
            at=at,
            citizen_may=True,
            expected_version=version,
        )
        return dossier_services.withdraw(
            user, dossier_id=dossier.pk, reason=reason, at=at, expected_version=version
        )


def may_rate(dossier: Dossier) -> bool:
    return dossier.status in feedback.RATEABLE_DOSSIER_STATUSES


def rate(
    user, *, dossier_id: int, level: str, reason: str = "", comment: str = ""
) -> feedback.Rated:
    """The applicant rates their dossier once (`feedback.services.rate_dossier`, channel
    online; a second answer gets the first rating back and changes nothing)."""
    dossier = _mine(user, dossier_id)
    if dossier.status not in feedback.RATEABLE_DOSSIER_STATUSES:
        raise ValidationError(
            _("Chỉ đánh giá được hồ sơ đã trả kết quả hoặc đã từ chối tiếp nhận."),
            code="not_finished",
        )
    return feedback.rate_dossier(
        dossier=dossier,
        level=level,
        reason=reason,
        comment=comment,
        channel=RatingChannel.ONLINE,
        officer=feedback.handed_over_by(dossier),  # counted for whoever returned the result
        rated_by=user,
    )


def record_download(
    user, *, dossier: Dossier, document: DossierDocument | DossierComponent
) -> None:
    """A citizen opened their signed result, a paper, or a component they filed: one audit
    event (what, not who else)."""
    kind = getattr(document, "kind", "component")
    with transaction.atomic():
        record(
            action="citizen.download",
            obj=dossier,
            actor=user,
            unit=dossier.competent_unit_id,
            changes={"document": document.pk, "kind": kind},
        )
