"""The procedure page's "Lấy số thứ tự" and "Đặt lịch hẹn" (registered with catalog.actions).

A procedure a commune's queue service names (`Service.procedures`) gets links that open the
queue app and the booking pages with that service already chosen. A procedure no service names
still gets its own commune's pages when that commune runs a queue, where the citizen picks the
service. Booking is offered only where a booking rule is active.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from motcua.catalog.actions import Action

from .models import Service


def _bookable(service: Service) -> bool:
    rule = getattr(service, "booking_rule", None)
    return rule is not None and rule.is_active


def _links(unit, service: Service | None, *, bookable: bool, several: bool) -> list[Action]:
    query = f"?{urlencode({'dich-vu': service.pk})}" if service else ""
    where = unit.name if several else ""
    found = []
    if bookable:
        url = reverse("queueing:booking_start", args=[unit.code]) + query
        found.append(Action("book", _("Đặt lịch hẹn"), url, where))
    url = reverse("queueing:citizen_home", args=[unit.code]) + query
    found.append(Action("ticket", _("Lấy số thứ tự"), url, where))
    return found


def procedure_actions(procedure) -> list[Action]:
    """One query: the active services that name `procedure`, and those of its own commune."""
    names_it = Service.procedures.through.objects.filter(
        service=OuterRef("pk"), procedure=procedure
    )
    services = list(
        Service.objects.annotate(names_it=Exists(names_it))
        .filter(Q(names_it=True) | Q(unit_id=procedure.unit_id))
        .filter(is_active=True, unit__is_active=True)
        .select_related("unit", "booking_rule")
        .order_by("unit__name", "unit_id", "order", "code")
    )
    first_per_unit: dict[int, Service] = {}
    for service in services:
        if service.names_it:
            first_per_unit.setdefault(service.unit_id, service)
    if first_per_unit:
        several = len(first_per_unit) > 1
        return [
            action
            for service in first_per_unit.values()
            for action in _links(
                service.unit, service, bookable=_bookable(service), several=several
            )
        ]
    if not services:  # its commune runs no queue
        return []
    bookable = any(_bookable(service) for service in services)
    return _links(services[0].unit, None, bookable=bookable, several=False)
