"""Standard papers as PDF bytes: Django templates rendered in Vietnamese, laid out by WeasyPrint.

Papers are always Vietnamese whatever the officer's UI language, so each render runs under
`translation.override("vi")`. Times are printed in Asia/Ho_Chi_Minh in the official wording
"HH giờ mm phút, ngày dd tháng MM năm yyyy" (ND 30/2020: day below 10 and months 1-2 take a
leading zero). WeasyPrint may fetch only `data:` URIs, so nothing in a paper can make the server
reach the network or the disk. Output is PDF/A-3b, the archival profile, so a paper filed
with the dossier (and later signed with pyHanko) stays readable.
"""

from __future__ import annotations

import base64
import io
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import segno
from django.template.loader import render_to_string
from django.utils import translation

from .data import (
    ApologyData,
    ControlSheetData,
    ReceiptData,
    RefusalData,
    StopNoticeData,
    SupplementRequestData,
    TrackingBookData,
)

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
PDF_VARIANT = "pdf/a-3b"  # archival profile for papers filed with the dossier (not veraPDF-checked)
QR_SCALE = 4  # pixels per module in the embedded PNG; printed size is set in CSS


def local(dt: datetime) -> datetime:
    """The moment as a clock in the commune shows it."""
    return dt.astimezone(LOCAL_TZ)


def _day(value: int) -> str:
    return f"{value:02d}"


def _month(value: int) -> str:
    """ND 30/2020: months 1 and 2 are written 01, 02; the others without a zero."""
    return f"{value:02d}" if value < 3 else str(value)


def official_date(value: date | datetime) -> str:
    """'ngày 05 tháng 01 năm 2026' (a datetime is first moved to Vietnam time)."""
    if isinstance(value, datetime):
        value = local(value).date()
    return f"ngày {_day(value.day)} tháng {_month(value.month)} năm {value.year}"


def official_datetime(value: datetime) -> str:
    """'08 giờ 05 phút, ngày 05 tháng 01 năm 2026', in Vietnam time."""
    moment = local(value)
    return f"{moment:%H} giờ {moment:%M} phút, {official_date(moment)}"


def short_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local(value).date()
    return value.strftime("%d/%m/%Y")


def short_datetime(value: datetime | None) -> str:
    return local(value).strftime("%H:%M %d/%m/%Y") if value else ""


def processing_time_text(days: Decimal | int | float, *, working_days: bool = True) -> str:
    """'03 ngày làm việc', '0,5 ngày làm việc', '15 ngày' (Vietnamese decimal comma)."""
    amount = Decimal(str(days)).normalize()
    if amount == amount.to_integral_value():
        number = f"{int(amount):02d}"
    else:
        number = format(amount, "f").replace(".", ",")
    return f"{number} {'ngày làm việc' if working_days else 'ngày'}"


def date_line(agency_locality: str, value: date | datetime) -> str:
    """The italic place-and-date line under the national motto."""
    text = official_date(value)
    return f"{agency_locality}, {text}" if agency_locality else text[0].upper() + text[1:]


def qr_png_data_uri(text: str) -> str:
    """QR code of `text` as a PNG data URI (a raster image, so the PDF embeds it as-is)."""
    qr = segno.make(text, error="m")
    return "data:image/png;base64," + base64.b64encode(qr_png(qr)).decode("ascii")


def qr_png(qr: segno.QRCode) -> bytes:
    buffer = io.BytesIO()
    qr.save(buffer, kind="png", scale=QR_SCALE, border=2)
    return buffer.getvalue()


def _url_fetcher() -> Any:
    """Inline data only; a missing image fails the render instead of printing a blank."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)


def render_html(template: str, context: dict[str, Any]) -> str:
    """The paper's HTML in Vietnamese (also handy to preview a paper in the browser)."""
    with translation.override("vi"):
        return render_to_string(f"dossiers/papers/{template}", context)


