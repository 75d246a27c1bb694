"""One rule for every admin screen: an administrator works inside their own units, and every
change made there is audited.

`UnitScopedAdmin` is mixed into every `ModelAdmin` and inline the project registers
(tests/core/test_admin_scoping.py walks the registry and fails on one without it). For a user
who is not a superuser it:

- opens the screen only to administrators (`may_administer`), whatever Django permissions
  they hold, and never for rows no unit owns unless the model declares `global_rows`;
- lists only rows whose unit the administrator reaches (`unit_lookup`: the path from a row to
  its `Unit`, found from the model when not declared);
- offers, in every foreign-key and many-to-many field, only rows of those units (the form then
  refuses any other id as an invalid choice), and makes the row's own unit required;
- refuses (PermissionDenied, nothing saved) a save whose row ends up in another unit;
- turns "by unit" list filters into filters over the rows the list shows, so other units' names
  do not appear as filter choices.

Which units a user administers is not known here: `core` imports no other app. The admin site
answers (`admin_site.administered_unit_ids(request)` and `admin_site.may_administer(request)`,
implemented by `accounts.admin_site.StaffAdminSite`); on a site that cannot answer, only
superusers get in.

`SuperuserOnlyAdmin` closes a screen to everyone but superusers (the operator's tools: sign-in
records, second-factor devices, dossier evidence). `AuditedAdmin` writes one audit event per
admin create, change (with the difference, many-to-many included) and delete, in the same
transaction.
"""

from __future__ import annotations

from django.contrib.admin import RelatedOnlyFieldListFilter
from django.contrib.admin.utils import NotRelationField, get_fields_from_path
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db import models, transaction

from . import audit
from .admin_base import PrefillFromQueryMixin
from .models import Unit

_MAX_DEPTH = 3


def _is_superuser(request) -> bool:
    user = request.user
    return bool(user.is_active and user.is_authenticated and user.is_superuser)


def unit_lookup(model: type[models.Model]) -> str | None:
    """The ORM path from a row of `model` to the `Unit` that owns it, or None if no unit does.

    Declared on the model as `unit_scope_field` (as `accounts.scoping.scoped` reads it), else
    `pk` for `Unit` itself, else a foreign key to `Unit` (the one named `unit` first), else a
    foreign key to a row that has a unit (a counter's, a service's, a procedure's).
    """
    return _lookup(model, _MAX_DEPTH)


def _lookup(model, depth: int) -> str | None:
    if model is Unit:
        return "pk"
    declared = getattr(model, "unit_scope_field", None)
    if declared:
        return declared
    if depth == 0:
        return None
    forward = [
        f
        for f in model._meta.get_fields()
        if f.concrete and f.is_relation and (f.many_to_one or f.one_to_one) and f.related_model
    ]
    to_unit = [f for f in forward if f.related_model is Unit]
    if to_unit:
        return min(to_unit, key=lambda f: (f.name != "unit", f.null)).name
    for field in sorted(forward, key=lambda f: f.null):
        if field.related_model is model:
            continue
        below = _lookup(field.related_model, depth - 1)
        if below is not None:
            return field.name if below == "pk" else f"{field.name}__{below}"
    return None


def _is_multivalued(model, lookup: str) -> bool:
    for part in lookup.split("__"):
        if part == "pk":
            return False
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return False
        if field.many_to_many or field.one_to_many:
            return True
        model = field.related_model
    return False


def limit_to_units(qs: models.QuerySet, unit_ids, lookup: str | None = None) -> models.QuerySet:
    """`qs` narrowed to rows of `unit_ids` (None: no limit); rows no unit owns are dropped."""
    if unit_ids is None:
        return qs
    lookup = lookup or unit_lookup(qs.model)
    if lookup is None:
        return qs.none()
    condition = {f"{lookup}__in": list(unit_ids)}
    if _is_multivalued(qs.model, lookup):
        # Through a reverse relation (a person's assignments): one row each, not one per match.
        return qs.filter(pk__in=qs.model._default_manager.filter(**condition).values("pk"))
    return qs.filter(**condition)


def unit_id_of(obj: models.Model, lookup: str | None = None) -> int | None:
    """The unit id an (unsaved) row points to through `lookup`, from the object in memory.

    Raises LookupError when the path crosses a many-valued relation (nothing to read in memory).
    """
    lookup = lookup or unit_lookup(type(obj))
    if lookup is None:
        return None
    if lookup == "pk":
        return obj.pk
    current = obj
    parts = lookup.split("__")
    for index, part in enumerate(parts):
        field = type(current)._meta.get_field(part)
        if field.many_to_many or field.one_to_many:
            raise LookupError(lookup)
        last = index == len(parts) - 1
        if last:
            return getattr(current, field.attname)
        if getattr(current, field.attname) is None:
            return None
        current = getattr(current, part)
        if current is None:
            return None
    return None


