from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KpiConfig(AppConfig):
    """Reports, targets and the service index: reads every other app, is imported by none."""

    name = "motcua.kpi"
    verbose_name = _("Chỉ số, báo cáo")
