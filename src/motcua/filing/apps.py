from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FilingConfig(AppConfig):
    name = "motcua.filing"
    label = "filing"
    verbose_name = _("Nộp hồ sơ trực tuyến")

    def ready(self) -> None:
        from motcua.catalog import actions

        from .procedure_actions import procedure_actions

        actions.register(procedure_actions)  # "Nộp trực tuyến" on procedure pages
