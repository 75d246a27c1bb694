"""Admin: the lookup log, read-only and scoped to the administrator's units (decisions/0021).

The synthetic residents are not shown here: they are demo data, rebuilt by
`generate_population`, and a real deployment reads the national database instead.
"""

from django.contrib import admin

from motcua.core.admin_base import ReadOnlyMixin
from motcua.core.admin_scope import UnitScopedAdmin

from .models import RegistryLookup


@admin.register(RegistryLookup)
class RegistryLookupAdmin(ReadOnlyMixin, UnitScopedAdmin, admin.ModelAdmin):
    list_display = ("at", "actor_label", "unit", "purpose", "citizen_id", "outcome", "backend")
    list_filter = ("purpose", "outcome")
    search_fields = ("citizen_id", "actor_label")
    date_hierarchy = "at"
    readonly_fields = [f.name for f in RegistryLookup._meta.fields if f.name != "name_digest"]
    exclude = ("name_digest",)
