"""Citizens' sign-in through the national digital identity (OpenID Connect), sign-out, and
their account page. Thin: the protocol is in `oidc`, the account in `services`."""

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from motcua.core import ratelimit
from motcua.core.links import public_url
from motcua.documents import uploads
from motcua.dossiers.workflow import IllegalTransition
from motcua.feedback.forms import RatingForm
from motcua.feedback.models import Level, Reason

from . import claims as claim_reader
from . import dossier_actions, links, oidc, selectors, services
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
    to_do = sum(1 for d in selectors.my_dossiers(request.user)[:200] if selectors.to_do(d))
    return render(request, "citizens/home.html", {"identity": identity, "to_do": to_do})


# --- "Hồ sơ của tôi" ---------------------------------------------------------------------------
# Thin: every query goes through `selectors` (scoped by the citizen's ID), every change through
# `services` (which call the dossiers' and feedback's services with the citizen as the actor).
# Another citizen's code is a 404, exactly like a code that does not exist.

NO_STORE = "no-store, private"


@require_GET
@citizen_required
@never_cache
def my_dossiers(request):
    page = Paginator(selectors.my_dossiers(request.user), selectors.PAGE_SIZE).get_page(
        request.GET.get("trang")
    )
    context = {"page": page, "rows": selectors.rows(page.object_list)}
    return render(request, "citizens/my_dossiers.html", context)


@require_GET
@citizen_required
@never_cache
def my_papers(request):
    """Giấy tờ của tôi: the results issued to the citizen and the papers they filed."""
    page, papers = selectors.my_papers_page(
        request.user, request.GET.get("trang"), now=timezone.now()
    )
    return render(request, "citizens/my_papers.html", {"page": page, "papers": papers})


def _mine_or_404(request, code: str):
    dossier = selectors.my_dossier(request.user, code)
    if dossier is None:
        raise Http404
    return dossier


def _faces() -> list[dict]:
    return [
        {"value": Level.VERY_SATISFIED, "label": Level.VERY_SATISFIED.label, "face": "very"},
        {"value": Level.SATISFIED, "label": Level.SATISFIED.label, "face": "ok"},
        {"value": Level.NOT_SATISFIED, "label": Level.NOT_SATISFIED.label, "face": "not"},
    ]


