"""Staff screens of the registry: the counter's lookup endpoint (JSON) and the lookup log.

Thin: parse -> `services.lookup_recorded` / `selectors.lookup_log` -> answer. The endpoint is
POST with the CSRF token (the counter screen's script sends it), limited per officer, and
every call is logged by the service whatever it finds.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from motcua.accounts.decorators import staff_required
from motcua.accounts.models import Role, StaffAssignment
from motcua.core import ratelimit

from . import counter, selectors
from .forms import LogFilterForm, LookupForm
from .models import Purpose

# who may look up, per purpose: the counter verifies identity, the digital-tech team (and the
# counter) help citizens file online
LOOKUP_ROLES = {
    Purpose.RECEPTION: (Role.COUNTER_OFFICER, Role.MANAGER),
    Purpose.ASSISTED_FILING: (Role.COUNTER_OFFICER, Role.MANAGER, Role.DIGITAL_TEAM),
}
LOG_PAGE_SIZE = 50


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


@staff_required(Role.COUNTER_OFFICER, Role.MANAGER, Role.DIGITAL_TEAM)
@require_POST
def lookup(request):
    """{"found": true, "lookup": id, "person": {...}} / {"found": false, "message": ...}."""
    form = LookupForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"error": _("Nhập số định danh cá nhân (12 chữ số).")}, status=400)
    purpose = form.cleaned_data["purpose"] or Purpose.RECEPTION
    unit = _unit_for(request.user, LOOKUP_ROLES[purpose])
    answer = counter.look_up(
        user=request.user,
        unit=unit,
        citizen_id=form.cleaned_data["citizen_id"],
        purpose=purpose,
    )
    if answer.limited:
        return ratelimit.too_many(
            request, answer.message, retry_after=counter.RATE_WINDOW, as_json=True
        )
    if answer.status == 400:
        return JsonResponse({"error": answer.message}, status=400)
    body: dict = {"found": answer.found, "message": answer.message}
    if answer.lookup_id:
        body["lookup"] = answer.lookup_id
    if answer.unavailable:
        body["unavailable"] = True
    if answer.found:
        body["person"] = answer.person
    return JsonResponse(body, status=answer.status)


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
