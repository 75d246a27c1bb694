"""The drill-down as an XLSX workbook (openpyxl): one row per item in an indicator's
denominator and not in its numerator, with its reason and the screen that fixes it, in
Vietnamese with its diacritics. The dashboard's view serves it (issue 16 part 2)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from io import BytesIO

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from openpyxl import Workbook
from openpyxl.styles import Font

from .measures import Item

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KIND_LABELS = {
    "dossier": gettext_noop("Hồ sơ"),
    "procedure": gettext_noop("Thủ tục"),
    "petition": gettext_noop("Phản ánh, kiến nghị"),
    "payment": gettext_noop("Thanh toán"),
    "rating": gettext_noop("Đánh giá"),
    "copy": gettext_noop("Bản sao chứng thực"),
}


def drill_down_xlsx(
    items: Sequence[Item],
    *,
    title: str,
    subtitle: str = "",
    generated_at: dt.datetime | None = None,
    base_url: str = "",
) -> bytes:
    """The workbook's bytes: a title, what was counted, then one row per item.

    `base_url` (e.g. "https://motcua.example.vn") makes the fix links absolute."""
    book = Workbook()
    sheet = book.active
    sheet.title = _("Chi tiết")[:31]
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=13)
    if subtitle:
        sheet.append([subtitle])
    if generated_at is not None:
        sheet.append([_("Số liệu đến"), generated_at.strftime("%d/%m/%Y %H:%M")])
    sheet.append([_("Số mục"), len(items)])
    sheet.append([])
    header = [
        _("STT"),
        _("Loại"),
        _("Mã, tên"),
        _("Lý do mất điểm"),
        _("Còn khắc phục được trong kỳ"),
        _("Màn hình khắc phục"),
    ]
    sheet.append(header)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for n, item in enumerate(items, start=1):
        sheet.append(
            [
                n,
                _(KIND_LABELS.get(item.kind, item.kind)),
                item.label,
                item.reason,
                _("Có") if item.fixable else _("Không"),
                f"{base_url}{item.fix_url}" if item.fix_url else "",
            ]
        )
    for column, width in zip("ABCDEF", (6, 18, 60, 60, 14, 50), strict=True):
        sheet.column_dimensions[column].width = width
    out = BytesIO()
    book.save(out)
    return out.getvalue()
