"""Is this PDF a genuine, unaltered, e-signed document, and did we issue it?

Every outcome is an answer, never an exception: the public verification page must say
"invalid" for a damaged or forged file, not fail. A signature is judged by pyHanko's
`bottom_line` (intact + valid + trusted + no disallowed change after signing), not `valid` alone.
"""

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import datetime
from io import BytesIO

from django.utils.translation import gettext as _
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel

from . import pki
from .models import DocumentSignature, SignedDocument

log = logging.getLogger(__name__)


@dataclass
class SignatureCheck:
    """One signature's verdict, in the order the signatures were made."""

    position: int
    field_name: str = ""
    signer: str = ""
    subject: str = ""
    serial: str = ""
    signed_at: datetime | None = None
    ok: bool = False  # pyHanko's bottom_line
    intact: bool = False
    trusted: bool = False
    covers_whole: bool = False  # this signature covers the whole file as it is
    kind: str = ""  # DocumentSignature.Kind, "" when it cannot be told


@dataclass
class VerificationResult:
    valid: bool = False
    intact: bool = False
    trusted: bool = False
    signer: str = ""
    signed_at: datetime | None = None
    document: SignedDocument | None = None
    problems: list[str] = field(default_factory=list)
    signature_count: int = 0
    signatures: list[SignatureCheck] = field(default_factory=list)

    @property
    def issued_here(self) -> bool:
        return self.document is not None


def _common_name(cert) -> str:
    try:
        return cert.subject.native.get("common_name") or cert.subject.human_friendly
    except Exception:  # noqa: BLE001  an uploaded PDF's certificate: unparsable means no name
        return ""


def _kind(cert, document: SignedDocument | None, serial: str) -> str:
    """Person or organisation: as recorded when we signed it, else from the certificate's UID
    (Vietnamese providers write "CCCD:"/"CMND:" for a person, "MST:" for an organisation)."""
    if document is not None:
        for row in document.signatures.all():
            if row.certificate_serial == serial:
                return row.kind
    try:
        uid = str(cert.subject.native.get("user_id") or "")
    except Exception:  # noqa: BLE001
        return ""
    if not uid:
        return ""
    if uid.upper().startswith("MST"):
        return DocumentSignature.Kind.ORGANIZATION
    return DocumentSignature.Kind.PERSON


def _find_document(sha256: str) -> SignedDocument | None:
    return (
        SignedDocument.objects.select_related("unit")
        .prefetch_related("signatures")
        .filter(sha256=sha256)
        .first()
    )


def verify_pdf(pdf_bytes: bytes) -> VerificationResult:
    """Check every signature in `pdf_bytes` and look the exact file up among issued documents."""
    result = VerificationResult()
    digest = hashlib.sha256(pdf_bytes).hexdigest()
    result.document = _find_document(digest)
    if not pdf_bytes.startswith(b"%PDF-"):
        result.problems.append(_("Tệp không phải là văn bản PDF."))
        return result
    try:
        reader = PdfFileReader(BytesIO(pdf_bytes), strict=False)
        signatures = list(reader.embedded_signatures)
    except Exception:
        log.info("unreadable PDF uploaded for verification", exc_info=True)
        result.problems.append(_("Không đọc được tệp PDF: tệp bị hỏng hoặc không đầy đủ."))
        return result
    result.signature_count = len(signatures)
    if not signatures:
        result.problems.append(_("Văn bản không có chữ ký số."))
        return result
    try:
        context = pki.validation_context()
    except pki.PKIError:
        log.exception("trust roots unavailable")
        result.problems.append(_("Hệ thống chưa cấu hình chứng thư gốc để kiểm tra chữ ký."))
        return result

    all_ok, all_intact, all_valid, all_trusted = True, True, True, True
    for position, sig in enumerate(signatures, start=1):
        check = SignatureCheck(position=position, field_name=str(sig.field_name or ""))
        result.signatures.append(check)
        try:
            status = pki.run_outside_event_loop(
                validate_pdf_signature, sig, signer_validation_context=context
            )
        except Exception:  # a damaged signature raises instead of answering
            log.info("signature could not be validated", exc_info=True)
            result.problems.append(
                _("Chữ ký số bị hỏng hoặc văn bản đã bị sửa nên không kiểm tra được.")
            )
            all_ok = all_intact = all_valid = all_trusted = False
            continue
        all_ok &= bool(status.bottom_line)
        all_intact &= bool(status.intact)
        all_valid &= bool(status.valid)
        all_trusted &= bool(status.trusted)
        if not status.intact:
            result.problems.append(_("Nội dung văn bản đã bị thay đổi sau khi ký."))
        elif not status.valid:
            result.problems.append(_("Chữ ký số không hợp lệ."))
        if status.intact and status.valid and not status.trusted:
            result.problems.append(
                _("Chứng thư số của người ký không do tổ chức được hệ thống tin cậy cấp.")
            )
        if (
            status.intact
            and status.valid
            and not (status.docmdp_ok or status.modification_level is None)
        ):
            result.problems.append(_("Văn bản đã bị thêm hoặc sửa nội dung sau khi ký."))
        check.ok = bool(status.bottom_line)
        check.intact, check.trusted = bool(status.intact), bool(status.trusted)
        check.covers_whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
        check.signed_at = status.signer_reported_dt
        if status.signing_cert is not None:
            result.signer = check.signer = _common_name(status.signing_cert)
            check.serial = format(status.signing_cert.serial_number, "x")
            try:
                check.subject = status.signing_cert.subject.human_friendly
            except Exception:  # noqa: BLE001
                check.subject = ""
            check.kind = _kind(status.signing_cert, result.document, check.serial)
        result.signed_at = status.signer_reported_dt or result.signed_at
    result.intact, result.valid, result.trusted = all_intact, all_ok and all_valid, all_trusted
    if result.valid and not result.problems:
        return result
    result.valid = False
    if not result.problems:
        result.problems.append(_("Chữ ký số không hợp lệ."))
    return result
