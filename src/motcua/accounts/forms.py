"""Forms of the staff sign-in, the second factor and the staff-area filters."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.utils.translation import gettext_lazy as _

from motcua.core.forms import BoundedDateField

from .models import Role

INVALID_LOGIN = _("Tên đăng nhập hoặc mật khẩu không đúng. Vui lòng kiểm tra và thử lại.")


class StaffLoginForm(AuthenticationForm):
    """Password step. Citizens, inactive and unknown accounts all get the same message."""

    username = forms.CharField(
        label=_("Tên đăng nhập"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
        error_messages={"required": _("Vui lòng nhập tên đăng nhập.")},
    )
    password = forms.CharField(
        label=_("Mật khẩu"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Vui lòng nhập mật khẩu.")},
    )
    error_messages = {"invalid_login": INVALID_LOGIN, "inactive": INVALID_LOGIN}

    def get_invalid_login_error(self):
        return forms.ValidationError(self.error_messages["invalid_login"], code="invalid_login")

    def confirm_login_allowed(self, user):
        if not user.is_staff_member:
            # A right password on a non-staff account is still a failed staff sign-in:
            # tell axes, so such attempts count toward the lockout like any other.
            user_login_failed.send(
                sender=__name__,
                credentials={"username": self.cleaned_data.get("username")},
                request=self.request,
            )
            raise self.get_invalid_login_error()


class OTPCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Mã xác thực 6 số"),
        min_length=6,
        max_length=6,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": "[0-9]{6}",
                "autofocus": True,
            }
        ),
        error_messages={
            "required": _("Vui lòng nhập mã 6 số trong ứng dụng xác thực."),
            "min_length": _("Mã xác thực gồm đúng 6 chữ số."),
            "max_length": _("Mã xác thực gồm đúng 6 chữ số."),
        },
    )

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        if not code.isdigit() or len(code) != 6:
            raise forms.ValidationError(_("Mã xác thực gồm đúng 6 chữ số."))
        return code


CHOICE_ERRORS = {
    "invalid_choice": _("Lựa chọn không hợp lệ."),
    "invalid": _("Giá trị không hợp lệ."),
}


class StaffFilterForm(forms.Form):
    q = forms.CharField(label=_("Tìm theo tên"), required=False, max_length=100)
    unit = forms.TypedChoiceField(
        label=_("Đơn vị"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages=CHOICE_ERRORS,
    )
    role = forms.ChoiceField(
        label=_("Vai trò"),
        required=False,
        choices=[("", _("Tất cả vai trò")), *Role.choices],
        error_messages=CHOICE_ERRORS,
    )

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", _("Tất cả đơn vị")), *((u.pk, u.name) for u in units)]


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label=_("Hành động"), required=False, error_messages=CHOICE_ERRORS)
    object_type = forms.CharField(label=_("Loại đối tượng"), required=False, max_length=80)
    actor = forms.CharField(label=_("Người thực hiện"), required=False, max_length=150)
    date_from = BoundedDateField(label=_("Từ ngày"), required=False)
    date_to = BoundedDateField(label=_("Đến ngày"), required=False)

    def __init__(self, *args, actions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("Tất cả hành động")), *actions]

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("Ngày bắt đầu phải trước hoặc bằng ngày kết thúc."))
        return data
