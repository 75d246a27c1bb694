"""Chỉ tiêu kế hoạch: one staff screen with every figure the plans set a target on, its target
(and where it comes from), met or not, and its last 12 months as a small server-drawn line; the
same rows as an .xlsx file.

Leaders, managers and administrators see their units (as the online filing report); a
province's staff may pick one commune or see all of them, then the province's targets apply.
The figures are counted by `kpi.plan_figures`.
"""

from __future__ import annotations

import datetime as dt
import io
import re

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from motcua.accounts.decorators import staff_required
from motcua.accounts.models import Role
from motcua.accounts.scoping import visible_unit_ids
from motcua.core import calendar
from motcua.core.models import Unit
from motcua.dossiers import deadlines

from . import plan_figures
from .online_filing import minutes_text
from .plan_figures import COUNT, MINUTES, PERCENT, Result, Scope

VIEWER_ROLES = (Role.LEADER, Role.MANAGER, Role.ADMINISTRATOR)
MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


class MonthForm(forms.Form):
    don_vi = forms.TypedChoiceField(
        label=gettext_lazy("Đơn vị"), coerce=int, required=False, empty_value=None
    )
    thang = forms.CharField(label=gettext_lazy("Tháng"), required=False)

    def __init__(self, data, *, units: list[Unit], today: dt.date):
        super().__init__(data)
        self.today = today
        self.fields["don_vi"].choices = [("", _("Tất cả đơn vị")), *[(u.pk, u.name) for u in units]]
        self.fields["don_vi"].error_messages["invalid_choice"] = _("Đơn vị không hợp lệ.")

    def clean_thang(self) -> dt.date:
        raw = (self.cleaned_data.get("thang") or "").strip()
        if not raw:
            return self.today.replace(day=1)
        match = MONTH_RE.match(raw)
        if not match or not 1 <= int(match[2]) <= 12 or not 2000 <= int(match[1]) <= 2100:
            raise ValidationError(_("Tháng không hợp lệ (dạng 2026-11)."))
        month = dt.date(int(match[1]), int(match[2]), 1)
        if month > self.today:
            raise ValidationError(_("Tháng chưa đến."))
        return month


def _target_unit(units: list[Unit], chosen: Unit | None) -> Unit | None:
    """Whose targets apply: the chosen unit; for all units, the province among them, else their
    one common parent, else the defaults."""
    if chosen is not None:
        return chosen
    if len(units) == 1:
        return units[0]
    provinces = [u for u in units if u.kind == Unit.Kind.PROVINCE]
    if len(provinces) == 1:
        return provinces[0]
    parents = {u.parent_id for u in units}
    if len(parents) == 1 and None not in parents:
        return units[0].parent
    return None


def _scope_from(request) -> tuple[MonthForm, list[Unit], Scope | None]:
    ids = visible_unit_ids(request.user, VIEWER_ROLES)
    units = list(Unit.objects.filter(pk__in=ids).select_related("parent").order_by("name"))
    if not units:
        raise Http404
    now = deadlines.current_time()
    today = now.astimezone(calendar.LOCAL_TZ).date()
    form = MonthForm(request.GET, units=units, today=today)
    if not form.is_valid():
        if "don_vi" in form.errors:
            raise Http404  # a unit the user may not see does not exist for them
        return form, units, None
    chosen = next((u for u in units if u.pk == form.cleaned_data.get("don_vi")), None)
    unit_ids = (chosen.pk,) if chosen else tuple(u.pk for u in units)
    return (
        form,
        units,
        Scope(unit_ids, _target_unit(units, chosen), form.cleaned_data["thang"], now),
    )


# --- text ------------------------------------------------------------------------------------


def number(value: float | None, decimals: int = 1) -> str:
    """Rounded (Django's number_format cuts digits off), a whole number without decimals."""
    if value is None:
        return "–"
    value = round(value, decimals)
    if value == int(value):
        decimals = 0
    return formats.number_format(value, decimal_pos=decimals, use_l10n=True)


def value_text(value: float | None, measure: str) -> str:
    if value is None:
        return _("Chưa có số liệu")
    if measure == PERCENT:
        return f"{number(value)}%"
    if measure == MINUTES:
        return minutes_text(value * 60)
    return number(value)


