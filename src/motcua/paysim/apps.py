from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaysimConfig(AppConfig):
    name = "motcua.paysim"
    label = "paysim"
    verbose_name = _("Nền tảng thanh toán giả lập (phát triển, kiểm thử)")
