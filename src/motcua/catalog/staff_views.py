"""Staff pages of the catalog (being written by the catalog-import work)."""

from django.http import Http404


def _pending(request, *args, **kwargs):
    raise Http404


procedure_list = publicity_check = import_catalog = export_catalog = _pending