def _detail_context(request, dossier, **extra) -> dict:
    user = request.user
    documents = list(selectors.downloadable(dossier))
    for document in documents:
        document.url = links.url_for(user, dossier, document)
    rating = getattr(dossier, "rating", None) if dossier.rated else None
    form = extra.pop("rating_form", None) or RatingForm()
    return {
        "dossier": dossier,
        "view": selectors.public(dossier),
        "history": selectors.history(dossier),
        "to_do": selectors.to_do(dossier),
        "supplement": selectors.open_supplement(dossier, timezone.now()),
        "documents": documents,
        "link_minutes": max(1, links.lifetime() // 60),
        "may_withdraw": services.may_withdraw(user, dossier),
        "actions": dossier_actions.for_dossier(user, dossier),
        "may_rate": services.may_rate(dossier) and rating is None,
        "rating": rating,
        "form": form,
        "faces": _faces(),
        "reasons": Reason.choices,
        "show_reason": form.wants_reason,
        "chosen_reason": form.data.get("reason", "") if form.is_bound else "",
        "rate_error": form.first_error() if form.is_bound else "",
        "max_pages": settings.MOTCUA_UPLOAD_MAX_PAGES,
        **extra,
    }


def _detail(request, dossier, status=200, **extra):
    context = _detail_context(request, dossier, **extra)
    response = render(request, "citizens/my_dossier.html", context, status=status)
    response["Cache-Control"] = NO_STORE
    return response


@require_GET
@citizen_required
@never_cache
def my_dossier(request, code):
    return _detail(request, _mine_or_404(request, code))


def _version(request) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


def _refused(request, dossier, exc, *, key: str):
    """A refused change shown on the dossier page: 409 for a move the rules refuse now."""
    dossier = _mine_or_404(request, dossier.code)  # afresh: the status may have moved
    if isinstance(exc, IllegalTransition):
        return _detail(request, dossier, 409, **{f"{key}_error": exc.reason})
    return _detail(request, dossier, 403, **{f"{key}_error": str(exc.args[0] if exc.args else "")})


def _read_uploads(request) -> list[uploads.Upload]:
    limit = settings.MOTCUA_UPLOAD_MAX_BYTES
    files = request.FILES.getlist("giay")[: settings.MOTCUA_UPLOAD_MAX_PAGES + 1]
    # one byte past the limit is enough for paper_pdf to refuse it as too big
    return [uploads.Upload(name=(f.name or "")[:200], data=f.read(limit + 1)) for f in files]


@require_POST
@citizen_required
def answer_supplement(request, code):
    dossier = _mine_or_404(request, code)
    note = request.POST.get("ghi_chu", "")
    try:
        services.answer_supplement(
            request.user,
            dossier_id=dossier.pk,
            files=_read_uploads(request),
            note=note,
            expected_version=_version(request),
        )
    except services.NotYours as exc:
        raise Http404 from exc
    except uploads.UploadRefused as exc:
        return _detail(request, dossier, 400, supplement_error=exc.message, note=note)
    except ValidationError as exc:
        return _detail(request, dossier, 400, supplement_error=exc.messages[0], note=note)
    except (IllegalTransition, PermissionDenied) as exc:
        return _refused(request, dossier, exc, key="supplement")
    messages.success(
        request,
        _("Đã gửi giấy tờ bổ sung. Thời hạn giải quyết hồ sơ được tính tiếp từ bây giờ."),
    )
    return redirect("citizens:my_dossier", code=dossier.code)


@require_http_methods(["GET", "POST"])
@citizen_required
@never_cache
def withdraw(request, code):
    """Rút hồ sơ: a confirmation page with the reason; POST withdraws through the service."""
    dossier = _mine_or_404(request, code)
    context = {"dossier": dossier, "reason": "", "errors": {}}
    if request.method == "GET":
        if not services.may_withdraw(request.user, dossier):
            return _detail(
                request,
                dossier,
                409,
                withdraw_error=_("Hồ sơ ở trạng thái này không rút được."),
            )
        return render(request, "citizens/withdraw.html", context)
    reason = request.POST.get("ly_do", "")
    try:
        services.withdraw(
            request.user,
            dossier_id=dossier.pk,
            reason=reason,
            confirmed=request.POST.get("xac_nhan") == "1",
            expected_version=_version(request),
        )
    except services.NotYours as exc:
        raise Http404 from exc
    except ValidationError as exc:
        context.update(reason=reason[:1000], errors=exc.message_dict)
        return render(request, "citizens/withdraw.html", context, status=400)
    except (IllegalTransition, PermissionDenied) as exc:
        return _refused(request, dossier, exc, key="withdraw")
    messages.success(request, _("Đã rút hồ sơ. Đơn đề nghị rút hồ sơ đã được gửi cơ quan."))
    return redirect("citizens:my_dossier", code=dossier.code)


@require_POST
@citizen_required
def rate(request, code):
    dossier = _mine_or_404(request, code)
    form = RatingForm(request.POST)
    if not form.is_valid():
        return _detail(request, dossier, 400, rating_form=form)
    try:
        rated = services.rate(
            request.user,
            dossier_id=dossier.pk,
            level=form.cleaned_data["level"],
            reason=form.cleaned_data["reason"],
            comment=form.cleaned_data["comment"],
        )
    except services.NotYours as exc:
        raise Http404 from exc
    except ValidationError as exc:
        return _detail(request, dossier, 409, rate_error_page=exc.messages[0])
    if rated.created:
        messages.success(request, _("Cảm ơn bạn đã đánh giá."))
    else:
        messages.info(request, _("Bạn đã đánh giá hồ sơ này rồi; mỗi hồ sơ chỉ đánh giá một lần."))
    return redirect("citizens:my_dossier", code=dossier.code)


def _file_refused(request, code, *, status: int, title: str, text: str):
    context = {"title": title, "text": text, "code": code}
    response = render(request, "citizens/file_refused.html", context, status=status)
    response["Cache-Control"] = NO_STORE
    return response


@require_GET
@citizen_required
def dossier_file(request, code, token):
    """The signed result or a paper, through the citizen's signed link (`links`) only."""
    try:
        ref = links.read_token(token)
    except links.LinkRefused as exc:
        if exc.expired:
            return _file_refused(
                request,
                code,
                status=403,
                title=_("Liên kết tải tệp đã hết hạn"),
                text=_(
                    "Liên kết tải tệp chỉ dùng được trong %(minutes)s phút. "
                    "Hãy mở lại trang hồ sơ để lấy liên kết mới."
                )
                % {"minutes": max(1, links.lifetime() // 60)},
            )
        return _file_refused(
            request,
            code,
            status=403,
            title=_("Liên kết tải tệp không hợp lệ"),
            text=_("Liên kết đã bị sửa hoặc không đầy đủ. Hãy tải tệp từ trang hồ sơ của bạn."),
        )
    if ref.user_id != request.user.pk:
        return _file_refused(
            request,
            code,
            status=403,
            title=_("Liên kết này không dành cho bạn"),
            text=_(
                "Mỗi liên kết tải tệp chỉ dùng được cho người đã mở nó từ trang hồ sơ của mình."
            ),
        )
    found = selectors.document_for_link(
        request.user,
        code=code,
        dossier_id=ref.dossier_id,
        document_id=ref.document_id,
        name=ref.name,
        kind=ref.kind,
    )
    if found is None:
        raise Http404
    dossier, document = found
    try:
        handle = document.file.open("rb")
    except (FileNotFoundError, OSError):
        return _file_refused(
            request,
            code,
            status=404,
            title=_("Tệp không còn trên máy chủ"),
            text=_("Vui lòng liên hệ Bộ phận Một cửa để được cấp lại."),
        )
    services.record_download(request.user, dossier=dossier, document=document)
    if ref.kind == "c":
        name = f"{dossier.code}-thanh-phan-{document.pk}.pdf"
    else:
        name = f"{dossier.code}-{document.kind}.pdf"
    response = FileResponse(
        handle, content_type="application/pdf", as_attachment=True, filename=name
    )
    response["Cache-Control"] = NO_STORE
    response["X-Content-Type-Options"] = "nosniff"
    return response
