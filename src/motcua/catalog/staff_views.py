"""Staff pages of the catalog: the scoped list, the publicity check, import and export.

Thin views: every row comes through `motcua.accounts.scoping`, every change through
`services`. Another unit's procedures (drafts included) do not exist here: absent from lists
and exports, and naming its unit in a filter gives a 404.
"""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from motcua.accounts import scoping
from motcua.accounts.decorators import staff_required
from motcua.accounts.models import Role
from motcua.core.models import Unit

from . import exporting, importing, publicity, selectors, services
from .forms import ImportForm, StaffFilterForm
from .models import Procedure

PAGE_SIZE = 25
CHECK_ROLES = (Role.MANAGER, Role.LEADER, Role.ADMINISTRATOR)


def _units(user, roles=None) -> QuerySet[Unit]:
    return Unit.objects.filter(pk__in=scoping.visible_unit_ids(user, roles)).order_by("name")


def _unit_filter(request, units: QuerySet[Unit]) -> Unit | None:
    """The unit named by ?unit=<code>; one the user may not see is a 404, not an empty list."""
    code = request.GET.get("unit", "").strip()
    if not code:
        return None
    unit = units.filter(code=code).first()
    if unit is None:
        raise Http404
    return unit


def _filtered(request, roles=None) -> tuple[QuerySet[Procedure], StaffFilterForm, Unit | None]:
    user = request.user
    units = _units(user, roles)
    unit = _unit_filter(request, units)
    form = StaffFilterForm(request.GET or None, units=units)
    qs = scoping.scoped(Procedure.objects.select_related("field", "unit"), user, roles=roles)
    if unit is not None:
        qs = qs.filter(unit=unit)
    if form.is_bound:
        form.is_valid()  # invalid values are dropped; the valid ones still filter
        data = form.cleaned_data
        if data.get("q"):
            qs = selectors.search_procedures(qs, data["q"])
        if data.get("field"):
            qs = qs.filter(field=data["field"])
        if data.get("published") in ("0", "1"):
            qs = qs.filter(is_published=data["published"] == "1")
    return qs.order_by("field__name", "name", "pk"), form, unit


def _query_without(request, *names: str) -> str:
    params = [(k, v) for k, v in request.GET.items() if k not in names and v]
    return urlencode(params)


@staff_required
def procedure_list(request):
    qs, form, unit = _filtered(request)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "catalog/staff/procedure_list.html",
        {
            "page": page,
            "form": form,
            "unit": unit,
            "show_unit_filter": form.fields["unit"].queryset.count() > 1,
            "query": _query_without(request, "page"),
            "can_import": scoping.has_role(request.user, Role.ADMINISTRATOR),
            "can_edit": request.user.is_staff,
        },
    )


@staff_required(*CHECK_ROLES)
def publicity_check(request):
    user = request.user
    units = _units(user, CHECK_ROLES)
    unit = _unit_filter(request, units)
    qs = scoping.scoped(Procedure.objects.all(), user, roles=CHECK_ROLES)
    if unit is not None:
        qs = qs.filter(unit=unit)
    problem = request.GET.get("problem", "")
    if problem not in publicity.PROBLEMS:
        problem = ""
    counts = publicity.problem_counts(qs)
    rows = (
        publicity.with_problem(qs, problem or None)
        .select_related("field", "unit")
        .order_by("field__name", "name", "pk")
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    label = publicity.problem_label
    items = [(p, [label(c) for c in publicity.problems_of(p)]) for p in page.object_list]
    return render(
        request,
        "catalog/staff/publicity_check.html",
        {
            "page": page,
            "items": items,
            "problem": problem,
            "problems": [
                {"code": code, "label": label, "count": counts[code]}
                for code, (label, _cond) in publicity.PROBLEMS.items()
            ],
            "total": qs.count(),
            "with_problems": page.paginator.count if not problem else None,
            "unit": unit,
            "units": units if units.count() > 1 else None,
            "query": _query_without(request, "page"),
            "unit_query": _query_without(request, "page", "problem"),
            "can_edit": user.is_staff,
        },
    )


@staff_required(Role.ADMINISTRATOR)
@require_http_methods(["GET", "POST"])
def import_catalog(request):
    units = _units(request.user, [Role.ADMINISTRATOR])
    report = None
    status = 200
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES, units=units)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                records = importing.parse_file(upload, upload.name)
            except importing.ImportFileError as exc:
                form.add_error("file", str(exc))
                status = 400
            else:
                report = services.import_catalog(
                    unit=form.cleaned_data["unit"],
                    records=records,
                    actor=request.user,
                    source_name=upload.name[:200],
                    publish=form.cleaned_data["publish"],
                )
        else:
            status = 400
    else:
        form = ImportForm(units=units)
    return render(
        request,
        "catalog/staff/import.html",
        {"form": form, "report": report},
        status=status,
    )


@staff_required
def export_catalog(request, fmt: str):
    if fmt not in ("json", "xlsx"):
        raise Http404
    qs, _form, unit = _filtered(request)
    stamp = timezone.localdate().strftime("%Y%m%d")
    name = f"danh-muc-thu-tuc-{unit.code if unit else 'tat-ca'}-{stamp}.{fmt}"
    if fmt == "json":
        body = exporting.export_json(qs)
        content_type = "application/json; charset=utf-8"
    else:
        body = exporting.export_xlsx(qs)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
