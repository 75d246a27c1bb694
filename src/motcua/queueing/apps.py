from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _catalog_pages(_row) -> str:
    from motcua.catalog.services import PUBLIC_PAGES

    return PUBLIC_PAGES


class QueueingConfig(AppConfig):
    name = "motcua.queueing"
    label = "queueing"
    verbose_name = _("Đặt hẹn và xếp hàng")

    def ready(self) -> None:
        from motcua.catalog import actions

        from .procedure_actions import procedure_actions

        actions.register(procedure_actions)  # "Lấy số" and "Đặt lịch hẹn" on procedure pages

        from motcua.core import pagecache
        from motcua.core.models import Counter, Unit

        from . import display
        from .models import (
            BookingRule,
            CounterAssignment,
            QueuePolicy,
            Service,
            Ticket,
            TicketEvent,
        )

        # Every row a board shows: its cached snapshot goes stale with the commit that changes
        # it (a call, a new ticket, a counter opened, a service renamed in the admin). The wait
        # estimates' shared facts are kept under the same version (estimate.cached_for_unit), and
        # also read the unit's priority rule.
        pagecache.bump_on_change(
            display.namespace_of_row,
            Ticket,
            TicketEvent,
            CounterAssignment,
            Counter,
            Service,
            QueuePolicy,
        )
        pagecache.bump_on_change(lambda _row: display.BOARD_UNITS, Unit)
        # Procedure pages carry "Lấy số" / "Đặt lịch hẹn" from the services and booking rules
        # (procedure_actions): a cached page goes stale when they change.
        pagecache.bump_on_change(_catalog_pages, Service, BookingRule)
