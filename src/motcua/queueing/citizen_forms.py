"""Form of the citizen app's "Lấy số từ xa": parsing only, the queue rules live in services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from motcua.core import identifiers
from motcua.core.models import Village

from .models import Service, Ticket


class RemoteTicketForm(forms.Form):
    """Service (one button per service), optional phone, village and age group.

    Village and age group only help the commune count who uses the app (adoption by village);
    the phone only receives the "sắp đến lượt" SMS. `key` is fresh per rendered form, so a
    double tap on the button is the same request.
    """

    service = forms.ModelChoiceField(
        queryset=Service.objects.none(),
        error_messages={
            "required": _("Xin chọn dịch vụ."),
            "invalid_choice": _("Dịch vụ này không nhận số tại đơn vị, xin chọn lại."),
        },
    )
    phone = forms.CharField(
        label=_("Số điện thoại (không bắt buộc)"),
        max_length=20,
        required=False,
        help_text=_("Để nhận tin nhắn khi sắp đến lượt, nếu bạn không bật thông báo."),
        widget=forms.TextInput(
            attrs={"inputmode": "tel", "autocomplete": "tel", "placeholder": "09xx xxx xxx"}
        ),
    )
    village = forms.ModelChoiceField(
        label=_("Thôn/tổ dân phố nơi bạn ở (không bắt buộc)"),
        queryset=Village.objects.none(),
        required=False,
        empty_label=_("— Không chọn —"),
        error_messages={"invalid_choice": _("Thôn/tổ dân phố không thuộc đơn vị.")},
    )
    age_group = forms.ChoiceField(
        label=_("Nhóm tuổi (không bắt buộc)"),
        choices=[("", _("— Không chọn —"))] + [c for c in Ticket.AgeGroup.choices if c[0] != ""],
        required=False,
        error_messages={"invalid_choice": _("Nhóm tuổi không hợp lệ.")},
    )
    key = forms.CharField(max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        # Any service of the unit parses, so an inactive one gets the service's own message.
        self.fields["service"].queryset = Service.objects.filter(unit=unit)
        self.fields["village"].queryset = Village.objects.filter(unit=unit).order_by("name")

    def clean_phone(self) -> str:
        """One form of the number ("0912345678"), whatever the citizen typed: the limits per
        phone count the same person once."""
        phone = (self.cleaned_data.get("phone") or "").strip()
        return identifiers.phone(phone) if phone else ""
