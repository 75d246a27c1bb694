"""Citizens' sign-in through the national digital identity (OpenID Connect), sign-out, and
their account page. Thin: the protocol is in `oidc`, the account in `services`."""

import logging

from django.conf import settings
from django.contrib.auth import login, logout
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from motcua.core import ratelimit
from motcua.core.links import public_url

from . import claims as claim_reader
from . import oidc, services
from .decorators import citizen_required

log = logging.getLogger(__name__)
NEXT_KEY = "citizens_next"
ID_TOKEN_KEY = "citizens_id_token"  # noqa: S105 (a session key name)
BACKEND = "django.contrib.auth.backends.ModelBackend"

# reason code -> (title, explanation) shown to the citizen
MESSAGES = {
    "not_configured": (
        gettext_noop("Chưa mở đăng nhập bằng tài khoản định danh điện tử"),
        gettext_noop(
            "Cơ quan chưa kết nối hệ thống định danh điện tử. Bạn vẫn tra cứu thủ tục, lấy số, "
            "đặt lịch hẹn và theo dõi hồ sơ được mà không cần đăng nhập."
        ),
    ),
    "provider_error": (
        gettext_noop("Chưa đăng nhập được"),
        gettext_noop(
            "Bạn đã hủy đăng nhập, hoặc hệ thống định danh điện tử từ chối yêu cầu. "
            "Hãy thử đăng nhập lại."
        ),
    ),
    "bad_state": (
        gettext_noop("Phiên đăng nhập không hợp lệ hoặc đã hết hạn"),
        gettext_noop(
            "Yêu cầu đăng nhập này không khớp với phiên trên trình duyệt của bạn (có thể đã "
            "dùng rồi, đã quá lâu, hoặc mở từ trình duyệt khác). Hãy bắt đầu đăng nhập lại."
        ),
    ),
    "missing_verifier": (
        gettext_noop("Phiên đăng nhập không hợp lệ hoặc đã hết hạn"),
        gettext_noop("Thiếu mã kiểm tra của phiên đăng nhập. Hãy bắt đầu đăng nhập lại."),
    ),
    "code_refused": (
        gettext_noop("Mã đăng nhập không dùng được"),
        gettext_noop(
            "Hệ thống định danh điện tử không chấp nhận mã đăng nhập (đã dùng rồi hoặc hết "
            "hạn). Hãy bắt đầu đăng nhập lại."
        ),
    ),
    "id_token": (
        gettext_noop("Không xác minh được thông tin đăng nhập"),
        gettext_noop(
            "Thông tin định danh nhận được không hợp lệ (sai chữ ký, hết hạn hoặc không khớp "
            "phiên đăng nhập) nên không được dùng. Hãy đăng nhập lại; nếu vẫn lỗi, vui lòng "
            "báo cơ quan."
        ),
    ),
    "claims": (
        gettext_noop("Tài khoản định danh thiếu thông tin"),
        gettext_noop(
            "Hệ thống định danh điện tử không cung cấp đủ số định danh cá nhân và họ tên, nên "
            "chưa đăng nhập được. Vui lòng liên hệ bộ phận một cửa."
        ),
    ),
    "not_citizen": (
        gettext_noop("Tài khoản này không đăng nhập được ở đây"),
        gettext_noop(
            "Tài khoản gắn với định danh này đã bị khóa. Vui lòng liên hệ bộ phận một cửa."
        ),
    ),
    "provider_unreachable": (
        gettext_noop("Chưa kết nối được hệ thống định danh điện tử"),
        gettext_noop(
            "Hệ thống định danh điện tử đang không trả lời. Vui lòng thử lại sau ít phút."
        ),
    ),
}
GROUP = {
    "id_token_expired": "id_token",
    "id_token_signature": "id_token",
    "id_token_nonce": "id_token",
    "id_token_invalid": "id_token",
    "no_id_token": "id_token",
    "provider_misconfigured": "provider_unreachable",
    "bad_keys": "provider_unreachable",
    "no_subject": "claims",
    "no_citizen_id": "claims",
    "no_name": "claims",
}


def _failure(request, reason: str, status: int = 400):
    # The reason code only: never a token, a code, a claim or the query string.
    log.warning("citizen sign-in refused: %s", reason)
    title, text = MESSAGES[GROUP.get(reason, reason)]
    context = {"title": _(title), "text": _(text), "reason": reason}
    return render(request, "citizens/sign_in_failed.html", context, status=status)


def _limited(request):
    count = ratelimit.hit("citizens.oidc", ratelimit.client_ip(request), window=60)
    if count > settings.MOTCUA_OIDC_RATE_PER_MINUTE:
        return ratelimit.too_many(
            request,
            _("Bạn đã thử đăng nhập quá nhiều lần. Vui lòng đợi một phút rồi thử lại."),
            retry_after=60,
            back_url="/",
        )
    return None


def safe_next(candidate: str | None) -> str:
    """Only a path on this site: "/..." but not "//host" or "/\\host"; else the account."""
    if (
        candidate
        and candidate.startswith("/")
        and not candidate.startswith(("//", "/\\"))
        and len(candidate) <= 2000
        and not any(ord(ch) < 32 for ch in candidate)
    ):
        return candidate
    return reverse("citizens:home")


@require_GET
@never_cache
def start(request):
    refused = _limited(request)
    if refused:
        return refused
    if not oidc.configured():
        return _failure(request, "not_configured", 404)
    request.session[NEXT_KEY] = safe_next(request.GET.get("next"))
    try:
        return oidc.start(request, public_url(reverse("citizens:callback"), request))
    except oidc.SignInFailed as exc:
        return _failure(request, exc.reason, exc.status)


@require_GET
@never_cache
def callback(request):
    refused = _limited(request)
    if refused:
        return refused
    if not oidc.configured():
        return _failure(request, "not_configured", 404)
    state = request.GET.get("state", "")
    data = oidc.state_data(request, state) if state and len(state) <= 200 else None
    if request.GET.get("error"):
        return _failure(request, "provider_error" if data else "bad_state")
    if not data:
        return _failure(request, "bad_state")
    code = request.GET.get("code", "")
    if not code or len(code) > 2000:
        return _failure(request, "bad_state")
    try:
        result = oidc.exchange(code=code, data=data)
        claims = claim_reader.read(result["claims"])
    except oidc.SignInFailed as exc:
        return _failure(request, exc.reason, exc.status)
    except claim_reader.BadClaims as exc:
        return _failure(request, exc.reason)
    try:
        user = services.sign_in(issuer=oidc.issuer(), claims=claims)
    except services.NotACitizen:
        return _failure(request, "not_citizen", 403)
    next_url = safe_next(request.session.get(NEXT_KEY))
    login(request, user, backend=BACKEND)  # a new session key: nothing from before carries
    request.session[ID_TOKEN_KEY] = result["id_token"]
    return redirect(next_url)


@require_POST
def sign_out(request):
    user = request.user
    if not user.is_authenticated or user.kind != user.Kind.CITIZEN:
        return redirect("/")
    id_token = request.session.get(ID_TOKEN_KEY, "")
    services.record_sign_out(user=user)
    logout(request)
    url = oidc.end_session_url(id_token=id_token, post_logout_redirect_uri=public_url("/", request))
    return redirect(url or "/")


@citizen_required
@never_cache
def home(request):
    identity = services.identity_of(request.user)
    return render(request, "citizens/home.html", {"identity": identity})
