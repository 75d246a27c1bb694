"""Per-unit data scoping: the default path for every staff query.

Views never call `Model.objects` for unit-owned data; they call `scoped(qs, user)` (or
`get_scoped_or_404`) so that another unit's rows simply do not exist for the user: a 404,
never a 403 that would confirm the row is there.

What a user reaches is computed once per user object (so once per request for
`request.user`) with two queries: the active assignments, then the units under them. A role
held in a province (or a legacy district) reaches every unit below it; a commune role reaches
that commune only. Citizens, inactive accounts and inactive assignments reach nothing. There
is no superuser bypass: a superuser without assignments sees no unit data in the staff area
(the Django admin is the operator's tool).
"""

import contextlib
from collections.abc import Iterable

from django.db.models import Model, Q, QuerySet
from django.http import Http404

from motcua.core.models import Unit

from .models import Role, StaffAssignment, User

_CACHE_ATTR = "_motcua_scope"


def _role_units(user: User) -> dict[str, frozenset[int]]:
    """{role: ids of the units that role reaches} for an active staff member, cached on `user`."""
    if not getattr(user, "is_authenticated", False) or not user.is_staff_member:
        return {}
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    pairs = list(
        StaffAssignment.objects.filter(user_id=user.pk, is_active=True).values_list(
            "role", "unit_id"
        )
    )
    assigned = {unit_id for _, unit_id in pairs}
    below: dict[int, set[int]] = {unit_id: {unit_id} for unit_id in assigned}
    if assigned:
        # Two levels down covers province -> commune and legacy province -> district -> commune.
        rows = Unit.objects.filter(
            Q(parent_id__in=assigned) | Q(parent__parent_id__in=assigned)
        ).values_list("id", "parent_id", "parent__parent_id")
        for unit_id, parent_id, grandparent_id in rows:
            for ancestor in (parent_id, grandparent_id):
                if ancestor in below:
                    below[ancestor].add(unit_id)
    result: dict[str, set[int]] = {}
    for role, unit_id in pairs:
        result.setdefault(role, set()).update(below[unit_id])
    frozen = {role: frozenset(ids) for role, ids in result.items()}
    setattr(user, _CACHE_ATTR, frozen)
    return frozen


def clear_scope_cache(user: User) -> None:
    """Forget what `user` reaches, after their assignments changed on this same object."""
    with contextlib.suppress(AttributeError):
        delattr(user, _CACHE_ATTR)


def visible_unit_ids(user: User, roles: Iterable[str] | None = None) -> set[int]:
    """Ids of the units the user may see (through any role, or only through `roles`)."""
    by_role = _role_units(user)
    wanted = set(roles) if roles else None
    ids: set[int] = set()
    for role, unit_ids in by_role.items():
        if wanted is None or role in wanted:
            ids |= unit_ids
    return ids


def roles_of(user: User, unit: Unit | int | None = None) -> set[str]:
    """Roles the user holds anywhere, or the roles that reach `unit` (own or parent's)."""
    by_role = _role_units(user)
    if unit is None:
        return set(by_role)
    unit_id = getattr(unit, "pk", unit)
    return {role for role, unit_ids in by_role.items() if unit_id in unit_ids}


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


def get_scoped_or_404(
    qs: QuerySet,
    user: User,
    *,
    scope_field: str | None = None,
    scope_roles: Iterable[str] | None = None,
    **lookup,
) -> Model:
    """One row the user may see, else 404 (whether it is missing or in another unit)."""
    try:
        return scoped(qs, user, scope_field, scope_roles).get(**lookup)
    except qs.model.DoesNotExist as exc:
        raise Http404 from exc


ALL_ROLES = [r.value for r in Role]
