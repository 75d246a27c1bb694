"""Adapter to the national payment platform (docs/payment-platform.md): the only code that knows
its field names. INIT opens a payment and answers the page the citizen is sent to; CHECK says
what became of it (from the return page and from the periodic job); RECEIPT gives the link of
the platform's e-receipt. Every message carries MaXacThuc, SHA-256 over its fields joined by
"|" and the shared secret; every answer's code is checked before anything in it is believed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
from dataclasses import dataclass

import requests
from django.conf import settings

from motcua.core.calendar import LOCAL_TZ

log = logging.getLogger(__name__)
VERSION = "1.0.6"
PAID, FAILED, PENDING = "thanh-cong", "that-bai", "khoi-tao"
INIT_FIELDS = (
    "LoaiBanTin",
    "PhienBan",
    "MaDoiTac",
    "MaThamChieu",
    "SoTien",
    "LoaiHinhThanhToan",
    "MaKenhThanhToan",
    "MaTienTe",
    "ThoiGianGD",
)
CHECK_FIELDS = ("LoaiBanTin", "PhienBan", "MaDoiTac", "MaThamChieu", "ThoiGianGD")
INIT_REPLY = ("LoaiBanTin", "MaLoi", "MaThamChieu", "MaGiaoDich", "UrlThanhToan")
CHECK_REPLY = (
    "LoaiBanTin",
    "MaLoi",
    "MaThamChieu",
    "MaGiaoDich",
    "TrangThai",
    "SoTien",
    "MaTienTe",
)
RECEIPT_REPLY = ("LoaiBanTin", "MaLoi", "MaThamChieu", "DuongDanBienLai")


class PlatformUnavailable(Exception):
    """The platform did not answer, or answered something we cannot believe: nothing changed on
    our side; the citizen may try again and the job will ask again."""


class PlatformRefused(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Status:
    reference: str
    transaction_id: str
    state: str  # PAID, FAILED or PENDING
    amount_vnd: int
    currency: str


@dataclass(frozen=True)
class Payment:
    reference: str
    amount_vnd: int
    dossier_code: str
    procedure_code: str
    unit_code: str
    payer_name: str
    payer_id: str
    lines: list[dict]


def configured() -> bool:
    return bool(settings.MOTCUA_PAYGOV_URL and settings.MOTCUA_PAYGOV_SECRET)


def authentication_code(values: list[object]) -> str:
    joined = "|".join([*(str(v) for v in values), settings.MOTCUA_PAYGOV_SECRET])
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()


def _timestamp(at: dt.datetime) -> str:
    return at.astimezone(LOCAL_TZ).strftime("%Y%m%d%H%M%S")


def _post(path: str, message: dict) -> dict:
    url = settings.MOTCUA_PAYGOV_URL.rstrip("/") + path
    try:
        response = requests.post(url, json=message, timeout=settings.MOTCUA_PAYGOV_TIMEOUT)
    except requests.RequestException as exc:
        raise PlatformUnavailable(str(exc)) from exc
    if response.status_code != 200:
        raise PlatformUnavailable(f"HTTP {response.status_code}")
    try:
        data = response.json()
    except ValueError as exc:
        raise PlatformUnavailable("not JSON") from exc
    if not isinstance(data, dict):
        raise PlatformUnavailable("not an object")
    return data


def _believed(data: dict, fields: tuple[str, ...]) -> dict:
    """The answer, once its code is ours: an error answer is refused, a forged one unavailable."""
    if data.get("MaLoi") != "00":
        raise PlatformRefused(str(data.get("MaLoi", ""))[:4], str(data.get("MoTaLoi", ""))[:200])
    expected = authentication_code([data.get(k, "") for k in fields])
    if not hmac.compare_digest(expected, str(data.get("MaXacThuc", ""))):
        log.warning("payment platform answer with a wrong authentication code ignored")
        raise PlatformUnavailable("wrong authentication code")
    return data


def initiate(payment: Payment, *, return_url: str, at: dt.datetime) -> tuple[str, str]:
    """INIT: (the platform's transaction id, the page to send the citizen to)."""
    message: dict = {
        "LoaiBanTin": "INIT",
        "PhienBan": VERSION,
        "MaDoiTac": settings.MOTCUA_PAYGOV_PARTNER,
        "MaThamChieu": payment.reference,
        "SoTien": payment.amount_vnd,
        "LoaiHinhThanhToan": "PAY",
        "MaKenhThanhToan": settings.MOTCUA_PAYGOV_CHANNEL,
        "MaTienTe": "VND",
        "ThoiGianGD": _timestamp(at),
        "UrlTraVe": return_url,
        "ThongTinBienLai": {
            "MaDVC": settings.MOTCUA_PAYGOV_PARTNER,
            "MaTTHC": payment.procedure_code,
            "MaDonVi": payment.unit_code,
            "MaHoSo": payment.dossier_code,
            "HoTenNguoiNop": payment.payer_name,
            "SoCMNDNguoiNop": payment.payer_id,
            "PhiLePhi": [
                {
                    "LoaiPhiLePhi": 1 if line.get("kind") == "phi" else 2,
                    "TenPhiLePhi": str(line.get("condition") or "")[:200],
                    "SoTien": int(line.get("amount_vnd") or 0),
                }
                for line in payment.lines
            ],
        },
    }
    message["MaXacThuc"] = authentication_code([message[k] for k in INIT_FIELDS])
    reply = _believed(_post("/init", message), INIT_REPLY)
    if reply.get("MaThamChieu") != payment.reference:
        raise PlatformUnavailable("answer for another reference")
    return str(reply["MaGiaoDich"])[:64], str(reply["UrlThanhToan"])


def _ask(kind: str, reference: str, at: dt.datetime, fields: tuple[str, ...]) -> dict:
    message: dict = {
        "LoaiBanTin": kind,
        "PhienBan": VERSION,
        "MaDoiTac": settings.MOTCUA_PAYGOV_PARTNER,
        "MaThamChieu": reference,
        "ThoiGianGD": _timestamp(at),
    }
    message["MaXacThuc"] = authentication_code([message[k] for k in CHECK_FIELDS])
    reply = _believed(_post("/check", message), fields)
    if reply.get("MaThamChieu") != reference:
        raise PlatformUnavailable("answer for another reference")
    return reply


def status(reference: str, *, at: dt.datetime) -> Status:
    """CHECK: what the platform holds for `reference`."""
    reply = _ask("CHECK", reference, at, CHECK_REPLY)
    state = reply.get("TrangThai")
    if state not in (PAID, FAILED, PENDING):
        raise PlatformUnavailable("unknown state")
    amount = reply.get("SoTien")
    return Status(
        reference=reference,
        transaction_id=str(reply.get("MaGiaoDich", ""))[:64],
        state=str(state),
        amount_vnd=amount if isinstance(amount, int) else -1,
        currency=str(reply.get("MaTienTe", ""))[:3],
    )


def receipt_link(reference: str, *, at: dt.datetime) -> str:
    """RECEIPT: the link of the platform's e-receipt for a paid reference."""
    return str(_ask("RECEIPT", reference, at, RECEIPT_REPLY)["DuongDanBienLai"])[:500]


# --- the daily reconciliation file (DOISOAT) --------------------------------------------------

DAILY_FIELDS = ("LoaiBanTin", "PhienBan", "MaDoiTac", "NgayDoiSoat", "ThoiGianGD")
DAILY_REPLY = (
    "LoaiBanTin",
    "MaLoi",
    "MaDoiTac",
    "NgayDoiSoat",
    "SoGiaoDich",
    "TongSoTien",
    "NoiDungTep",
)
DAILY_COLUMNS = (
    "MaGiaoDich",
    "MaThamChieu",
    "MaDonVi",
    "SoTien",
    "MaTienTe",
    "ThoiGianThanhToan",
    "TrangThai",
)


@dataclass(frozen=True)
class DailyRow:
    """One line of the platform's daily file: a transaction the platform says was paid."""

    line: int
    transaction_id: str
    reference: str
    unit_code: str
    amount_vnd: int
    currency: str
    paid_at: dt.datetime


@dataclass(frozen=True)
class DailyRowError:
    line: int
    problem: str  # Vietnamese, shown in the report
    text: str


def daily_file(day: dt.date, *, at: dt.datetime) -> str:
    """DOISOAT: the platform's file of the transactions it settled on `day` (Vietnam's date),
    as the text it signed. Raises PlatformUnavailable / PlatformRefused like the other calls."""
    message: dict = {
        "LoaiBanTin": "DOISOAT",
        "PhienBan": VERSION,
        "MaDoiTac": settings.MOTCUA_PAYGOV_PARTNER,
        "NgayDoiSoat": day.strftime("%Y%m%d"),
        "ThoiGianGD": _timestamp(at),
    }
    message["MaXacThuc"] = authentication_code([message[k] for k in DAILY_FIELDS])
    reply = _believed(_post("/doisoat", message), DAILY_REPLY)
    if reply.get("NgayDoiSoat") != message["NgayDoiSoat"]:
        raise PlatformUnavailable("answer for another day")
    text = str(reply.get("NoiDungTep", ""))
    rows = [r for r in read_daily_file(text) if isinstance(r, DailyRow)]
    if len(rows) != reply.get("SoGiaoDich") or sum(r.amount_vnd for r in rows) != reply.get(
        "TongSoTien"
    ):
        raise PlatformUnavailable("file does not add up to its totals")
    return text


def read_daily_file(text: str) -> list[DailyRow | DailyRowError]:
    """The daily file's lines (UTF-8 text, "|" between fields, the header line first): every
    line read, a broken one as a `DailyRowError` the report shows, the good ones still read."""
    lines = (text or "").lstrip("\ufeff").splitlines()
    if not lines or tuple(c.strip() for c in lines[0].split("|")) != DAILY_COLUMNS:
        return [
            DailyRowError(
                1,
                "Dòng tiêu đề không đúng định dạng tệp đối soát.",
                lines[0][:300] if lines else "",
            )
        ]
    out: list[DailyRow | DailyRowError] = []
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        cells = [c.strip() for c in line.split("|")]
        if len(cells) != len(DAILY_COLUMNS):
            out.append(DailyRowError(number, "Số cột không đúng.", line[:300]))
            continue
        txn, reference, unit_code, amount, currency, paid_at, state = cells
        if not txn:
            out.append(DailyRowError(number, "Thiếu mã giao dịch.", line[:300]))
            continue
        if not amount.isdigit() or int(amount) <= 0:
            out.append(DailyRowError(number, "Số tiền không hợp lệ.", line[:300]))
            continue
        try:
            when = dt.datetime.strptime(paid_at, "%Y%m%d%H%M%S").replace(tzinfo=LOCAL_TZ)
        except ValueError:
            out.append(DailyRowError(number, "Thời gian thanh toán không hợp lệ.", line[:300]))
            continue
        if state != PAID:
            continue  # only settled money is reconciled
        out.append(
            DailyRow(
                line=number,
                transaction_id=txn[:64],
                reference=reference[:40],
                unit_code=unit_code[:40],
                amount_vnd=int(amount),
                currency=currency[:3],
                paid_at=when,
            )
        )
    return out
