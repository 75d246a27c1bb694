"""The National Public Service Portal's integration interface, as motcua speaks it.

The only module that knows the portal's field names (docs/national-portal-sync.md): it turns
outbox rows (motcua's neutral payload) into the portal's message envelope, POSTs a batch of
them to `MOTCUA_DVCQG_URL` + "/dong-bo" with the bearer token, and reads the answer per message
id. Field names and codes from RULES.md section 4 (the DVCQG "đồng bộ hồ sơ" payload of
provincial systems: MaHoSo, TrangThaiHoSo, KenhThucHien, LoaiDoiTuong, dates as
yyyyMMddHHmmss, TaiKhoanDuocXacThucVoiVNeID, DuocThanhToanTrucTuyen 1/3, HoSoCoThanhPhanSoHoa,
DanhSachGiayToKetQua, QuaTrinhXuLy with NgayKetThucTheoQuyDinh, DanhSachLePhi,
DanhSachHoSoBoSung with NgayHenTraTruoc/NgayHenTraMoi, the per-paper DuocSoHoa, DuocTaiSuDung,
DuocLayTuKhoDMQG, DSKetNoiCSDL); the envelope (MaTinNhan, LoaiTinNhan, the batch and its
answer) and the codes marked "ours" below are ours.

Outcomes: per message "DA_NHAN" (accepted) or "DA_CO" (already had it: accepted, a resend),
"TU_CHOI" with MaLoi and LyDo (a permanent refusal). A whole request that fails (no
connection, timeout, HTTP 5xx/429/401, an answer that is not the JSON agreed) raises
`PortalUnavailable`: nothing is known of its messages, so they are all sent again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import requests
from django.conf import settings

from motcua.core.calendar import LOCAL_TZ

ACCEPTED = frozenset({"DA_NHAN", "DA_CO"})
REFUSED = "TU_CHOI"
KIND = {"status": "DongBoHoSo", "result": "KhoDuLieuCaNhan"}
_SESSION = requests.Session()


class PortalUnavailable(Exception):
    """The whole request failed; every message of it is to be sent again."""


@dataclass(frozen=True)
class Outcome:
    accepted: bool
    reason: str = ""  # a refusal: "MaLoi: LyDo"


def _date(value: str | None) -> str:
    if not value:
        return ""
    return dt.datetime.fromisoformat(value).astimezone(LOCAL_TZ).strftime("%Y%m%d%H%M%S")


def _results(results: list[dict]) -> list[dict]:
    return [
        {
            "MaGiayTo": f"KQ-{r['document_id']}",
            "TenTepTin": r["file_name"],
            "DaKySo": 1 if r["signed"] else 0,
            "NgayBanHanh": _date(r["created_at"]),
        }
        for r in results
    ]


# ours [I]: LoaiPhiLePhi 1 phí, 2 lệ phí, 3 nghĩa vụ tài chính; the online method a line was
# paid by; MaCSDL of the state databases consulted (no public code list was found)
FEE_KIND = {"phi": 1, "le_phi": 2, "obligation": 3}
PAYMENT_METHOD = {"platform": "NEN_TANG_TTQG", "vietqr": "VIETQR"}
DATABASE_CODE = {"population": "CSDLQG_DAN_CU"}


def _history(p: dict) -> list[dict]:
    return [
        {
            "MaHoSo": p["dossier_code"],
            "ThuTu": index,
            "NguoiXuLy": h["actor"],
            "ThoiDiemXuLy": _date(h["at"]),
            "DonViXuLy": h["unit"],
            "PhongBanXuLy": h["department"],
            "NoiDungXuLy": h["action_label"] + (f": {h['note']}" if h["note"] else ""),
            "TrangThai": h["status"],
            "NgayBatDau": _date(h["step_started_at"]),
            "NgayKetThucTheoQuyDinh": _date(h["step_due_at"]),
        }
        for index, h in enumerate(p.get("history", []), start=1)
    ]


def _fees(p: dict) -> list[dict]:
    return [
        {
            "TenPhiLePhi": f["name"],
            "LoaiPhiLePhi": FEE_KIND.get(f["kind"], 0),
            "Gia": f["amount_vnd"],
            "CanCuPhapLy": f["legal_basis"],
            "DaThanhToan": 1 if f["paid"] else 0,
            "HinhThucThanhToanTrucTuyen": PAYMENT_METHOD.get(f["online_method"], ""),
        }
        for f in p.get("fees", [])
    ]


def _supplements(p: dict) -> list[dict]:
    return [
        {
            "HoSoBoSungId": s["supplement_id"],
            "NgayYeuCauBoSung": _date(s["requested_at"]),
            "NguoiYeuCauBoSung": s["requested_by"],
            "NoiDungBoSung": "; ".join(s["items"]),
            "LyDo": s["reason"],
            "NgayHenTraTruoc": _date(s["due_at_before"]),
            "NgayHenTraMoi": _date(s["due_at_after"]),
            "NgayTiepNhanBoSung": _date(s["answered_at"]),
            "TrangThaiBoSung": 1 if s["answered_at"] else 0,
        }
        for s in p.get("supplements", [])
    ]


def _attachments(p: dict) -> list[dict]:
    return [
        {
            "MaThanhPhanHoSo": f"TP-{a['component_id']}",
            "TenTepDinhKem": a["name"],
            "SoLuong": a["count"],
            "TenTepTin": a["file_name"],
            "DuocSoHoa": 1 if a["digitized"] else 0,
            "DuocTaiSuDung": 1 if a["reused"] else 0,
            "DuocLayTuKhoDMQG": 1 if a["from_state_data"] else 0,
        }
        for a in p.get("attachments", [])
    ]


def status_body(p: dict) -> dict:
    """The DVCQG "đồng bộ hồ sơ" fields of one status message."""
    return {
        "MaHoSo": p["dossier_code"],
        "MaTTHC": p["procedure_code"],
        "MaCoQuanTiepNhan": p["receiving_agency"],
        "MaCoQuanGiaiQuyet": p["competent_agency"],
        "TrangThaiHoSo": p["status"],
        "KenhThucHien": p["channel"],
        "LoaiDoiTuong": p["applicant_kind"],
        "ChuHoSo": p["applicant_name"],
        "SoDinhDanh": p["applicant_id_number"],
        "NgayNopHoSo": _date(p["submitted_at"]),
        "NgayTiepNhan": _date(p["received_at"]),
        "NgayHenTra": _date(p["due_at"]),
        "NgayHenTraTruoc": _date(p["due_at_before"]),
        "NgayKetThucXuLy": _date(p["finished_at"]),
        "NgayTra": _date(p["returned_at"]),
        "TaiKhoanDuocXacThucVoiVNeID": 1 if p["vneid_verified"] else 0,
        "DuocThanhToanTrucTuyen": 1 if p["paid_online"] else 3,
        "HoSoCoThanhPhanSoHoa": 1 if p["digitized"] else 0,
        "LyDo": p["reason"],
        "DanhSachGiayToKetQua": _results(p["results"]),
        "QuaTrinhXuLy": _history(p),
        "DanhSachLePhi": _fees(p),
        "DanhSachHoSoBoSung": _supplements(p),
        "TaiLieuNop": _attachments(p),
        "DSKetNoiCSDL": [{"MaCSDL": DATABASE_CODE[d]} for d in p.get("databases", [])],
    }


def store_body(p: dict) -> dict:
    """The result for the citizen's data store (Kho quản lý dữ liệu điện tử) on the portal."""
    return {
        "MaHoSo": p["dossier_code"],
        "MaTTHC": p["procedure_code"],
        "LoaiDoiTuong": p["applicant_kind"],
        "SoDinhDanh": p["applicant_id_number"],
        "ChuHoSo": p["applicant_name"],
        "MaCoQuanGiaiQuyet": p["competent_agency"],
        "NgayTra": _date(p["returned_at"]),
        "DanhSachGiayToKetQua": _results(p["results"]),
    }


