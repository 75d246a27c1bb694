"""The electronic copy: the original's pages as scanned, then the certification page (lời chứng)
appended, ready to be signed by the certifying officer and the unit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from io import BytesIO

from django.template.loader import render_to_string
from django.utils import translation
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from weasyprint import HTML

A4 = (595, 842)


@dataclass(frozen=True)
class Statement:
    """What the certification page says (Mẫu lời chứng, TT 01/2020/TT-BTP)."""

    unit_name: str
    number: int
    book: str
    day: dt.date
    signer_name: str
    citizen_name: str
    title: str
    pages: int
    fee_text: str


def statement_pdf(statement: Statement) -> bytes:
    with translation.override("vi"):
        html = render_to_string("certification/statement.html", {"s": statement})
    return HTML(string=html).write_pdf()


def copy_with_statement(original_pdf: bytes, statement: Statement) -> bytes:
    """The original's pages, then the certification page, as one PDF (an incremental update
    of the scanned file: its pages are kept byte for byte)."""
    writer = IncrementalPdfFileWriter(BytesIO(original_pdf), strict=False)
    page_pdf = PdfFileReader(BytesIO(statement_pdf(statement)), strict=False)
    xobject = writer.import_page_as_xobject(page_pdf, page_ix=0)
    content = generic.StreamObject(stream_data=b"q 1 0 0 1 0 0 cm /Statement Do Q")
    page = generic.DictionaryObject(
        {
            pdf_name("/Type"): pdf_name("/Page"),
            pdf_name("/MediaBox"): generic.ArrayObject(
                [generic.NumberObject(0), generic.NumberObject(0)]
                + [generic.NumberObject(v) for v in A4]
            ),
            pdf_name("/Resources"): generic.DictionaryObject(
                {pdf_name("/XObject"): generic.DictionaryObject({pdf_name("/Statement"): xobject})}
            ),
            pdf_name("/Contents"): writer.add_object(content),
        }
    )
    writer.insert_page(page)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()
