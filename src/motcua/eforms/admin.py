"""Administrators add or edit a declaration without code: a JSON editor checked on save.

Scoped like the catalog (`UnitScopedAdmin` through the procedure's unit): a unit
administrator sees, previews and edits only the schemas of procedures their administrator
role reaches. Saves go through `services` (audited): a new schema is a first version; editing a
draft changes it; editing a published or retired version creates the next version (the
published one never changes, so citizens' drafts pinned to it keep working). Versions are
history: nothing is deleted here.
"""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from motcua.core.admin_scope import UnitScopedAdmin

from . import services
from .models import FormSchema
from .schema import check_definition


class PrettyJSONField(forms.JSONField):
    def prepare_value(self, value):
        if isinstance(value, str):
            return value
        return json.dumps(value, ensure_ascii=False, indent=2)


class FormSchemaForm(forms.ModelForm):
    definition = PrettyJSONField(
        label=_("Nội dung tờ khai (JSON)"),
        widget=forms.Textarea(
            attrs={
                "rows": 30,
                "cols": 100,
                "spellcheck": "false",
                "style": "font-family: monospace",
            }
        ),
        error_messages={
            "invalid": _("JSON không hợp lệ: kiểm tra dấu ngoặc, dấu phẩy và dấu nháy kép.")
        },
        help_text=_(
            "Các bước (steps), mỗi bước một chủ đề, mỗi trường có name, label, type, required, "
            "when (điều kiện), validation, prefill (nguồn điền sẵn), editable. "
            "Xem docs/decisions/0028-e-forms-as-data.md."
        ),
    )
    publish_now = forms.BooleanField(
        label=_("Áp dụng ngay"),
        required=False,
        help_text=_(
            "Phiên bản này trở thành tờ khai đang áp dụng; phiên bản cũ thôi áp dụng "
            "(hồ sơ nháp đã bắt đầu trên phiên bản cũ vẫn giữ phiên bản cũ)."
        ),
    )

    class Meta:
        model = FormSchema
        fields = ("procedure", "name", "form_number", "definition", "source_note", "confidence")

    def clean_definition(self):
        definition = self.cleaned_data["definition"]
        errors = check_definition(definition)
        if errors:
            raise ValidationError(errors)
        return definition


@admin.register(FormSchema)
class FormSchemaAdmin(UnitScopedAdmin, admin.ModelAdmin):
    form = FormSchemaForm
    list_display = ("name", "procedure", "version", "status", "confidence", "published_at")
    list_filter = ("status", "confidence", "procedure__unit")
    search_fields = ("name", "form_number", "procedure__code", "procedure__name")
    list_select_related = ("procedure", "procedure__unit")
    readonly_fields = ("version", "status", "published_at", "created_by", "preview_link")

    def get_fields(self, request, obj=None):
        head = ("procedure",) if obj is None else ("procedure", "version", "status", "preview_link")
        return (
            *head,
            "name",
            "form_number",
            "confidence",
            "source_note",
            "definition",
            "publish_now",
            *(("published_at", "created_by") if obj is not None else ()),
        )

    def get_readonly_fields(self, request, obj=None):
        fields = list(self.readonly_fields)
        if obj is not None:
            fields.append("procedure")  # a version belongs to its procedure for good
        return fields

    @admin.display(description=_("Xem trước"))
    def preview_link(self, obj):
        if obj is None or obj.pk is None:
            return "-"
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>',
            reverse("eforms:preview", args=[obj.pk]),
            _("Xem trước"),
        )

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        fields = {key: data[key] for key in services.EDITABLE if key in data}
        publish = data.get("publish_now", False)
        if not change:
            saved = services.create_version(
                procedure=data["procedure"], actor=request.user, publish=publish, **fields
            )
        else:
            stored = FormSchema.objects.get(pk=obj.pk)
            changed = {k: v for k, v in fields.items() if getattr(stored, k) != v}
            if stored.status == FormSchema.Status.DRAFT:
                saved = services.update_draft(schema=stored, actor=request.user, **changed)
                if publish:
                    saved = services.publish(schema=saved, actor=request.user)
            elif changed or (publish and stored.status == FormSchema.Status.RETIRED):
                # an edit, or an older version applied again: either way the next version
                saved = services.revise(
                    schema=stored, actor=request.user, publish=publish, **changed
                )
                messages.info(
                    request,
                    _("Phiên bản %(old)s đã áp dụng nên không sửa: đã tạo phiên bản %(new)s.")
                    % {"old": stored.version, "new": saved.version},
                )
            else:
                saved = stored
        obj.pk = saved.pk
        for name in ("version", "status", "published_at", "created_by_id", "created_at"):
            setattr(obj, name, getattr(saved, name))
