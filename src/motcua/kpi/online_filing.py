"""Nộp trực tuyến: for each procedure, how long citizens take from sign-in to submission and
how many fields they had to type, the two figures the province plan sets goals on ("< 5 minutes
from login to successful submission in 2026", "the citizen never re-enters what the state
knows"), and how many were helped at the centre.

Managers and leaders see their units; a province's manager may pick one commune or see all.
The figures come from `dossiers.selectors.online_filing_figures` (one row per online dossier,
written when it was filed).
"""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from django.shortcuts import render
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from motcua.accounts.decorators import staff_required
from motcua.accounts.models import Role
from motcua.accounts.scoping import visible_unit_ids
from motcua.core import calendar
from motcua.core.models import Unit
from motcua.dossiers import deadlines
from motcua.dossiers import selectors as dossier_selectors

from .queue_statistics import PeriodForm

VIEWER_ROLES = (Role.MANAGER, Role.LEADER, Role.ADMINISTRATOR)
GOAL_SECONDS = 5 * 60  # province plan 2025-2026: < 5 minutes in 2026


class FilingPeriodForm(PeriodForm):
    """The queue statistics' period, with "all my units" as the first choice of a province."""

    def __init__(self, data, *, units: list[Unit], today: dt.date):
        super().__init__(data, units=units, today=today)
        field = self.fields["don_vi"]
        field.empty_value = None
        if len(units) > 1:
            field.choices = [("", _("Tất cả đơn vị")), *field.choices]


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=calendar.LOCAL_TZ)


def minutes_text(seconds: float | None) -> str:
    """ "3 phút 20 giây" from seconds; a dash when there is no figure."""
    if seconds is None:
        return "–"
    whole = round(seconds)
    minutes, rest = divmod(whole, 60)
    if not minutes:
        return _("%(s)s giây") % {"s": rest}
    if not rest:
        return _("%(m)s phút") % {"m": minutes}
    return _("%(m)s phút %(s)s giây") % {"m": minutes, "s": rest}


def number_text(value: float | None) -> str:
    if value is None:
        return "–"
    return formats.number_format(value, decimal_pos=1, use_l10n=True)


def _line(figures: dossier_selectors.FilingFigures) -> dict:
    """One table line: the figures and their text in the active language."""
    return {
        "f": figures,
        "median": minutes_text(figures.median_seconds),
        "mean": minutes_text(figures.mean_seconds),
        "median_typed": number_text(figures.median_typed),
        "mean_typed": number_text(figures.mean_typed),
        "assisted_percent": number_text(figures.assisted_percent),
        "within_goal": figures.median_seconds is not None and figures.median_seconds < GOAL_SECONDS,
    }


@staff_required(*VIEWER_ROLES)
@require_GET
def page(request):
    ids = visible_unit_ids(request.user, VIEWER_ROLES)
    units = list(Unit.objects.filter(pk__in=ids).order_by("name"))
    if not units:
        raise Http404
    today = deadlines.current_time().astimezone(calendar.LOCAL_TZ).date()
    form = FilingPeriodForm(request.GET, units=units, today=today)
    context: dict = {"form": form, "units": units, "goal": minutes_text(GOAL_SECONDS)}
    if not form.is_valid():
        if "don_vi" in form.errors:
            raise Http404  # a unit the user may not see does not exist for them
        context["error"] = next(iter(form.errors.values()))[0]
        return render(request, "kpi/online_filing.html", context, status=400)
    data = form.cleaned_data
    chosen = [data["don_vi"]] if data.get("don_vi") else [u.pk for u in units]
    total, rows = dossier_selectors.online_filing_figures(
        chosen, _start_of(data["tu_ngay"]), _start_of(data["den_ngay"] + dt.timedelta(days=1))
    )
    context.update(
        total=_line(total),
        rows=[_line(r) for r in rows],
        date_from=data["tu_ngay"],
        date_to=data["den_ngay"],
        unit=next(u for u in units if u.pk == chosen[0]) if len(chosen) == 1 else None,
    )
    return render(request, "kpi/online_filing.html", context)
