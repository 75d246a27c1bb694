"""Postal tariffs are set up in the admin (scoped to the administrator's units, every change
audited); consignments, their events and refused updates are a ledger, read-only to the
operator: they change only through `postal.services`."""

from django.contrib import admin

from motcua.core.admin_base import ReadOnlyMixin
from motcua.core.admin_scope import AuditedAdmin, SuperuserOnlyAdmin, UnitScopedAdmin

from .models import Consignment, ConsignmentEvent, PostalTariff, RefusedUpdate


@admin.register(PostalTariff)
class PostalTariffAdmin(AuditedAdmin, UnitScopedAdmin, admin.ModelAdmin):
    list_display = ("unit", "amount_vnd", "basis", "illustrative", "updated")


class ReadOnlyAdmin(ReadOnlyMixin, SuperuserOnlyAdmin, admin.ModelAdmin):
    pass


@admin.register(Consignment)
class ConsignmentAdmin(ReadOnlyAdmin):
    list_display = ("tracking_number", "dossier", "status", "booked_at", "followed_up")
    list_filter = ("status",)
    search_fields = ("tracking_number",)


@admin.register(ConsignmentEvent)
class ConsignmentEventAdmin(ReadOnlyAdmin):
    list_display = ("consignment", "status", "at")


@admin.register(RefusedUpdate)
class RefusedUpdateAdmin(ReadOnlyAdmin):
    list_display = ("received_at", "tracking_number", "reason")
