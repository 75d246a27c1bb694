"""Read side: which villages a staff member may record for or see, and per-village progress.

Scoping: villages are reached through `motcua.accounts.scoping` (the unit the role reaches);
a digital-team member assigned to a village is narrowed to that village.
"""

import math
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from motcua.accounts.models import Role, StaffAssignment
from motcua.accounts.scoping import visible_unit_ids
from motcua.core.models import Unit, Village

from .models import AgeGroup, AssistedAction, Campaign, GuidanceSession

RECORDING_ROLES = (Role.DIGITAL_TEAM, Role.MANAGER)
VIEWING_ROLES = (Role.DIGITAL_TEAM, Role.MANAGER, Role.LEADER)
DEFAULT_TARGET = 45
DEFAULT_STRETCH = 50


def _villages_for(user, roles) -> QuerySet:
    """Villages of the units `roles` reach, except that a team member with a village is
    limited to it (a commune-level team, assigned without a village, covers the commune)."""
    whole_unit_roles = [r for r in roles if r != Role.DIGITAL_TEAM]
    unit_ids = visible_unit_ids(user, whole_unit_roles) if whole_unit_roles else set()
    village_ids: set[int] = set()
    if Role.DIGITAL_TEAM in roles:
        team_units = visible_unit_ids(user, [Role.DIGITAL_TEAM])
        for unit_id, village_id in StaffAssignment.objects.filter(
            user_id=user.pk, role=Role.DIGITAL_TEAM, is_active=True
        ).values_list("unit_id", "village_id"):
            if village_id is None:
                below = Unit.objects.filter(Q(parent_id=unit_id) | Q(parent__parent_id=unit_id))
                unit_ids |= ({unit_id} | set(below.values_list("id", flat=True))) & team_units
            else:
                village_ids.add(village_id)
    return (
        Village.objects.filter(Q(unit_id__in=unit_ids) | Q(id__in=village_ids))
        .select_related("unit")
        .order_by("unit__name", "name")
    )


def recordable_villages(user) -> QuerySet:
    return _villages_for(user, RECORDING_ROLES)


def viewable_villages(user) -> QuerySet:
    return _villages_for(user, VIEWING_ROLES)


def current_campaign(unit_id: int, today: date) -> Campaign | None:
    """The campaign running today, else the most recent one that started."""
    qs = Campaign.objects.filter(unit_id=unit_id)
    return (
        qs.filter(start__lte=today, end__gte=today).order_by("-start").first()
        or qs.filter(start__lte=today).order_by("-start").first()
        or qs.order_by("start").first()
    )


def weekly_report_due(now: datetime) -> datetime:
    """Next Friday 15:00 local time: the plan's weekly report deadline."""
    local = timezone.localtime(now)
    days = (4 - local.weekday()) % 7
    due = timezone.make_aware(datetime.combine(local.date() + timedelta(days=days), time(15)))
    if due <= local:
        due += timedelta(days=7)
    return due


@dataclass
class VillageProgress:
    village: Village
    working_age_population: int
    adopted_working_age: int = 0
    adopted_all_ages: int = 0
    adopted_this_week: int = 0
    kind_counts: dict[str, int] = field(default_factory=dict)
    sessions: int = 0
    attendees: int = 0
    percent: float | None = None
    target_percent: int = DEFAULT_TARGET
    stretch_percent: int = DEFAULT_STRETCH
    expected_percent: int | None = None  # the last milestone due by today
    next_milestone: tuple[date, int] | None = None
    needed_for_next: int = 0
    status: str = "no_data"  # reached / on_track / behind / no_data

    @property
    def kinds(self) -> list[tuple[str, str, int]]:
        return [(k, str(label), self.kind_counts.get(k, 0)) for k, label in KIND_COLUMNS]


KIND_COLUMNS = list(AssistedAction.Kind.choices)


def _status(row: VillageProgress) -> str:
    if row.percent is None:
        return "no_data"
    if row.percent >= row.target_percent:
        return "reached"
    if row.expected_percent is not None and row.percent < row.expected_percent:
        return "behind"
    return "on_track"


