"""Chỉ số phục vụ in the staff area: the leader's dashboard, the province's and the manager's
tables, the drill-down and its workbook. Thin: parse the period and the unit, call one function
of `motcua.kpi.index.dashboard` (which enforces who sees what), render."""

from __future__ import annotations

import io
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from motcua.accounts.decorators import staff_required
from motcua.core.calendar import LOCAL_TZ
from motcua.kpi.index import dashboard

from .index_charts import trend_chart
from .index_periods import pick

PAGE_SIZE = 50
BY_WORDS = {v: k for k, v in dashboard.BREAKDOWNS.items()}  # engine's `by` -> URL word


def _unit_id(request) -> int | None:
    raw = request.GET.get("don_vi", "")
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError as exc:
        raise Http404 from exc


def current_time():
    """The screens' clock (tests replace it)."""
    return timezone.now()


def _picked(request):
    now = current_time()
    return now, pick(request.GET, dashboard.local_today(now))


@staff_required(*dashboard.VIEWER_ROLES)
@require_GET
def home(request):
    """The leader's dashboard (an officer's own figures when that is all they may see). A
    province's staff without a commune chosen land on the province's table of communes."""
    now, picked = _picked(request)
    if "don_vi" not in request.GET and dashboard.viewer(request.user).is_province:
        return redirect(f"{reverse('service_index:table', args=['xa'])}?{picked.query}")
    view = dashboard.leader_view(
        user=request.user,
        unit_id=_unit_id(request),
        period=picked.period,
        now=now,
        with_actions=False,  # loaded after the first answer (actions below)
    )
    who = dashboard.viewer(request.user)
    query = picked.query

    def link(code: str) -> str:
        return dashboard.drill_link(code=code, unit_id=view.unit.pk, query=query)

    context = {
        "view": view,
        "picked": picked,
        "who": who,
        "units": who.units,
        "chart": trend_chart([(p.label, p.total) for p in view.trend]),
        "groups": [(g, link(g.code)) for g in view.groups],
        "hidden_unit": [("don_vi", view.unit.pk)],
        "worst": [(i, link(i.code)) for i in view.worst],
        "query": query,
        "actions_url": f"{reverse('service_index:actions')}?"
        + (f"don_vi={view.unit.pk}&" if not view.officer else "")
        + query,
        "unit_query": urlencode({"don_vi": view.unit.pk}),
    }
    return render(request, "kpi/index/dashboard.html", context)


@staff_required(*dashboard.VIEWER_ROLES)
@require_GET
def actions(request):
    """The dashboard's "what to do" list: a fragment the page fetches after its first answer
    (htmx), or a page of its own without JavaScript."""
    now, picked = _picked(request)
    found = dashboard.leader_actions(
        user=request.user, unit_id=_unit_id(request), period=picked.period, now=now
    )

    def link(code: str) -> str:
        return dashboard.drill_link(code=code, unit_id=found.unit.pk, query=picked.query)

    context = {
        "actions": [(a, link(a.indicator)) for a in found.actions],
        "picked": picked,
        "unit": found.unit,
        "back": f"{reverse('service_index:home')}?"
        + (f"don_vi={found.unit.pk}&" if not found.officer else "")
        + picked.query,
    }
    template = "kpi/index/_actions.html" if request.htmx else "kpi/index/actions.html"
    return render(request, template, context)


@staff_required(*dashboard.UNIT_ROLES)
@require_GET
def table(request, by: str):
    """The province's communes (`xa`) or one unit by department, field or officer."""
    now, picked = _picked(request)
    result = dashboard.breakdown(
        user=request.user,
        by=by,
        unit_id=_unit_id(request),
        period=picked.period,
        now=now,
        sort=request.GET.get("xep", "total"),
    )
    who = dashboard.viewer(request.user)
    base = {k: v for k, v in request.GET.items() if k != "xep"}

    def sort_link(code: str) -> str:
        return "?" + urlencode({**base, "xep": code})

    rows = []
    for row in result.rows:
        if by == "xa":
            unit_id, drill_by, key = row.key, "unit", None
            home_link = f"{reverse('service_index:home')}?don_vi={row.key}&{picked.query}"
        else:
            unit_id, drill_by, key = result.unit.pk, dashboard.BREAKDOWNS[by], row.key
            home_link = ""
        cells = [
            (
                row.groups.get(code),
                dashboard.drill_link(
                    code=code, unit_id=unit_id, query=picked.query, by=drill_by, key=key
                ),
            )
            for code, _name in result.groups
        ]
        rows.append({"row": row, "cells": cells, "home": home_link})
    context = {
        "result": result,
        "rows": rows,
        "picked": picked,
        "who": who,
        "by": by,
        "sort_total": sort_link("total"),
        "headers": [(code, name, sort_link(code)) for code, name in result.groups],
        "hidden": [("xep", result.sort)] + ([("don_vi", result.unit.pk)] if result.unit else []),
        "query": picked.query,
    }
    return render(request, "kpi/index/table.html", context)


