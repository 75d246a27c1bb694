"""The digitization screen (/can-bo/so-hoa/): the figures at the head, the defects per dossier
below with the link to the screen that fixes each, filters, pages, an .xlsx export; and the
fixes themselves (a missing paper, a component's scan, an issued result reused), posted from
the dossier page. Thin: the rules are `defects`, `digitization` and `services` (decisions/0034).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from motcua.accounts.decorators import staff_required
from motcua.accounts.models import Role, User
from motcua.core import calendar
from motcua.core.forms import BoundedDateField
from motcua.core.models import Department, Unit
from motcua.documents.uploads import UploadRefused

from . import defects, digitization, selectors, services
from .models import DossierComponent, DossierDocument
from .workflow import IllegalTransition
from .worklist_forms import check_pdf

PAGE_SIZE = 25
DEFAULT_DAYS = 90
MAX_EXPORT_ROWS = 5000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class FilterForm(forms.Form):
    loai = forms.ChoiceField(label=gettext_lazy("Loại lỗi"), required=False)
    don_vi = forms.TypedChoiceField(
        label=gettext_lazy("Đơn vị"), coerce=int, required=False, empty_value=None
    )
    phong_ban = forms.TypedChoiceField(
        label=gettext_lazy("Phòng, ban"), coerce=int, required=False, empty_value=None
    )
    can_bo = forms.TypedChoiceField(
        label=gettext_lazy("Cán bộ"), coerce=int, required=False, empty_value=None
    )
    tu_ngay = BoundedDateField(label=gettext_lazy("Nộp từ ngày"), required=False)
    den_ngay = BoundedDateField(label=gettext_lazy("đến ngày"), required=False)

    def __init__(self, data, *, unit_ids: set[int], today: dt.date):
        super().__init__(data)
        self.today = today
        self.units = list(Unit.objects.filter(pk__in=unit_ids).order_by("name"))
        departments = Department.objects.filter(unit_id__in=unit_ids).select_related("unit")
        officers = (
            User.objects.filter(
                assignments__unit_id__in=unit_ids,
                assignments__is_active=True,
                assignments__role__in=(Role.COUNTER_OFFICER, Role.SPECIALIST, Role.LEADER),
            )
            .distinct()
            .order_by("full_name", "username")
        )
        many = len(self.units) > 1
        self.fields["loai"].choices = [("", _("Mọi loại lỗi")), *defects.Kind.choices]
        self.fields["don_vi"].choices = [("", _("Mọi đơn vị"))] + [
            (u.pk, u.name) for u in self.units
        ]
        self.fields["phong_ban"].choices = [("", _("Mọi phòng, ban"))] + [
            (d.pk, f"{d.name} ({d.unit.name})" if many else d.name)
            for d in departments.order_by("unit__name", "name")
        ]
        self.fields["can_bo"].choices = [("", _("Mọi cán bộ"))] + [
            (u.pk, u.full_name or u.username) for u in officers
        ]
        for name in ("loai", "don_vi", "phong_ban", "can_bo"):
            self.fields[name].error_messages["invalid_choice"] = _("Lựa chọn không hợp lệ.")

    def clean(self):
        data = super().clean()
        date_to = data.get("den_ngay") or self.today
        date_from = data.get("tu_ngay") or date_to - dt.timedelta(days=DEFAULT_DAYS - 1)
        if date_from > date_to:
            raise ValidationError(_("“Từ ngày” phải trước hoặc bằng “Đến ngày”."))
        data["tu_ngay"], data["den_ngay"] = date_from, date_to
        return data

    def filters(self) -> defects.Filters:
        data = self.cleaned_data
        return defects.Filters(
            kind=data.get("loai") or "",
            unit_id=data.get("don_vi"),
            department_id=data.get("phong_ban"),
            officer_id=data.get("can_bo"),
            start=_start_of(data["tu_ngay"]),
            end=_start_of(data["den_ngay"] + dt.timedelta(days=1)),
        )

    def query(self, **changes) -> str:
        """The filter as a query string (for pages, the export and the figures' lists)."""
        from urllib.parse import urlencode

        data = self.cleaned_data
        values = {
            "loai": data.get("loai") or "",
            "don_vi": data.get("don_vi") or "",
            "phong_ban": data.get("phong_ban") or "",
            "can_bo": data.get("can_bo") or "",
            "tu_ngay": data["tu_ngay"].isoformat(),
            "den_ngay": data["den_ngay"].isoformat(),
            **changes,
        }
        return urlencode({k: v for k, v in values.items() if v != ""})


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=calendar.LOCAL_TZ)


