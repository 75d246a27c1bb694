from django.apps import AppConfig


class KpiConfig(AppConfig):
    """Reports, targets and the service index: reads every other app, is imported by none."""

    name = "motcua.kpi"
    verbose_name = "Chỉ số, báo cáo"
