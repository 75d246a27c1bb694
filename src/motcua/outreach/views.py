"""Recording page for the team member's phone, dashboard and XLSX export. Thin views.

The recording endpoints answer a plain form post (works without JavaScript: redirect with a
message) and a JSON post from record.js (201 created, 200 already recorded, 400 with a
Vietnamese message); both call the same service.
"""

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from motcua.accounts.decorators import staff_required
from motcua.accounts.scoping import get_scoped_or_404
from motcua.core.forms import query_id
from motcua.core.models import Village

from . import exporting, selectors, services
from .forms import ActionForm, SessionForm
from .models import AssistedAction

RECORDERS = selectors.RECORDING_ROLES
VIEWERS = selectors.VIEWING_ROLES


def _wants_json(request) -> bool:
    return request.content_type == "application/json"


def _payload(request):
    if not _wants_json(request):
        return request.POST
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _first_error(form) -> str:
    for errors in form.errors.values():
        return str(errors[0])
    return _("Dữ liệu không hợp lệ.")


def _page(request, action_form=None, session_form=None, status=200):
    villages = list(selectors.recordable_villages(request.user))
    recent = (
        AssistedAction.objects.filter(recorded_by=request.user)
        .select_related("resident", "village")
        .order_by("-created_at")[:8]
    )
    return render(
        request,
        "outreach/record.html",
        {
            "villages": villages,
            "action_form": action_form or ActionForm(villages=villages),
            "session_form": session_form or SessionForm(villages=villages),
            "recent": recent,
        },
        status=status,
    )


def _answer(request, recorded: services.Recorded, what: str):
    if recorded.created:
        message = _("Đã ghi nhận %(what)s.") % {"what": what}
    else:
        message = _("%(what)s này đã được ghi nhận trước đó, không tính thêm.") % {
            "what": what[:1].upper() + what[1:]
        }
    if _wants_json(request):
        return JsonResponse(
            {"ok": True, "created": recorded.created, "id": recorded.obj.pk, "message": message},
            status=201 if recorded.created else 200,
        )
    (messages.success if recorded.created else messages.info)(request, message)
    response = HttpResponseRedirect(reverse("outreach:record"))
    response.status_code = 303  # See Other: reloading the page must not post again
    return response


def _refuse(request, message: str, form_name: str, form):
    if _wants_json(request):
        return JsonResponse({"ok": False, "message": message}, status=400)
    form.add_error(None, message)
    return _page(request, **{form_name: form}, status=400)


def _village(request, form) -> Village:
    """Another unit's village does not exist for this user: 404."""
    return get_scoped_or_404(
        Village.objects.select_related("unit"), request.user, pk=form.cleaned_data["village"]
    )


@staff_required(*RECORDERS)
@require_http_methods(["GET", "POST"])
def record(request):
    """Ghi nhận hỗ trợ: one assisted action for one villager."""
    if request.method == "GET":
        return _page(request)
    data = _payload(request)
    if data is None:
        return JsonResponse(
            {"ok": False, "message": _("Dữ liệu gửi lên không đọc được.")}, status=400
        )
    villages = list(selectors.recordable_villages(request.user))
    form = ActionForm(data, villages=villages)
    if not form.is_valid():
        return _refuse(request, _first_error(form), "action_form", form)
    village = _village(request, form)
    try:
        recorded = services.record_action(
            actor=request.user,
            village=village,
            kind=form.cleaned_data["kind"],
            citizen_id=form.cleaned_data["citizen_id"],
            phone=form.cleaned_data["phone"],
            age_group=form.cleaned_data["age_group"],
            occurred_at=form.cleaned_data["occurred_at"],
            client_uuid=form.cleaned_data["client_uuid"],
        )
    except ValidationError as exc:
        return _refuse(request, exc.messages[0], "action_form", form)
    kind = str(AssistedAction.Kind(form.cleaned_data["kind"]).label).lower()
    return _answer(request, recorded, _("việc “%(kind)s”") % {"kind": kind})


@staff_required(*RECORDERS)
@require_POST
def record_session(request):
    """Ghi nhận buổi hướng dẫn."""
    data = _payload(request)
    if data is None:
        return JsonResponse(
            {"ok": False, "message": _("Dữ liệu gửi lên không đọc được.")}, status=400
        )
    villages = list(selectors.recordable_villages(request.user))
    form = SessionForm(data, villages=villages)
    if not form.is_valid():
        return _refuse(request, _first_error(form), "session_form", form)
    village = _village(request, form)
    try:
        recorded = services.record_session(
            actor=request.user,
            village=village,
            date=form.cleaned_data["date"],
            place=form.cleaned_data["place"],
            attendees=form.cleaned_data["attendees"],
            notes=form.cleaned_data["notes"],
            client_uuid=form.cleaned_data["client_uuid"],
        )
    except ValidationError as exc:
        return _refuse(request, exc.messages[0], "session_form", form)
    return _answer(request, recorded, _("buổi hướng dẫn"))


def _dashboard_villages(request):
    villages = selectors.viewable_villages(request.user)
    if request.GET.get("thon"):
        village_id = query_id(request.GET, "thon")
        if village_id is None:
            raise Http404
        get_scoped_or_404(Village.objects.all(), request.user, pk=village_id)
        villages = villages.filter(pk=village_id)
        if not villages.exists():
            raise Http404
    return villages


@staff_required(*VIEWERS)
@require_GET
def dashboard(request):
    """Tiến độ cài đặt ứng dụng theo thôn."""
    now = timezone.now()
    villages = _dashboard_villages(request)
    return render(
        request,
        "outreach/dashboard.html",
        {
            "boards": selectors.dashboard(villages, now),
            "kind_columns": selectors.KIND_COLUMNS,
            "report_due": selectors.weekly_report_due(now),
            "can_record": selectors.recordable_villages(request.user).exists(),
            "village_filter": request.GET.get("thon", ""),
        },
    )


@staff_required(*VIEWERS)
@require_GET
def export(request):
    """The same table as an .xlsx file: the weekly report sent before 15:00 on Friday."""
    now = timezone.now()
    boards = selectors.dashboard(_dashboard_villages(request), now)
    content = exporting.progress_workbook(boards, now)
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    stamp = timezone.localtime(now).strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="tien-do-cai-dat-{stamp}.xlsx"'
    return response
