"""Campaigns are set up in the admin; recorded actions and sessions are shown read-only
(they change only through the services, which write the audit log)."""

from django.contrib import admin
from django.db import transaction

from motcua.core import audit
from motcua.core.admin_base import ReadOnlyMixin
from motcua.core.admin_scope import UnitScopedAdmin as BaseUnitScopedAdmin

from .models import AssistedAction, Campaign, GuidanceSession, Resident


class UnitScopedAdmin(BaseUnitScopedAdmin, admin.ModelAdmin):
    """Scoped to the administrator's units (lists, choices, saves): core.admin_scope."""


@admin.register(Campaign)
class CampaignAdmin(UnitScopedAdmin):
    list_display = ("name", "unit", "start", "end", "target_percent", "stretch_percent")
    list_filter = ("unit",)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            audit.record(
                action="outreach.campaign_changed" if change else "outreach.campaign_created",
                obj=obj,
                actor=request.user,
                unit=obj.unit_id,
                changes={f: form.cleaned_data.get(f) for f in form.changed_data},
            )


@admin.register(AssistedAction)
class AssistedActionAdmin(ReadOnlyMixin, UnitScopedAdmin):
    list_display = ("kind", "resident", "village", "source", "occurred_at", "recorded_by")
    list_filter = ("kind", "source", "village")
    list_select_related = ("resident", "village", "recorded_by")


@admin.register(GuidanceSession)
class GuidanceSessionAdmin(ReadOnlyMixin, UnitScopedAdmin):
    list_display = ("date", "place", "village", "attendees", "recorded_by")
    list_filter = ("village",)


@admin.register(Resident)
class ResidentAdmin(ReadOnlyMixin, UnitScopedAdmin):
    list_display = ("__str__", "village", "age_group", "created_at")
    list_filter = ("village", "age_group")
    exclude = ("id_hash", "phone_hash")
