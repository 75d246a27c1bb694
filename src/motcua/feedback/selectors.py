"""Read side of ratings: the satisfaction figures, and what the counter tablet shows next."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q

from motcua.core import calendar
from motcua.queueing.models import CounterAssignment, Ticket

from .models import Level, Rating, Reason

TABLET_WINDOW = dt.timedelta(minutes=15)


@dataclass
class Tally:
    """Ratings of one group: counts per level and the share satisfied."""

    very_satisfied: int = 0
    satisfied: int = 0
    not_satisfied: int = 0

    @property
    def total(self) -> int:
        return self.very_satisfied + self.satisfied + self.not_satisfied

    @property
    def satisfied_share(self) -> float | None:
        """(very satisfied + satisfied) / all ratings; None when nobody rated."""
        return (self.very_satisfied + self.satisfied) / self.total if self.total else None

    @property
    def satisfied_percent(self) -> float | None:
        share = self.satisfied_share
        return None if share is None else round(share * 100, 1)

    def add(self, level: str, n: int) -> None:
        setattr(self, level, getattr(self, level) + n)


@dataclass
class Satisfaction:
    total: Tally
    by_counter: dict[int, Tally] = field(default_factory=dict)  # counter id
    by_officer: dict[int, Tally] = field(default_factory=dict)  # user id
    by_service: dict[int, Tally] = field(default_factory=dict)  # queue service id
    by_procedure: dict[int, Tally] = field(default_factory=dict)  # catalog procedure id
    reasons: dict[str, int] = field(default_factory=dict)  # Reason value -> count


def local_bounds(date_from: dt.date, date_to: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[local midnight of date_from, local midnight after date_to) as aware datetimes."""
    start = dt.datetime.combine(date_from, dt.time.min, tzinfo=calendar.LOCAL_TZ)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=calendar.LOCAL_TZ)
    return start, end


def satisfaction(unit_ids, date_from: dt.date, date_to: dt.date) -> Satisfaction:
    """Counts per level for ratings made in the units between two local dates (inclusive).

    One GROUP BY query per grouping; ratings without a counter/officer/service simply do not
    appear in that grouping but count in the total.
    """
    start, end = local_bounds(date_from, date_to)
    base = Rating.objects.filter(
        unit_id__in=list(unit_ids), created_at__gte=start, created_at__lt=end
    )
    total = Tally()
    for row in base.values("level").annotate(n=Count("id")).order_by():
        total.add(row["level"], row["n"])
    result = Satisfaction(total=total)
    for attr, column in (
        ("by_counter", "counter_id"),
        ("by_officer", "officer_id"),
        ("by_service", "service_id"),
        ("by_procedure", "procedure_id"),
    ):
        groups: dict[int, Tally] = {}
        rows = (
            base.filter(**{f"{column}__isnull": False})
            .values(column, "level")
            .annotate(n=Count("id"))
            .order_by()
        )
        for row in rows:
            groups.setdefault(row[column], Tally()).add(row["level"], row["n"])
        setattr(result, attr, groups)
    reasons = (
        base.filter(level=Level.NOT_SATISFIED).values("reason").annotate(n=Count("id")).order_by()
    )
    result.reasons = {r["reason"]: r["n"] for r in reasons if r["reason"] in Reason.values}
    return result


def rating_for_ticket(ticket: Ticket) -> Rating | None:
    return Rating.objects.filter(ticket_id=ticket.pk).first()


def rating_for_dossier(dossier) -> Rating | None:
    return Rating.objects.filter(dossier_id=dossier.pk).first()


def ticket_by_token(token: str) -> Ticket | None:
    """The ticket a citizen's link points to (the secret token, never the sequential id)."""
    if not token or len(token) > 64:
        return None
    return (
        Ticket.objects.filter(access_token=token)
        .select_related("unit", "service", "counter")
        .first()
    )


def ticket_awaiting_rating(counter, *, at: dt.datetime) -> Ticket | None:
    """The ticket this counter finished last, if within the window and not yet rated.

    Only the very last one: if it was rated (or is older than the window) the citizen before
    has left, and asking the next person to rate someone else's service would be wrong.
    """
    last = (
        Ticket.objects.filter(
            counter=counter,
            status=Ticket.Status.DONE,
            finished_at__isnull=False,
            finished_at__lte=at,
        )
        .select_related("service")
        .order_by("-finished_at", "-id")
        .first()
    )
    if last is None or last.finished_at is None or last.finished_at < at - TABLET_WINDOW:
        return None
    if Rating.objects.filter(ticket_id=last.pk).exists():
        return None
    return last


# What an officer does at the counter that ends a citizen's business with a dossier there: the
# result handed over, or the dossier refused at reception (the events' actions).
HANDOVER_ACTIONS = ("return_result", "refuse")


