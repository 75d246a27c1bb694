"""The outbox in the admin: read-only (a ledger of what was sent), scoped to the user's units."""

from django.contrib import admin

from motcua.core.admin_scope import UnitScopedAdmin

from .models import PortalMessage


@admin.register(PortalMessage)
class PortalMessageAdmin(UnitScopedAdmin, admin.ModelAdmin):
    list_display = (
        "dossier_code",
        "seq",
        "kind",
        "national_status",
        "state",
        "attempts",
        "changed_at",
        "accepted_at",
    )
    list_filter = ("state", "kind")
    search_fields = ("dossier_code", "message_id")
    readonly_fields = [f.name for f in PortalMessage._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