def village_progress(
    villages: list[Village], campaign: Campaign | None, today: date, now: datetime
) -> list[VillageProgress]:
    """One row per village, in four queries whatever the number of villages."""
    ids = [v.pk for v in villages]
    adoption = (
        AssistedAction.objects.filter(
            resident__village_id__in=ids, kind__in=AssistedAction.ADOPTION_KINDS
        )
        .values("resident__village_id")
        .annotate(
            all_ages=Count("resident", distinct=True),
            working=Count(
                "resident", distinct=True, filter=Q(resident__age_group=AgeGroup.WORKING)
            ),
        )
    )
    by_village = {r["resident__village_id"]: r for r in adoption}
    local = timezone.localtime(now)
    week_start = timezone.make_aware(
        datetime.combine(local.date() - timedelta(days=local.weekday()), time.min)
    )
    this_week = dict(
        AssistedAction.objects.filter(
            resident__village_id__in=ids,
            kind__in=AssistedAction.ADOPTION_KINDS,
            occurred_at__gte=week_start,
        )
        .values("resident__village_id")
        .annotate(n=Count("resident", distinct=True))
        .values_list("resident__village_id", "n")
    )
    kinds: dict[int, dict[str, int]] = {}
    for village_id, kind, n in (
        AssistedAction.objects.filter(resident__village_id__in=ids)
        .values("resident__village_id", "kind")
        .annotate(n=Count("id"))
        .values_list("resident__village_id", "kind", "n")
    ):
        kinds.setdefault(village_id, {})[kind] = n
    sessions = {
        r["village_id"]: r
        for r in GuidanceSession.objects.filter(village_id__in=ids)
        .values("village_id")
        .annotate(n=Count("id"), people=Sum("attendees"))
    }
    milestones = campaign.milestone_list() if campaign else []
    due = [m for m in milestones if m[0] <= today]
    upcoming = [m for m in milestones if m[0] > today]
    no_adoption = {"working": 0, "all_ages": 0}
    no_sessions = {"n": 0, "people": 0}
    rows = []
    for v in villages:
        a = by_village.get(v.pk, no_adoption)
        row = VillageProgress(
            village=v,
            working_age_population=v.working_age_population,
            adopted_working_age=a.get("working", 0),
            adopted_all_ages=a.get("all_ages", 0),
            adopted_this_week=this_week.get(v.pk, 0),
            kind_counts=kinds.get(v.pk, {}),
            sessions=sessions.get(v.pk, no_sessions).get("n", 0),
            attendees=sessions.get(v.pk, no_sessions).get("people") or 0,
        )
        if campaign:
            row.target_percent = campaign.target_percent
            row.stretch_percent = campaign.stretch_percent
        row.expected_percent = due[-1][1] if due else None
        row.next_milestone = upcoming[0] if upcoming else None
        if v.working_age_population:
            row.percent = round(100 * row.adopted_working_age / v.working_age_population, 1)
            goal = row.next_milestone[1] if row.next_milestone else row.target_percent
            needed = math.ceil(goal * v.working_age_population / 100) - row.adopted_working_age
            row.needed_for_next = max(needed, 0)
        row.status = _status(row)
        rows.append(row)
    return rows


@dataclass
class UnitDashboard:
    unit: Unit
    campaign: Campaign | None
    rows: list[VillageProgress]

    @property
    def totals(self) -> dict:
        population = sum(r.working_age_population for r in self.rows)
        adopted = sum(r.adopted_working_age for r in self.rows)
        return {
            "working_age_population": population,
            "adopted_working_age": adopted,
            "adopted_all_ages": sum(r.adopted_all_ages for r in self.rows),
            "percent": round(100 * adopted / population, 1) if population else None,
            "sessions": sum(r.sessions for r in self.rows),
            "attendees": sum(r.attendees for r in self.rows),
            "behind": sum(1 for r in self.rows if r.status == "behind"),
            "reached": sum(1 for r in self.rows if r.status == "reached"),
        }


def dashboard(villages: QuerySet, now: datetime | None = None) -> list[UnitDashboard]:
    """Progress of the given villages, grouped by commune, each with its own campaign."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    by_unit: dict[int, list[Village]] = {}
    units: dict[int, Unit] = {}
    for v in villages:
        by_unit.setdefault(v.unit_id, []).append(v)
        units[v.unit_id] = v.unit
    result = []
    for unit_id, vs in by_unit.items():
        campaign = current_campaign(unit_id, today)
        result.append(
            UnitDashboard(
                unit=units[unit_id],
                campaign=campaign,
                rows=village_progress(vs, campaign, today, now),
            )
        )
    return result
