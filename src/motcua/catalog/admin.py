"""Admin of the catalog (quản trị danh mục): fields, procedures with their parts, guides.

Superusers and unit administrators only; a non-superuser administrator sees and edits only the
procedures of units their administrator role reaches (`core.admin_scope.UnitScopedAdmin`), and
reads, but does not edit, the national list of fields. Saving or deleting a procedure goes
through `services.save_procedure` / `services.delete_procedure`, which write the audit event
(with a diff of the whole record, fees and papers included) in the same transaction.
"""

from django.contrib import admin
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from motcua.core import audit
from motcua.core.admin_scope import SuperuserOnlyAdmin, UnitScopedAdmin

from . import services
from .models import (
    Component,
    Fee,
    Field,
    FollowUp,
    FormTemplate,
    GuideStep,
    HowToGuide,
    Procedure,
    ProcessStep,
    ResultValidity,
)


@admin.register(Field)
class FieldAdmin(UnitScopedAdmin, admin.ModelAdmin):
    list_display = ("name", "code")
    search_fields = ("name", "code")
    prepopulated_fields = {"code": ("name",)}
    global_rows = True  # fields are shared by every unit: only superusers add or change them

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            audit.record(
                action="catalog.field.updated" if change else "catalog.field.created",
                obj=obj,
                actor=request.user,
                changes={"code": obj.code, "name": obj.name},
            )


class FeeInline(UnitScopedAdmin, admin.TabularInline):
    model = Fee
    extra = 0
    fields = (
        "kind",
        "amount_vnd",
        "channel",
        "case",
        "condition",
        "legal_basis",
        "valid_from",
        "valid_to",
    )


class ComponentInline(UnitScopedAdmin, admin.TabularInline):
    model = Component
    extra = 0
    fields = (
        "order",
        "name",
        "form",
        "count",
        "condition",
        "note",
        "from_state_data",
        "from_warehouse",
    )


class ProcessStepInline(UnitScopedAdmin, admin.TabularInline):
    model = ProcessStep
    extra = 0
    fields = ("order", "name", "department_kind", "days")


class FormTemplateInline(UnitScopedAdmin, admin.TabularInline):
    model = FormTemplate
    extra = 0


@admin.register(Procedure)
class ProcedureAdmin(UnitScopedAdmin, admin.ModelAdmin):
    list_display = ("code", "name", "field", "unit", "online_mode", "is_published", "confidence")
    list_filter = ("unit", "field", "online_mode", "is_published", "confidence")
    search_fields = ("code", "name", "search_text")
    list_select_related = ("field", "unit")
    inlines = [FeeInline, ComponentInline, ProcessStepInline, FormTemplateInline]
    fieldsets = (
        (None, {"fields": ("unit", "code", "name", "field", "level", "is_published")}),
        (
            _("Cơ quan"),
            {"fields": ("competent_agency", "implementing_agency", "department")},
        ),
        (
            _("Trực tuyến, thời hạn"),
            {
                "fields": (
                    "online_mode",
                    "online_mode_reason",
                    "time_unit",
                    "processing_days",
                    "online_processing_days",
                    "processing_time_note",
                )
            },
        ),
        (
            _("Công bố, công khai (Chỉ số phục vụ)"),
            {
                "fields": (
                    "announced_on",
                    "announcement_ref",
                    "announce_by",
                    "published_on",
                    "publish_by",
                    "fees_payable_online",
                )
            },
        ),
        (
            _("Kết quả, căn cứ"),
            {"fields": ("result_type", "legal_basis", "requirements", "confidence", "sources")},
        ),
    )

    def save_model(self, request, obj, form, change):
        # Saved in save_related, together with the inlines, so one audit event covers both.
        pass

    def save_related(self, request, form, formsets, change):
        services.save_procedure(
            procedure=form.instance,
            actor=request.user,
            save_parts=lambda: super(ProcedureAdmin, self).save_related(
                request, form, formsets, change
            ),
        )

    def delete_model(self, request, obj):
        services.delete_procedure(procedure=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for procedure in queryset:
                services.delete_procedure(procedure=procedure, actor=request.user)


class GuideStepInline(UnitScopedAdmin, admin.TabularInline):
    model = GuideStep
    extra = 0


@admin.register(HowToGuide)
class HowToGuideAdmin(UnitScopedAdmin, admin.ModelAdmin):
    list_display = ("procedure", "is_published", "updated_at")
    list_filter = ("is_published", "procedure__unit")
    search_fields = ("procedure__code", "procedure__name")
    list_select_related = ("procedure",)
    raw_id_fields = ("procedure",)
    inlines = [GuideStepInline]

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            audit.record(
                action="catalog.guide.updated" if change else "catalog.guide.created",
                obj=obj,
                actor=request.user,
                unit=obj.procedure.unit_id,
                changes={"is_published": obj.is_published, "summary": obj.summary},
            )


@admin.register(FollowUp)
class FollowUpAdmin(SuperuserOnlyAdmin, admin.ModelAdmin):
    """National reference data (loaded from catalog/data/proactive.json): superusers only."""

    list_display = ("from_code", "to_code", "reason", "confidence")
    search_fields = ("from_code", "to_code", "reason")


@admin.register(ResultValidity)
class ResultValidityAdmin(SuperuserOnlyAdmin, admin.ModelAdmin):
    list_display = ("code", "result", "days", "confidence")
    search_fields = ("code", "result")
