from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalsyncConfig(AppConfig):
    name = "motcua.portalsync"
    label = "portalsync"
    verbose_name = _("Đồng bộ Cổng Dịch vụ công quốc gia")

    def ready(self) -> None:
        from . import outbox  # noqa: F401  (registers the in-transaction dossier hook)
