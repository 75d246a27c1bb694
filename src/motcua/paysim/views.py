"""The simulated platform: INIT, CHECK, RECEIPT over HTTP JSON, and the page where the "citizen"
pays. Mounted at /gia-lap/thanh-toan/ only when MOTCUA_PAYGOV_SIMULATOR is on (never with
DJANGO_SECURE=1); it holds one shared secret per partner from the settings."""

import hmac
import json
import secrets
import time
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from . import daily
from . import protocol as p
from .models import Behaviour, SimulatedTransaction


def _secret(partner: str) -> str | None:
    if partner and partner == settings.MOTCUA_PAYSIM_PARTNER and settings.MOTCUA_PAYSIM_SECRET:
        return settings.MOTCUA_PAYSIM_SECRET
    return None


def _misbehave() -> HttpResponse | None:
    now = Behaviour.now()
    if now.delay_ms:
        time.sleep(now.delay_ms / 1000)
    if now.down:
        return HttpResponse("Service Unavailable", status=503)
    return None


def _body(request) -> dict:
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _reply(data: dict, signed: list[str], secret: str) -> JsonResponse:
    if Behaviour.now().forge_answers:
        secret = "not-the-shared-secret"  # noqa: S105 (an impostor's, on purpose)
    data["MaXacThuc"] = p.code(*[data.get(k, "") for k in signed], secret=secret)
    return JsonResponse(data)


def _error(code: str, message: str, status: int = 200) -> JsonResponse:
    return JsonResponse({"MaLoi": code, "MoTaLoi": message}, status=status)


def _authentic(data: dict, fields: list[str], secret: str) -> bool:
    expected = p.code(*[data.get(k, "") for k in fields], secret=secret)
    return hmac.compare_digest(expected, str(data.get("MaXacThuc", "")))


INIT_FIELDS = [
    "LoaiBanTin",
    "PhienBan",
    "MaDoiTac",
    "MaThamChieu",
    "SoTien",
    "LoaiHinhThanhToan",
    "MaKenhThanhToan",
    "MaTienTe",
    "ThoiGianGD",
]
CHECK_FIELDS = ["LoaiBanTin", "PhienBan", "MaDoiTac", "MaThamChieu", "ThoiGianGD"]


@csrf_exempt
@require_POST
def init(request):
    if (bad := _misbehave()) is not None:
        return bad
    data = _body(request)
    secret = _secret(str(data.get("MaDoiTac", "")))
    if secret is None:
        return _error(p.UNKNOWN_PARTNER, "Mã đối tác không hợp lệ")
    if data.get("LoaiBanTin") != "INIT" or not _authentic(data, INIT_FIELDS, secret):
        return _error(p.BAD_SIGNATURE, "Sai mã xác thực")
    if failing := Behaviour.now().fail_init:
        return _error(failing, "Nền tảng từ chối giao dịch (giả lập)")
    amount = data.get("SoTien")
    if not isinstance(amount, int) or amount <= 0 or data.get("MaTienTe") != "VND":
        return _error(p.BAD_AMOUNT, "Số tiền không hợp lệ")
    reference = str(data.get("MaThamChieu", ""))[:40]
    if SimulatedTransaction.objects.filter(reference=reference).exists():
        return _error(p.DUPLICATE, "Mã tham chiếu đã tồn tại")
    receipt = data.get("ThongTinBienLai") if isinstance(data.get("ThongTinBienLai"), dict) else {}
    txn = SimulatedTransaction.objects.create(
        reference=reference,
        transaction_id="PG" + secrets.token_hex(8).upper(),
        partner=data["MaDoiTac"],
        amount=amount,
        currency="VND",
        return_url=str(data.get("UrlTraVe", ""))[:500],
        payer_name=str(receipt.get("HoTenNguoiNop", ""))[:200],
        dossier_code=str(receipt.get("MaHoSo", ""))[:60],
        unit_code=str(receipt.get("MaDonVi", ""))[:40],
    )
    pay_url = request.build_absolute_uri(f"/gia-lap/thanh-toan/trang/{txn.transaction_id}/")
    reply = {
        "LoaiBanTin": "INIT_RESULT",
        "MaLoi": p.OK,
        "MaThamChieu": reference,
        "MaGiaoDich": txn.transaction_id,
        "UrlThanhToan": pay_url,
    }
    return _reply(
        reply, ["LoaiBanTin", "MaLoi", "MaThamChieu", "MaGiaoDich", "UrlThanhToan"], secret
    )


