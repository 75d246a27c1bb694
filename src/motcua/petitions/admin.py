"""The routing table (categories -> department, handling days) is set up per unit in the admin,
scoped to the administrator's units and audited. Petitions, their events and attachments are
evidence: read-only here (scoped too), changed only through `petitions.services`."""

from django.contrib import admin

from motcua.core.admin_scope import AuditedAdmin, SuperuserOnlyAdmin, UnitScopedAdmin

from .models import Attachment, Category, Petition, PetitionEvent, SpentChallenge


class ReadOnly:
    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Category)
class CategoryAdmin(AuditedAdmin, UnitScopedAdmin, admin.ModelAdmin):
    list_display = ("name", "unit", "code", "department", "days", "is_active", "position")
    list_filter = ("is_active", "unit")
    search_fields = ("name", "code")


class EventInline(ReadOnly, UnitScopedAdmin, admin.TabularInline):
    model = PetitionEvent
    fields = ("at", "action", "from_status", "to_status", "actor", "note")
    readonly_fields = fields
    extra = 0


@admin.register(Petition)
class PetitionAdmin(ReadOnly, UnitScopedAdmin, admin.ModelAdmin):
    list_display = ("code", "unit", "subject", "status", "department", "received_at", "due_at")
    list_filter = ("status", "overdue", "unit")
    search_fields = ("code", "subject")
    date_hierarchy = "received_at"
    inlines = [EventInline]


@admin.register(Attachment)
class AttachmentAdmin(ReadOnly, UnitScopedAdmin, admin.ModelAdmin):
    list_display = ("name", "petition", "pages", "size")
    search_fields = ("petition__code",)


@admin.register(SpentChallenge)
class SpentChallengeAdmin(ReadOnly, SuperuserOnlyAdmin, admin.ModelAdmin):
    list_display = ("id", "expires_at")
