"""The simulated portal's integration interface: POST /gia-lap/dvcqg/api/dong-bo.

Mounted only when MOTCUA_DVCQG_SIMULATOR is on (never with DJANGO_SECURE=1). It checks the
bearer token, stores each message once by MaTinNhan ("DA_NHAN"; a resend: "DA_CO") and refuses
what it cannot take ("TU_CHOI" with MaLoi and LyDo): a message without MaHoSo, a status outside
the national list, a dossier code without its agency prefix, a list of the dossier's (step
history, fees, supplements, attachments, databases consulted) not of the agreed shape
(E06-E10), or everything when `Behaviour` says so. `Behaviour` also makes it slow, down,
answer HTML, or accept then hang.
"""

import hmac
import json
import re
import time

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .models import Behaviour, ReceivedMessage

KINDS = {"DongBoHoSo", "KhoDuLieuCaNhan"}
MAX_BODY = 5 * 1024 * 1024


def _authorised(request) -> bool:
    expected = settings.MOTCUA_DVCQGSIM_TOKEN
    given = request.headers.get("Authorization", "")
    return bool(expected) and hmac.compare_digest(given, f"Bearer {expected}")


DATE = re.compile(r"^\d{14}$")  # yyyyMMddHHmmss


def _date(value, *, empty: bool = True) -> bool:
    return (empty and value == "") or (isinstance(value, str) and bool(DATE.match(value)))


def _flag(value) -> bool:
    return value in (0, 1) and not isinstance(value, bool)


def _text(value, *, empty: bool = True) -> bool:
    return isinstance(value, str) and (empty or bool(value.strip()))


def _int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _step_ok(s: dict) -> bool:
    return (
        _text(s.get("NguoiXuLy"))
        and _date(s.get("ThoiDiemXuLy"), empty=False)
        and s.get("TrangThai") in range(11)
        and _text(s.get("NoiDungXuLy"), empty=False)
        and all(_text(s.get(k)) for k in ("DonViXuLy", "PhongBanXuLy"))
        and all(_date(s.get(k)) for k in ("NgayBatDau", "NgayKetThucTheoQuyDinh"))
    )


def _fee_ok(f: dict) -> bool:
    method = f.get("HinhThucThanhToanTrucTuyen")
    return (
        f.get("LoaiPhiLePhi") in (1, 2, 3)
        and (f.get("Gia") is None or _int(f.get("Gia")))
        and _flag(f.get("DaThanhToan"))
        and method in ("", "NEN_TANG_TTQG", "VIETQR")
        and not (method and f.get("DaThanhToan") != 1)  # a method only for what was paid
        and _text(f.get("TenPhiLePhi"))
    )


def _supplement_ok(s: dict) -> bool:
    answered = s.get("NgayTiepNhanBoSung")
    return (
        _int(s.get("HoSoBoSungId"))
        and _date(s.get("NgayYeuCauBoSung"), empty=False)
        and _text(s.get("LyDo"), empty=False)
        and _text(s.get("NoiDungBoSung"))
        and all(_date(s.get(k)) for k in ("NgayHenTraTruoc", "NgayHenTraMoi", "NgayTiepNhanBoSung"))
        and s.get("TrangThaiBoSung") == (1 if answered else 0)
    )


def _attachment_ok(a: dict) -> bool:
    return (
        _text(a.get("TenTepDinhKem"), empty=False)
        and _text(a.get("MaThanhPhanHoSo"), empty=False)
        and all(_flag(a.get(k)) for k in ("DuocSoHoa", "DuocTaiSuDung", "DuocLayTuKhoDMQG"))
    )


def _database_ok(d: dict) -> bool:
    return _text(d.get("MaCSDL"), empty=False)


# the lists of a DongBoHoSo the portal checks item by item: (field, check, MaLoi, LyDo)
LISTS = (
    ("QuaTrinhXuLy", _step_ok, "E06", "Quá trình xử lý (QuaTrinhXuLy) không đúng định dạng"),
    ("DanhSachLePhi", _fee_ok, "E07", "Danh sách phí, lệ phí không đúng định dạng"),
    ("DanhSachHoSoBoSung", _supplement_ok, "E08", "Danh sách hồ sơ bổ sung không đúng định dạng"),
    ("TaiLieuNop", _attachment_ok, "E09", "Tài liệu nộp không đúng định dạng"),
    ("DSKetNoiCSDL", _database_ok, "E10", "Danh sách kết nối CSDL không đúng định dạng"),
)


