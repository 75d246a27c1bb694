"""The simulated platform: INIT, CHECK, RECEIPT over HTTP JSON, and the page where the "citizen"
pays; and the simulated bank's page, where a tester makes a VietQR transfer that the bank then
notifies (`paysim.bank`). Mounted at /gia-lap/thanh-toan/ only when MOTCUA_PAYGOV_SIMULATOR is
on (never with DJANGO_SECURE=1); it holds one shared secret per partner from the settings."""

import hmac
import json
import secrets
import time
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from . import bank, daily
from . import protocol as p
from .models import Behaviour, SimulatedTransaction, SimulatedTransfer


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


# --- the simulated bank (paysim.bank) ---------------------------------------------------------


class TransferForm(forms.Form):
    """What a payer types into a bank app (or what scanning the VietQR code fills in)."""

    tai_khoan = forms.RegexField(
        label="Số tài khoản nhận",
        regex=r"^[0-9A-Za-z]{1,19}$",
        error_messages={"invalid": "Số tài khoản gồm chữ và số, tối đa 19 ký tự."},
    )
    so_tien = forms.IntegerField(
        label="Số tiền (đồng)",
        min_value=1,
        max_value=10**12,
        error_messages={"invalid": "Số tiền phải là số nguyên (đồng)."},
    )
    noi_dung = forms.CharField(label="Nội dung chuyển khoản", max_length=200)


def _back(request) -> str:
    """Where "Quay lại" goes: only an address on this site."""
    back = request.GET.get("quay_lai") or request.POST.get("quay_lai") or ""
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return back
    return ""


@require_http_methods(["GET", "POST"])
def bank_page(request):
    """The simulated bank: the tester makes a transfer to a collection account (as a bank app
    would, from the VietQR code's fields) and the bank notifies motcua over HTTP; or sends again
    what is still pending (held, or unanswered while motcua was unreachable)."""
    url = bank.notify_url(request.build_absolute_uri("/"))
    behaviour = Behaviour.now()
    status = 200
    form = TransferForm(
        initial={
            "tai_khoan": request.GET.get("tk", "")[:19],
            "so_tien": request.GET.get("so_tien", "")[:13],
            "noi_dung": request.GET.get("noi_dung", "")[:200],
        }
    )
    if request.method == "POST":
        action = request.POST.get("thao_tac", "")
        if action == "chuyen":
            form = TransferForm(request.POST)
            if form.is_valid():
                made = bank.transfer_made(
                    account=form.cleaned_data["tai_khoan"],
                    amount=form.cleaned_data["so_tien"],
                    description=form.cleaned_data["noi_dung"],
                    url=url,
                )
                told = (
                    f"cổng một cửa trả lời: {made.last_answer}"
                    if made.sends
                    else "thông báo đang được ngân hàng giữ lại"
                )
                messages.info(request, f"Đã chuyển khoản {made.transaction_id}; {told}.")
                return redirect(request.get_full_path())
            status = 400
        elif action == "gui_lai":
            sent = bank.send_pending(url)
            messages.info(request, f"Đã gửi lại {sent} thông báo.")
            return redirect(request.get_full_path())
        elif action == "cach_gui":
            behaviour.bank_hold = request.POST.get("giu_lai") == "1"
            behaviour.bank_send_twice = request.POST.get("gui_hai_lan") == "1"
            behaviour.save(update_fields=["bank_hold", "bank_send_twice"])
            return redirect(request.get_full_path())
        else:
            messages.error(request, "Thao tác không hợp lệ.")
            status = 400
    context = {
        "form": form,
        "behaviour": behaviour,
        "transfers": SimulatedTransfer.objects.all()[:20],
        "back": _back(request),
    }
    return render(request, "paysim/bank.html", context, status=status)
