"""Is this upload a PDF the system can keep, show and sign? Judged by parsing it with pyHanko.

The first bytes ("%PDF-") only say what a file claims to be. A PDF protected by a password,
even by an owner password alone (it opens without asking, but is encrypted), cannot take an
incremental signature, and a truncated or damaged one fails in the middle of signing. Both
used to be accepted as a draft result and made "approve and sign" fail with a 500, after the
leader had confirmed. So every PDF upload (draft results, letters, scans) is read here with
the same library that signs it (pyHanko, already a dependency: no second PDF parser), the way
the signer will read it: the catalogue, the page tree, the first page (where the stamp goes)
and its content stream. Anything that fails is refused at upload with a Vietnamese message.
"""

from __future__ import annotations

import logging
from io import BytesIO
from typing import BinaryIO

from django.utils.translation import gettext as _
from pyhanko.pdf_utils.generic import ArrayObject, StreamObject
from pyhanko.pdf_utils.reader import PdfFileReader

log = logging.getLogger(__name__)


class PdfRefused(ValueError):
    """The bytes are not a PDF the system accepts; `message` says why, in Vietnamese."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(code)
        self.message = message
        self.code = code


def _encrypted() -> PdfRefused:
    return PdfRefused(
        _(
            "Tệp PDF đang đặt mật khẩu hoặc mã hóa (kể cả chỉ đặt mật khẩu chủ sở hữu), nên "
            "không lưu và không ký số được. Hãy xuất lại tệp PDF không đặt mật khẩu."
        ),
        "encrypted",
    )


def _damaged() -> PdfRefused:
    return PdfRefused(
        _("Không đọc được tệp PDF: tệp bị hỏng hoặc không đầy đủ. Hãy xuất lại tệp PDF."),
        "damaged",
    )


def check_pdf(data: bytes | BinaryIO) -> int:
    """Raise PdfRefused unless `data` is an unencrypted PDF with a readable first page; the
    number of pages. `data` may be an open binary file (a large scan spooled to disk by the
    upload handler): pyHanko reads through the cross-reference table, not the whole file."""
    stream: BinaryIO = BytesIO(data) if isinstance(data, bytes) else data
    stream.seek(0)
    if not stream.read(5) == b"%PDF-":
        raise PdfRefused(_("Tệp không phải là văn bản PDF."), "not_pdf")
    stream.seek(0)
    try:
        reader = PdfFileReader(stream, strict=False)
        if reader.encrypted:
            raise _encrypted()
        pages = reader.root["/Pages"]
        count = int(pages.get("/Count", 0))
        if count < 1:
            raise PdfRefused(_("Tệp PDF không có trang nào."), "no_pages")
        page_ref, _resources = reader.find_page_for_modification(0)
        contents = page_ref.get_object().get("/Contents")
        streams = contents if isinstance(contents, ArrayObject) else [contents]
        for stream in streams:
            stream = stream.get_object() if stream is not None else None
            if isinstance(stream, StreamObject):
                stream.data  # noqa: B018 - decode it: a damaged stream raises here
    except PdfRefused:
        raise
    except Exception as exc:  # pyHanko raises many types (PdfReadError, KeyError, zlib.error...)
        log.info("PDF refused as damaged: %s", type(exc).__name__)
        raise _damaged() from exc
    return count
