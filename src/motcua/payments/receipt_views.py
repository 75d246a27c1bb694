"""Receipts on screen: the PDF for the unit's staff and for the citizen whose dossier it is
(another unit's or another citizen's: 404), and the manager's void form. Thin: the rules are in
`payments.receipts`, which decides again who may void."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from motcua.accounts.decorators import staff_required
from motcua.citizens.decorators import citizen_required
from motcua.core.statemachine import IllegalTransition

from . import receipts


def _pdf(receipt) -> HttpResponse:
    response = HttpResponse(receipts.render_pdf(receipt), content_type="application/pdf")
    name = f"bien-lai-{receipt.number:07d}-{receipt.year}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


@staff_required(*receipts.READERS)
@require_GET
def receipt_pdf(request, pk: int):
    return _pdf(receipts.get_for_staff(request.user, pk))


@staff_required
@require_POST
def receipt_void(request, pk: int):
    receipt = receipts.get_for_staff(request.user, pk)
    try:
        done = receipts.void(request.user, receipt_id=receipt.pk, reason=request.POST.get("reason"))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("Bạn không có quyền thực hiện thao tác này."))
    except IllegalTransition as exc:
        messages.error(request, exc.reason)
    else:
        text = _("Đã hủy biên lai số %(old)s.") % {"old": done.voided.label}
        if done.replacement:
            text += " " + _("Đã lập biên lai mới số %(new)s.") % {"new": done.replacement.label}
        messages.success(request, text)
    return redirect("payments:counter_fees", pk=receipt.dossier_id)


@citizen_required
@require_GET
def my_receipt_pdf(request, pk: int):
    return _pdf(receipts.get_for_citizen(request.user, pk))
