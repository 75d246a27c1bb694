"""System checks that stop a misconfigured server before it prints a wrong address.

Django runs them before `migrate`, `run_huey` and every other management command; with DEBUG
off an error stops the command. A QR code stamped into a signed result cannot be corrected
later, so a base URL that phones cannot open must fail loudly at deploy time, not quietly on
paper. With DEBUG on (development) nothing is reported.
"""

from django.conf import settings
from django.core.checks import Error, register

from .links import base_url_problem

HINT = (
    "Đặt MOTCUA_PUBLIC_BASE_URL là địa chỉ người dân mở được từ điện thoại, ví dụ "
    "https://motcua.tenxa.gov.vn (xem docs/operations.md). `make run` tự đặt địa chỉ nó phục vụ."
)
MESSAGES = {
    "missing": (
        "motcua.E001",
        "MOTCUA_PUBLIC_BASE_URL chưa được đặt: mã QR trên giấy biên nhận, kết quả ký số và "
        "tin nhắn sẽ không có địa chỉ đúng.",
    ),
    "malformed": (
        "motcua.E001",
        "MOTCUA_PUBLIC_BASE_URL không phải địa chỉ gốc http(s)://tên-miền[:cổng] "
        "(không có đường dẫn, tham số hay tên đăng nhập).",
    ),
    "loopback": (
        "motcua.E002",
        "MOTCUA_PUBLIC_BASE_URL trỏ về chính máy chủ (localhost, 127.0.0.1): mã QR và "
        "liên kết chỉ mở được trên máy này, không mở được trên điện thoại của người dân.",
    ),
}


@register()
def public_base_url_check(app_configs=None, **kwargs):
    """MOTCUA_PUBLIC_BASE_URL must be an address citizens can open (only with DEBUG off)."""
    if settings.DEBUG:
        return []
    value = str(settings.MOTCUA_PUBLIC_BASE_URL or "")
    problem = base_url_problem(value)
    if not problem:
        return []
    check_id, message = MESSAGES[problem]
    if value:
        message = f"{message} (MOTCUA_PUBLIC_BASE_URL={value!r})"
    return [Error(message, hint=HINT, id=check_id)]
