"""The officer hands a result over to the post (from the counter dossier page), marks a returned
consignment as dealt with; the post's signed status updates arrive on the webhook."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from motcua.accounts.decorators import staff_required
from motcua.accounts.models import Role
from motcua.dossiers import selectors

from . import post, services
from .models import Consignment

COUNTER = (Role.COUNTER_OFFICER, Role.MANAGER)


@staff_required(*COUNTER)
@require_POST
def hand_over(request, pk: int):
    dossier = selectors.get_for_staff(request.user, pk)  # another unit's: 404
    try:
        consignment = services.hand_over(
            request.user,
            dossier_id=dossier.pk,
            address=request.POST.get("dia_chi", ""),
            phone=request.POST.get("dien_thoai", ""),
        )
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("Bạn không có quyền giao bưu điện hồ sơ này."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except services.PostDown as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Đã giao bưu điện. Số vận đơn: {consignment.tracking_number}.")
    return redirect("dossiers:counter_dossier", pk=dossier.pk)


@staff_required(*COUNTER)
@require_POST
def followed_up(request, pk: int):
    dossier = selectors.get_for_staff(request.user, pk)
    consignment = Consignment.objects.filter(dossier=dossier).first()
    if consignment is not None:
        try:
            services.mark_followed_up(request.user, consignment_id=consignment.pk)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
    return redirect("dossiers:counter_dossier", pk=dossier.pk)


@csrf_exempt
@require_POST
def webhook(request):
    """The post's status update: 200 recorded; 403 when it is not signed by the post, 400 with
    the reason when a signed update is refused (stale, replayed, unknown, out of order)."""
    try:
        consignment = services.receive_update(request.body, request.headers)
    except post.Refused as exc:
        status = 403 if exc.unsigned else 400
        return JsonResponse({"ket_qua": "tu-choi", "ly_do": exc.reason}, status=status)
    return JsonResponse({"ket_qua": "da-ghi-nhan", "trang_thai": consignment.status})