def _today() -> dt.date:
    return timezone.localtime(timezone.now(), calendar.LOCAL_TZ).date()


def _form(request) -> tuple[FilterForm, int]:
    """The bound filter, or 400 with the form's message."""
    unit_ids = defects.viewable_unit_ids(request.user)
    form = FilterForm(request.GET, unit_ids=unit_ids, today=_today())
    return form, (200 if form.is_valid() else 400)


VIEWERS = defects.VIEWER_ROLES


@require_GET
@staff_required(*VIEWERS)
def page(request):
    form, status = _form(request)
    context: dict = {"form": form, "kinds": defects.Kind.choices}
    if status != 200:
        context["error"] = next(iter(form.errors.values()))[0]
        return render(request, "dossiers/defects/page.html", context, status=400)
    filters = form.filters()
    found = defects.find(request.user, filters)
    page_ = Paginator(found.dossiers, PAGE_SIZE).get_page(request.GET.get("page"))
    figures = digitization.figures(request.user, dataclasses_replace(filters, kind=""))
    context.update(
        page=page_,
        rows=defects.rows(found, page_.object_list),
        figures=figures,
        query=form.query(),
        export_url=f"{reverse('dossiers:defects_export')}?{form.query()}",
        date_from=form.cleaned_data["tu_ngay"],
        date_to=form.cleaned_data["den_ngay"],
    )
    return render(request, "dossiers/defects/page.html", context)


def dataclasses_replace(filters: defects.Filters, **changes) -> defects.Filters:
    return dataclasses.replace(filters, **changes)


@require_GET
@staff_required(*VIEWERS)
def figure_list(request, key, side):
    if key not in digitization.FIGURES or side not in digitization.SIDES:
        raise Http404
    form, status = _form(request)
    if status != 200:
        return page(request)
    filters = dataclasses_replace(form.filters(), kind="")
    qs = digitization.dossiers(request.user, key, side, filters)
    page_ = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    label = digitization.FIGURES[key][0]
    return render(
        request,
        "dossiers/defects/figure_list.html",
        {
            "form": form,
            "label": label,
            "side": side,
            "side_label": _("Tử số") if side == "tu-so" else _("Mẫu số"),
            "page": page_,
            "query": form.query(),
            "back_url": f"{reverse('dossiers:defects')}?{form.query()}",
        },
    )


# --- the export -------------------------------------------------------------------------------

COLUMNS = (
    (gettext_lazy("Mã hồ sơ"), 28),
    (gettext_lazy("Thủ tục"), 40),
    (gettext_lazy("Người nộp"), 24),
    (gettext_lazy("Ngày nộp"), 17),
    (gettext_lazy("Trạng thái"), 20),
    (gettext_lazy("Đơn vị tiếp nhận"), 22),
    (gettext_lazy("Người tiếp nhận"), 22),
    (gettext_lazy("Người xử lý"), 22),
    (gettext_lazy("Lỗi số hóa"), 50),
    (gettext_lazy("Cách khắc phục"), 40),
)


def workbook(rows: list[defects.Row], figures, *, date_from, date_to, generated_at) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Loi so hoa"  # sheet names stay ASCII (see papers/xlsx.py)
    ws.append([_("Lỗi số hóa hồ sơ")])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append(
        [
            _("Nộp từ ngày"),
            date_from.strftime("%d/%m/%Y"),
            _("đến ngày"),
            date_to.strftime("%d/%m/%Y"),
        ]
    )
    local = timezone.localtime(generated_at, calendar.LOCAL_TZ)
    ws.append([_("Số liệu lúc"), local.strftime("%H:%M %d/%m/%Y")])
    ws.append([])
    header_row = ws.max_row + 1
    ws.append([str(h) for h, _w in COLUMNS])
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for i, (_h, width) in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    for row in rows:
        d = row.dossier
        ws.append(
            [
                d.code,
                d.procedure_name,
                d.applicant_name,
                timezone.localtime(d.submitted_at, calendar.LOCAL_TZ).replace(tzinfo=None),
                d.get_status_display(),
                d.receiving_unit.name,
                row.receiver,
                row.handler,
                "; ".join(
                    f"{x.label}{(' - ' + x.detail) if x.detail else ''}" for x in row.defects
                ),
                "; ".join(x.fix_label for x in row.defects),
            ]
        )
        ws.cell(ws.max_row, 4).number_format = "dd/mm/yyyy hh:mm"
        for cell in ws[ws.max_row]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = ws.cell(header_row + 1, 2)
    fig = wb.create_sheet("Chi so so hoa")
    fig.append([_("Chỉ số"), _("Tử số"), _("Mẫu số"), _("Tỷ lệ (%)")])
    for cell in fig[1]:
        cell.font = Font(bold=True)
    for f in figures:
        fig.append([f.label, f.numerator, f.denominator, f.percent])
    fig.column_dimensions["A"].width = 52
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@require_GET
@staff_required(*VIEWERS)
def export(request):
    form, status = _form(request)
    if status != 200:
        return page(request)
    filters = form.filters()
    found = defects.find(request.user, filters)
    rows = defects.rows(found, found.dossiers[:MAX_EXPORT_ROWS])
    figures = digitization.figures(request.user, dataclasses_replace(filters, kind=""))
    data = form.cleaned_data
    body = workbook(
        rows,
        figures,
        date_from=data["tu_ngay"],
        date_to=data["den_ngay"],
        generated_at=timezone.now(),
    )
    response = HttpResponse(body, content_type=XLSX)
    name = f"loi-so-hoa-{data['tu_ngay']:%Y%m%d}-{data['den_ngay']:%Y%m%d}"
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


