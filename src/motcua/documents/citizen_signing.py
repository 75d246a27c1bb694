"""A citizen signs their own declaration (PAdES B-B, SHA-256) with their own certificate: through a
remote signing service (`remote_signing`) or a certificate file they upload (PKCS#12, here).

The certificate file and its password are used in memory only: never stored, never logged.
Every refusal is a `CitizenSigningError` whose `reason` is a Vietnamese sentence for the citizen.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass
from io import BytesIO

from asn1crypto import pkcs12 as asn1_pkcs12
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives.serialization import pkcs12
from django.utils import timezone
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers
from pyhanko.stamp import TextStampStyle

from . import pdfs, pki, signing

FIELD_NAME = "ChuKyCongDan"
REASON = "Công dân ký tờ khai"
STAMP_TEXT = "Người khai ký số: %(signer)s\nThời gian: %(local_ts)s"
STAMP_BOX = (300, 24, 571, 60)  # bottom right of the last page
MAX_P12_BYTES = 100 * 1024


class CitizenSigningError(Exception):
    """`reason`: what the citizen reads; `code`: a short word for the log."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(code)
        self.code, self.reason = code, reason


@dataclass(frozen=True)
class SignedByCitizen:
    content: bytes
    signer_name: str  # the certificate's common name
    certificate_serial: str
    certificate_issuer: str
    signed_at: dt.datetime


def common_name(cert: asn1_x509.Certificate) -> str:
    return cert.subject.native.get("common_name") or cert.subject.human_friendly


def check_validity(cert: asn1_x509.Certificate) -> None:
    """Refuse a certificate outside its validity at the app's clock."""
    validity = cert["tbs_certificate"]["validity"]
    now = timezone.now()
    if validity["not_after"].native < now:
        raise CitizenSigningError(
            "expired", _("Chứng thư số đã hết hạn. Vui lòng dùng chứng thư số còn hiệu lực.")
        )
    if validity["not_before"].native > now:
        raise CitizenSigningError("not_yet_valid", _("Chứng thư số chưa đến ngày có hiệu lực."))


def _style() -> TextStampStyle:
    return TextStampStyle(
        stamp_text=STAMP_TEXT,
        text_box_style=TextBoxStyle(
            font=GlyphAccumulatorFactory(str(signing.stamp_font_path()), font_size=8),
            leading=11,
        ),
        border_width=1,
        background=None,
    )


def _writer(pdf_bytes: bytes) -> IncrementalPdfFileWriter:
    try:
        pdfs.check_pdf(pdf_bytes)
        return IncrementalPdfFileWriter(BytesIO(pdf_bytes), strict=False)
    except Exception as exc:
        raise CitizenSigningError("bad_pdf", _("Tờ khai không đọc được để ký.")) from exc


async def async_sign(pdf_bytes: bytes, signer: signers.Signer) -> SignedByCitizen:
    """Sign `pdf_bytes` with `signer` (any pyHanko signer: remote or from a file), a visible
    stamp with the certificate's name and the local time at the bottom of the last page."""
    cert = signer.signing_cert
    assert cert is not None
    check_validity(cert)
    name = common_name(cert)
    writer = _writer(pdf_bytes)
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=REASON,
        name=name,
    )
    pdf_signer = signers.PdfSigner(
        meta,
        signer=signer,
        stamp_style=_style(),
        new_field_spec=fields.SigFieldSpec(sig_field_name=FIELD_NAME, on_page=-1, box=STAMP_BOX),
    )
    now = timezone.now()
    out = BytesIO()
    await pdf_signer.async_sign_pdf(
        writer,
        output=out,
        appearance_text_params={
            "signer": name,
            "local_ts": now.astimezone(signing.LOCAL_TZ).strftime("%H:%M %d/%m/%Y (GMT+7)"),
        },
    )
    return SignedByCitizen(
        content=out.getvalue(),
        signer_name=name[:150],
        certificate_serial=format(cert.serial_number, "x"),
        certificate_issuer=cert.issuer.human_friendly[:300],
        signed_at=now,
    )


def signer_from_pkcs12(data: bytes, password: str) -> signers.SimpleSigner:
    """A pyHanko signer from an uploaded .p12/.pfx, refused in Vietnamese when it is not one,
    the password does not open it, or it holds no key and certificate."""
    if not data or len(data) > MAX_P12_BYTES:
        raise CitizenSigningError(
            "not_pkcs12", _("Tệp không phải là tệp chứng thư số (.p12, .pfx) hợp lệ.")
        )
    try:
        asn1_pkcs12.Pfx.load(data).native  # noqa: B018  parse it all: is it PKCS#12 at all?
    except Exception as exc:
        raise CitizenSigningError(
            "not_pkcs12", _("Tệp không phải là tệp chứng thư số (.p12, .pfx) hợp lệ.")
        ) from exc
    try:
        key, cert, _others = pkcs12.load_key_and_certificates(
            data, password.encode() if password else None
        )
    except ValueError as exc:
        raise CitizenSigningError(
            "wrong_password", _("Mật khẩu không mở được tệp chứng thư số. Vui lòng nhập lại.")
        ) from exc
    if key is None or cert is None:
        raise CitizenSigningError(
            "no_key", _("Tệp chứng thư số không chứa khóa ký và chứng thư của người ký.")
        )
    signer = signers.SimpleSigner.load_pkcs12_data(
        data, other_certs=[], passphrase=password.encode() if password else None
    )
    if signer is None or signer.signing_cert is None:
        raise CitizenSigningError(
            "no_key", _("Tệp chứng thư số không chứa khóa ký và chứng thư của người ký.")
        )
    return signer


def sign_with_signer(pdf_bytes: bytes, signer: signers.Signer) -> SignedByCitizen:
    """`async_sign` from synchronous code (a view, a service)."""

    def run():
        return asyncio.run(async_sign(pdf_bytes, signer))

    return pki.run_outside_event_loop(run)


def sign_with_pkcs12(pdf_bytes: bytes, *, data: bytes, password: str) -> SignedByCitizen:
    """The fallback: sign with the citizen's own certificate file, in memory."""
    signer = signer_from_pkcs12(data, password)
    check_validity(signer.signing_cert)  # before any PDF work
    return sign_with_signer(pdf_bytes, signer)
