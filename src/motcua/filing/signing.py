"""The citizen signs their own declaration before submitting (decisions/0038).

"Ký tờ khai" on the review page: the declaration is rendered from the draft's answers exactly as
submission renders it, signed with the citizen's certificate (through the remote signing
service, `documents.remote_signing`, with their PIN/OTP; or with a certificate file and its
password, `documents.citizen_signing`, used in memory only), and kept as the draft's
`DeclarationSignature` together with the digest of what was signed. `submit` files that signed
PDF as the declaration while the answers still match.

Only the citizen who owns the draft may sign it: another citizen's draft is `Draft.DoesNotExist`
(a 404), a staff member (even one helping in an assist session) is refused with
PermissionDenied: a signature is the citizen's own act. Signing is slow (a network round trip
or pyHanko's work) so it runs with no lock held; the draft is then locked, checked again
(still open, answers unchanged) and the signature kept with its audit event. The audit names
the method and the certificate's serial, never the PIN, the password or the citizen's name.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.core import audit, ratelimit
from motcua.core.files import StoredFileMissing, read_stored
from motcua.documents import citizen_signing, remote_signing
from motcua.documents import services as documents
from motcua.documents.citizen_signing import CitizenSigningError, SignedByCitizen
from motcua.documents.verification import VerificationResult, verify_pdf
from motcua.dossiers.models import Dossier, DossierComponent, Status
from motcua.eforms import engine, pdf

from . import services
from .models import DeclarationSignature, Draft

log = logging.getLogger(__name__)
# signing attempts per citizen per window, failures only (a success gives its place back): a
# PIN/OTP cannot be guessed through motcua faster than the service's own lockout would allow
ATTEMPTS, ATTEMPTS_WINDOW = 5, 15 * 60


def answers_digest(draft: Draft) -> str:
    """What the signature covers: the declaration version, the receiving unit, the answers."""
    answers = engine.clean(draft.schema.definition, services.answers_of(draft))
    text = json.dumps(
        [draft.schema_id, draft.receiving_unit_id, answers],
        sort_keys=True,
        default=str,
        ensure_ascii=False,
    )
    return hashlib.sha256(text.encode()).hexdigest()


def declaration_pdf(draft: Draft, *, day: dt.date) -> bytes:
    """The tờ khai as `services.submit` prints it, dated `day`."""
    unit = draft.receiving_unit
    answers = engine.clean(draft.schema.definition, services.answers_of(draft))
    return pdf.render(
        draft.schema,
        answers,
        addressee=f"Ủy ban nhân dân {unit.name}",
        place=unit.name,
        signed_on=day,
    )


def current(draft: Draft) -> DeclarationSignature | None:
    """The draft's signature if it still covers the answers, else None."""
    signature = DeclarationSignature.objects.filter(draft=draft).first()
    if signature is None or signature.answers_digest != answers_digest(draft):
        return None
    return signature


@dataclass(frozen=True)
class SignatureStatus:
    signature: DeclarationSignature | None
    stale: bool  # signed, then the answers changed
    check: VerificationResult | None


def status_of(draft: Draft) -> SignatureStatus:
    """For the review page: signed or not, still current, and pyHanko's verdict on the file."""
    signature = DeclarationSignature.objects.filter(draft=draft).first()
    if signature is None:
        return SignatureStatus(None, False, None)
    if signature.answers_digest != answers_digest(draft):
        return SignatureStatus(signature, True, None)
    try:
        with signature.file.open("rb") as fh:
            data = fh.read()
    except OSError:
        return SignatureStatus(signature, False, VerificationResult(problems=[_("Mất tệp.")]))
    return SignatureStatus(signature, False, verify_pdf(data))


def signed_bytes(draft: Draft) -> bytes | None:
    """The signed declaration to file at submission, if it still covers the answers."""
    signature = current(draft)
    if signature is None:
        return None
    with signature.file.open("rb") as fh:
        return fh.read()


def _own_open_draft(draft_id: int, citizen, now: dt.datetime, *, lock: bool = False) -> Draft:
    if getattr(citizen, "is_staff_member", False):
        raise PermissionDenied("only the citizen signs their own declaration")
    drafts = Draft.objects.select_related("schema", "receiving_unit")
    if lock:
        drafts = drafts.select_for_update()
    draft = drafts.get(pk=draft_id, citizen=citizen)
    if draft.status != Draft.Status.OPEN or services.is_expired(draft, now):
        raise services.DraftClosed(draft)
    return draft


