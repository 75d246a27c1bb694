"""The citizen pays their dossier's fees: the breakdown with the legal basis of each line, then
a bank transfer by VietQR (the code, the bank-app link, the status until the bank's
notification credits it) or the national payment platform (its page, then back here, where
only the platform's answer to CHECK is believed). Thin: `payments.services` decides."""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from motcua.citizens import selectors as citizen_selectors
from motcua.citizens.decorators import citizen_required
from motcua.core.statemachine import IllegalTransition

from . import platform, selectors, services, vietqr
from .models import CollectionAccount, Method, PaymentAttempt, PaymentRequest


def _dossier(request, code: str):
    dossier = citizen_selectors.my_dossier(request.user, code)
    if dossier is None:
        raise Http404
    return dossier


@citizen_required
@require_http_methods(["GET", "POST"])
def pay(request, code: str):
    dossier = _dossier(request, code)
    status = 200
    if request.method == "POST":
        method = request.POST.get("method", "")
        key = request.POST.get("key", "")
        try:
            if method not in (Method.VIETQR, Method.PLATFORM):
                raise ValidationError(_("Hình thức thanh toán không hợp lệ."))
            fee_request = services.request_fees(request.user, dossier_id=dossier.pk)
            if fee_request.status == PaymentRequest.Status.PAID:
                messages.success(request, _("Hồ sơ không phải nộp thêm khoản nào."))
                return redirect("payments_public:pay", code=dossier.code)
            if method == Method.VIETQR:
                attempt = services.start_attempt(
                    request.user, request_id=fee_request.pk, method=method, idempotency_key=key
                )
                return redirect("payments_public:attempt", reference=attempt.reference)
            back = request.build_absolute_uri(reverse("payments_public:platform_return"))
            attempt = services.pay_through_platform(
                request.user, request_id=fee_request.pk, idempotency_key=key, return_url=back
            )
            if attempt.redirect_url:
                return redirect(attempt.redirect_url)
            raise ValidationError(_("Giao dịch này không còn thanh toán được; vui lòng thử lại."))
        except services.PaymentUnavailable as unavailable:
            messages.error(request, unavailable.reason)
            status = 503
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            status = 400
        except (PermissionDenied, IllegalTransition) as exc:
            messages.error(request, getattr(exc, "reason", "") or str(exc))
            status = 409
    fee_request = selectors.fee_request(dossier)
    preview = None if fee_request else services.fee_breakdown(dossier)
    waiting = (
        selectors.waiting_attempt(fee_request)
        if fee_request is not None and fee_request.status == PaymentRequest.Status.OPEN
        else None
    )
    context = {
        "dossier": dossier,
        "fee_request": fee_request,
        "waiting": waiting,
        "lines": fee_request.lines if fee_request else preview.as_json(),
        "total": fee_request.amount_vnd if fee_request else preview.total_vnd,
        "payable": not (preview and preview.has_unknown),
        "platform": platform.configured(),
        "key": _form_key(request, status),
    }
    return render(request, "payments/citizen_pay.html", context, status=status)


def _form_key(request, status: int) -> str:
    """The pay form's idempotency key: a new one per rendered form, except after a platform
    that did not answer (503): the same one, so pressing the button again retries the same
    attempt instead of leaving it behind."""
    posted = request.POST.get("key", "")[: services.MAX_KEY] if request.method == "POST" else ""
    return posted if status == 503 and posted else uuid.uuid4().hex


def _my_attempt(request, reference: str) -> PaymentAttempt:
    attempt = (
        PaymentAttempt.objects.select_related("request__dossier", "request__unit")
        .filter(reference=reference[:40])
        .first()
    )
    if (
        attempt is None
        or not citizen_selectors.my_dossiers(request.user)
        .filter(pk=attempt.request.dossier_id)
        .exists()
    ):
        raise Http404  # unknown and another's alike
    return attempt


@citizen_required
@require_GET
def attempt_page(request, reference: str):
    """A VietQR attempt: the code to scan, the bank-app link, and its status (polled)."""
    attempt = _my_attempt(request, reference)
    dossier = attempt.request.dossier
    account = CollectionAccount.objects.filter(unit_id=attempt.request.unit_id).first()
    context: dict = {"attempt": attempt, "dossier": dossier, "account": account}
    if account is not None and attempt.method == Method.VIETQR:
        transfer = vietqr.Transfer(
            bank_bin=account.bank_bin,
            account=account.account_number,
            amount_vnd=attempt.amount_vnd,
            purpose=attempt.reference,
            bill_number=dossier.code,
            merchant_name=account.account_name,
        )
        text = vietqr.payload(transfer)
        context |= {
            "qr_svg": vietqr.svg(text, scale=5),
            "bank_link": vietqr.deep_link(
                transfer,
                app=account.bank_code,
                bank_code=account.bank_code,
                account_name=vietqr.ascii_upper(account.account_name),
            ),
        }
        context["simulated_bank"] = _simulated_bank(request, attempt, account)
    template = "payments/_attempt_status.html" if request.htmx else "payments/attempt.html"
    return render(request, template, context)


def _simulated_bank(request, attempt: PaymentAttempt, account: CollectionAccount) -> str:
    """The simulator's bank page with this transfer filled in, when the simulator is mounted
    (development and the demo: `make run`); "" otherwise."""
    try:
        page = reverse("paysim_bank")
    except NoReverseMatch:
        return ""
    return f"{page}?" + urlencode(
        {
            "tk": account.account_number,
            "so_tien": attempt.amount_vnd,
            "noi_dung": attempt.reference,
            "quay_lai": request.get_full_path(),
        }
    )


@citizen_required
@require_GET
def platform_return(request):
    """Back from the platform's page: ask the platform (CHECK), never the address."""
    attempt = _my_attempt(request, request.GET.get("MaThamChieu", ""))
    try:
        attempt = services.check_platform(attempt.reference)
    except (platform.PlatformUnavailable, platform.PlatformRefused):
        messages.warning(
            request,
            _(
                "Chưa hỏi được nền tảng thanh toán về giao dịch này; kết quả sẽ được cập nhật "
                "trong ít phút."
            ),
        )
    except services.PaymentRefused as refused:
        messages.error(request, refused.reason)
    else:
        if attempt.status == PaymentAttempt.Status.PAID:
            messages.success(request, _("Đã thanh toán xong. Cảm ơn bạn."))
        elif attempt.status == PaymentAttempt.Status.FAILED:
            messages.error(request, _("Giao dịch không thành công. Bạn có thể thanh toán lại."))
        else:
            messages.info(request, _("Giao dịch đang chờ xác nhận."))
    return redirect("payments_public:pay", code=attempt.request.dossier.code)
