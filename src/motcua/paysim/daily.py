"""The simulated platform's daily reconciliation file (docs/payment-platform.md, DOISOAT): one
line per transaction it settled that day (Vietnam's date), "|" between the fields, a header
line first. Written from the document, apart from `payments.platform`, which reads it."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from .models import SimulatedTransaction

VN = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
ASK_FIELDS = ["LoaiBanTin", "PhienBan", "MaDoiTac", "NgayDoiSoat", "ThoiGianGD"]
REPLY_FIELDS = [
    "LoaiBanTin",
    "MaLoi",
    "MaDoiTac",
    "NgayDoiSoat",
    "SoGiaoDich",
    "TongSoTien",
    "NoiDungTep",
]
HEADER = "MaGiaoDich|MaThamChieu|MaDonVi|SoTien|MaTienTe|ThoiGianThanhToan|TrangThai"


def parse_day(text: str) -> dt.date | None:
    try:
        return dt.datetime.strptime(text, "%Y%m%d").replace(tzinfo=VN).date()
    except ValueError:
        return None


def build(day: dt.date, *, partner: str) -> tuple[str, int, int]:
    """(the file's text, how many transactions, their total in đồng)."""
    start = dt.datetime.combine(day, dt.time.min, tzinfo=VN)
    paid = SimulatedTransaction.objects.filter(
        partner=partner,
        state="thanh-cong",
        paid_at__gte=start,
        paid_at__lt=start + dt.timedelta(days=1),
    ).order_by("paid_at", "id")
    lines = [HEADER]
    total = 0
    for txn in paid:
        when = txn.paid_at.astimezone(VN).strftime("%Y%m%d%H%M%S")
        lines.append(
            f"{txn.transaction_id}|{txn.reference}|{txn.unit_code}|{txn.amount}|"
            f"{txn.currency}|{when}|{txn.state}"
        )
        total += txn.amount
    return "\n".join(lines) + "\n", len(lines) - 1, total
