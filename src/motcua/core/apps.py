from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "motcua.core"
    label = "core"
    verbose_name = _("Nền tảng")

    def ready(self) -> None:
        from huey.contrib.djhuey import HUEY
        from huey.signals import SIGNAL_EXECUTING

        from . import (
            calendar,  # noqa: F401  (connects the calendar cache invalidation)
            checks,  # noqa: F401  (registers the public base URL check)
        )

        @HUEY.signal(SIGNAL_EXECUTING)
        def _heartbeat_on_any_task(signal, task, *args, **kwargs):
            """A worker that runs anything is alive, and a fresh worker beats at once."""
            from .tasks import beat

            beat()
