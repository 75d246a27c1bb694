"""The payment figures screen (/can-bo/thu-phi/so-lieu/) for leaders and managers: each figure as
numerator / denominator, the list behind it, and the same figures as an .xlsx file. Thin: the
arithmetic is `payments.figures`; every unit, department and procedure is checked against what
the user may see (another unit's does not exist: 404)."""

from __future__ import annotations

import datetime as dt
import io

from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from motcua.accounts.decorators import staff_required
from motcua.accounts.models import Role
from motcua.accounts.scoping import visible_unit_ids
from motcua.core.calendar import LOCAL_TZ
from motcua.core.forms import BoundedDateField
from motcua.core.models import Unit
from motcua.dossiers import deadlines
from motcua.dossiers.models import Department

from . import figures

VIEWERS = (Role.LEADER, Role.MANAGER)
PAGE_SIZE = 25
MAX_DAYS = 366
LISTS = {
    "giao_dich": gettext_lazy("Giao dịch thanh toán trong kỳ"),
    "thu_tuc": gettext_lazy("Thủ tục có thu phí, lệ phí"),
    "ho_so": gettext_lazy("Hồ sơ có nghĩa vụ tài chính"),
}


class FiguresForm(forms.Form):
    don_vi = forms.TypedChoiceField(
        label=gettext_lazy("Đơn vị"), coerce=int, required=False, empty_value=None
    )
    phong_ban = forms.TypedChoiceField(
        label=gettext_lazy("Phòng, ban"), coerce=int, required=False, empty_value=None
    )
    thu_tuc = forms.CharField(label=gettext_lazy("Mã thủ tục"), max_length=40, required=False)
    tu_ngay = BoundedDateField(label=gettext_lazy("Từ ngày"), required=False)
    den_ngay = BoundedDateField(label=gettext_lazy("Đến ngày"), required=False)

    def __init__(self, data, *, units: list[Unit], today: dt.date):
        super().__init__(data)
        self.today = today
        self.fields["don_vi"].choices = [("", _("Tất cả đơn vị")), *((u.pk, u.name) for u in units)]
        departments = Department.objects.filter(unit__in=units).select_related("unit")
        self.fields["phong_ban"].choices = [
            ("", _("Tất cả phòng, ban")),
            *(
                (d.pk, f"{d.name} ({d.unit.name})" if len(units) > 1 else d.name)
                for d in departments
            ),
        ]
        for name in ("don_vi", "phong_ban"):
            self.fields[name].error_messages["invalid_choice"] = _("Lựa chọn không hợp lệ.")

    def clean(self):
        data = super().clean()
        date_to = data.get("den_ngay") or self.today
        date_from = data.get("tu_ngay") or date_to.replace(day=1)
        if date_from > date_to:
            raise ValidationError(_("“Từ ngày” phải trước hoặc bằng “Đến ngày”."))
        if (date_to - date_from).days + 1 > MAX_DAYS:
            raise ValidationError(_("Chỉ xem được tối đa %(n)s ngày một lần.") % {"n": MAX_DAYS})
        data["tu_ngay"], data["den_ngay"] = date_from, date_to
        data["thu_tuc"] = (data.get("thu_tuc") or "").strip()
        return data


def _scope(request) -> tuple[FiguresForm, figures.Scope | None, list[Unit]]:
    ids = visible_unit_ids(request.user, VIEWERS)
    units = list(Unit.objects.filter(pk__in=ids).order_by("name"))
    if not units:
        raise Http404
    today = deadlines.current_time().astimezone(LOCAL_TZ).date()
    form = FiguresForm(request.GET, units=units, today=today)
    if not form.is_valid():
        if "don_vi" in form.errors or "phong_ban" in form.errors:
            raise Http404  # another unit's unit or department does not exist for the user
        return form, None, units
    data = form.cleaned_data
    chosen = (data["don_vi"],) if data.get("don_vi") else tuple(u.pk for u in units)
    if data.get("phong_ban"):
        unit_of = Department.objects.filter(pk=data["phong_ban"]).values_list("unit_id", flat=True)
        if unit_of.first() not in chosen:
            raise Http404
    scope = figures.Scope(
        unit_ids=chosen,
        date_from=data["tu_ngay"],
        date_to=data["den_ngay"],
        department_id=data.get("phong_ban"),
        procedure_code=data["thu_tuc"],
    )
    return form, scope, units


def _percent(ratio: figures.Ratio) -> str:
    if ratio.percent is None:
        return _("chưa có dữ liệu")
    return f"{ratio.percent:.2f}".replace(".", ",") + "%"


