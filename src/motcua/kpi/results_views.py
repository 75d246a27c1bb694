"""Kết quả phục vụ: the public page of a unit's service index (no sign-in, no personal data).

The commune plans ask communes to publish their results to citizens regularly. The figures are
those of `dashboard.public_results`: the month so far up to 00:00 today, computed once a day
per unit (the cut-off is printed on the page). Rate-limited per address like the other public
pages (`core.ratelimit`): a page that runs the whole index must not be a way to load the server.
"""

from django.conf import settings
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from motcua.core import ratelimit
from motcua.kpi.index import dashboard

RATE_WINDOW = 60


def current_time():
    """The page's clock (tests replace it)."""
    return timezone.now()


@require_safe
def page(request, unit_code: str):
    count = ratelimit.hit("index-results", ratelimit.client_ip(request), window=RATE_WINDOW)
    if count > settings.MOTCUA_RESULTS_RATE_PER_MINUTE:
        return ratelimit.too_many(
            request,
            _("Bạn đã mở trang kết quả quá nhiều lần. Xin thử lại sau ít phút."),
            retry_after=RATE_WINDOW,
        )
    unit = dashboard.public_unit(unit_code)
    results = dashboard.public_results(unit=unit, now=current_time())
    return render(request, "kpi/index/public.html", {"r": results, "unit": unit})
