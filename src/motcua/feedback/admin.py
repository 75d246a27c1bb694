"""Ratings, read-only: a rating is the citizen's word and is never edited, added or deleted."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from motcua.core.admin_base import ReadOnlyMixin
from motcua.core.admin_scope import UnitScopedAdmin

from .models import Rating


@admin.register(Rating)
class RatingAdmin(ReadOnlyMixin, UnitScopedAdmin, admin.ModelAdmin):
    list_display = (
        "created_at",
        "subject_label",
        "level",
        "reason",
        "channel",
        "counter",
        "officer",
        "unit",
    )
    list_filter = ("level", "reason", "channel", "created_at")
    search_fields = ("dossier_code", "ticket__code", "comment")
    list_select_related = ("ticket", "counter", "officer", "unit")
    date_hierarchy = "created_at"
    fields = (
        "unit",
        "ticket",
        "dossier",
        "dossier_code",
        "level",
        "reason",
        "comment",
        "channel",
        "officer",
        "counter",
        "service",
        "procedure",
        "procedure_code",
        "rated_by",
        "created_at",
    )
    readonly_fields = fields

    @admin.display(description=_("Số thứ tự / hồ sơ"))
    def subject_label(self, obj: Rating) -> str:
        return obj.subject_label
