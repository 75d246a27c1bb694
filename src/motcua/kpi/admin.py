"""The service index's formula sets (kpi.FormulaSet): the operator's screen, superusers only.

A version once saved keeps its definition and start date (past periods were scored with it);
only its end date can be set, when a newer version takes over. A new decision is a new row
(a new version), checked by `kpi.index.formulas.parse` before it is saved, and audited."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils.html import format_html, format_html_join
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
        return ("code", "version", "effective_from", "rules", "created_at")

    def get_fields(self, request, obj=None):
        fields = ["code", "version", "name", "legal_source", "effective_from", "effective_to"]
        return [*fields, "rules", "created_at"] if obj else [*fields, "definition"]

    @admin.display(description=_("Nhóm và chỉ tiêu"))
    def rules(self, obj):
        """The saved definition, readable on a phone: one list per group."""
        try:
            parsed = formulas.parse(obj)
        except (ImproperlyConfigured, KeyError, TypeError, ArithmeticError, ValueError):
            return obj.definition
        zero = {"zero": _("0 điểm"), "full": _("đủ điểm")}
        groups = []
        for group in parsed.groups:
            items = format_html_join(
                "",
                "<li>{} <code>{}</code>: {} {}, {} {}%, {} {}</li>",
                (
                    (
                        _(i.name),
                        i.code,
                        i.max_points,
                        _("điểm"),
                        _("đủ điểm từ"),
                        i.full_at * 100,
                        _("không có dữ liệu:"),
                        zero[i.zero],
                    )
                    for i in group.indicators
                ),
            )
            cap = format_html(" ({} {})", _("tối đa"), group.cap) if group.cap is not None else ""
            groups.append(
                format_html(
                    "<p><strong>{}</strong> {} {}{}</p><ul>{}</ul>",
                    _(group.name),
                    group.max_points,
                    _("điểm"),
                    cap,
                    items,
                )
            )
        return format_html_join("", "{}", ((g,) for g in groups))

    def has_delete_permission(self, request, obj=None):
        return False