# --- the fixes, posted from the dossier page --------------------------------------------------

ALL_STAFF = (Role.COUNTER_OFFICER, Role.SPECIALIST, Role.LEADER, Role.MANAGER)


def _back(dossier, anchor: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("dossiers:dossier_detail", args=[dossier.pk]) + anchor)


def _refused(request, dossier, message: str, status: int):
    from .worklist_views import _page_context

    context = _page_context(request, dossier, error=message)
    return render(request, "dossiers/worklist/detail.html", context, status=status)


def _run(request, dossier, anchor: str, fn, done: str):
    try:
        fn()
    except ValidationError as exc:
        return _refused(request, dossier, " ".join(exc.messages), 400)
    except PermissionDenied as exc:
        return _refused(
            request, dossier, str(exc) or _("Bạn không có quyền thực hiện thao tác này."), 403
        )
    except IllegalTransition as exc:
        return _refused(request, dossier, exc.reason, 409)
    messages.success(request, done)
    return _back(dossier, anchor)


def _upload(request, name: str):
    upload = request.FILES.get(name)
    if upload is None:
        raise ValidationError(_("Vui lòng chọn tệp."))
    return upload


@require_POST
@staff_required(*ALL_STAFF)
def fix_paper(request, pk):
    dossier = selectors.get_for_staff(request.user, pk)

    def run():
        data = check_pdf(_upload(request, "file"))
        services.attach_missing_paper(request.user, dossier_id=dossier.pk, pdf_bytes=data)

    return _run(request, dossier, "#bo-sung-van-ban", run, _("Đã bổ sung văn bản còn thiếu."))


def _component(dossier, cpk) -> DossierComponent:
    return get_object_or_404(DossierComponent, pk=cpk, dossier_id=dossier.pk)


@require_POST
@staff_required(*ALL_STAFF)
def fix_component(request, pk, cpk):
    dossier = selectors.get_for_staff(request.user, pk)
    component = _component(dossier, cpk)

    def run():
        upload = _upload(request, "file")
        try:  # the counter's scanning service: judged by content, OCR queued (decisions/0037)
            services.attach_component_scan(request.user, component_id=component.pk, files=[upload])
        except UploadRefused as refused:
            raise ValidationError(refused.message) from None

    return _run(request, dossier, "#thanh-phan", run, _("Đã đính kèm bản số hóa."))


@require_POST
@staff_required(*ALL_STAFF)
def fix_reuse(request, pk, cpk):
    dossier = selectors.get_for_staff(request.user, pk)
    component = _component(dossier, cpk)

    def run():
        try:
            result_id = int(request.POST.get("result", ""))
        except ValueError:
            raise ValidationError(_("Chọn kết quả đã cấp để dùng lại.")) from None
        services.reuse_issued_result(request.user, component_id=component.pk, result_id=result_id)

    return _run(request, dossier, "#thanh-phan", run, _("Đã dùng giấy tờ đã cấp từ kho dữ liệu."))


def dossier_context(user, dossier) -> dict:
    """What the dossier page shows about digitization: its defects and the forms that fix them
    (the missing paper only to those who may attach it; the services decide again)."""
    matches = defects.recollected(type(dossier).objects.filter(pk=dossier.pk))
    found = defects.of_dossier(dossier, again=matches)  # the (e) matches read once for both
    missing = services.missing_paper(dossier)
    again = matches.get(dossier.pk, [])
    return {
        "defects": found,
        "missing_paper": missing
        if missing and services.may_attach_missing_paper(user, dossier, missing)
        else None,
        "missing_paper_label": DossierDocument.Kind(missing).label if missing else "",
        "reusable": dict(again),
    }