def _normalised(name: str) -> str:
    decomposed = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.casefold().split())


def _sign(
    *,
    citizen,
    draft_id: int,
    method: str,
    sign: Callable[[bytes, str], SignedByCitizen],
    now: dt.datetime | None,
) -> DeclarationSignature:
    now = now or timezone.now()
    draft = _own_open_draft(draft_id, citizen, now)
    identity = services._identity(citizen)
    found = services.problems(draft)
    found.pop("delivery", None)  # how the result is delivered is not on the declaration
    found.pop("case", None)
    if found:
        raise CitizenSigningError(
            "incomplete", _("Tờ khai còn thiếu thông tin. Vui lòng khai đủ trước khi ký.")
        )
    digest = answers_digest(draft)
    attempt = ratelimit.reserve(
        "filing.sign_declaration", str(citizen.pk), limit=ATTEMPTS, window=ATTEMPTS_WINDOW
    )
    if not attempt:
        raise CitizenSigningError(
            "too_many",
            _("Bạn đã thử ký nhiều lần chưa được. Vui lòng thử lại sau %(minutes)d phút.")
            % {"minutes": max(1, -(-attempt.retry_after // 60))},
        )
    signed = sign(declaration_pdf(draft, day=timezone.localdate(now)), identity.citizen_id)
    attempt.release()  # signed: only the refusals count
    with documents.atomic_with_files():
        draft = _own_open_draft(draft_id, citizen, now, lock=True)
        if answers_digest(draft) != digest:
            raise CitizenSigningError(
                "changed", _("Tờ khai vừa được sửa trong lúc ký. Vui lòng ký lại.")
            )
        old = DeclarationSignature.objects.filter(draft=draft).first()
        if old is not None:
            old.file.delete(save=False)
            old.delete()
        row = DeclarationSignature(
            draft=draft,
            sha256=hashlib.sha256(signed.content).hexdigest(),
            answers_digest=digest,
            method=method,
            signer_name=signed.signer_name,
            certificate_serial=signed.certificate_serial,
            certificate_issuer=signed.certificate_issuer,
            signed_at=signed.signed_at,
        )
        row.file.save(f"to-khai-ky-so-{draft.pk}.pdf", ContentFile(signed.content), save=False)
        documents.track_file(row.file)
        row.save()
        draft.updated_at, draft.expires_at = now, services._expiry(now)
        draft.save(update_fields=["updated_at", "expires_at"])
        audit.record(
            action="filing.sign_declaration",
            obj=draft,
            actor=citizen,
            unit=draft.receiving_unit_id,
            changes={"method": method, "certificate_serial": row.certificate_serial},
        )
    return row


def sign_remotely(
    *, citizen, draft_id: int, pin: str, now: dt.datetime | None = None
) -> DeclarationSignature:
    """Sign through the remote signing service with the PIN/OTP the citizen typed
    (`CitizenSigningError` with a Vietnamese `reason` when refused or unreachable)."""
    pin = (pin or "").strip()
    if not pin:
        raise CitizenSigningError("no_pin", _("Vui lòng nhập mã PIN/OTP của chứng thư số."))
    if len(pin) > 64:  # no service's PIN or OTP is longer: not worth a round trip
        raise CitizenSigningError("wrong_pin", _("Mã PIN/OTP không đúng. Vui lòng nhập lại."))

    def sign(data: bytes, citizen_id: str) -> SignedByCitizen:
        try:
            return remote_signing.get_remote_signer().sign_pdf(data, user_id=citizen_id, pin=pin)
        except CitizenSigningError as exc:
            log.info("remote signing of a declaration refused: %s", exc.code)
            raise

    return _sign(
        citizen=citizen,
        draft_id=draft_id,
        method=DeclarationSignature.Method.REMOTE,
        sign=sign,
        now=now,
    )


def _file_signer(citizen, data: bytes, password: str):
    """The signing step of a certificate file (.p12/.pfx) opened in memory: refused before any
    work when the file, its password or its validity is wrong, or it bears another name."""
    signer = citizen_signing.signer_from_pkcs12(data, password)
    citizen_signing.check_validity(signer.signing_cert)
    identity = services.citizens.identity_of(citizen)
    on_certificate = citizen_signing.common_name(signer.signing_cert)
    if identity is not None and _normalised(on_certificate) != _normalised(identity.full_name):
        raise CitizenSigningError(
            "not_yours",
            _("Chứng thư số này không mang tên của bạn (%(name)s).") % {"name": identity.full_name},
        )

    def sign(pdf_bytes: bytes, citizen_id: str) -> SignedByCitizen:
        return citizen_signing.sign_with_signer(pdf_bytes, signer)

    return sign


def sign_with_file(
    *, citizen, draft_id: int, data: bytes, password: str, now: dt.datetime | None = None
) -> DeclarationSignature:
    """Sign with the citizen's certificate file (.p12/.pfx) and its password, in memory only:
    neither is stored nor logged. The certificate must bear the citizen's name."""
    sign = _file_signer(citizen, data, password)
    return _sign(
        citizen=citizen,
        draft_id=draft_id,
        method=DeclarationSignature.Method.FILE,
        sign=sign,
        now=now,
    )


# --- after submission: the citizen signs the declaration they filed (decisions/0040) ----------

# While the dossier is still with reception ("Mới đăng ký", not yet accepted) or waits for the
# citizen's supplement: the papers are the citizen's to complete. Once accepted and examined,
# what the officers work on is not changed under them.
SIGNABLE_STATUSES = (Status.SUBMITTED, Status.AWAITING_SUPPLEMENT)


class FiledSigning:
    """Whether the citizen may sign their filed declaration now, and why not."""

    SIGNABLE = "signable"
    SIGNED = "signed"  # signed already (before submitting, or here)
    CLOSED = "closed"  # the dossier moved past reception / supplement
    NONE = "none"  # no declaration the system printed (not filed online by this citizen)


def _filed_draft(citizen, code: str) -> Draft:
    """The submitted draft that became this citizen's dossier `code` (Draft.DoesNotExist for
    another citizen's dossier, one filed at the counter, or an unknown code: the page is 404);
    a staff member is refused: the signature is the citizen's own act."""
    if getattr(citizen, "is_staff_member", False):
        raise PermissionDenied("only the citizen signs their own declaration")
    return Draft.objects.select_related("dossier", "schema", "receiving_unit").get(
        dossier__code=code, citizen=citizen, status=Draft.Status.SUBMITTED
    )


def declaration_component(draft: Draft) -> DossierComponent | None:
    """The component `submit` filed the declaration as (its file `to-khai-<draft>.pdf`)."""
    stems = (f"to-khai-{draft.pk}", f"to-khai-ky-so-{draft.pk}")
    for component in draft.dossier.components.order_by("id"):
        base = component.file.name.rsplit("/", 1)[-1] if component.file else ""
        stem = base.rsplit(".", 1)[0]
        if any(stem == s or stem.startswith(s + "_") for s in stems):
            return component
    return None


def filed_state(draft: Draft) -> str:
    component = declaration_component(draft)
    if component is None:
        return FiledSigning.NONE
    if current(draft) is not None:
        return FiledSigning.SIGNED
    if draft.dossier.status not in SIGNABLE_STATUSES:
        return FiledSigning.CLOSED
    return FiledSigning.SIGNABLE


def filed_state_for(citizen, code: str) -> str:
    """For the dossier page: what "Ký tờ khai" would do for this citizen and dossier."""
    try:
        return filed_state(_filed_draft(citizen, code))
    except (Draft.DoesNotExist, PermissionDenied):
        return FiledSigning.NONE


def _refuse_unless_signable(draft: Draft) -> DossierComponent:
    state = filed_state(draft)
    if state == FiledSigning.SIGNED:
        raise CitizenSigningError("already", _("Tờ khai của hồ sơ này đã được ký số."))
    if state == FiledSigning.CLOSED:
        raise CitizenSigningError(
            "closed",
            _(
                "Hồ sơ đã được tiếp nhận và đang giải quyết: chỉ ký tờ khai được khi hồ sơ "
                "chờ tiếp nhận hoặc chờ bạn bổ sung."
            ),
        )
    component = declaration_component(draft)
    if component is None:
        raise CitizenSigningError("none", _("Hồ sơ này không có tờ khai điện tử để ký."))
    return component


def _sign_filed(
    *,
    citizen,
    code: str,
    method: str,
    sign: Callable[[bytes, str], SignedByCitizen],
    now: dt.datetime | None,
) -> DeclarationSignature:
    now = now or timezone.now()
    draft = _filed_draft(citizen, code)
    component = _refuse_unless_signable(draft)
    identity = services._identity(citizen)
    try:
        filed = read_stored(component.file)
    except StoredFileMissing as exc:
        raise CitizenSigningError("none", _("Không tìm thấy tệp tờ khai đã nộp.")) from exc
    attempt = ratelimit.reserve(
        "filing.sign_declaration", str(citizen.pk), limit=ATTEMPTS, window=ATTEMPTS_WINDOW
    )
    if not attempt:
        raise CitizenSigningError(
            "too_many",
            _("Bạn đã thử ký nhiều lần chưa được. Vui lòng thử lại sau %(minutes)d phút.")
            % {"minutes": max(1, -(-attempt.retry_after // 60))},
        )
    signed = sign(filed, identity.citizen_id)  # slow: no lock held
    attempt.release()
    with documents.atomic_with_files():
        dossier = Dossier.objects.select_for_update().get(pk=draft.dossier_id)
        draft = _filed_draft(citizen, code)
        locked = _refuse_unless_signable(draft)
        if locked.pk != component.pk or read_stored(locked.file) != filed:
            raise CitizenSigningError(
                "changed", _("Tờ khai của hồ sơ vừa thay đổi trong lúc ký. Vui lòng ký lại.")
            )
        old = DeclarationSignature.objects.filter(draft=draft).first()
        if old is not None:  # a stale one from before submitting (the answers changed since)
            old.file.delete(save=False)
            old.delete()
        row = DeclarationSignature(
            draft=draft,
            sha256=hashlib.sha256(signed.content).hexdigest(),
            answers_digest=answers_digest(draft),
            method=method,
            signer_name=signed.signer_name,
            certificate_serial=signed.certificate_serial,
            certificate_issuer=signed.certificate_issuer,
            signed_at=signed.signed_at,
        )
        row.file.save(f"to-khai-ky-so-{draft.pk}.pdf", ContentFile(signed.content), save=False)
        documents.track_file(row.file)
        row.save()
        unsigned = locked.file.name
        locked.file.save(f"to-khai-ky-so-{draft.pk}.pdf", ContentFile(signed.content), save=False)
        documents.track_file(locked.file)
        locked.save(update_fields=["file"])
        storage = locked.file.storage
        transaction.on_commit(lambda: storage.delete(unsigned))  # the component's old file
        audit.record(
            action="dossier.declaration_signed",
            obj=dossier,
            actor=citizen,
            unit=dossier.receiving_unit_id,
            changes={
                "method": method,
                "certificate_serial": row.certificate_serial,
                "component": locked.pk,
                "status": dossier.status,
            },
        )
    return row


def sign_filed_remotely(
    *, citizen, code: str, pin: str, now: dt.datetime | None = None
) -> DeclarationSignature:
    """The filed declaration of dossier `code` signed through the remote signing service."""
    pin = (pin or "").strip()
    if not pin:
        raise CitizenSigningError("no_pin", _("Vui lòng nhập mã PIN/OTP của chứng thư số."))
    if len(pin) > 64:
        raise CitizenSigningError("wrong_pin", _("Mã PIN/OTP không đúng. Vui lòng nhập lại."))

    def sign(data: bytes, citizen_id: str) -> SignedByCitizen:
        return remote_signing.get_remote_signer().sign_pdf(data, user_id=citizen_id, pin=pin)

    return _sign_filed(
        citizen=citizen,
        code=code,
        method=DeclarationSignature.Method.REMOTE,
        sign=sign,
        now=now,
    )


def sign_filed_with_file(
    *, citizen, code: str, data: bytes, password: str, now: dt.datetime | None = None
) -> DeclarationSignature:
    """The filed declaration signed with the citizen's certificate file, in memory only."""
    _filed_draft(citizen, code)  # another citizen's dossier: 404 before the file is opened
    sign = _file_signer(citizen, data, password)
    return _sign_filed(
        citizen=citizen,
        code=code,
        method=DeclarationSignature.Method.FILE,
        sign=sign,
        now=now,
    )
