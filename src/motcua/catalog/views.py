"""Public pages of the procedure catalog: what a villager reads on a cheap phone.

Read-only and anonymous: no scoping (only published rows are ever shown), no state change.
Drafts are a 404 here; staff review drafts on the staff pages. The same for every visitor, so
the list, procedure and guide pages come from the cache until a catalog row changes
(core.pagecache).
"""

import io

import segno
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from motcua.core import links, pagecache

from . import actions, cases, selectors
from .services import PUBLIC_PAGES

PAGE_SIZE = 20


def _not_found(request, *, title: str, message: str, procedure_pk: int | None = None):
    """A 404 that says what is missing and where to go next, not a bare error page."""
    return render(
        request,
        "catalog/not_found.html",
        {"title": title, "message": message, "procedure_pk": procedure_pk},
        status=404,
    )


def public_url(request, pk: int) -> str:
    """Absolute address of a procedure page, as printed in its QR code.

    The configured public base URL wins over the request's host, so a QR printed from an
    officer's machine on the internal network still works from a villager's phone.
    """
    return links.public_url(reverse("catalog:procedure_detail", args=[pk]), request)


@require_safe
@pagecache.public_page(PUBLIC_PAGES)
def procedure_list(request):
    filters = selectors.PublicFilters.from_params(request.GET)
    results = selectors.public_catalog(filters)
    facets = selectors.catalog_facets(filters)
    paginator = Paginator(results, PAGE_SIZE)
    paginator.count = facets.total  # known from the facets: saves a second scan of the search
    page = paginator.get_page(request.GET.get("page"))
    units = selectors.publishing_units()
    show_unit = not filters.unit_code and len(units) > 1 and len(facets.unit_ids) > 1
    return render(
        request,
        "catalog/procedure_list.html",
        {
            "filters": filters,
            "page_obj": page,
            "procedures": page.object_list,
            "fields": facets.fields,
            "units": units if len(units) > 1 else [],
            "show_unit": show_unit,
        },
    )


@require_safe
@pagecache.public_page(PUBLIC_PAGES)
def procedure_detail(request, pk: int):
    procedure = selectors.public_procedure(pk)
    if procedure is None:
        return _not_found(
            request,
            title=_("Không tìm thấy thủ tục"),
            message=_(
                "Thủ tục này không có hoặc chưa được công khai. "
                "Bạn hãy tìm lại trong danh mục thủ tục."
            ),
        )
    guide = getattr(procedure, "guide", None)
    return render(
        request,
        "catalog/procedure_detail.html",
        {
            "procedure": procedure,
            "has_guide": guide is not None and guide.is_published,
            "public_url": public_url(request, procedure.pk),
            "actions": actions.for_procedure(procedure),
            "fees": list(procedure.fees.all()),
            "fee_cases": cases.cases_of(procedure.fees.all()),
            "components": list(procedure.components.all()),
            "steps": list(procedure.steps.all()),
            "forms": list(procedure.forms.all()),
        },
    )


@require_safe
@cache_control(public=True, max_age=86400)
def procedure_qr(request, pk: int):
    """SVG QR code of the page's public address, to print on the notice board."""
    if not selectors.is_published(pk):
        raise Http404
    return HttpResponse(qr_svg(public_url(request, pk)), content_type="image/svg+xml")


def qr_svg(url: str) -> bytes:
    """Standalone SVG (with xmlns, white quiet zone) so it prints and scans on any paper."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(
        buffer, kind="svg", scale=4, border=4, dark="#000", light="#fff", title=url
    )
    return buffer.getvalue()


@require_safe
@pagecache.public_page(PUBLIC_PAGES)
def procedure_guide(request, pk: int):
    guide = selectors.public_guide(pk)
    if guide is None:
        published = selectors.is_published(pk)
        return _not_found(
            request,
            title=_("Chưa có hướng dẫn cho thủ tục này"),
            message=_(
                "Thủ tục này chưa có hướng dẫn từng bước. Bạn có thể xem thông tin thủ tục, "
                "hỏi Tổ công nghệ số cộng đồng ở thôn, hoặc hỏi cán bộ tại Bộ phận Một cửa."
            )
            if published
            else _("Thủ tục này không có hoặc chưa được công khai."),
            procedure_pk=pk if published else None,
        )
    return render(
        request,
        "catalog/procedure_guide.html",
        {"guide": guide, "procedure": guide.procedure, "steps": list(guide.steps.all())},
    )