def _drill(request):
    now, picked = _picked(request)
    by = request.GET.get("theo", "unit")
    key = None
    if by != "unit":
        try:
            key = int(request.GET.get("khoa", ""))
        except ValueError as exc:
            raise Http404 from exc
    result = dashboard.drill(
        user=request.user,
        code=request.GET.get("chi_so", ""),
        unit_id=_unit_id(request),
        period=picked.period,
        now=now,
        by=by,
        key=key,
    )
    return now, picked, result


@staff_required(*dashboard.VIEWER_ROLES)
@require_GET
def drill(request):
    """The dossiers (procedures, payments, petitions, ratings) that cost points, each with why
    and where it is fixed; paginated; back to the dashboard with the same period."""
    _now, picked, result = _drill(request)
    page = Paginator(result.rows, PAGE_SIZE).get_page(request.GET.get("trang"))
    keep = {k: v for k, v in request.GET.items() if k != "trang"}
    back = reverse("service_index:home") + "?" + picked.query
    if not result.officer:
        back += "&" + urlencode({"don_vi": result.unit.pk})
    context = {
        "result": result,
        "page": page,
        "picked": picked,
        "back": back,
        "keep": urlencode(keep),
        "fixable": sum(1 for r in result.rows if r.fixable),
    }
    return render(request, "kpi/index/drill.html", context)


@staff_required(*dashboard.VIEWER_ROLES)
@require_GET
def drill_by_indicator(request, indicator: str):
    """The engine's `Action.drill_url` (…/diem-tru/<indicator>/?key=<unit id>) -> the drill-down
    screen with the same query (the screen checks what the user may see)."""
    params = request.GET.copy()
    params["chi_so"] = indicator
    if "key" in params:
        params["don_vi"] = params.pop("key")[-1]
    return redirect(f"{reverse('service_index:drill')}?{params.urlencode()}")


@staff_required(*dashboard.VIEWER_ROLES)
@require_GET
def drill_export(request):
    """The same rows as the screen, all of them, as .xlsx (Vietnamese text kept as is)."""
    now, picked, result = _drill(request)
    wb = Workbook()
    ws = wb.active
    ws.title = _("Điểm bị trừ")[:31]
    ws.append([_("Chỉ số phục vụ: các mục làm mất điểm")])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([_("Đơn vị"), result.unit.name])
    ws.append([_("Nhóm, chỉ số"), result.title])
    ws.append([_("Kỳ"), picked.label])
    local = timezone.localtime(now, LOCAL_TZ)
    ws.append([_("Số liệu lúc"), local.strftime("%H:%M %d/%m/%Y")])
    ws.append([])
    headers = [
        _("STT"),
        _("Chỉ số"),
        _("Loại"),
        _("Mã, tên"),
        _("Lý do mất điểm"),
        _("Còn khắc phục được"),
        _("Đường dẫn khắc phục"),
    ]
    ws.append(headers)
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    base = request.build_absolute_uri("/")[:-1]
    for n, row in enumerate(result.rows, start=1):
        ws.append(
            [
                n,
                row.indicator_name,
                row.kind,
                row.label,
                row.reason,
                _("Có") if row.fixable else _("Không"),
                (base + row.fix_url) if row.fix_url.startswith("/") else row.fix_url,
            ]
        )
    for letter, width in zip("ABCDEFG", (6, 40, 12, 30, 50, 14, 50), strict=True):
        ws.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    wb.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    p = picked.period
    name = f"chi-so-{result.unit.code}-{result.code}-{p.date_from:%Y%m%d}-{p.date_to:%Y%m%d}"
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


def number(value) -> str:
    return "–" if value is None else formats.number_format(value, decimal_pos=2, use_l10n=True)
