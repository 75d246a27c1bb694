from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.exceptions import ValidationError


class ResidentForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "Số định danh cá nhân hoặc mật khẩu không đúng.",
        "inactive": "Tài khoản này đã bị khóa.",
    }

    def clean_username(self):
        value = "".join(ch for ch in self.cleaned_data["username"] if ch.isdigit())
        if len(value) != 12:
            raise ValidationError("Số định danh cá nhân gồm đúng 12 chữ số.")
        return value


class ResidentLoginView(LoginView):
    template_name = "devidp/login.html"
    form_class = ResidentForm
    redirect_authenticated_user = False
