"""Read-only admin for dossiers and their history: status changes go through services only.

The operator's (superusers') evidence browser: who reads a dossier is the dossier rules'
business (the staff worklists, `dossiers.workflow`), and a unit administrator holds no dossier
role, so these screens stay closed to them whatever Django permissions they were given.
"""

from django.contrib import admin

from motcua.core.admin_base import ReadOnlyMixin
from motcua.core.admin_scope import SuperuserOnlyAdmin

from .models import (
    Dossier,
    DossierComponent,
    DossierDocument,
    DossierEvent,
    DossierStep,
    Extension,
    SupplementRequest,
    Violation,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class EventInline(ReadOnlyInline):
    model = DossierEvent
    fields = ("at", "action", "from_status", "to_status", "actor", "note")
    readonly_fields = fields


class StepInline(ReadOnlyInline):
    model = DossierStep
    fields = ("order", "name", "unit", "department", "assignee", "due_at", "finished_at", "result")
    readonly_fields = fields


class ComponentInline(ReadOnlyInline):
    model = DossierComponent
    fields = ("name", "form", "count", "digitized", "reused_from_warehouse", "from_state_data")
    readonly_fields = fields


class DocumentInline(ReadOnlyInline):
    model = DossierDocument
    fields = ("kind", "file", "created_at", "signed")
    readonly_fields = fields


class ReadOnlyAdmin(ReadOnlyMixin, SuperuserOnlyAdmin, admin.ModelAdmin):
    """Everything visible, nothing editable: the history is evidence."""


@admin.register(Dossier)
class DossierAdmin(ReadOnlyAdmin):
    list_display = (
        "code",
        "procedure_name",
        "applicant_name",
        "status",
        "channel",
        "due_at_current",
        "timeliness",
    )
    list_filter = ("status", "channel", "timeliness", "competent_unit")
    search_fields = ("code", "applicant_name", "applicant_id_number")
    list_select_related = ("competent_unit",)
    date_hierarchy = "submitted_at"
    inlines = [ComponentInline, StepInline, DocumentInline, EventInline]


@admin.register(DossierEvent)
class DossierEventAdmin(ReadOnlyAdmin):
    list_display = ("dossier", "action", "from_status", "to_status", "actor", "at")
    list_filter = ("action",)
    search_fields = ("dossier__code",)
    list_select_related = ("dossier", "actor")


@admin.register(Extension)
class ExtensionAdmin(ReadOnlyAdmin):
    list_display = ("dossier", "old_due_at", "new_due_at", "sent_at", "is_timely")
    list_select_related = ("dossier",)


@admin.register(SupplementRequest)
class SupplementRequestAdmin(ReadOnlyAdmin):
    list_display = ("dossier", "stage", "requested_at", "resubmitted_at", "remaining_working_days")
    list_select_related = ("dossier",)


@admin.register(Violation)
class ViolationAdmin(ReadOnlyAdmin):
    list_display = ("dossier", "kind", "due_at_ref", "detected_at")
    list_filter = ("kind",)
    list_select_related = ("dossier",)
