"""The simulated post: books a consignment (a tracking number per order id, the same one for a
retried order) and later posts signed status updates to the sender's callback address.
Mounted at /gia-lap/buu-chinh/ only when MOTCUA_POSTSIM is on (never with DJANGO_SECURE=1).
It holds its own copy of the shared secret (MOTCUA_POSTSIM_SECRET)."""

import hashlib
import hmac
import json
import secrets
import time

import requests
from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .models import Behaviour, SimulatedConsignment

STATUSES = ("da-nhan-gui", "dang-van-chuyen", "da-phat", "chuyen-hoan")


def _sign(body: bytes, timestamp: int) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(settings.MOTCUA_POSTSIM_SECRET.encode(), message, hashlib.sha256).hexdigest()


def _authentic(request) -> bool:
    secret = settings.MOTCUA_POSTSIM_SECRET
    try:
        stamp = int(request.headers.get("X-BuuChinh-ThoiDiem", ""))
    except ValueError:
        return False
    given = request.headers.get("X-BuuChinh-ChuKy", "")
    return bool(secret) and hmac.compare_digest(_sign(request.body, stamp), given)


@csrf_exempt
@require_POST
def book(request):
    if Behaviour.now().down:
        return HttpResponse("Service Unavailable", status=503)
    if not _authentic(request):
        return JsonResponse({"ma_loi": "01", "mo_ta": "Sai chữ ký"}, status=401)
    try:
        data = json.loads(request.body)
        order_id = str(data["ma_don_hang"])[:64]
        to = data["nguoi_nhan"]
        recipient, address = str(to["ho_ten"])[:200], str(to["dia_chi"])[:300]
        callback = str(data["url_thong_bao"])[:500]
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"ma_loi": "02", "mo_ta": "Thiếu thông tin"}, status=400)
    found, _created = SimulatedConsignment.objects.get_or_create(
        order_id=order_id,
        defaults={
            "tracking_number": "EB" + str(secrets.randbelow(10**9)).zfill(9) + "VN",
            "customer": str(data.get("ma_khach_hang", ""))[:40],
            "recipient": recipient,
            "address": address,
            "callback_url": callback,
        },
    )
    return JsonResponse({"so_van_don": found.tracking_number, "trang_thai": found.status})


def send_update(
    tracking_number: str,
    status: str,
    *,
    note: str = "",
    message_id: str = "",
    timestamp: int | None = None,
    secret: str | None = None,
) -> requests.Response:
    """What the post does later: POST a signed status update to the sender's callback."""
    found = SimulatedConsignment.objects.get(tracking_number=tracking_number)
    body = json.dumps(
        {
            "ma_ban_tin": message_id or secrets.token_hex(8),
            "so_van_don": tracking_number,
            "trang_thai": status,
            "thoi_diem": int(time.time()),
            "ghi_chu": note,
        },
        ensure_ascii=False,
    ).encode()
    stamp = int(time.time()) if timestamp is None else timestamp
    signature = _sign(body, stamp)
    if secret is not None:  # an impostor's key
        signature = hmac.new(secret.encode(), str(stamp).encode() + b"." + body, "sha256")
        signature = signature.hexdigest()
    found.status = status
    found.save(update_fields=["status"])
    return requests.post(
        found.callback_url,
        data=body,
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "X-BuuChinh-ThoiDiem": str(stamp),
            "X-BuuChinh-ChuKy": signature,
        },
        timeout=10,
    )


@csrf_exempt
@require_POST
def advance(request, tracking_number: str):
    """A developer's button: the post moves the consignment to `trang_thai` and says so."""
    status = request.POST.get("trang_thai", "")
    if status not in STATUSES:
        return JsonResponse({"ma_loi": "03", "mo_ta": "Trạng thái không hợp lệ"}, status=400)
    if not SimulatedConsignment.objects.filter(tracking_number=tracking_number).exists():
        return JsonResponse({"ma_loi": "04", "mo_ta": "Không có vận đơn"}, status=404)
    try:
        answer = send_update(tracking_number, status, note=request.POST.get("ghi_chu", ""))
    except requests.RequestException:
        return JsonResponse({"ma_loi": "05", "mo_ta": "Không gửi được"}, status=502)
    return JsonResponse({"gui": answer.status_code})
