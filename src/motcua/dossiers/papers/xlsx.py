"""Mẫu 07, Sổ theo dõi hồ sơ, as an .xlsx workbook (reports are exchanged as spreadsheets).

Times are written as real spreadsheet dates in Vietnam time (Excel has no time zones), shown
dd/mm/yyyy hh:mm, so offices can sort and filter them. Title lines sit above a bold, frozen
header row; printing is A4 landscape, one page wide, header repeated.
"""

from __future__ import annotations

import io
from datetime import datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from .data import TrackingBookData
from .render import local, short_date

DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
HEADER_ROW = 5

# (header, width in characters)
COLUMNS: tuple[tuple[str, int], ...] = (
    ("STT", 6),
    ("Mã hồ sơ", 28),
    ("Tên thủ tục hành chính", 40),
    ("Số lượng hồ sơ (bộ)", 10),
    ("Tên cá nhân, tổ chức", 26),
    ("Địa chỉ", 32),
    ("Số điện thoại", 14),
    ("Nhận hồ sơ", 17),
    ("Hẹn trả kết quả", 17),
    ("Trả kết quả", 17),
    ("Người tiếp nhận", 22),
    ("Địa bàn phát sinh", 18),
    ("Bên giao", 18),
    ("Bên nhận", 18),
    ("Ghi chú", 24),
)


def _excel_time(value: datetime | None) -> datetime | None:
    """Vietnam wall-clock time without tzinfo: what openpyxl can store and Excel shows."""
    return local(value).replace(tzinfo=None) if value else None


def tracking_book_xlsx(data: TrackingBookData) -> bytes:
    """The tracking book for a period as .xlsx bytes."""
    wb = Workbook()
    ws = wb.active
    ws.title = "So theo doi ho so"  # sheet names stay ASCII: some office tools mangle others
    last_col = get_column_letter(len(COLUMNS))

    agency = " - ".join(x for x in (data.agency.parent_name, data.agency.name) if x)
    title_lines = (
        (agency.upper(), Font(bold=True, size=12)),
        ("SỔ THEO DÕI HỒ SƠ", Font(bold=True, size=14)),
        (
            (f"Quyển số: {data.book_no} · " if data.book_no else "")
            + f"Từ {short_date(data.period_start)} đến {short_date(data.period_end)}",
            Font(italic=True, size=11),
        ),
    )
    for row, (text, font) in enumerate(title_lines, start=1):
        ws.cell(row=row, column=1, value=text).font = font
        ws.merge_cells(f"A{row}:{last_col}{row}")
        ws.cell(row=row, column=1).alignment = Alignment(horizontal="center")

    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for col, (header, width) in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=HEADER_ROW, column=col, value=header)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.row_dimensions[HEADER_ROW].height = 32

    wrap = Alignment(vertical="top", wrap_text=True)
    for n, r in enumerate(data.rows, start=1):
        values = (
            n,
            r.dossier_code,
            r.procedure_name,
            r.sets_count,
            r.applicant_name,
            r.address,
            r.phone,
            _excel_time(r.received_at),
            _excel_time(r.appointment_at),
            _excel_time(r.returned_at),
            r.receiver_name,
            r.area,
            r.handover_giver,
            r.handover_receiver,
            r.note,
        )
        row = HEADER_ROW + n
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=row, column=col, value=value)
            cell.border = border
            cell.alignment = wrap
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # a name typed as "=..." stays text, never a formula
            if isinstance(value, datetime):
                cell.number_format = DATETIME_FORMAT
            elif col == 7:
                cell.number_format = "@"  # phone numbers keep their leading zero

    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    if data.rows:
        ws.auto_filter.ref = f"A{HEADER_ROW}:{last_col}{HEADER_ROW + len(data.rows)}"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True

    wb.properties.title = "Sổ theo dõi hồ sơ"
    wb.properties.creator = data.agency.name[:255]
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