@csrf_exempt
@require_POST
def check(request):
    if (bad := _misbehave()) is not None:
        return bad
    data = _body(request)
    secret = _secret(str(data.get("MaDoiTac", "")))
    if secret is None:
        return _error(p.UNKNOWN_PARTNER, "Mã đối tác không hợp lệ")
    if data.get("LoaiBanTin") not in ("CHECK", "RECEIPT") or not _authentic(
        data, CHECK_FIELDS, secret
    ):
        return _error(p.BAD_SIGNATURE, "Sai mã xác thực")
    txn = SimulatedTransaction.objects.filter(reference=data.get("MaThamChieu", "")).first()
    if txn is None:
        return _error(p.NOT_FOUND, "Không tìm thấy giao dịch")
    if data["LoaiBanTin"] == "RECEIPT":
        if txn.state != "thanh-cong":
            return _error(p.NOT_FOUND, "Giao dịch chưa thành công, chưa có biên lai")
        url = request.build_absolute_uri(f"/gia-lap/thanh-toan/bien-lai/{txn.transaction_id}/")
        reply = {
            "LoaiBanTin": "RECEIPT_RESULT",
            "MaLoi": p.OK,
            "MaThamChieu": txn.reference,
            "DuongDanBienLai": url,
        }
        return _reply(reply, ["LoaiBanTin", "MaLoi", "MaThamChieu", "DuongDanBienLai"], secret)
    state = txn.state
    behaviour = Behaviour.now()
    if behaviour.pending_checks:
        behaviour.pending_checks -= 1
        behaviour.save(update_fields=["pending_checks"])
        state = "khoi-tao"
    reply = {
        "LoaiBanTin": "CHECK_RESULT",
        "MaLoi": p.OK,
        "MaThamChieu": txn.reference,
        "MaGiaoDich": txn.transaction_id,
        "TrangThai": state,
        "SoTien": txn.amount,
        "MaTienTe": txn.currency,
        "MaLoiGiaoDich": txn.error_code,
    }
    return _reply(
        reply,
        [
            "LoaiBanTin",
            "MaLoi",
            "MaThamChieu",
            "MaGiaoDich",
            "TrangThai",
            "SoTien",
            "MaTienTe",
        ],
        secret,
    )


@require_http_methods(["GET", "POST"])
def pay_page(request, transaction_id: str):
    """The platform's payment page: the "citizen" pays or gives up, then goes back."""
    txn = get_object_or_404(SimulatedTransaction, transaction_id=transaction_id)
    if request.method == "POST" and txn.state == "khoi-tao":
        paid = request.POST.get("ket_qua") == "thanh-cong"
        txn.state = "thanh-cong" if paid else "that-bai"
        txn.error_code = "" if paid else "24"  # the payer cancelled
        txn.paid_at = timezone.now() if paid else None
        txn.save(update_fields=["state", "error_code", "paid_at"])
    if request.method == "POST":
        query = urlencode({"MaThamChieu": txn.reference, "MaGiaoDich": txn.transaction_id})
        separator = "&" if "?" in txn.return_url else "?"
        return redirect(f"{txn.return_url}{separator}{query}")
    return render(request, "paysim/pay.html", {"txn": txn})


def receipt_page(request, transaction_id: str):
    txn = get_object_or_404(SimulatedTransaction, transaction_id=transaction_id, state="thanh-cong")
    return render(request, "paysim/receipt.html", {"txn": txn})


@csrf_exempt
@require_POST
def daily_file(request):
    """DOISOAT: the file of the transactions settled on NgayDoiSoat, signed with its totals."""
    if (bad := _misbehave()) is not None:
        return bad
    data = _body(request)
    secret = _secret(str(data.get("MaDoiTac", "")))
    if secret is None:
        return _error(p.UNKNOWN_PARTNER, "Mã đối tác không hợp lệ")
    if data.get("LoaiBanTin") != "DOISOAT" or not _authentic(data, daily.ASK_FIELDS, secret):
        return _error(p.BAD_SIGNATURE, "Sai mã xác thực")
    day = daily.parse_day(str(data.get("NgayDoiSoat", "")))
    if day is None:
        return _error(p.NOT_FOUND, "Ngày đối soát không hợp lệ")
    text, count, total = daily.build(day, partner=data["MaDoiTac"])
    reply = {
        "LoaiBanTin": "DOISOAT_RESULT",
        "MaLoi": p.OK,
        "MaDoiTac": data["MaDoiTac"],
        "NgayDoiSoat": data["NgayDoiSoat"],
        "SoGiaoDich": count,
        "TongSoTien": total,
        "NoiDungTep": text,
    }
    return _reply(reply, daily.REPLY_FIELDS, secret)


def daily_file_download(request, day: str):
    """The same file as a download (a developer uploads it on the reconciliation screen)."""
    parsed = daily.parse_day(day)
    if parsed is None:
        return HttpResponse("Ngày không hợp lệ", status=404)
    text, _count, _total = daily.build(parsed, partner=settings.MOTCUA_PAYSIM_PARTNER)
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="doisoat-{day}.txt"'
    return response