def target_text(result: Result) -> str:
    target = result.target
    if target is None:
        return _("Chưa có chỉ tiêu")
    sign = {">=": "≥", ">": ">", "<=": "≤", "<": "<"}[target.comparison]
    return f"{sign} {value_text(float(target.value), result.figure.measure)}"


def met_text(result: Result) -> str:
    if not result.applies:
        return _("Chỉ tính ở cấp tỉnh")
    if result.met is None:
        return _("Chưa đánh giá") if result.target is not None else "–"
    return _("Đạt") if result.met else _("Chưa đạt")


def counts_text(result: Result) -> str:
    """The numerator and denominator in words, for the figure's kind."""
    if result.numerator is None and result.denominator is None:
        return ""
    code = result.code
    if code == "online_processing_shorter":
        return _("Trung bình trực tuyến %(a)s ngày, trực tiếp %(b)s ngày") % {
            "a": number(result.numerator, 2),
            "b": number(result.denominator, 2),
        }
    if result.figure.measure == MINUTES:
        return _("Trên %(n)s lượt") % {"n": int(result.denominator or 0)}
    if result.figure.measure == COUNT:
        return _("%(n)s hồ sơ / %(d)s dịch vụ") % {
            "n": int(result.numerator or 0),
            "d": int(result.denominator or 0),
        }
    return f"{int(result.numerator or 0)} / {int(result.denominator or 0)}"


def period_text(result: Result) -> str:
    if result.cumulative:
        return _("Tính đến %(d)s") % {"d": result.period_to.strftime("%d/%m/%Y")}
    return _("Từ %(a)s đến %(b)s") % {
        "a": result.period_from.strftime("%d/%m/%Y"),
        "b": result.period_to.strftime("%d/%m/%Y"),
    }


# --- the sparkline ---------------------------------------------------------------------------

WIDTH, HEIGHT, PAD = 160, 40, 4


def sparkline(result: Result) -> SafeString:
    """The 12 monthly values as an inline SVG line (gaps where a month has no data), the target
    as a dashed line, the last value as a dot. Only numbers go into the markup."""
    values = [p.value for p in result.points]
    known = [v for v in values if v is not None]
    target = float(result.target.value) if result.target is not None else None
    if result.figure.measure == PERCENT:
        top = max([100.0, *known])
        bottom = min([0.0, *known])
    else:
        top = max([*known, target or 0.0, 1.0]) * 1.15
        bottom = 0.0
    span = (top - bottom) or 1.0
    step = (WIDTH - 2 * PAD) / max(len(values) - 1, 1)

    def xy(i: int, v: float) -> str:
        y = HEIGHT - PAD - (v - bottom) / span * (HEIGHT - 2 * PAD)
        return f"{PAD + i * step:.1f},{y:.1f}"

    parts: list[list[str]] = []
    run: list[str] = []
    for i, v in enumerate(values):
        if v is None:
            if run:
                parts.append(run)
            run = []
            continue
        run.append(xy(i, v))
    if run:
        parts.append(run)
    shapes = []
    if target is not None:
        y = xy(0, target).split(",")[1]
        shapes.append(
            f'<line class="spark-target" x1="{PAD}" y1="{y}" x2="{WIDTH - PAD}" y2="{y}"/>'
        )
    for segment in parts:
        if len(segment) == 1:
            x, y = segment[0].split(",")
            shapes.append(f'<circle class="spark-point" cx="{x}" cy="{y}" r="1.8"/>')
        else:
            shapes.append(f'<polyline class="spark-line" points="{" ".join(segment)}"/>')
    last = next(((i, v) for i, v in reversed(list(enumerate(values))) if v is not None), None)
    if last is not None:
        x, y = xy(*last).split(",")
        shapes.append(f'<circle class="spark-last" cx="{x}" cy="{y}" r="2.8"/>')
    label = format_html(
        "{}: {}",
        _("12 tháng"),
        "; ".join(
            f"{p.month:%m/%Y} {value_text(p.value, result.figure.measure)}" for p in result.points
        ),
    )
    # numbers only, and the label escaped by format_html
    return mark_safe(
        f'<svg class="sparkline" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
        f'height="{HEIGHT}" role="img" aria-label="{label}">{"".join(shapes)}</svg>'
    )


