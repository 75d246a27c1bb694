"""Per-unit data scoping: the default path for every staff query.

Views never call `Model.objects` for unit-owned data; they call `scoped(qs, user)` (or
`get_scoped_or_404`) so that another unit's rows simply do not exist for the user: a 404,
never a 403 that would confirm the row is there.
"""

from collections.abc import Iterable

from django.db.models import Model, QuerySet
from django.http import Http404

from motcua.core.models import Unit

from .models import Role, StaffAssignment, User


def visible_unit_ids(user: User, roles: Iterable[str] | None = None) -> set[int]:
    """Ids of the units the user may see: assigned units and, for a province, its communes."""
    if not getattr(user, "is_authenticated", False) or not user.is_staff_member:
        return set()
    cache_key = ("_visible_units", tuple(sorted(roles)) if roles else None)
    cache = user.__dict__.setdefault("_scoping_cache", {})
    if cache_key in cache:
        return cache[cache_key]
    assignments = StaffAssignment.objects.filter(user=user, is_active=True)
    if roles:
        assignments = assignments.filter(role__in=list(roles))
    unit_ids = set(assignments.values_list("unit_id", flat=True))
    frontier = set(unit_ids)
    while frontier:  # provinces reach their communes (and legacy districts' communes)
        children = set(Unit.objects.filter(parent_id__in=frontier).values_list("id", flat=True))
        frontier = children - unit_ids
        unit_ids |= children
    cache[cache_key] = unit_ids
    return unit_ids


def roles_of(user: User, unit: Unit | int | None = None) -> set[str]:
    if not getattr(user, "is_authenticated", False) or not user.is_staff_member:
        return set()
    qs = StaffAssignment.objects.filter(user=user, is_active=True)
    if unit is not None:
        unit_id = getattr(unit, "pk", unit)
        qs = qs.filter(unit_id__in=_self_and_ancestors(unit_id))
    return set(qs.values_list("role", flat=True))


def _self_and_ancestors(unit_id: int) -> list[int]:
    ids = []
    current = unit_id
    while current is not None and current not in ids:
        ids.append(current)
        current = Unit.objects.filter(pk=current).values_list("parent_id", flat=True).first()
    return ids


def has_role(user: User, *roles: str, unit: Unit | int | None = None) -> bool:
    return bool(roles_of(user, unit) & set(roles))


def scoped(
    qs: QuerySet, user: User, field: str | None = None, roles: Iterable[str] | None = None
) -> QuerySet:
    """Filter `qs` to rows whose unit the user may see.

    `field` is the lookup to the unit (default: the model's `unit_scope_field`, else "unit").
    """
    field = field or getattr(qs.model, "unit_scope_field", "unit")
    return qs.filter(**{f"{field}__in": visible_unit_ids(user, roles)})


def get_scoped_or_404(qs: QuerySet, user: User, **lookup) -> Model:
    try:
        return scoped(qs, user).get(**lookup)
    except qs.model.DoesNotExist as exc:
        raise Http404 from exc


ALL_ROLES = [r.value for r in Role]
