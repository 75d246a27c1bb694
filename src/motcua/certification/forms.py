from django import forms
from django.utils.translation import gettext_lazy as _


class CertifyForm(forms.Form):
    unit = forms.TypedChoiceField(label=_("Đơn vị chứng thực"), coerce=int)
    citizen_id = forms.CharField(label=_("Số định danh cá nhân của người yêu cầu"), max_length=20)
    citizen_name = forms.CharField(label=_("Họ tên người yêu cầu"), max_length=150)
    title = forms.CharField(label=_("Tên giấy tờ, văn bản (bản chính)"), max_length=300)
    pages = forms.IntegerField(label=_("Số trang bản chính"), min_value=1, max_value=500)
    pin = forms.CharField(
        label=_("Mã PIN khóa ký số"),
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args, units=(), needs_pin=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(u.pk, u.name) for u in units]
        self.fields["citizen_id"].widget.attrs.update({"inputmode": "numeric"})
        if not needs_pin:
            del self.fields["pin"]
