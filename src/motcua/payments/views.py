"""The counter's fee page: what the dossier owes, line by line with the legal basis, the
reliefs the officer checked, and cash or card taken through the same request and attempt
flow as online payments (`payments.services`; decision 0036). Thin: every rule is in the
services, which decide again who may do what."""

from __future__ import annotations

import logging
import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from motcua.accounts.decorators import staff_required
from motcua.core.statemachine import IllegalTransition
from motcua.dossiers import selectors as dossier_selectors

from . import bank, selectors, services
from .models import FeeRelief

log = logging.getLogger(__name__)
CONDITIONS = [c for c in FeeRelief.Condition if c != FeeRelief.Condition.ONLINE]


@staff_required(*services.CASHIERS)
@require_http_methods(["GET", "POST"])
def counter_fees(request, pk: int):
    dossier = dossier_selectors.get_for_staff(request.user, pk)
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "request":
                chosen = frozenset(c for c in request.POST.getlist("condition") if c in CONDITIONS)
                services.request_fees(request.user, dossier_id=dossier.pk, conditions=chosen)
                messages.success(request, _("Đã lập yêu cầu thu phí, lệ phí."))
            elif action in ("cash", "card"):
                fee_request = selectors.fee_request(dossier)
                if fee_request is None:
                    raise ValidationError(_("Chưa lập yêu cầu thu phí, lệ phí."))
                services.take_at_counter(
                    request.user,
                    request_id=fee_request.pk,
                    method=action,
                    idempotency_key=request.POST.get("key", ""),
                )
                messages.success(request, _("Đã ghi nhận thu đủ phí, lệ phí."))
            else:
                raise ValidationError(_("Thao tác không hợp lệ."))
            return redirect("payments:counter_fees", pk=dossier.pk)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            status = 400
        except PermissionDenied as exc:
            messages.error(request, str(exc) or _("Bạn không có quyền thực hiện thao tác này."))
            status = 403
        except IllegalTransition as exc:
            messages.error(request, exc.reason)
            status = 409
    fee_request = selectors.fee_request(dossier)
    preview = None if fee_request else services.fee_breakdown(dossier)
    attempts = (
        fee_request.attempts.select_related("created_by").order_by("created_at", "id")
        if fee_request
        else []
    )
    context = {
        "dossier": dossier,
        "fee_request": fee_request,
        "lines": fee_request.lines if fee_request else preview.as_json(),
        "total": fee_request.amount_vnd if fee_request else preview.total_vnd,
        "has_unknown": bool(preview and preview.has_unknown),
        "conditions": CONDITIONS,
        "attempts": attempts,
        "key": uuid.uuid4().hex,  # one per rendered form: a double click takes money once
    }
    return render(request, "payments/counter_fees.html", context, status=status)


@csrf_exempt  # a bank's server, authenticated by its signature instead
@require_POST
def bank_notification(request):
    """The bank says a transfer arrived (VietQR): credited once through
    `services.record_bank_transfer`. Answers: 200 {"code": "00"} credited or already credited;
    200 {"code": "02"} read but not credited (unknown reference, wrong amount or currency, not
    the unit's collection account, paid by another transfer: the bank must not send it again,
    a person looks at it); 400 {"code": "01"} unreadable; 401 {"code": "97"} forged. Every
    refusal is logged with its reason, no payer data."""
    body = request.body
    if not bank.authentic(body, request.headers.get("X-Signature", "")):
        log.warning("bank notification with a wrong signature refused")
        return JsonResponse({"code": "97", "message": "invalid signature"}, status=401)
    try:
        transfer = bank.read(body)
    except bank.BadNotification as bad:
        log.warning("bank notification unreadable: %s", bad.code)
        return JsonResponse({"code": "01", "message": bad.code}, status=400)
    try:
        services.record_bank_transfer(
            report=services.Report(
                reference=transfer.reference,
                amount_vnd=transfer.amount_vnd,
                currency="VND" if transfer.currency in ("VND", "704") else transfer.currency,
                transaction_id=f"bank:{transfer.transaction_id}",
                source="bank",
            ),
            account=transfer.account,
        )
    except services.PaymentRefused as refused:  # logged by the service with its reason
        return JsonResponse({"code": "02", "message": refused.code})
    return JsonResponse({"code": "00", "message": "ok"})
