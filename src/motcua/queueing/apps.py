from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QueueingConfig(AppConfig):
    name = "motcua.queueing"
    label = "queueing"
    verbose_name = _("Đặt hẹn và xếp hàng")

    def ready(self) -> None:
        from motcua.core import pagecache
        from motcua.core.models import Counter, Unit

        from . import display
        from .models import CounterAssignment, Service, Ticket, TicketEvent

        # Every row a board shows: its cached snapshot goes stale with the commit that changes
        # it (a call, a new ticket, a counter opened, a service renamed in the admin).
        pagecache.bump_on_change(
            display.namespace_of_row, Ticket, TicketEvent, CounterAssignment, Counter, Service
        )
        pagecache.bump_on_change(lambda _row: display.BOARD_UNITS, Unit)
