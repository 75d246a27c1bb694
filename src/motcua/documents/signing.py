"""PAdES signing of a result document with a visible stamp and a verification QR code.

The stamp text is Vietnamese, so it is set in DejaVu Sans through pyHanko's OpenType engine:
the PDF standard fonts pyHanko uses by default have no glyphs for "ý", "ờ" and the like.
"""

import logging
import os
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

import segno
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from fontTools.ttLib import TTFont
from fontTools.ttLib.scaleUpem import scale_upem
from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.pdf_utils.writer import init_xobject_dictionary
from pyhanko.sign import fields, signers
from pyhanko.stamp import TextStampStyle
from pyhanko.stamp.qr import QRStamp, QRStampStyle

from . import pdfs, pki

DEFAULT_REASON = "Ký số kết quả giải quyết TTHC"
FIELD_NAME = "Signature1"
PERSON_FIELD_NAME = "Signature1"  # the person signs first...
UNIT_FIELD_NAME_AFTER_PERSON = "Signature2"  # ...then the unit's seal covers it all
PERSON_STAMP_TEXT = "Chữ ký số cá nhân\nNgười ký: %(signer_name)s\nThời gian: %(local_ts)s"
# Bottom-left of the first page, beside the unit's stamp.
PERSON_STAMP_BOX = (24, 24, 292, 98)
STAMP_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
STAMP_TEXT = (
    "Ký bởi: %(signer_name)s\n%(unit_name)s\nThời gian: %(local_ts)s\nMã xác thực: %(code)s"
)
# Bottom-right of the first page, in PDF points (A4 is 595 x 842): clear of a 2 cm margin's text.
STAMP_BOX = (300, 24, 571, 98)
LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
logging.getLogger("fontTools").setLevel(logging.WARNING)  # subsetting chatter on every signature


class SegnoQRStamp(QRStamp):
    """pyHanko's QR stamp with the code drawn by segno (already a dependency) instead of the
    `qrcode` package pyHanko would import: one filled path of module squares, vector, crisp."""

    QUIET_ZONE = 2

    def _qr_xobject(self):
        qr = segno.make(self.url, error="m", micro=False)
        rows = qr.matrix
        size = len(rows) + 2 * self.QUIET_ZONE
        cmds = [b"1 g 0 0 %d %d re f 0 g" % (size, size)]
        for r, row in enumerate(rows):
            y = size - self.QUIET_ZONE - r - 1
            c = 0
            while c < len(row):
                if row[c]:
                    start = c
                    while c < len(row) and row[c]:
                        c += 1
                    cmds.append(b"%d %d %d 1 re" % (start + self.QUIET_ZONE, y, c - start))
                else:
                    c += 1
        cmds.append(b"f")
        xobj = init_xobject_dictionary(b"\n".join(cmds), size, size)
        xobj.compress()
        return self.writer.add_object(xobj), size


class SegnoQRStampStyle(QRStampStyle):
    def create_stamp(self, writer, box, text_params):
        params = dict(text_params)
        url = params.pop("url")
        return SegnoQRStamp(writer, style=self, url=url, text_params=params, box=box)


class SigningError(ValueError):
    """The input is not a PDF we can sign; `reason` says why in Vietnamese, for staff."""

    def __init__(self, detail: str, reason: str = "") -> None:
        super().__init__(detail)
        self.reason = reason or _("Tệp PDF không hợp lệ.")


def stamp_font_path() -> Path:
    """DejaVu Sans rescaled to 1000 units per em, made once under VAR_DIR/fonts.

    pyHanko 0.38 writes the CID font's /W widths in the font's own units, which PDF reads as
    thousandths of an em: a 2048-unit TrueType font (DejaVu, Liberation) comes out with every
    letter spaced twice too wide. Rescaling the font to 1000 units makes the numbers agree.
    """
    target = Path(settings.VAR_DIR) / "fonts" / "DejaVuSans-1000upem.ttf"
    if target.exists():
        return target
    if not STAMP_FONT.exists():  # fonts-dejavu-core is a system dependency (scripts/system-deps)
        raise SigningError(
            f"stamp font missing: {STAMP_FONT}",
            _("Máy chủ thiếu phông chữ để in dấu chữ ký; hãy báo quản trị hệ thống."),
        )
    font = TTFont(str(STAMP_FONT))
    if font["head"].unitsPerEm != 1000:
        scale_upem(font, 1000)
    if "FFTM" in font:  # FontForge timestamps: pyHanko's subsetter cannot keep them anyway
        del font["FFTM"]
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(f".tmp{os.getpid()}")
    font.save(str(tmp))
    os.replace(tmp, target)
    return target