def counter_handovers(counter, *, at: dt.datetime):
    """Hand-over events (`HANDOVER_ACTIONS`) made by the officer who has this counter open, since
    they opened it and within the tablet's window, of dossiers the counter's unit receives or
    decides; newest first. Empty when the counter is closed or nobody sits at it."""
    from motcua.dossiers.models import DossierEvent

    setup = (
        CounterAssignment.objects.filter(counter=counter, is_open=True, officer__isnull=False)
        .only("officer_id", "opened_at")
        .first()
    )
    if setup is None:
        return DossierEvent.objects.none()
    since = at - TABLET_WINDOW
    if setup.opened_at is not None and setup.opened_at > since:
        since = setup.opened_at
    return (
        DossierEvent.objects.filter(
            actor_id=setup.officer_id, action__in=HANDOVER_ACTIONS, at__gte=since, at__lte=at
        )
        .filter(
            Q(dossier__receiving_unit_id=counter.unit_id)
            | Q(dossier__competent_unit_id=counter.unit_id)
        )
        .order_by("-at", "-id")
    )


def dossier_awaiting_rating(counter, *, at: dt.datetime):
    """The dossier the officer at this counter returned or refused last, if within the window
    and not yet rated; `handed_over_at` and `handed_over_by` are set on it.

    Like `ticket_awaiting_rating`, only the very last one: once it is rated (at the counter or
    from the invitation's link) the citizen has been asked, and the next person must not be.
    """
    last = counter_handovers(counter, at=at).select_related("dossier", "actor").first()
    if last is None:
        return None
    dossier = last.dossier
    # still returned or refused (not re-opened since), and nobody has rated it yet
    if last.to_status != dossier.status or Rating.objects.filter(dossier_id=dossier.pk).exists():
        return None
    dossier.handed_over_at = last.at
    dossier.handed_over_by = last.actor
    return dossier


def counter_handover(counter, dossier, *, at: dt.datetime):
    """The event by which this counter handed `dossier` over within the window, or None."""
    return (
        counter_handovers(counter, at=at)
        .filter(dossier_id=dossier.pk)
        .select_related("actor")
        .first()
    )


# Land, construction and investment are judged on their own (target >= 85% against >= 90-95%
# for the rest: DOMAIN.md section 5); matched on the field's name without accents.
DEMANDING_FIELDS = ("dat dai", "xay dung", "dau tu")


@dataclass
class DossierSatisfaction:
    """Ratings of dossiers decided in the units and rated in the period, per level."""

    total: Tally
    by_department: dict[int, Tally] = field(default_factory=dict)  # the procedure's department
    by_field: dict[int, Tally] = field(default_factory=dict)  # catalog field (lĩnh vực) id
    by_officer: dict[int, Tally] = field(default_factory=dict)  # who handed the result over
    demanding: Tally = field(default_factory=Tally)  # land, construction, investment
    others: Tally = field(default_factory=Tally)  # every other field


def demanding_field_ids() -> set[int]:
    from motcua.catalog.models import Field
    from motcua.core.text import fold

    return {f.pk for f in Field.objects.only("name") if fold(f.name).startswith(DEMANDING_FIELDS)}


def dossier_satisfaction(unit_ids, date_from: dt.date, date_to: dt.date) -> DossierSatisfaction:
    """Satisfaction with dossiers (not queue tickets) for the units between two local dates:
    one GROUP BY per grouping; `demanding + others == total` (a dossier whose procedure has no
    field counts among the others)."""
    start, end = local_bounds(date_from, date_to)
    base = Rating.objects.filter(
        unit_id__in=list(unit_ids),
        dossier__isnull=False,
        created_at__gte=start,
        created_at__lt=end,
    )
    result = DossierSatisfaction(total=Tally())
    demanding = demanding_field_ids()
    for row in base.values("level", "procedure__field_id").annotate(n=Count("id")).order_by():
        result.total.add(row["level"], row["n"])
        field_id = row["procedure__field_id"]
        (result.demanding if field_id in demanding else result.others).add(row["level"], row["n"])
        if field_id is not None:
            result.by_field.setdefault(field_id, Tally()).add(row["level"], row["n"])
    for attr, column in (
        ("by_department", "procedure__department_id"),
        ("by_officer", "officer_id"),
    ):
        groups: dict[int, Tally] = {}
        rows = (
            base.filter(**{f"{column}__isnull": False})
            .values(column, "level")
            .annotate(n=Count("id"))
            .order_by()
        )
        for row in rows:
            groups.setdefault(row[column], Tally()).add(row["level"], row["n"])
        setattr(result, attr, groups)
    return result