class UnitScopedAdmin(PrefillFromQueryMixin):
    """Mix into every ModelAdmin and inline: see the module docstring."""

    # Path from a row to its unit; None: found from the model (`unit_lookup`).
    unit_lookup: str | None = None
    # True for reference rows that belong to no unit and serve all (the national list of fields):
    # administrators may read them, only superusers add, change or delete them.
    global_rows = False

    # --- who --------------------------------------------------------------------------------

    def administered_units(self, request) -> set[int] | None:
        """Ids of the units `request.user` administers; None for a superuser (every unit)."""
        if _is_superuser(request):
            return None
        answer = getattr(self.admin_site, "administered_unit_ids", None)
        return set(answer(request)) if answer is not None else set()

    def may_administer(self, request) -> bool:
        if _is_superuser(request):
            return True
        answer = getattr(self.admin_site, "may_administer", None)
        return bool(answer is not None and answer(request))

    def scope_lookup(self) -> str | None:
        return self.unit_lookup or unit_lookup(self.model)

    def _may_read(self, request) -> bool:
        if _is_superuser(request):
            return True
        return self.may_administer(request) and (
            self.global_rows or self.scope_lookup() is not None
        )

    def _may_write(self, request) -> bool:
        if _is_superuser(request):
            return True
        return self._may_read(request) and not self.global_rows

    def has_module_permission(self, request):
        return self._may_read(request)

    def has_view_permission(self, request, obj=None):
        return self._may_read(request)

    def has_add_permission(self, request, *args):
        return self._may_write(request)

    def has_change_permission(self, request, obj=None):
        return self._may_write(request)

    def has_delete_permission(self, request, obj=None):
        return self._may_write(request)

    # --- what they see ------------------------------------------------------------------------

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if self.global_rows:
            return qs
        return limit_to_units(qs, self.administered_units(request), self.scope_lookup())

    def limit_choices(self, request, qs: models.QuerySet) -> models.QuerySet:
        """A relation's choices: rows of the administrator's units, or all rows of a model no
        unit owns (the shared reference lists; their own admin decides who edits them)."""
        units = self.administered_units(request)
        if units is None or unit_lookup(qs.model) is None:
            return qs
        return limit_to_units(qs, units)

    def _own_unit_field(self) -> str | None:
        lookup = self.scope_lookup()
        return lookup if lookup and "__" not in lookup and lookup != "pk" else None

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and self.administered_units(request) is not None:
            field.queryset = self.limit_choices(request, field.queryset)
            if db_field.name == self._own_unit_field():
                field.required = True  # a row left without a unit would be the whole nation's
        return field

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and self.administered_units(request) is not None:
            field.queryset = self.limit_choices(request, field.queryset)
        return field

    def get_list_filter(self, request):
        filters = list(super().get_list_filter(request))
        if self.administered_units(request) is None:
            return filters
        scoped = []
        for item in filters:
            if isinstance(item, str):
                try:
                    field = get_fields_from_path(self.model, item)[-1]
                except (FieldDoesNotExist, NotRelationField):
                    field = None
                if field is not None and field.is_relation and field.related_model:
                    item = (item, RelatedOnlyFieldListFilter)
            scoped.append(item)
        return scoped

    # --- what they save -----------------------------------------------------------------------

    def check_in_scope(self, request, obj) -> None:
        """PermissionDenied unless `obj` (as about to be saved) belongs to an administered unit."""
        units = self.administered_units(request)
        if units is None:
            return
        try:
            unit_id = unit_id_of(obj, self.scope_lookup())
        except LookupError:
            return  # through a many-valued relation: the limited choices of the form guard it
        if unit_id is None or unit_id not in units:
            raise PermissionDenied

    def save_form(self, request, form, change):
        obj = super().save_form(request, form, change)
        self.check_in_scope(request, obj)
        return obj


class SuperuserOnlyAdmin(PrefillFromQueryMixin):
    """The operator's screens: closed to everyone but superusers, whatever permissions they
    were given. A screen that is also read-only keeps its own refusals (they are asked too)."""

    def has_module_permission(self, request):
        return _is_superuser(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return _is_superuser(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return _is_superuser(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return _is_superuser(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return _is_superuser(request) and super().has_delete_permission(request, obj)


def _jsonable(value):
    if isinstance(value, models.Model):
        return value.pk
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def snapshot(obj: models.Model) -> dict:
    """Every editable field of `obj` as plain values; many-to-many as sorted lists of ids."""
    data = {}
    for field in obj._meta.concrete_fields:
        if field.editable and not field.primary_key:
            data[field.name] = _jsonable(field.value_from_object(obj))
    if obj.pk is not None:
        for field in obj._meta.many_to_many:
            data[field.name] = sorted(getattr(obj, field.name).values_list("pk", flat=True))
    return data


class AuditedAdmin:
    """Writes an audit event for every admin create, change and delete, in the same transaction.

    The event is written after the related rows are saved (`save_related`), so a change of a
    many-to-many field (the procedures of a service, the services of a counter) is in the diff.
    """

    def _audit_unit(self, obj) -> int | None:
        try:
            return unit_id_of(obj, getattr(self, "scope_lookup", lambda: None)())
        except LookupError:
            return None

    def save_model(self, request, obj, form, change):
        # The form already changed `obj` in memory; the row in the database is the "before".
        before = {}
        if change and obj.pk is not None:
            stored = type(obj)._default_manager.filter(pk=obj.pk).first()
            before = snapshot(stored) if stored is not None else {}
        super().save_model(request, obj, form, change)
        obj._admin_audit = (before, change)

    def save_related(self, request, form, formsets, change):
        with transaction.atomic():
            super().save_related(request, form, formsets, change)
            obj = form.instance
            before, changed = getattr(obj, "_admin_audit", ({}, change))
            audit.record(
                action="admin.change" if changed else "admin.create",
                obj=obj,
                changes=audit.diff(before, snapshot(obj)),
                actor=request.user,
                unit=self._audit_unit(obj),
            )

    def delete_model(self, request, obj):
        with transaction.atomic():
            audit.record(
                action="admin.delete",
                obj=obj,
                changes={"before": snapshot(obj)},
                actor=request.user,
                unit=self._audit_unit(obj),
            )
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)
