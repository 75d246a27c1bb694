"""Read-side queries: the staff list (filters, overdue), per-department counts for leaders, the
public list of published answers, and the two figures the service index counts (issue 16,
group "Satisfaction (18)").

The index's figures, for petitions received in [start, end) by the given units (a petition
transferred away is counted by the unit that received it from the transfer, not twice):

- `on_time`: numerator = petitions answered (or closed) by their deadline, plus petitions still
  open whose deadline has not passed at `now`; denominator = all of them.
- `satisfied`: denominator = petitions that were answered; numerator = those answered by their
  deadline, not rated "không hài lòng", and not filed again as a repeat (`repeat_of`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from .models import Category, Petition

S = Petition.Status
OPEN = (S.RECEIVED, S.ASSIGNED)


def overdue_q(now: dt.datetime) -> Q:
    """Open and past the deadline (or already flagged by the job)."""
    return Q(status__in=OPEN) & (Q(due_at__lt=now) | Q(overdue=True))


def staff_list(
    unit_ids,
    *,
    now: dt.datetime | None = None,
    status: str = "",
    department: int | None = None,
    category: int | None = None,
    overdue_only: bool = False,
    handler_id: int | None = None,
) -> QuerySet[Petition]:
    """Petitions of the units, newest first, filtered as the staff screen asks."""
    now = now or timezone.now()
    qs = Petition.objects.filter(unit_id__in=unit_ids).select_related(
        "unit", "category", "department", "handler"
    )
    if status:
        qs = qs.filter(status=status)
    if department:
        qs = qs.filter(department_id=department)
    if category:
        qs = qs.filter(category_id=category)
    if overdue_only:
        qs = qs.filter(overdue_q(now))
    if handler_id:
        qs = qs.filter(handler_id=handler_id)
    return qs.order_by("-received_at", "-id")


def department_counts(unit_ids, *, now: dt.datetime | None = None) -> list[dict]:
    """For leaders: per department, how many are open, overdue, answered, and in all."""
    now = now or timezone.now()
    rows = (
        Petition.objects.filter(unit_id__in=unit_ids)
        .exclude(status=S.TRANSFERRED)
        .values("department_id", "department__name")
        .annotate(
            total=Count("id"),
            open=Count("id", filter=Q(status__in=OPEN)),
            overdue=Count("id", filter=overdue_q(now)),
            answered=Count("id", filter=Q(answered_at__isnull=False)),
        )
        .order_by("department__name")
    )
    return [dict(row) for row in rows]


def published(unit_id: int | None = None) -> QuerySet[Petition]:
    """Published answers, newest first (the public list)."""
    qs = Petition.objects.filter(status=S.PUBLISHED).select_related("unit", "category", "village")
    if unit_id:
        qs = qs.filter(unit_id=unit_id)
    return qs.order_by("-published_at", "-id")


def categories(unit_id: int) -> QuerySet[Category]:
    return Category.objects.filter(unit_id=unit_id, is_active=True).order_by("position", "name")


@dataclass(frozen=True)
class Ratio:
    numerator: int
    denominator: int

    @property
    def percent(self) -> float | None:
        return None if not self.denominator else 100.0 * self.numerator / self.denominator


def counted(unit_ids, *, start: dt.datetime, end: dt.datetime) -> QuerySet[Petition]:
    """The petitions the index counts for these units in [start, end)."""
    return Petition.objects.filter(
        unit_id__in=unit_ids, received_at__gte=start, received_at__lt=end
    ).exclude(status=S.TRANSFERRED)


def on_time_q(now: dt.datetime) -> Q:
    answered_in_time = Q(answered_at__isnull=False, answered_at__lte=F("due_at"))
    closed_in_time = Q(
        answered_at__isnull=True, finished_at__isnull=False, finished_at__lte=F("due_at")
    )
    still_in_time = Q(answered_at__isnull=True, finished_at__isnull=True, due_at__gte=now)
    return answered_in_time | closed_in_time | still_in_time


def satisfied_q() -> Q:
    repeated = Exists(Petition.objects.filter(repeat_of=OuterRef("pk")))
    return (
        Q(answered_at__isnull=False, answered_at__lte=F("due_at"))
        & ~Q(rating=Petition.Rating.NOT_SATISFIED)
        & ~Q(repeated)
    )


def on_time(unit_ids, *, start: dt.datetime, end: dt.datetime, now: dt.datetime) -> Ratio:
    """Petitions handled on time or still within their deadline / petitions."""
    qs = counted(unit_ids, start=start, end=end)
    figures = qs.aggregate(n=Count("id", filter=on_time_q(now)), d=Count("id"))
    return Ratio(figures["n"], figures["d"])


def satisfied(unit_ids, *, start: dt.datetime, end: dt.datetime) -> Ratio:
    """Petitions answered on time, not rated "not satisfied" and not repeated / answered."""
    qs = counted(unit_ids, start=start, end=end).filter(answered_at__isnull=False)
    figures = qs.aggregate(n=Count("id", filter=satisfied_q()), d=Count("id"))
    return Ratio(figures["n"], figures["d"])


def dossiers_with_petition(unit_ids, *, start: dt.datetime, end: dt.datetime) -> QuerySet:
    """Ids of the dossiers (one each) that a petition received in [start, end) is about
    ("Mã hồ sơ" on the form, or set by staff), where the petition was received by one of the
    units or the dossier was received or decided by one of them. A petition transferred away
    still counts for its dossier (the clone in the competent unit names the same dossier, so
    the id appears once). For the service index: "dossiers without a not-satisfied rating,
    a petition or overdue"."""
    ids = list(unit_ids)
    return (
        Petition.objects.filter(
            Q(unit_id__in=ids)
            | Q(dossier__receiving_unit_id__in=ids)
            | Q(dossier__competent_unit_id__in=ids),
            dossier__isnull=False,
            received_at__gte=start,
            received_at__lt=end,
        )
        .order_by()
        .values_list("dossier_id", flat=True)
        .distinct()
    )


def about_dossier(dossier_ref) -> QuerySet[Petition]:
    """Petitions about one dossier (`dossier_ref`: an id or an `OuterRef("pk")` for an
    `Exists` in another app's query, e.g. TT 01/2018 indicator 7 in `feedback.indicators`)."""
    return Petition.objects.filter(dossier_id=dossier_ref)
