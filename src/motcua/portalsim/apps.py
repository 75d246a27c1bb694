from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalsimConfig(AppConfig):
    name = "motcua.portalsim"
    label = "portalsim"
    verbose_name = _("Cổng Dịch vụ công quốc gia giả lập (phát triển, kiểm thử)")
