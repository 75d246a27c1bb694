"""Admin for the administrator (quản trị): units, villages, departments, counters, calendar.

Edits made here are audited like any other state change; the audit log itself is read-only.
"""

from django.contrib import admin

from .admin_scope import AuditedAdmin, UnitScopedAdmin
from .models import AuditEvent, CalendarException, Counter, Department, Unit, Village


@admin.register(Unit)
class UnitAdmin(AuditedAdmin, UnitScopedAdmin, admin.ModelAdmin):
    """Units come from the national list (`load_units`): only superusers add, delete or move
    them; an administrator keeps their own unit's address, phone and opening up to date."""

    list_display = ("code", "name", "kind", "parent", "agency_code", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "name", "agency_code")
    autocomplete_fields = ("parent",)
    list_select_related = ("parent",)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += ["code", "kind", "parent", "agency_code", "is_active"]
        return fields

    def has_add_permission(self, request, *args):
        return request.user.is_superuser and super().has_add_permission(request, *args)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)


@admin.register(Village)
class VillageAdmin(AuditedAdmin, UnitScopedAdmin, admin.ModelAdmin):
    list_display = (
        "name",
        "kind",
        "unit",
        "population",
        "working_age_population",
        "adult_population",
        "population_as_of",
    )
    list_filter = ("kind", "unit")
    search_fields = ("name", "unit__name")
    autocomplete_fields = ("unit",)
    list_select_related = ("unit",)


@admin.register(Department)
class DepartmentAdmin(AuditedAdmin, UnitScopedAdmin, admin.ModelAdmin):
    list_display = ("name", "code", "kind", "unit")
    list_filter = ("kind", "unit")
    search_fields = ("name", "code")
    autocomplete_fields = ("unit",)
    list_select_related = ("unit",)


@admin.register(Counter)
class CounterAdmin(AuditedAdmin, UnitScopedAdmin, admin.ModelAdmin):
    list_display = ("number", "name", "unit", "is_active")
    list_filter = ("is_active", "unit")
    search_fields = ("name",)
    autocomplete_fields = ("unit",)
    list_select_related = ("unit",)


@admin.register(CalendarException)
class CalendarExceptionAdmin(AuditedAdmin, UnitScopedAdmin, admin.ModelAdmin):
    list_display = ("date", "kind", "name", "legal_basis", "unit")
    list_filter = ("kind", "unit")
    date_hierarchy = "date"
    search_fields = ("name", "legal_basis")
    autocomplete_fields = ("unit",)
    list_select_related = ("unit",)


@admin.register(AuditEvent)
class AuditEventAdmin(UnitScopedAdmin, admin.ModelAdmin):
    """Read-only: nobody adds, edits or deletes audit events, not even a superuser.

    An administrator reads their units' events; events without a unit (failed sign-ins with an
    unknown name) are for superusers only, as on the staff audit page (decisions/0004)."""

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
