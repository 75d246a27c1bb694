"""The citizens' front door (`/`): every public service one tap away on a cheap phone.

Thin: the units come from `queueing.selectors.citizen_units`, the links are the other apps'
public URLs. Online filing is not listed until the portal offers it; feedback has no public
form yet (ratings are reached from a ticket or a dossier), so it is not listed either.
"""

from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from motcua.queueing import selectors as queue

GO = {"lay-so": "queueing:citizen_home", "dat-hen": "queueing:booking_start"}


@require_safe
def home(request):
    units = queue.citizen_units()
    by_code = {u.code: u for u in units}
    chosen = by_code.get(request.GET.get("don-vi", ""))
    if chosen is None and len(units) == 1:
        chosen = units[0]
    go = request.GET.get("den", "")
    if chosen is not None and go in GO:
        # the chooser of a deployment with several communes: commune + service in one tap
        return redirect(GO[go], chosen.code)
    return render(
        request,
        "portal/home.html",
        {"units": units, "chosen": chosen, "several": len(units) > 1},
    )
