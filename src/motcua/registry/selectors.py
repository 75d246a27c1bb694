"""Read side of the lookup log: the rows of the units a manager or administrator reaches."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from motcua.accounts.models import Role
from motcua.accounts.scoping import scoped
from motcua.core.calendar import LOCAL_TZ

from .models import RegistryLookup

LOG_ROLES = (Role.MANAGER, Role.ADMINISTRATOR)


def lookup_log(user, *, start: dt.date | None = None, end: dt.date | None = None) -> QuerySet:
    """Lookups made for the units the user manages, newest first, within [start, end]."""
    rows = scoped(RegistryLookup.objects.all(), user, roles=LOG_ROLES).select_related(
        "unit", "actor"
    )
    if start is not None:
        rows = rows.filter(at__gte=dt.datetime.combine(start, dt.time.min, tzinfo=LOCAL_TZ))
    if end is not None:
        rows = rows.filter(
            at__lt=dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=LOCAL_TZ)
        )
    return rows.order_by("-at", "-id")
