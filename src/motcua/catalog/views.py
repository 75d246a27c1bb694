from django.shortcuts import render

from .models import Procedure


def procedure_list(request):
    procedures = Procedure.objects.filter(is_published=True).select_related("field")[:50]
    return render(request, "catalog/procedure_list.html", {"procedures": procedures})