class PaperRenderError(ValueError):
    """A paper could not be laid out (e.g. it referred to a resource that is not inline)."""


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML  # imported late: loading pango takes ~0.3 s
    from weasyprint.urls import FatalURLFetchingError

    try:
        document = HTML(string=html, url_fetcher=_url_fetcher(), base_url=None)
        return document.write_pdf(pdf_variant=PDF_VARIANT)
    except FatalURLFetchingError as exc:  # a BaseException: would slip past `except Exception`
        raise PaperRenderError(str(exc)) from None


def _header_context(agency_locality: str, issued: date | datetime) -> dict[str, str]:
    return {"date_line": date_line(agency_locality, issued)}


def receipt_context(data: ReceiptData) -> dict[str, Any]:
    return {
        "d": data,
        **_header_context(data.agency.locality, data.received_at),
        "received_text": official_datetime(data.received_at),
        "appointment_text": official_datetime(data.appointment_at),
        "qr_src": qr_png_data_uri(data.lookup_url),
    }


def render_receipt(data: ReceiptData) -> bytes:
    """Mẫu 01, with a QR code of the public lookup address."""
    return html_to_pdf(render_html("receipt.html", receipt_context(data)))


def render_supplement_request(data: SupplementRequestData) -> bytes:
    """Mẫu 02."""
    context = {
        "d": data,
        **_header_context(data.agency.locality, data.issued_at),
        "received_text": official_datetime(data.received_at) if data.received_at else "",
        "items": [i for i in data.items if i.strip()],
    }
    return html_to_pdf(render_html("supplement_request.html", context))


def render_refusal(data: RefusalData) -> bytes:
    """Mẫu 03."""
    context = {"d": data, **_header_context(data.agency.locality, data.issued_at)}
    return html_to_pdf(render_html("refusal.html", context))


def render_apology(data: ApologyData) -> bytes:
    """Mẫu 04, stating the original and the new appointment."""
    context = {
        "d": data,
        **_header_context(data.agency.locality, data.issued_at),
        "received_text": official_datetime(data.received_at),
        "original_due_text": official_datetime(data.original_due_at),
        "new_due_text": official_datetime(data.new_due_at),
    }
    return html_to_pdf(render_html("apology.html", context))


def render_stop_notice(data: StopNoticeData) -> bytes:
    """Mẫu 05."""
    context = {
        "d": data,
        **_header_context(data.agency.locality, data.issued_at),
        "received_text": official_datetime(data.received_at),
    }
    return html_to_pdf(render_html("stop_notice.html", context))


def render_control_sheet(data: ControlSheetData) -> bytes:
    """Mẫu 06, one row per hand-over with its Trước hạn / Đúng hạn / Quá hạn result."""
    rows = [
        {
            "n": i,
            "h": h,
            "handed_text": short_datetime(h.handed_at),
            "due_text": short_datetime(h.due_at),
            "finished_text": short_datetime(h.finished_at),
        }
        for i, h in enumerate(data.handovers, start=1)
    ]
    context = {
        "d": data,
        "received_text": official_datetime(data.received_at),
        "due_text": official_datetime(data.due_at),
        "rows": rows,
    }
    return html_to_pdf(render_html("control_sheet.html", context))


def render_tracking_book_pdf(data: TrackingBookData) -> bytes:
    """Mẫu 07 for a period, A4 landscape, header row repeated on every page."""
    rows = [
        {
            "n": i,
            "r": r,
            "received": short_datetime(r.received_at),
            "appointment": short_datetime(r.appointment_at),
            "returned": short_datetime(r.returned_at),
        }
        for i, r in enumerate(data.rows, start=1)
    ]
    context = {
        "d": data,
        "period_text": f"Từ {short_date(data.period_start)} đến {short_date(data.period_end)}",
        "rows": rows,
    }
    return html_to_pdf(render_html("tracking_book.html", context))


def tracking_book_xlsx(data: TrackingBookData) -> bytes:
    """Mẫu 07 as a spreadsheet (see `xlsx.py`); here so callers import one module."""
    from .xlsx import tracking_book_xlsx as build

    return build(data)