def card(result: Result) -> dict:
    return {
        "r": result,
        "value": value_text(result.value, result.figure.measure),
        "target": target_text(result),
        "met": met_text(result),
        "counts": counts_text(result),
        "period": period_text(result),
        "spark": sparkline(result) if result.applies and result.points else "",
        "months": [(p.month, value_text(p.value, result.figure.measure)) for p in result.points],
    }


# --- the views -------------------------------------------------------------------------------


@staff_required(*VIEWER_ROLES)
@require_GET
def page(request):
    form, units, scope = _scope_from(request)
    context: dict = {"form": form, "units": units}
    if scope is None:
        context["error"] = next(iter(form.errors.values()))[0]
        return render(request, "kpi/plan_figures.html", context, status=400)
    results = plan_figures.figures(scope)
    chosen = scope.unit_ids[0] if len(scope.unit_ids) == 1 else None
    context.update(
        cards=[card(r) for r in results],
        scope=scope,
        chosen=chosen,
        month_value=scope.month.strftime("%Y-%m"),
        cut_off=timezone.localtime(scope.now, calendar.LOCAL_TZ),
        met=sum(1 for r in results if r.met),
        judged=sum(1 for r in results if r.met is not None),
    )
    return render(request, "kpi/plan_figures.html", context)


def _bold(ws, row: int) -> None:
    for cell in ws[row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def workbook(scope: Scope, results: list[Result], units: list[Unit]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = _("Chỉ tiêu")[:31]
    ws.append([_("Các chỉ số theo chỉ tiêu kế hoạch")])
    ws["A1"].font = Font(bold=True, size=13)
    names = ", ".join(u.name for u in units if u.pk in scope.unit_ids)
    ws.append([_("Đơn vị"), names])
    ws.append([_("Tháng"), scope.month.strftime("%m/%Y")])
    local = timezone.localtime(scope.now, calendar.LOCAL_TZ)
    ws.append([_("Số liệu lúc"), local.strftime("%H:%M %d/%m/%Y")])
    ws.append(
        [
            _("Chỉ số"),
            _("Giá trị"),
            _("Tử số"),
            _("Mẫu số"),
            _("Đơn vị tính"),
            _("Chỉ tiêu"),
            _("Đánh giá"),
            _("Từ ngày"),
            _("Đến ngày"),
            _("Cách tính"),
            _("Căn cứ chỉ tiêu"),
        ]
    )
    _bold(ws, ws.max_row)
    measures = {PERCENT: "%", MINUTES: _("phút"), COUNT: _("hồ sơ/dịch vụ")}
    for r in results:
        ws.append(
            [
                str(r.figure.label),
                r.value,
                r.numerator,
                r.denominator,
                measures[r.figure.measure],
                target_text(r),
                met_text(r),
                r.period_from.strftime("%d/%m/%Y") if not r.cumulative else "",
                r.period_to.strftime("%d/%m/%Y"),
                str(r.figure.counted),
                r.target.source if r.target is not None else "",
            ]
        )
    for i, width in enumerate([44, 10, 10, 10, 10, 16, 14, 12, 12, 50, 70], start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    trend = wb.create_sheet(_("Xu hướng 12 tháng")[:31])
    trend.append([_("Chỉ số"), *[p.strftime("%m/%Y") for p in scope.months]])
    _bold(trend, 1)
    for r in results:
        if r.applies:
            trend.append([str(r.figure.label), *[p.value for p in r.points]])
    trend.column_dimensions["A"].width = 44
    trend.freeze_panes = "B2"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@staff_required(*VIEWER_ROLES)
@require_GET
def export(request):
    _form, units, scope = _scope_from(request)
    if scope is None:
        return page(request)
    results = plan_figures.figures(scope)
    response = HttpResponse(
        workbook(scope, results, units),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"chi-tieu-ke-hoach-{scope.month:%Y%m}"
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response
