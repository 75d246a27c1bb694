"""The per-village progress table as an .xlsx workbook (the weekly report to the commune)."""

import io
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .selectors import KIND_COLUMNS, UnitDashboard

FILLS = {
    "reached": PatternFill("solid", fgColor="DFF3E6"),
    "on_track": PatternFill("solid", fgColor="FFF1CC"),
    "behind": PatternFill("solid", fgColor="FDE7E7"),
}


def status_label(status: str) -> str:
    return {
        "reached": _("Đạt chỉ tiêu"),
        "on_track": _("Đúng tiến độ"),
        "behind": _("Chậm tiến độ"),
        "no_data": _("Chưa có số dân"),
    }[status]


def progress_workbook(boards: list[UnitDashboard], now: datetime) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = _("Tiến độ theo thôn")[:31]
    local = timezone.localtime(now)
    ws.append([_("Tiến độ cài đặt, hướng dẫn sử dụng hệ thống đặt hẹn và xếp hàng tự động")])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([_("Số liệu đến %(when)s") % {"when": local.strftime("%H:%M %d/%m/%Y")}])
    headers = [
        _("Xã/phường"),
        _("Thôn/tổ dân phố"),
        _("Dân số trong độ tuổi lao động (18-59)"),
        _("Đã cài đặt/được hướng dẫn (18-59)"),
        _("Tỷ lệ (%)"),
        _("Chỉ tiêu (%)"),
        _("Tiến độ"),
        _("Đã cài đặt/được hướng dẫn (mọi lứa tuổi)"),
        _("Mới trong tuần"),
        *[str(label) for _k, label in KIND_COLUMNS],
        _("Số buổi hướng dẫn"),
        _("Số lượt người dự"),
        _("Chiến dịch"),
    ]
    for board in boards:
        campaign = board.campaign
        campaign_text = (
            f"{campaign.name} ({campaign.start:%d/%m/%Y} - {campaign.end:%d/%m/%Y})"
            if campaign
            else ""
        )
        ws.append([])
        ws.append(headers)
        header_row = ws.max_row
        for cell in ws[header_row]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in board.rows:
            ws.append(
                [
                    board.unit.name,
                    str(row.village),
                    row.working_age_population,
                    row.adopted_working_age,
                    row.percent,
                    f"{row.target_percent}-{row.stretch_percent}",
                    status_label(row.status),
                    row.adopted_all_ages,
                    row.adopted_this_week,
                    *[n for _k, _label, n in row.kinds],
                    row.sessions,
                    row.attendees,
                    campaign_text,
                ]
            )
            if row.status in FILLS:
                ws.cell(ws.max_row, 7).fill = FILLS[row.status]
        totals = board.totals
        ws.append(
            [
                board.unit.name,
                _("Cộng"),
                totals["working_age_population"],
                totals["adopted_working_age"],
                totals["percent"],
            ]
        )
        for cell in ws[ws.max_row]:
            cell.font = Font(bold=True)
    widths = [22, 20, 16, 16, 10, 12, 16, 16, 12] + [16] * len(KIND_COLUMNS) + [12, 12, 36]
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
