"""Forms of the recording page; the same forms read JSON bodies sent by record.js."""

import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.core.forms import BoundedDateField, BoundedDateTimeField

from .models import AgeGroup, AssistedAction

RECORDABLE_KINDS = [
    (k, label)
    for k, label in AssistedAction.Kind.choices
    if k != AssistedAction.Kind.APP_REGISTERED
]
AGE_CHOICES = [(k, label) for k, label in AgeGroup.choices if k]


class _Recorded(forms.Form):
    village = forms.IntegerField(label=_("Thôn/tổ dân phố"), widget=forms.Select)
    client_uuid = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, villages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].widget.choices = [(v.pk, str(v)) for v in villages]
        self.fields["village"].error_messages["required"] = _("Chọn thôn/tổ dân phố.")
        if not self.is_bound:
            self.initial.setdefault("client_uuid", uuid.uuid4())
            if len(villages) >= 1:
                self.initial.setdefault("village", villages[0].pk)


class ActionForm(_Recorded):
    kind = forms.ChoiceField(
        label=_("Việc đã hỗ trợ"),
        choices=RECORDABLE_KINDS,
        widget=forms.RadioSelect,
        initial=AssistedAction.Kind.APP_INSTALLED,
        error_messages={"required": _("Chọn việc đã hỗ trợ.")},
    )
    citizen_id = forms.CharField(
        label=_("Số định danh cá nhân (12 số)"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    phone = forms.CharField(
        label=_("hoặc số điện thoại"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    age_group = forms.ChoiceField(
        label=_("Nhóm tuổi"),
        choices=AGE_CHOICES,
        widget=forms.RadioSelect,
        initial=AgeGroup.WORKING,
        error_messages={"required": _("Chọn nhóm tuổi.")},
    )
    # set by record.js when the record was made (it may be sent hours later)
    occurred_at = BoundedDateTimeField(required=False, widget=forms.HiddenInput)

    def clean_occurred_at(self):
        return self.cleaned_data.get("occurred_at") or timezone.now()


class SessionForm(_Recorded):
    date = BoundedDateField(
        label=_("Ngày"),
        error_messages={"required": _("Nhập ngày tổ chức."), "invalid": _("Ngày không hợp lệ.")},
    )
    place = forms.CharField(
        label=_("Địa điểm"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("Ví dụ: Nhà văn hóa thôn 3")}),
        error_messages={"required": _("Cần nhập địa điểm tổ chức buổi hướng dẫn.")},
    )
    attendees = forms.IntegerField(
        label=_("Số người tham dự"),
        min_value=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": _("Nhập số người tham dự."),
            "min_value": _("Số người tham dự phải từ 1 trở lên."),
        },
    )
    notes = forms.CharField(
        label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("date", timezone.localdate())
