"""Staff screens of the registry: the counter's lookup endpoint (JSON) and the lookup log.

Thin: parse -> `services.lookup_recorded` / `selectors.lookup_log` -> answer. The endpoint is
POST with the CSRF token (the counter screen's script sends it), limited per officer, and
every call is logged by the service whatever it finds.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from motcua.accounts.decorators import staff_required
from motcua.accounts.models import Role, StaffAssignment
from motcua.core import ratelimit

from . import selectors, services
from .forms import LogFilterForm, LookupForm
from .interface import RegistryUnavailable
from .models import Purpose

# who may look up, per purpose: the counter verifies identity, the digital-tech team (and the
# counter) help citizens file online
LOOKUP_ROLES = {
    Purpose.RECEPTION: (Role.COUNTER_OFFICER, Role.MANAGER),
    Purpose.ASSISTED_FILING: (Role.COUNTER_OFFICER, Role.MANAGER, Role.DIGITAL_TEAM),
}
LOG_PAGE_SIZE = 50
RATE_WINDOW = 60


def _unit_for(user, roles):
    """The unit the lookup is made for: the user's first active assignment in one of `roles`."""
    assignment = (
        StaffAssignment.objects.filter(user_id=user.pk, is_active=True, role__in=roles)
        .select_related("unit")
        .order_by("id")
        .first()
    )
    if assignment is None:
        raise PermissionDenied
    return assignment.unit


def _date(person_date) -> str:
    return person_date.strftime("%d/%m/%Y")


@staff_required(Role.COUNTER_OFFICER, Role.MANAGER, Role.DIGITAL_TEAM)
@require_POST
def lookup(request):
    """{"found": true, "lookup": id, "person": {...}} / {"found": false, "message": ...}."""
    form = LookupForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"error": _("Nhập số định danh cá nhân (12 chữ số).")}, status=400)
    purpose = form.cleaned_data["purpose"] or Purpose.RECEPTION
    unit = _unit_for(request.user, LOOKUP_ROLES[purpose])
    if (
        ratelimit.hit("registry_lookup", str(request.user.pk), window=RATE_WINDOW)
        > settings.MOTCUA_REGISTRY_LOOKUPS_PER_MINUTE
    ):
        return ratelimit.too_many(
            request,
            _("Tra cứu quá nhiều lần trong một phút. Vui lòng đợi rồi thử lại."),
            retry_after=RATE_WINDOW,
            as_json=True,
        )
    try:
        person, row = services.lookup_recorded(
            form.cleaned_data["citizen_id"], actor=request.user, purpose=purpose, unit=unit
        )
    except ValidationError as exc:
        return JsonResponse({"error": exc.messages[0]}, status=400)
    except RegistryUnavailable:
        return JsonResponse(
            {
                "found": False,
                "unavailable": True,
                "message": _(
                    "Không kết nối được Cơ sở dữ liệu quốc gia về dân cư. Vẫn tiếp nhận được: "
                    "nhập thông tin theo giấy tờ của người nộp; hồ sơ sẽ ghi là chưa xác thực "
                    "qua CSDL dân cư."
                ),
            },
            status=503,
        )
    if person is None:
        return JsonResponse(
            {
                "found": False,
                "lookup": row.pk,
                "message": _(
                    "Không tìm thấy số định danh này trong CSDL quốc gia về dân cư. Kiểm tra lại "
                    "số, hoặc nhập thông tin theo giấy tờ; hồ sơ sẽ ghi là chưa xác thực qua "
                    "CSDL dân cư."
                ),
            }
        )
    return JsonResponse(
        {
            "found": True,
            "lookup": row.pk,
            "person": {
                "citizen_id": person.citizen_id,
                "full_name": person.full_name,
                "date_of_birth": _date(person.date_of_birth),
                "sex": person.sex_label,
                "permanent_residence": person.permanent_residence,
                "current_residence": person.current_residence,
            },
            "message": _(
                "Đã tìm thấy trong CSDL quốc gia về dân cư. Họ tên và địa chỉ đã được điền; "
                "đối chiếu với người nộp. Giữ nguyên họ tên và số định danh thì hồ sơ được ghi "
                "là đã xác thực qua CSDL quốc gia về dân cư."
            ),
        }
    )


@staff_required(*selectors.LOG_ROLES)
@require_GET
def lookup_log(request):
    """Nhật ký tra cứu CSDL dân cư of the units the manager or administrator reaches."""
    form = LogFilterForm(request.GET or None)
    start = end = None
    if form.is_bound and form.is_valid():
        start, end = form.cleaned_data.get("tu"), form.cleaned_data.get("den")
    rows = selectors.lookup_log(request.user, start=start, end=end)
    if form.is_bound and not form.is_valid():
        rows = rows.none()
    page = Paginator(rows, LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "registry/lookup_log.html", {"form": form, "page": page})
