"""Thống kê hàng đợi: waits, service times and no-shows per service, counter and hour, with
the citizens' satisfaction beside them, on screen and as an .xlsx file.

It lives in `kpi` (reports), not in `queueing`, because it reads both the queue and the
ratings, and `feedback` already depends on `queueing`: apps never depend in a circle.

One unit at a time: service letters (A, B, ...) repeat in every commune, so figures of two
communes in one table would mix different services. A province's manager picks the commune.
The rows are built here once and both the page and the workbook print the same rows, so the
file a leader sends on Friday says what the screen said.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from motcua.accounts.decorators import staff_required
from motcua.accounts.models import Role, User
from motcua.accounts.scoping import has_role, visible_unit_ids
from motcua.catalog.models import Field
from motcua.core import calendar
from motcua.core.forms import BoundedDateField
from motcua.core.models import Counter, Unit
from motcua.feedback import indicators as tt01
from motcua.feedback import selectors as feedback_selectors
from motcua.feedback.models import Reason
from motcua.feedback.selectors import Tally
from motcua.queueing import selectors, services
from motcua.queueing.models import Service
from motcua.queueing.selectors import Figures

VIEWER_ROLES = (Role.COUNTER_OFFICER, Role.LEADER, Role.MANAGER)
# Who sees satisfaction per officer (ranking staff is a leader's and manager's job).
OFFICER_TABLE_ROLES = (Role.LEADER, Role.MANAGER)
DEFAULT_DAYS = 30
MAX_DAYS = 366


# --- the filter -----------------------------------------------------------------------------


class PeriodForm(forms.Form):
    don_vi = forms.TypedChoiceField(label=gettext_lazy("Đơn vị"), coerce=int, required=False)
    tu_ngay = BoundedDateField(label=gettext_lazy("Từ ngày"), required=False)
    den_ngay = BoundedDateField(label=gettext_lazy("Đến ngày"), required=False)

    def __init__(self, data, *, units: list[Unit], today: dt.date):
        super().__init__(data)
        self.units = units
        self.today = today
        self.fields["don_vi"].choices = [(u.pk, u.name) for u in units]
        self.fields["don_vi"].error_messages["invalid_choice"] = _("Đơn vị không hợp lệ.")

    def clean(self):
        data = super().clean()
        date_to = data.get("den_ngay") or self.today
        date_from = data.get("tu_ngay") or date_to - dt.timedelta(days=DEFAULT_DAYS - 1)
        if date_from > date_to:
            raise ValidationError(_("“Từ ngày” phải trước hoặc bằng “Đến ngày”."))
        if (date_to - date_from).days + 1 > MAX_DAYS:
            raise ValidationError(_("Chỉ xem được tối đa %(n)s ngày một lần.") % {"n": MAX_DAYS})
        data["tu_ngay"], data["den_ngay"] = date_from, date_to
        return data


def _viewable_units(user) -> list[Unit]:
    """The units whose queue the user may see; those running a queue first."""
    ids = visible_unit_ids(user, VIEWER_ROLES)
    with_queue = set(
        Service.objects.filter(unit_id__in=ids).values_list("unit_id", flat=True).distinct()
    )
    units = list(Unit.objects.filter(pk__in=ids).order_by("name"))
    return sorted(units, key=lambda u: u.pk not in with_queue)


# --- rows -----------------------------------------------------------------------------------


def _minutes(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 60, 1)


def _percent(share: float | None) -> float | None:
    return None if share is None else round(share * 100, 1)


def _num(value: float | None, suffix: str = "") -> str:
    """1 decimal in the active language (12,5 in Vietnamese); a dash when there is no figure."""
    if value is None:
        return "–"
    return f"{formats.number_format(value, decimal_pos=1, use_l10n=True)}{suffix}"


def _num2(value: float | None) -> str:
    """2 decimals (a mean of 0/1/2 scores: 1,75), a dash when there is no figure."""
    return "–" if value is None else formats.number_format(value, decimal_pos=2, use_l10n=True)


@dataclass
class Row:
    """One line of a table: queue figures and/or ratings of one service, counter, hour, officer."""

    label: str
    figures: Figures | None = None
    tally: Tally | None = None

    @property
    def issued(self) -> int | None:
        return self.figures.issued if self.figures else None

    @property
    def served(self) -> int | None:
        return self.figures.served if self.figures else None

    @property
    def no_show(self) -> int | None:
        return self.figures.no_show if self.figures else None

    @property
    def wait_minutes(self) -> float | None:
        return _minutes(self.figures.mean_wait_seconds) if self.figures else None

    @property
    def service_minutes(self) -> float | None:
        return _minutes(self.figures.mean_service_seconds) if self.figures else None

    @property
    def no_show_percent(self) -> float | None:
        return _percent(self.figures.no_show_rate) if self.figures else None

    @property
    def ratings(self) -> int:
        return self.tally.total if self.tally else 0

    @property
    def satisfied_percent(self) -> float | None:
        return self.tally.satisfied_percent if self.tally else None

    @property
    def not_satisfied(self) -> int:
        return self.tally.not_satisfied if self.tally else 0

    # text for the page
    @property
    def wait_text(self) -> str:
        return _num(self.wait_minutes)

    @property
    def service_text(self) -> str:
        return _num(self.service_minutes)

    @property
    def no_show_text(self) -> str:
        return _num(self.no_show_percent, "%")

    @property
    def satisfied_text(self) -> str:
        return _num(self.satisfied_percent, "%")


@dataclass
class Report:
    unit: Unit
    date_from: dt.date
    date_to: dt.date
    total: Row
    by_service: list[Row]
    by_counter: list[Row]
    by_hour: list[Row]
    by_officer: list[Row] | None
    tally: Tally
    reasons: list[tuple[str, int]]
    busiest_hour_issued: int
    # dossiers only (the index's per-dossier satisfaction): land, construction and investment
    # apart (target 85%), then per field and, for leaders and managers, per officer
    dossiers: list[Row] = field(default_factory=list)
    dossiers_by_field: list[Row] = field(default_factory=list)
    dossiers_by_officer: list[Row] | None = None
    # the nine TT 01/2018 indicators over the dossiers returned in the period, and the grade
    indicators: tt01.UnitIndicators | None = None

    @property
    def is_empty(self) -> bool:
        returned = self.indicators.dossiers if self.indicators else 0
        return not self.total.issued and not self.tally.total and not returned

    @property
    def indicator_rows(self) -> list[tuple[int, str, str]]:
        """(number, indicator, mean score as text) for the page."""
        rows = self.indicators.rows if self.indicators else []
        return [(n, label, _num2(mean)) for n, label, mean in rows]

    @property
    def indicator_total_text(self) -> str:
        return _num2(self.indicators.total if self.indicators else None)


def build_report(unit: Unit, date_from: dt.date, date_to: dt.date, *, with_officers: bool):
    stats = selectors.queue_statistics(unit_ids=[unit.pk], date_from=date_from, date_to=date_to)
    sat = feedback_selectors.satisfaction([unit.pk], date_from, date_to)

    by_service = []
    for service in Service.objects.filter(unit=unit).order_by("order", "code"):
        figures, tally = stats.by_service.get(service.code), sat.by_service.get(service.pk)
        if figures or tally:
            by_service.append(Row(f"{service.code} - {service.name}", figures, tally))

    by_counter = []
    for counter in Counter.objects.filter(unit=unit).order_by("number"):
        figures, tally = stats.by_counter.get(counter.pk), sat.by_counter.get(counter.pk)
        if figures or tally:
            label = _("Quầy %(n)s: %(name)s") % {"n": counter.number, "name": counter.name}
            by_counter.append(Row(label, figures, tally))

    by_hour = [
        Row(f"{hour:02d}:00–{hour:02d}:59", stats.by_hour[hour]) for hour in sorted(stats.by_hour)
    ]

    by_officer = None
    if with_officers:
        names = {u.pk: str(u) for u in User.objects.filter(pk__in=list(sat.by_officer))}
        by_officer = sorted(
            (Row(names.get(pk, "?"), None, tally) for pk, tally in sat.by_officer.items()),
            key=lambda r: r.label,
        )

    reasons = [
        (label, sat.reasons[value]) for value, label in Reason.choices if value in sat.reasons
    ]
    dossier_sat = feedback_selectors.dossier_satisfaction([unit.pk], date_from, date_to)
    fields = dict(Field.objects.filter(pk__in=list(dossier_sat.by_field)).values_list("pk", "name"))
    dossiers_by_officer = None
    if with_officers:
        who = {u.pk: str(u) for u in User.objects.filter(pk__in=list(dossier_sat.by_officer))}
        dossiers_by_officer = sorted(
            (Row(who.get(pk, "?"), None, t) for pk, t in dossier_sat.by_officer.items()),
            key=lambda r: r.label,
        )
    return Report(
        unit=unit,
        date_from=date_from,
        date_to=date_to,
        total=Row(_("Cả đơn vị"), stats.total, sat.total),
        by_service=by_service,
        by_counter=by_counter,
        by_hour=by_hour,
        by_officer=by_officer,
        tally=sat.total,
        reasons=reasons,
        busiest_hour_issued=max((r.issued or 0 for r in by_hour), default=0),
        dossiers=[
            Row(_("Tất cả hồ sơ"), None, dossier_sat.total),
            Row(_("Đất đai, xây dựng, đầu tư (mục tiêu ≥ 85%)"), None, dossier_sat.demanding),
            Row(_("Các lĩnh vực khác"), None, dossier_sat.others),
        ],
        dossiers_by_field=sorted(
            (Row(fields.get(pk, "?"), None, t) for pk, t in dossier_sat.by_field.items()),
            key=lambda r: r.label,
        ),
        dossiers_by_officer=dossiers_by_officer,
        indicators=tt01.unit_indicators([unit.pk], date_from, date_to, now=services.now()),
    )


def _report_from_request(request) -> tuple[PeriodForm, Report | None]:
    """The filter (every field optional: an empty query is the default view) and its report."""
    today = services.local_day(services.now())
    units = _viewable_units(request.user)
    if not units:
        raise Http404
    form = PeriodForm(request.GET, units=units, today=today)
    if not form.is_valid():
        if "don_vi" in form.errors:
            raise Http404  # a unit the user may not see does not exist for them
        return form, None
    data = form.cleaned_data
    unit = next((u for u in units if u.pk == data.get("don_vi")), units[0])
    with_officers = has_role(request.user, *OFFICER_TABLE_ROLES, unit=unit)
    report = build_report(unit, data["tu_ngay"], data["den_ngay"], with_officers=with_officers)
    return form, report


@staff_required(*VIEWER_ROLES)
@require_GET
def statistics(request):
    form, report = _report_from_request(request)
    error = ""
    if report is None:
        error = next((errors[0] for errors in form.errors.values()), _("Bộ lọc không hợp lệ."))
    context = {"form": form, "report": report, "units": form.units, "error": error}
    return render(
        request, "kpi/queue_statistics.html", context, status=400 if report is None else 200
    )


# --- the workbook -------------------------------------------------------------------------------


QUEUE_HEADERS = [
    gettext_lazy("Số lượt lấy số"),
    gettext_lazy("Đã phục vụ xong"),
    gettext_lazy("Vắng mặt"),
    gettext_lazy("Chờ trung bình (phút)"),
    gettext_lazy("Phục vụ trung bình (phút)"),
    gettext_lazy("Tỷ lệ vắng mặt (%)"),
]
SATISFACTION_HEADERS = [
    gettext_lazy("Số lượt đánh giá"),
    gettext_lazy("Hài lòng (%)"),
    gettext_lazy("Không hài lòng"),
]


def _queue_cells(row: Row) -> list:
    return [
        row.issued,
        row.served,
        row.no_show,
        row.wait_minutes,
        row.service_minutes,
        row.no_show_percent,
    ]


def _sat_cells(row: Row) -> list:
    return [row.ratings, row.satisfied_percent, row.not_satisfied]


def _sheet(wb: Workbook, title: str, headers: list, rows: list[list], widths: list[int]):
    ws = wb.create_sheet(title[:31])
    ws.append([str(h) for h in headers])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for values in rows:
        ws.append(values)
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, float):
                cell.number_format = "0.0"
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "B2"
    return ws


def workbook(report: Report, generated_at: dt.datetime) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = _("Tổng hợp")
    ws.append([_("Thống kê hàng đợi và mức độ hài lòng")])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([_("Đơn vị"), report.unit.name])
    ws.append(
        [
            _("Từ ngày"),
            report.date_from.strftime("%d/%m/%Y"),
            _("Đến ngày"),
            report.date_to.strftime("%d/%m/%Y"),
        ]
    )
    local = timezone.localtime(generated_at, calendar.LOCAL_TZ)
    ws.append([_("Số liệu lúc"), local.strftime("%H:%M %d/%m/%Y")])
    ws.append([])
    total = report.total
    for label, value in [
        *zip(QUEUE_HEADERS, _queue_cells(total), strict=True),
        (_("Rất hài lòng"), report.tally.very_satisfied),
        (_("Hài lòng"), report.tally.satisfied),
        (_("Không hài lòng"), report.tally.not_satisfied),
        (_("Tổng số lượt đánh giá"), report.tally.total),
        (_("Tỷ lệ hài lòng (%)"), report.tally.satisfied_percent),
    ]:
        ws.append([str(label), value])
        if isinstance(value, float):
            ws.cell(ws.max_row, 2).number_format = "0.0"
    if report.reasons:
        ws.append([])
        ws.append([_("Lý do không hài lòng"), _("Số lượt")])
        ws.cell(ws.max_row, 1).font = Font(bold=True)
        for label, n in report.reasons:
            ws.append([str(label), n])
    ws.column_dimensions["A"].width = 32
    ws.column_dimensions["B"].width = 22
    ws.column_dimensions["C"].width = 12
    ws.column_dimensions["D"].width = 12

    both = [*QUEUE_HEADERS, *SATISFACTION_HEADERS]
    widths = [34] + [14] * len(both)
    _sheet(
        wb,
        _("Theo nhóm dịch vụ"),
        [_("Nhóm dịch vụ"), *both],
        [[r.label, *_queue_cells(r), *_sat_cells(r)] for r in report.by_service],
        widths,
    )
    _sheet(
        wb,
        _("Theo quầy"),
        [_("Quầy"), *both],
        [[r.label, *_queue_cells(r), *_sat_cells(r)] for r in report.by_counter],
        widths,
    )
    _sheet(
        wb,
        _("Theo giờ trong ngày"),
        [_("Giờ lấy số"), *QUEUE_HEADERS],
        [[r.label, *_queue_cells(r)] for r in report.by_hour],
        [16] + [14] * len(QUEUE_HEADERS),
    )
    if report.by_officer is not None:
        _sheet(
            wb,
            _("Hài lòng theo cán bộ"),
            [_("Cán bộ"), *SATISFACTION_HEADERS],
            [[r.label, *_sat_cells(r)] for r in report.by_officer],
            [30, 14, 14, 14],
        )
    _sheet(
        wb,
        _("Hài lòng về hồ sơ"),
        [_("Nhóm, lĩnh vực"), *SATISFACTION_HEADERS],
        [[r.label, *_sat_cells(r)] for r in [*report.dossiers, *report.dossiers_by_field]],
        [44, 14, 14, 14],
    )
    if report.dossiers_by_officer is not None:
        _sheet(
            wb,
            _("Hài lòng hồ sơ theo cán bộ"),
            [_("Cán bộ trả kết quả"), *SATISFACTION_HEADERS],
            [[r.label, *_sat_cells(r)] for r in report.dossiers_by_officer],
            [30, 14, 14, 14],
        )
    _indicator_sheet(wb, report.indicators)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _indicator_sheet(wb: Workbook, unit: tt01.UnitIndicators | None) -> None:
    """One sheet: the nine indicators (mean score 0-2), the total out of 18 and the grade."""
    ws = wb.create_sheet(_("Chỉ số TT 01-2018")[:31])
    ws.append([_("STT"), _("Tiêu chí"), _("Điểm trung bình (0–2)")])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for n, label, mean in unit.rows if unit else []:
        ws.append([n, label, round(mean, 2)])
        ws.cell(ws.max_row, 3).number_format = "0.00"
    ws.append([])
    total = unit.total if unit else None
    ws.append(["", _("Tổng điểm (tối đa 18)"), total])
    ws.cell(ws.max_row, 3).number_format = "0.00"
    ws.append(["", _("Xếp loại"), unit.grade if unit and unit.grade else "–"])
    ws.append(["", _("Số hồ sơ đã trả kết quả trong kỳ"), unit.dossiers if unit else 0])
    if unit:
        ws.append(
            [
                "",
                _("Phản ánh, kiến nghị xử lý đúng hạn"),
                f"{unit.complaints_handled}/{unit.complaints_counted}",
            ]
        )
    ws.column_dimensions["A"].width = 6
    ws.column_dimensions["B"].width = 58
    ws.column_dimensions["C"].width = 22


@staff_required(*VIEWER_ROLES)
@require_GET
def export(request):
    _form, report = _report_from_request(request)
    if report is None:
        return statistics(request)
    now = timezone.now()
    response = HttpResponse(
        workbook(report, now),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"thong-ke-hang-doi-{report.unit.code}-{report.date_from:%Y%m%d}-{report.date_to:%Y%m%d}"
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response
