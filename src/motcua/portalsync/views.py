"""The sync coverage screen for leaders and managers, and the managers' retry button."""

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from motcua.accounts.decorators import staff_required
from motcua.accounts.scoping import visible_unit_ids

from . import selectors, services
from .models import PortalMessage

PERIODS = (7, 30, 90)
PAGE_SIZE = 20


@staff_required(*selectors.VIEWER_ROLES)
def coverage(request):
    try:
        days = int(request.GET.get("ky", "30"))
    except ValueError:
        days = 30
    days = days if days in PERIODS else 30
    now = timezone.now()
    start = now - dt.timedelta(days=days)
    rows = selectors.coverage(request.user, start=start, end=now, now=now)
    page = Paginator(selectors.dead_letters(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for m in page.object_list:
        m.error_text = selectors.explain(m.last_error)
        m.can_retry = services.may_retry(request.user, m)
    return render(
        request,
        "portalsync/coverage.html",
        {
            "rows": rows,
            "page": page,
            "days": days,
            "periods": PERIODS,
            "on_time_hours": settings.MOTCUA_DVCQG_ON_TIME_HOURS,
        },
    )


@staff_required(*services.RETRY_ROLES)
@require_POST
def retry(request, pk: int):
    visible = visible_unit_ids(request.user, selectors.VIEWER_ROLES)
    if not PortalMessage.objects.filter(pk=pk, unit_id__in=visible).exists():
        raise Http404  # another unit's message, or none: the same answer
    try:
        message = services.retry(request.user, message_pk=pk)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(
            request,
            _("Đã đưa tin nhắn của hồ sơ %(code)s vào hàng đợi gửi lại.")
            % {"code": message.dossier_code},
        )
    return redirect("portalsync:coverage")
