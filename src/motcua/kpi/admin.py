"""The service index's formula sets (kpi.FormulaSet): the operator's screen, superusers only.

A version once saved keeps its definition and start date (past periods were scored with it);
only its end date can be set, when a newer version takes over. A new decision is a new row
(a new version), checked by `kpi.index.formulas.parse` before it is saved, and audited."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils.translation import gettext_lazy as _

from motcua.core.admin_scope import AuditedAdmin, SuperuserOnlyAdmin

from .index import formulas
from .models import FormulaSet


class FormulaSetForm(forms.ModelForm):
    class Meta:
        model = FormulaSet
        fields = (
            "code",
            "version",
            "name",
            "legal_source",
            "effective_from",
            "effective_to",
            "definition",
        )

    def clean(self):
        data = super().clean()
        if self.instance.pk is None and data.get("definition") is not None:
            probe = FormulaSet(
                code=data.get("code") or "new",
                version=data.get("version") or 0,
                definition=data["definition"],
            )
            try:
                formulas.parse(probe)
            except (ImproperlyConfigured, KeyError, TypeError, ArithmeticError, ValueError) as exc:
                raise ValidationError(
                    _("Định nghĩa bộ công thức không hợp lệ: %(error)s"), params={"error": exc}
                ) from None
        return data


@admin.register(FormulaSet)
class FormulaSetAdmin(AuditedAdmin, SuperuserOnlyAdmin, admin.ModelAdmin):
    form = FormulaSetForm
    list_display = ("code", "version", "name", "effective_from", "effective_to")
    list_filter = ("code",)
    search_fields = ("code", "name")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("code", "version", "effective_from", "definition", "created_at")

    def has_delete_permission(self, request, obj=None):
        return False
