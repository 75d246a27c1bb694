"""Queue set-up for administrators: services, what each counter serves, the unit's rules.

Each administrator works in their own units only (`core.admin_scope.UnitScopedAdmin`: lists,
choices of units, counters, services and procedures, and saves), and every change is audited
(`AuditedAdmin`). Tickets, their events and bookings are shown read-only: they change only
through the services.
"""

from django.contrib import admin

from motcua.core.admin_base import ReadOnlyMixin
from motcua.core.admin_scope import AuditedAdmin, UnitScopedAdmin

from .models import (
    Booking,
    BookingRule,
    CounterAssignment,
    QueuePolicy,
    Service,
    Ticket,
    TicketEvent,
)


class SetUpAdmin(AuditedAdmin, UnitScopedAdmin, admin.ModelAdmin):
    """A unit's queue set-up: scoped to the administrator's units and audited."""


@admin.register(QueuePolicy)
class QueuePolicyAdmin(SetUpAdmin):
    list_display = ("unit", "priority_streak_limit", "calls_before_no_show")


@admin.register(Service)
class ServiceAdmin(SetUpAdmin):
    list_display = ("code", "name", "unit", "is_active", "order")
    list_filter = ("unit", "is_active")
    search_fields = ("code", "name")
    filter_horizontal = ("procedures",)


@admin.register(CounterAssignment)
class CounterAssignmentAdmin(SetUpAdmin):
    list_display = ("counter", "is_open", "officer", "opened_at")
    list_select_related = ("counter", "officer")
    filter_horizontal = ("services",)
    readonly_fields = ("is_open", "officer", "opened_at")


@admin.register(Ticket)
class TicketAdmin(ReadOnlyMixin, UnitScopedAdmin, admin.ModelAdmin):
    list_display = ("code", "day", "service", "status", "priority_reason", "counter", "issued_at")
    list_filter = ("day", "status", "priority_reason", "source")
    list_select_related = ("service", "counter")
    date_hierarchy = "day"


@admin.register(TicketEvent)
class TicketEventAdmin(ReadOnlyMixin, UnitScopedAdmin, admin.ModelAdmin):
    list_display = ("ticket", "action", "from_status", "to_status", "counter", "actor", "at")
    list_select_related = ("ticket", "counter", "actor")


@admin.register(BookingRule)
class BookingRuleAdmin(SetUpAdmin):
    list_display = ("service", "slot_minutes", "capacity", "days_ahead", "is_active")


@admin.register(Booking)
class BookingAdmin(ReadOnlyMixin, UnitScopedAdmin, admin.ModelAdmin):
    list_display = ("code", "service", "slot_start", "status", "citizen_name")
    list_filter = ("status",)
    search_fields = ("=code", "=phone")