def _lists(data: dict) -> tuple[str, str] | None:
    """A list present must be a list of objects each of the agreed shape (absent: accepted,
    as from a sender that does not fill it)."""
    for name, ok, code, reason in LISTS:
        if name not in data:
            continue
        items = data[name]
        if not isinstance(items, list) or not all(isinstance(i, dict) and ok(i) for i in items):
            return code, reason
    return None


def _check(message: dict) -> tuple[str, str] | None:
    """(MaLoi, LyDo) for a message the portal refuses, else None."""
    if not isinstance(message.get("MaTinNhan"), str) or not message["MaTinNhan"]:
        return "E01", "Thiếu mã tin nhắn"
    if message.get("LoaiTinNhan") not in KINDS:
        return "E02", "Loại tin nhắn không hợp lệ"
    data = message.get("DuLieu")
    if not isinstance(data, dict) or not data.get("MaHoSo"):
        return "E03", "Thiếu mã hồ sơ (MaHoSo)"
    if message["LoaiTinNhan"] == "DongBoHoSo" and data.get("TrangThaiHoSo") not in range(11):
        return "E04", "Trạng thái hồ sơ không thuộc danh mục"
    if "-" not in data["MaHoSo"]:
        return "E05", "Mã hồ sơ không đúng định dạng mã định danh cơ quan"
    if message["LoaiTinNhan"] == "DongBoHoSo":
        return _lists(data)
    return None


def _store(messages: list[dict]) -> dict[str, str]:
    """Keep each new message once: "DA_NHAN" for a new id, "DA_CO" for one already held (two
    queries per batch: which ids are known, then one INSERT of the rest)."""
    ids = [m["MaTinNhan"] for m in messages]
    known = set(
        ReceivedMessage.objects.filter(message_id__in=ids).values_list("message_id", flat=True)
    )
    fresh, seen = [], set()
    for m in messages:
        if m["MaTinNhan"] in known or m["MaTinNhan"] in seen:
            continue
        seen.add(m["MaTinNhan"])
        data = m["DuLieu"]
        fresh.append(
            ReceivedMessage(
                message_id=m["MaTinNhan"],
                kind=m["LoaiTinNhan"],
                dossier_code=data["MaHoSo"],
                status=data.get("TrangThaiHoSo"),
                body=m,
            )
        )
    # a resend racing its first copy in another request: the unique id keeps one of them
    ReceivedMessage.objects.bulk_create(fresh, ignore_conflicts=True)
    return {i: ("DA_CO" if i in known else "DA_NHAN") for i in ids}


def _hang(ms: int) -> None:
    """Sleep `ms`, in slices: a test that switches the behaviour off wakes the portal up."""
    until = time.monotonic() + ms / 1000
    while time.monotonic() < until:
        time.sleep(0.1)
        if not Behaviour.objects.filter(pk=1, accept_then_sleep_ms__gt=0).exists():
            return


@csrf_exempt
@require_POST
def sync(request):
    behaviour = Behaviour.now()
    if behaviour.delay_ms:
        time.sleep(behaviour.delay_ms / 1000)
    if behaviour.down:
        return HttpResponse("Service Unavailable", status=503)
    if behaviour.non_json:
        return HttpResponse("<html><body>Bảo trì hệ thống</body></html>", content_type="text/html")
    if not _authorised(request):
        return JsonResponse({"MaLoi": "401", "LyDo": "Sai khóa truy cập"}, status=401)
    if len(request.body) > MAX_BODY:
        return JsonResponse({"MaLoi": "413", "LyDo": "Gói tin quá lớn"}, status=413)
    try:
        messages = json.loads(request.body)["DanhSachTinNhan"]
        if not isinstance(messages, list):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"MaLoi": "400", "LyDo": "Gói tin không hợp lệ"}, status=400)
    results, good = [], []
    for message in messages:
        if not isinstance(message, dict):
            continue
        problem = _check(message) or (
            (behaviour.reject_code, behaviour.reject_reason) if behaviour.reject_code else None
        )
        if problem:
            results.append(
                {
                    "MaTinNhan": message.get("MaTinNhan"),
                    "TrangThai": "TU_CHOI",
                    "MaLoi": problem[0],
                    "LyDo": problem[1],
                }
            )
        else:
            good.append(message)
    stored = _store(good) if good else {}
    results.extend({"MaTinNhan": i, "TrangThai": state} for i, state in stored.items())
    if behaviour.accept_then_sleep_ms:
        _hang(behaviour.accept_then_sleep_ms)
    return JsonResponse({"KetQua": results})
