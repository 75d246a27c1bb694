"""The post's HTTP interface (the adapter): the only code that knows the post's field names.

Messages (docs/postal-delivery.md): JSON bodies signed with HMAC-SHA256 over
"<timestamp>.<body>" with the secret shared with the post (MOTCUA_POST_SECRET), sent in the
headers `X-BuuChinh-ThoiDiem` (Unix seconds) and `X-BuuChinh-ChuKy` (hex). Both directions.
"""

import hashlib
import hmac
import json
import time
from dataclasses import dataclass

import requests
from django.conf import settings

TIMESTAMP_HEADER = "X-BuuChinh-ThoiDiem"
SIGNATURE_HEADER = "X-BuuChinh-ChuKy"
# the post's status words -> ours (models.Consignment.Status)
STATUSES = {
    "da-nhan-gui": "accepted",
    "dang-van-chuyen": "in_transit",
    "da-phat": "delivered",
    "chuyen-hoan": "returned",
}
FRESH_SECONDS = 300  # an update signed longer ago than this (or ahead of us) is refused


class PostUnavailable(Exception):
    """The post did not answer, or answered with an error: nothing was booked on our side."""


@dataclass(frozen=True)
class Booking:
    tracking_number: str


@dataclass(frozen=True)
class Update:
    message_id: str
    tracking_number: str
    status: str  # ours
    note: str
    signed_at: int


def sign(body: bytes, timestamp: int, secret: str) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def book(
    *, order_id: str, recipient: str, phone: str, address: str, contents: str, callback_url: str
) -> Booking:
    """Book one consignment; the post answers the same tracking number for the same order id
    (a retry or a double click books once)."""
    if not settings.MOTCUA_POST_URL or not settings.MOTCUA_POST_SECRET:
        raise PostUnavailable("not configured")
    body = json.dumps(
        {
            "ma_khach_hang": settings.MOTCUA_POST_CUSTOMER,
            "ma_don_hang": order_id,
            "nguoi_nhan": {"ho_ten": recipient, "dien_thoai": phone, "dia_chi": address},
            "noi_dung": contents,
            "url_thong_bao": callback_url,
        },
        ensure_ascii=False,
    ).encode()
    now = int(time.time())
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        TIMESTAMP_HEADER: str(now),
        SIGNATURE_HEADER: sign(body, now, settings.MOTCUA_POST_SECRET),
    }
    try:
        answer = requests.post(
            settings.MOTCUA_POST_URL.rstrip("/") + "/van-don",
            data=body,
            headers=headers,
            timeout=settings.MOTCUA_POST_TIMEOUT,
        )
    except requests.RequestException as exc:
        raise PostUnavailable(type(exc).__name__) from exc
    if answer.status_code != 200:
        raise PostUnavailable(f"HTTP {answer.status_code}")
    try:
        data = answer.json()
    except ValueError as exc:
        raise PostUnavailable("not JSON") from exc
    tracking = str(data.get("so_van_don", "")) if isinstance(data, dict) else ""
    if not tracking or len(tracking) > 40 or not tracking.isalnum():
        raise PostUnavailable("no tracking number")
    return Booking(tracking_number=tracking)


class Refused(Exception):
    """An update we do not record; `reason` is the Vietnamese reason logged. `unsigned`: the
    sender did not prove it is the post (no key, no or a wrong signature): answered 403."""

    def __init__(
        self, reason: str, tracking_number: str = "", message_id: str = "", *, unsigned=False
    ):
        super().__init__(reason)
        self.reason, self.tracking_number, self.message_id = reason, tracking_number, message_id
        self.unsigned = unsigned


def parse_update(body: bytes, headers, *, now: float | None = None) -> Update:
    """Check a status update's signature and freshness and read it, or raise Refused."""
    secret = settings.MOTCUA_POST_SECRET
    if not secret:
        raise Refused("Chưa cấu hình khóa bí mật dùng chung với bưu điện.", unsigned=True)
    stamp = headers.get(TIMESTAMP_HEADER, "")
    given = headers.get(SIGNATURE_HEADER, "")
    try:
        timestamp = int(stamp)
    except (TypeError, ValueError):
        raise Refused("Thiếu hoặc sai thời điểm ký.", unsigned=True) from None
    if not hmac.compare_digest(sign(body, timestamp, secret), str(given)):
        raise Refused("Chữ ký không hợp lệ.", unsigned=True)
    now = time.time() if now is None else now
    if abs(now - timestamp) > FRESH_SECONDS:
        raise Refused("Bản tin đã quá hạn (có thể bị gửi lại).")
    try:
        data = json.loads(body)
    except ValueError:
        raise Refused("Bản tin không phải JSON.") from None
    if not isinstance(data, dict):
        raise Refused("Bản tin không đúng cấu trúc.")
    tracking = str(data.get("so_van_don", ""))[:40]
    message_id = str(data.get("ma_ban_tin", ""))[:64]
    status = STATUSES.get(str(data.get("trang_thai", "")))
    if not message_id or not tracking:
        raise Refused("Thiếu mã bản tin hoặc số vận đơn.", tracking, message_id)
    if status is None:
        raise Refused("Trạng thái không được hỗ trợ.", tracking, message_id)
    return Update(
        message_id=message_id,
        tracking_number=tracking,
        status=status,
        note=str(data.get("ghi_chu", ""))[:300],
        signed_at=timestamp,
    )
