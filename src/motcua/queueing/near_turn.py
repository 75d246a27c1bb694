"""“Sắp đến lượt bạn”: tell a waiting citizen when only a few people are left ahead.

Runs after a call, skip, transfer or cancel commits (`services.transition` registers it on
commit), for the services whose queue moved. A ticket is told once: the conditional UPDATE on
`near_notified_at` is the claim, so two app servers handling two counters' calls at once never
both send. Delivery goes through the notification outbox: web push to the browsers that
subscribed with the ticket's access token, else SMS to the phone given at the kiosk. A ticket
with neither is left unstamped, so a browser that subscribes later is still told.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from motcua.core.audit import record

from . import estimate
from .models import CounterAssignment, Ticket

log = logging.getLogger(__name__)


def near_turn_limit() -> int:
    """How many people ahead counts as "near" (setting MOTCUA_QUEUE_NEAR_TURN, default 3)."""
    return settings.MOTCUA_QUEUE_NEAR_TURN


def positions(rows: list[dict], streak_limit: int) -> dict[int, int]:
    """Ticket id -> people ahead, for the waiting rows of one service in queue order."""
    ahead: dict[int, int] = {}
    priority_total = sum(1 for r in rows if r["priority_reason"] != Ticket.Priority.NONE)
    priority_seen = ordinary_seen = 0
    for r in rows:
        is_priority = r["priority_reason"] != Ticket.Priority.NONE
        ahead[r["id"]] = estimate.people_ahead_in_order(
            is_priority=is_priority,
            priority_before=priority_seen,
            ordinary_before=ordinary_seen,
            priority_after=priority_total - priority_seen - (1 if is_priority else 0),
            streak_limit=streak_limit,
        )
        if is_priority:
            priority_seen += 1
        else:
            ordinary_seen += 1
    return ahead


def _counter_numbers(ticket: Ticket) -> list[int]:
    if ticket.target_counter_id:
        return [ticket.target_counter.number]
    return sorted(
        CounterAssignment.objects.filter(
            counter__unit_id=ticket.unit_id,
            counter__is_active=True,
            is_open=True,
            services__id=ticket.service_id,
        ).values_list("counter__number", flat=True)
    )


def message(ticket: Ticket, ahead: int, counters: list[int]) -> tuple[str, str]:
    """(subject, body) in plain Vietnamese, short enough for one SMS."""
    subject = _("Sắp đến lượt bạn - số %(code)s") % {"code": ticket.code}
    where = (
        _("Mời bạn đến %(unit)s, chờ trước quầy %(counters)s.")
        % {"unit": ticket.unit.name, "counters": ", ".join(str(n) for n in counters)}
        if counters
        else _("Mời bạn đến %(unit)s và theo dõi màn hình gọi số.") % {"unit": ticket.unit.name}
    )
    if ahead:
        lead = _("Số %(code)s: còn %(ahead)s người nữa là đến lượt bạn.") % {
            "code": ticket.code,
            "ahead": ahead,
        }
    else:
        lead = _("Số %(code)s: bạn là người tiếp theo.") % {"code": ticket.code}
    return subject, f"{lead} {where}"


def _has_channel(ticket: Ticket) -> bool:
    from motcua.integrations.selectors import active_subscriptions

    if ticket.phone:
        return True
    return (
        bool(ticket.access_token) and active_subscriptions(ticket_ref=ticket.access_token).exists()
    )


def _notify(ticket_id: int, ahead: int, at: dt.datetime) -> bool:
    """Claim and notify one ticket; False when another server did it or nobody can be reached."""
    from motcua.integrations.models import Notification
    from motcua.integrations.services import notify_device_or_phone

    ticket = Ticket.objects.select_related("unit", "target_counter").get(pk=ticket_id)
    if not _has_channel(ticket):
        return False
    with transaction.atomic():
        claimed = Ticket.objects.filter(
            pk=ticket_id, near_notified_at__isnull=True, status__in=Ticket.WAITING_STATES
        ).update(near_notified_at=at)
        if not claimed:
            return False
        subject, body = message(ticket, ahead, _counter_numbers(ticket))
        token = ticket.access_token
        sent = notify_device_or_phone(
            ticket_ref=token or "",
            phone=ticket.phone,
            purpose=Notification.Purpose.TURN_NEAR,
            subject=subject,
            body=body,
            event_key=f"ticket:{ticket.pk}:turn_near",
            url=reverse("queueing:citizen_ticket", args=[token]) if token else None,
            object_type="queueing.ticket",
            object_id=ticket.pk,
            unit=ticket.unit_id,
        )
        record(
            action="queue.ticket_turn_near",
            obj=ticket,
            unit=ticket.unit_id,
            changes={"ahead": ahead, "channels": sorted({n.channel for n in sent})},
        )
    return True


def notify_near_turn(
    *, unit_id: int, service_ids, day: dt.date, at: dt.datetime | None = None
) -> int:
    """Tell every waiting ticket of `service_ids` with at most N people ahead; returns how many.

    Two queries find the candidates (the waiting rows, the unit's priority rule); each
    candidate then costs a claim and the outbox rows.
    """
    from . import services

    limit = near_turn_limit()
    if limit < 0:
        return 0
    at = at or services.now()
    rows = list(
        Ticket.objects.filter(
            unit_id=unit_id,
            day=day,
            service_id__in=list(service_ids),
            status__in=Ticket.WAITING_STATES,
        )
        .order_by(*services.QUEUE_ORDER)
        .values("id", "service_id", "priority_reason", "near_notified_at")
    )
    by_service: dict[int, list[dict]] = defaultdict(list)
    for r in rows:
        by_service[r["service_id"]].append(r)
    if not by_service:
        return 0
    streak_limit = estimate.streak_limit(unit_id)
    told = 0
    for service_rows in by_service.values():
        ahead = positions(service_rows, streak_limit)
        for r in service_rows:
            if r["near_notified_at"] is None and ahead[r["id"]] <= limit:
                told += _notify(r["id"], ahead[r["id"]], at)
    return told


def after_queue_change(*, unit_id: int, service_ids, day: dt.date) -> None:
    """The on-commit hook: never lets a notification problem reach the officer's screen."""
    try:
        notify_near_turn(unit_id=unit_id, service_ids=service_ids, day=day)
    except Exception:  # the call itself has committed; the next queue move retries
        log.exception("near-turn notification failed for unit %s", unit_id)
