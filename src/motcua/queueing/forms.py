"""Forms of the kiosk and the counter console: parsing only, the rules live in services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from motcua.core.models import Counter

from .models import Service, Ticket


class KioskForm(forms.Form):
    """One form per kiosk screen: each service button submits it with its own id."""

    service = forms.ModelChoiceField(
        queryset=Service.objects.none(),
        error_messages={
            "required": _("Xin chọn dịch vụ."),
            "invalid_choice": _("Xin chọn dịch vụ."),
        },
    )
    priority_reason = forms.ChoiceField(
        choices=Ticket.Priority.choices, required=False, initial=Ticket.Priority.NONE
    )
    key = forms.CharField(max_length=64)

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = Service.objects.filter(unit=unit)

    def clean_priority_reason(self) -> str:
        return self.cleaned_data.get("priority_reason") or Ticket.Priority.NONE


class TransferForm(forms.Form):
    to_service = forms.ModelChoiceField(
        queryset=Service.objects.none(), required=False, label=_("Chuyển sang nhóm dịch vụ")
    )
    to_counter = forms.ModelChoiceField(
        queryset=Counter.objects.none(), required=False, label=_("Chuyển đến quầy")
    )

    def __init__(self, *args, counter: Counter, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_service"].queryset = Service.objects.filter(
            unit_id=counter.unit_id, is_active=True
        )
        self.fields["to_counter"].queryset = Counter.objects.filter(
            unit_id=counter.unit_id, is_active=True
        ).exclude(pk=counter.pk)


class LinkDossierForm(forms.Form):
    dossier_code = forms.CharField(
        max_length=40,
        label=_("Mã hồ sơ đã tiếp nhận"),
        error_messages={"required": _("Nhập mã hồ sơ.")},
    )
