"""The outbox in the admin: read-only (a ledger of what was sent), for the operator only, as the
dossiers it carries are; the unit's leaders and managers read it on the sync coverage screen."""

from django.contrib import admin

from motcua.core.admin_base import ReadOnlyMixin
from motcua.core.admin_scope import SuperuserOnlyAdmin

from .models import PortalMessage


@admin.register(PortalMessage)
class PortalMessageAdmin(ReadOnlyMixin, SuperuserOnlyAdmin, admin.ModelAdmin):
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
