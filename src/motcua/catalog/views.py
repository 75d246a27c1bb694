"""Public pages of the catalog (being written by the catalog-pages work)."""

from django.http import Http404


def _pending(request, *args, **kwargs):
    raise Http404


procedure_list = procedure_detail = procedure_qr = procedure_guide = _pending
