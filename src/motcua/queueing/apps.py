from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QueueingConfig(AppConfig):
    name = "motcua.queueing"
    label = "queueing"
    verbose_name = _("Đặt hẹn và xếp hàng")

    def ready(self) -> None:
        from motcua.catalog import actions

        from .procedure_actions import procedure_actions

        actions.register(procedure_actions)  # "Lấy số" and "Đặt lịch hẹn" on procedure pages