def envelope(message) -> dict:
    body = status_body if message.kind == "status" else store_body
    return {
        "MaTinNhan": message.message_id,
        "LoaiTinNhan": KIND[message.kind],
        "ThuTu": message.seq,
        "ThoiGianThayDoi": _date(message.changed_at.isoformat()),
        "DuLieu": body(message.payload),
    }


def _url() -> str:
    base = settings.MOTCUA_DVCQG_URL.rstrip("/")
    if not base:
        raise PortalUnavailable("config: MOTCUA_DVCQG_URL is not set")
    return f"{base}/dong-bo"


def send(messages: list) -> dict[str, Outcome]:
    """POST one batch; the outcome of each message the portal answered for, by message id.
    A message the answer leaves out is simply not in the result (sent again)."""
    if not messages:
        return {}
    body = {"DanhSachTinNhan": [envelope(m) for m in messages]}
    headers = {"Authorization": f"Bearer {settings.MOTCUA_DVCQG_TOKEN}"}
    try:
        response = _SESSION.post(
            _url(), json=body, headers=headers, timeout=settings.MOTCUA_DVCQG_TIMEOUT
        )
    except requests.Timeout:
        raise PortalUnavailable("timeout: no answer in time") from None
    except requests.RequestException as exc:
        raise PortalUnavailable(f"connection: {type(exc).__name__}") from None
    if response.status_code != 200:
        raise PortalUnavailable(f"http: portal answered HTTP {response.status_code}")
    try:
        answer = response.json()
        results = answer["KetQua"]
        if not isinstance(results, list):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        kind = response.headers.get("Content-Type", "?").split(";")[0][:40]
        raise PortalUnavailable(f"format: answer is not the agreed JSON ({kind})") from None
    outcomes: dict[str, Outcome] = {}
    for item in results:
        if not isinstance(item, dict) or not isinstance(item.get("MaTinNhan"), str):
            continue
        state = item.get("TrangThai")
        if state in ACCEPTED:
            outcomes[item["MaTinNhan"]] = Outcome(True)
        elif state == REFUSED:
            reason = f"{item.get('MaLoi', '?')}: {item.get('LyDo', '')}"[:280]
            outcomes[item["MaTinNhan"]] = Outcome(False, reason)
    return outcomes
