"""Admin for the administrator (quản trị): units, villages, departments, counters, calendar.

Edits made here are audited like any other state change; the audit log itself is read-only.
"""

from django.contrib import admin
from django.db import transaction
from django.forms.models import model_to_dict

from . import audit
from .admin_base import PrefillFromQueryMixin
from .models import AuditEvent, CalendarException, Counter, Department, Unit, Village


def _unit_of(obj) -> int | None:
    if isinstance(obj, Unit):
        return obj.pk
    return getattr(obj, "unit_id", None)


class AuditedAdmin(PrefillFromQueryMixin, admin.ModelAdmin):
    """Writes an audit event for every admin create, change and delete, in the same transaction."""

    def save_model(self, request, obj, form, change):
        # The form already changed `obj` in memory; the row in the database is the "before".
        before = model_to_dict(type(obj).objects.get(pk=obj.pk)) if change and obj.pk else {}
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            after = model_to_dict(obj)
            audit.record(
                action="admin.change" if change else "admin.create",
                obj=obj,
                changes=audit.diff(before, after),
                actor=request.user,
                unit=_unit_of(obj),
            )

    def delete_model(self, request, obj):
        with transaction.atomic():
            audit.record(
                action="admin.delete",
                obj=obj,
                changes=audit.diff(model_to_dict(obj), {}) or {"deleted": str(obj)},
                actor=request.user,
                unit=_unit_of(obj),
            )
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)


@admin.register(Unit)
class UnitAdmin(AuditedAdmin):
    list_display = ("code", "name", "kind", "parent", "agency_code", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "name", "agency_code")
    autocomplete_fields = ("parent",)
    list_select_related = ("parent",)


@admin.register(Village)
class VillageAdmin(AuditedAdmin):
    list_display = ("name", "kind", "unit", "population", "working_age_population")
    list_filter = ("kind", "unit")
    search_fields = ("name", "unit__name")
    autocomplete_fields = ("unit",)
    list_select_related = ("unit",)


@admin.register(Department)
class DepartmentAdmin(AuditedAdmin):
    list_display = ("name", "code", "kind", "unit")
    list_filter = ("kind", "unit")
    search_fields = ("name", "code")
    autocomplete_fields = ("unit",)
    list_select_related = ("unit",)


@admin.register(Counter)
class CounterAdmin(AuditedAdmin):
    list_display = ("number", "name", "unit", "is_active")
    list_filter = ("is_active", "unit")
    search_fields = ("name",)
    autocomplete_fields = ("unit",)
    list_select_related = ("unit",)


@admin.register(CalendarException)
class CalendarExceptionAdmin(AuditedAdmin):
    list_display = ("date", "kind", "name", "legal_basis", "unit")
    list_filter = ("kind", "unit")
    date_hierarchy = "date"
    search_fields = ("name", "legal_basis")
    autocomplete_fields = ("unit",)
    list_select_related = ("unit",)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: nobody adds, edits or deletes audit events, not even a superuser."""

    list_display = ("id", "created_at", "actor_label", "action", "object_type", "object_id")
    # No filter or date hierarchy on unindexed columns: each would scan the whole log per page.
    list_filter = ("object_type",)
    search_fields = ("=object_id", "=actor_label", "=action")
    ordering = ("-id",)
    show_full_result_count = False  # COUNT(*) over millions of rows on every page is wasted
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