def _indicators(f: figures.Figures) -> list[dict]:
    return [
        {
            "key": "giao_dich",
            "label": _("Giao dịch thanh toán trực tuyến / giao dịch thanh toán"),
            "ratio": f.transactions,
            "text": _percent(f.transactions),
            "money": False,
        },
        {
            "key": "giao_dich",
            "label": _("Số tiền thanh toán trực tuyến / số tiền thanh toán (đồng)"),
            "ratio": f.amounts,
            "text": _percent(f.amounts),
            "money": True,
        },
        {
            "key": "thu_tuc",
            "label": _(
                "Thủ tục có thu phí có ít nhất một thanh toán trực tuyến / thủ tục có thu phí"
            ),
            "ratio": f.procedures,
            "text": _percent(f.procedures),
            "money": False,
        },
        {
            "key": "ho_so",
            "label": _("Hồ sơ thanh toán trực tuyến / hồ sơ có nghĩa vụ tài chính"),
            "ratio": f.dossiers,
            "text": _percent(f.dossiers),
            "money": False,
        },
    ]


def _list_page(scope: figures.Scope, which: str, number: str | None):
    if which == "giao_dich":
        qs = figures.credited_attempts(scope).select_related("request").order_by("paid_at", "id")
        online = set(figures.online_attempts(scope).values_list("pk", flat=True))
    elif which == "thu_tuc":
        qs = figures.fee_bearing_procedures(scope)
        online = set(figures.procedures_paid_online(scope).values_list("pk", flat=True))
    else:
        qs = figures.obligation_dossiers(scope)
        online = set(figures.dossiers_paid_online(scope).values_list("pk", flat=True))
    page = Paginator(qs, PAGE_SIZE).get_page(number)
    return page, [(item, item.pk in online) for item in page.object_list]


@staff_required(*VIEWERS)
@require_GET
def page(request):
    form, scope, units = _scope(request)
    context: dict = {"form": form, "units": units, "lists": LISTS}
    if scope is None:
        context["error"] = next(iter(form.errors.values()))[0]
        return render(request, "payments/figures.html", context, status=400)
    found = figures.figures(scope)
    which = request.GET.get("ds", "")
    context.update(
        scope=scope,
        f=found,
        indicators=_indicators(found),
        lines=figures.by_procedure(scope),
        which=which if which in LISTS else "",
    )
    if context["which"]:
        context["page"], context["items"] = _list_page(scope, which, request.GET.get("page"))
        context["list_title"] = LISTS[which]
    return render(request, "payments/figures.html", context)


@staff_required(*VIEWERS)
@require_GET
def export(request):
    _form, scope, _units = _scope(request)
    if scope is None:
        raise Http404
    data = to_xlsx(scope, figures.figures(scope), figures.by_procedure(scope))
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = f"so-lieu-thanh-toan-{scope.date_from:%Y%m%d}-{scope.date_to:%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def to_xlsx(scope: figures.Scope, f: figures.Figures, lines: list[figures.ProcedureLine]) -> bytes:
    """The screen's figures as a workbook: the indicators, by method, by procedure."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    bold = Font(bold=True)
    book = Workbook()
    sheet = book.active
    sheet.title = "Tổng hợp"
    units = ", ".join(
        Unit.objects.filter(pk__in=scope.unit_ids).order_by("name").values_list("name", flat=True)
    )
    sheet.append([_("Số liệu thanh toán trực tuyến")])
    sheet["A1"].font = bold
    sheet.append([_("Đơn vị"), units])
    sheet.append([_("Kỳ"), f"{scope.date_from:%d/%m/%Y} - {scope.date_to:%d/%m/%Y}"])
    if scope.department_id:
        sheet.append([_("Phòng, ban"), str(Department.objects.get(pk=scope.department_id))])
    if scope.procedure_code:
        sheet.append([_("Mã thủ tục"), scope.procedure_code])
    sheet.append([])
    sheet.append([_("Chỉ tiêu"), _("Tử số"), _("Mẫu số"), _("Tỷ lệ (%)")])
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for item in _indicators(f):
        r = item["ratio"]
        sheet.append([item["label"], r.numerator, r.denominator, r.percent])
    sheet.column_dimensions["A"].width = 70
    for col in "BCD":
        sheet.column_dimensions[col].width = 16

    methods = book.create_sheet("Theo hình thức")
    methods.append([_("Hình thức"), _("Trực tuyến"), _("Số giao dịch"), _("Số tiền (đồng)")])
    for cell in methods[1]:
        cell.font = bold
    for m in f.by_method:
        methods.append([m.label, _("Có") if m.online else _("Không"), m.count, m.amount_vnd])
    methods.column_dimensions["A"].width = 36

    procedures = book.create_sheet("Theo thủ tục")
    procedures.append(
        [
            _("Mã thủ tục"),
            _("Tên thủ tục"),
            _("Giao dịch"),
            _("Giao dịch trực tuyến"),
            _("Số tiền (đồng)"),
            _("Số tiền trực tuyến (đồng)"),
        ]
    )
    for cell in procedures[1]:
        cell.font = bold
    for x in lines:
        procedures.append(
            [
                x.code,
                x.name,
                x.transactions,
                x.online_transactions,
                x.amount_vnd,
                x.online_amount_vnd,
            ]
        )
    procedures.column_dimensions["B"].width = 60
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
