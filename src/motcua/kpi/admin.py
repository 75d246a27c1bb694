"""Targets (chỉ tiêu) are reference data: the operator keeps the defaults (rows of no unit),
a unit's administrator records the unit's own targets over them; every save is audited."""

from django.contrib import admin

from motcua.core.admin_scope import AuditedAdmin, UnitScopedAdmin

from .models import Target


@admin.register(Target)
class TargetAdmin(AuditedAdmin, UnitScopedAdmin, admin.ModelAdmin):
    list_display = ("code", "unit", "comparison", "value", "period_start", "period_end")
    list_filter = ("code", "unit")
    search_fields = ("code", "source")
    autocomplete_fields = ("unit",)
    list_select_related = ("unit",)
    fields = ("code", "unit", "period_start", "period_end", "comparison", "value", "source")
