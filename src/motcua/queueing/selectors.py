"""Read side of the queue: kiosk services, the counter console, people ahead, statistics."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from motcua.accounts.models import Role
from motcua.accounts.scoping import scoped
from motcua.core import calendar
from motcua.core.models import Counter, Unit

from .models import BookingRule, CounterAssignment, Service, Ticket

COUNTER_ROLES = (Role.COUNTER_OFFICER,)


def kiosk_unit(code: str) -> Unit | None:
    return Unit.objects.filter(code=code, is_active=True).first()


def citizen_units() -> list[Unit]:
    """Units whose queue gives numbers (an active service), by name; `takes_bookings` says
    whether any of their services takes appointments. For the public home page."""
    services = Service.objects.filter(unit=OuterRef("pk"), is_active=True)
    rules = BookingRule.objects.filter(
        service__unit=OuterRef("pk"), service__is_active=True, is_active=True
    )
    return list(
        Unit.objects.filter(Exists(services), is_active=True)
        .annotate(takes_bookings=Exists(rules))
        .order_by("name", "code")
    )


def kiosk_services(unit: Unit) -> QuerySet[Service]:
    return Service.objects.filter(unit=unit, is_active=True).order_by("order", "code")


def counters_for(user) -> QuerySet[Counter]:
    """Counters of the units where the user is a counter officer."""
    return (
        scoped(Counter.objects.filter(is_active=True), user, roles=COUNTER_ROLES)
        .select_related("unit", "queue_setup", "queue_setup__officer")
        .order_by("unit__name", "number")
    )


def people_ahead(ticket: Ticket) -> int:
    """Waiting tickets of the same service issued before this one (priority may reorder)."""
    if ticket.status not in Ticket.WAITING_STATES:
        return 0
    return (
        Ticket.objects.filter(
            service_id=ticket.service_id,
            day=ticket.day,
            status__in=Ticket.WAITING_STATES,
        )
        .filter(
            Q(issued_at__lt=ticket.issued_at)
            | Q(issued_at=ticket.issued_at, number__lt=ticket.number)
        )
        .count()
    )


@dataclass
class ServiceCount:
    service: Service
    waiting: int
    priority: int
    served_by_counter: bool


@dataclass
class Console:
    counter: Counter
    setup: CounterAssignment | None
    current: Ticket | None
    counts: list[ServiceCount]
    recent: list[Ticket]
    transfer_services: list[Service]
    transfer_counters: list[Counter]
    waiting_total: int = 0
    served_ids: set[int] = field(default_factory=set)


def console(counter: Counter, day: dt.date) -> Console:
    """Everything the officer's screen shows, in a handful of queries."""
    setup = CounterAssignment.objects.filter(counter=counter).select_related("officer").first()
    served_ids = set(setup.services.values_list("id", flat=True)) if setup else set()
    services = list(Service.objects.filter(unit_id=counter.unit_id, is_active=True))
    rows = (
        Ticket.objects.filter(unit_id=counter.unit_id, day=day, status__in=Ticket.WAITING_STATES)
        .values("service_id")
        .annotate(
            waiting=Count("id"),
            priority=Count("id", filter=~Q(priority_reason=Ticket.Priority.NONE)),
        )
    )
    by_service = {r["service_id"]: r for r in rows}
    nobody = {"waiting": 0, "priority": 0}
    counts = [
        ServiceCount(
            service=s,
            waiting=by_service.get(s.pk, nobody)["waiting"],
            priority=by_service.get(s.pk, nobody)["priority"],
            served_by_counter=s.pk in served_ids,
        )
        for s in services
    ]
    current = (
        Ticket.objects.filter(counter=counter, day=day, status__in=Ticket.ACTIVE_AT_COUNTER)
        .select_related("service")
        .order_by("-called_at")
        .first()
    )
    recent = list(
        Ticket.objects.filter(
            counter=counter,
            day=day,
            status__in=(Ticket.Status.DONE, Ticket.Status.NO_SHOW),
        )
        .select_related("service")
        .order_by("-finished_at")[:5]
    )
    other_counters = list(
        Counter.objects.filter(unit_id=counter.unit_id, is_active=True)
        .exclude(pk=counter.pk)
        .order_by("number")
    )
    return Console(
        counter=counter,
        setup=setup,
        current=current,
        counts=counts,
        recent=recent,
        transfer_services=services,
        transfer_counters=other_counters,
        waiting_total=sum(c.waiting for c in counts if c.served_by_counter),
        served_ids=served_ids,
    )


# --- statistics --------------------------------------------------------------------------------


@dataclass
class Figures:
    """Counts and mean durations (seconds) of one group of tickets."""

    issued: int = 0
    served: int = 0
    no_show: int = 0
    wait_seconds_total: float = 0.0
    waited: int = 0
    service_seconds_total: float = 0.0

    def add(self, row: Mapping[str, Any]) -> None:
        self.issued += 1
        if row["status"] == Ticket.Status.NO_SHOW:
            self.no_show += 1
        if row["called_at"] is not None:
            self.waited += 1
            self.wait_seconds_total += (row["called_at"] - row["issued_at"]).total_seconds()
        if row["status"] == Ticket.Status.DONE and row["serving_started_at"] and row["finished_at"]:
            self.served += 1
            self.service_seconds_total += (
                row["finished_at"] - row["serving_started_at"]
            ).total_seconds()

    @property
    def mean_wait_seconds(self) -> float | None:
        return self.wait_seconds_total / self.waited if self.waited else None

    @property
    def mean_service_seconds(self) -> float | None:
        return self.service_seconds_total / self.served if self.served else None

    @property
    def no_show_rate(self) -> float | None:
        """Share of called tickets that ended absent (tickets never called do not count)."""
        return self.no_show / self.waited if self.waited else None


@dataclass
class QueueStatistics:
    total: Figures
    by_service: dict[str, Figures]  # service code
    by_counter: dict[int, Figures]  # counter id (tickets that reached a counter)
    by_hour: dict[int, Figures]  # local hour of issue


def queue_statistics(*, unit_ids, date_from: dt.date, date_to: dt.date) -> QueueStatistics:
    """Waiting time (issue -> first call), service time (start -> finish), no-show rate.

    Grouped in Python over one narrow query: a commune issues a few hundred tickets a day, so
    a quarter is well under 100,000 small rows, and the same code runs on SQLite and PostgreSQL.
    Cancelled tickets are left out. The wait of a transferred ticket counts to its final call.
    """
    rows = (
        Ticket.objects.filter(unit_id__in=unit_ids, day__gte=date_from, day__lte=date_to)
        .exclude(status=Ticket.Status.CANCELLED)
        .values(
            "status",
            "issued_at",
            "called_at",
            "serving_started_at",
            "finished_at",
            "service__code",
            "counter_id",
        )
    )
    total = Figures()
    by_service: dict[str, Figures] = defaultdict(Figures)
    by_counter: dict[int, Figures] = defaultdict(Figures)
    by_hour: dict[int, Figures] = defaultdict(Figures)
    for row in rows.iterator(chunk_size=2000):
        total.add(row)
        by_service[row["service__code"]].add(row)
        if row["counter_id"] is not None:
            by_counter[row["counter_id"]].add(row)
        by_hour[timezone.localtime(row["issued_at"], calendar.LOCAL_TZ).hour].add(row)
    return QueueStatistics(
        total=total,
        by_service=dict(by_service),
        by_counter=dict(by_counter),
        by_hour=dict(by_hour),
    )
