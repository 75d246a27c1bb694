"""Sổ chứng thực bản sao điện tử as an .xlsx workbook."""

from __future__ import annotations

import io
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Font

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
COLUMNS = (
    ("Số chứng thực", 12),
    ("Quyển số", 18),
    ("Ngày chứng thực", 18),
    ("Người yêu cầu", 26),
    ("Số định danh", 16),
    ("Giấy tờ, văn bản", 40),
    ("Số trang", 9),
    ("Phí (đồng)", 11),
    ("Người ký chứng thực", 24),
    ("Mã xác thực", 20),
    ("Hủy bỏ (lý do)", 40),
)


def book_xlsx(entries) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "So chung thuc"
    ws.append(["SỔ CHỨNG THỰC BẢN SAO ĐIỆN TỬ TỪ BẢN CHÍNH"])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([h for h, _w in COLUMNS])
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for i, (_h, width) in enumerate(COLUMNS):
        ws.column_dimensions[chr(ord("A") + i)].width = width
    for e in entries:
        ws.append(
            [
                e.number,
                e.book,
                e.certified_at.astimezone(LOCAL).replace(tzinfo=None),
                e.citizen_name,
                e.masked_citizen_id,
                e.title,
                e.pages,
                e.fee_vnd,
                e.certified_by.full_name or e.certified_by.username,
                e.document.verification_code,
                (
                    f"Đã hủy bỏ {e.voided_at.astimezone(LOCAL):%d/%m/%Y}: {e.void_reason}"
                    if e.voided_at
                    else ""
                ),
            ]
        )
        ws.cell(row=ws.max_row, column=3).number_format = "dd/mm/yyyy hh:mm"
    ws.freeze_panes = "A3"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
