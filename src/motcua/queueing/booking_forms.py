"""Forms of the public booking pages and the kiosk check-in: parsing only, rules in booking.py."""

from django import forms
from django.utils.translation import gettext_lazy as _

from motcua.core.models import Village

from .models import Ticket


class BookingForm(forms.Form):
    """Who is coming: name and mobile phone; village and age group help count adoption."""

    citizen_name = forms.CharField(
        label=_("Họ và tên"),
        max_length=150,
        error_messages={"required": _("Xin nhập họ và tên.")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    phone = forms.CharField(
        label=_("Số điện thoại di động"),
        max_length=20,
        error_messages={"required": _("Xin nhập số điện thoại di động.")},
        help_text=_(
            "Để nhận tin nhắn nhắc lịch; 4 số cuối dùng để xác nhận, huỷ hoặc đổi lịch "
            "trên điện thoại khác."
        ),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    citizen_id = forms.CharField(
        label=_("Số định danh cá nhân (CCCD), không bắt buộc"),
        max_length=12,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    village = forms.ModelChoiceField(
        label=_("Thôn/tổ dân phố nơi bạn ở, không bắt buộc"),
        queryset=Village.objects.none(),
        required=False,
        empty_label=_("— Không chọn —"),
    )
    age_group = forms.ChoiceField(
        label=_("Nhóm tuổi, không bắt buộc"),
        choices=[("", _("— Không chọn —"))] + [c for c in Ticket.AgeGroup.choices if c[0] != ""],
        required=False,
    )
    key = forms.CharField(max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = Village.objects.filter(unit=unit).order_by("name")


class LookupForm(forms.Form):
    code = forms.CharField(
        label=_("Mã đặt hẹn"),
        max_length=12,
        error_messages={"required": _("Xin nhập mã đặt hẹn.")},
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off"}),
    )
    phone_last4 = forms.RegexField(
        label=_("4 số cuối điện thoại đã dùng khi đặt"),
        regex=r"^\d{4}$",
        error_messages={
            "required": _("Xin nhập 4 số cuối điện thoại."),
            "invalid": _("Nhập đúng 4 chữ số."),
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class CheckInForm(forms.Form):
    code = forms.CharField(
        label=_("Mã đặt hẹn"),
        max_length=12,
        error_messages={"required": _("Xin nhập mã đặt hẹn.")},
        widget=forms.TextInput(
            attrs={"autocapitalize": "characters", "autocomplete": "off", "autofocus": True}
        ),
    )