def _stamp_style() -> QRStampStyle:
    return SegnoQRStampStyle(
        stamp_text=STAMP_TEXT,
        text_box_style=TextBoxStyle(
            font=GlyphAccumulatorFactory(str(stamp_font_path()), font_size=8),
            leading=11,
        ),
        border_width=1,
        background=None,
        innsep=4,
        inner_content_layout=None,
        qr_inner_size=None,
    )


def _person_stamp_style() -> TextStampStyle:
    return TextStampStyle(
        stamp_text=PERSON_STAMP_TEXT,
        text_box_style=TextBoxStyle(
            font=GlyphAccumulatorFactory(str(stamp_font_path()), font_size=8),
            leading=11,
        ),
        border_width=1,
        background=None,
        inner_content_layout=None,
    )


def _check_input(pdf_bytes: bytes) -> None:
    try:
        pdfs.check_pdf(pdf_bytes)  # encrypted or damaged: refused before any signing work
    except pdfs.PdfRefused as exc:
        raise SigningError(exc.code, exc.message) from exc


def _local_ts() -> str:
    return timezone.now().astimezone(LOCAL_TZ).strftime("%H:%M %d/%m/%Y (GMT+7)")


def _add_signature(
    pdf_bytes: bytes,
    *,
    signer: signers.SimpleSigner,
    field_name: str,
    box: tuple[int, int, int, int],
    stamp_style,
    text_params: dict,
    reason: str,
    location: str,
    name: str,
    on_page: int = 0,
) -> bytes:
    """One PAdES B-B signature (SHA-256) with a visible stamp, as an incremental update."""
    try:
        writer = IncrementalPdfFileWriter(BytesIO(pdf_bytes), strict=False)
    except Exception as exc:  # pyHanko raises several types for a broken file
        raise SigningError(f"unreadable PDF: {type(exc).__name__}") from exc
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason,
        location=location,
        name=name,
    )
    pdf_signer = signers.PdfSigner(
        meta,
        signer=signer,
        stamp_style=stamp_style,
        new_field_spec=fields.SigFieldSpec(sig_field_name=field_name, on_page=on_page, box=box),
    )
    out = BytesIO()
    try:
        pki.run_outside_event_loop(
            pdf_signer.sign_pdf, writer, output=out, appearance_text_params=text_params
        )
    except PdfError as exc:  # a structure the check above let through but the writer refuses
        raise SigningError(f"PDF refused while signing: {type(exc).__name__}") from exc
    return out.getvalue()


def sign_pdf(
    pdf_bytes: bytes,
    *,
    unit,
    signer_name: str,
    location: str,
    verification_url: str,
    verification_code: str,
    reason: str = DEFAULT_REASON,
    signer: signers.SimpleSigner | None = None,
    person_signer: signers.SimpleSigner | None = None,
    on_page: int = 0,
) -> bytes:
    """Sign `pdf_bytes` as `unit` (PAdES B-B, SHA-256) and return the signed file.

    With `person_signer`, the person who signs (`signer_name`) signs first with their own
    certificate (field `Signature1`, a stamp naming them, bottom left), then the unit's seal
    signature is added as an incremental update (field `Signature2`): it covers the whole file,
    the person's signature included. Without it, the unit signs alone (field `Signature1`).
    The stamps go on page `on_page` (0: the first; -1: the last, e.g. a certification page).
    The unit's stamp names the person who signed, the unit and the local time, and carries a
    QR code to `verification_url` so anyone holding the paper can check the original.
    """
    _check_input(pdf_bytes)
    signer = signer or pki.get_signer(unit)
    unit_field = FIELD_NAME
    if person_signer is not None:
        pdf_bytes = _add_signature(
            pdf_bytes,
            signer=person_signer,
            field_name=PERSON_FIELD_NAME,
            box=PERSON_STAMP_BOX,
            stamp_style=_person_stamp_style(),
            text_params={"signer_name": signer_name, "local_ts": _local_ts()},
            reason=reason,
            location=location,
            name=signer_name,
            on_page=on_page,
        )
        unit_field = UNIT_FIELD_NAME_AFTER_PERSON
    return _add_signature(
        pdf_bytes,
        signer=signer,
        field_name=unit_field,
        box=STAMP_BOX,
        stamp_style=_stamp_style(),
        text_params={
            "url": verification_url,
            "signer_name": signer_name,
            "unit_name": unit.name,
            "local_ts": _local_ts(),
            "code": verification_code,
        },
        reason=reason,
        location=location,
        name=unit.name if person_signer is not None else signer_name,
        on_page=on_page,
    )
