"""Read side: what the staff page and other apps may ask about notifications."""

from django.db.models import QuerySet

from motcua.accounts.models import Role
from motcua.accounts.scoping import scoped

from .models import Notification, PushSubscription

VIEWER_ROLES = (Role.MANAGER, Role.ADMINISTRATOR)
PROBLEM_STATUSES = (Notification.Status.FAILED, Notification.Status.DEAD)


def problem_notifications(user, *, status: str = "", channel: str = "") -> QuerySet:
    """Failed and dead notifications of the units the manager/administrator oversees."""
    qs = Notification.objects.filter(status__in=PROBLEM_STATUSES)
    if status in PROBLEM_STATUSES:
        qs = qs.filter(status=status)
    if channel in Notification.Channel.values:
        qs = qs.filter(channel=channel)
    qs = scoped(qs, user, roles=VIEWER_ROLES).select_related("unit", "subscription")
    return qs.order_by("-created_at", "-id")


def active_subscriptions(
    *, ticket_ref: str = "", booking_ref: str = "", dossier_ref: str = ""
) -> QuerySet:
    """Browsers to push to for a ticket, a booking or a dossier (queueing and dossiers call
    this, then notify())."""
    if not ticket_ref and not booking_ref and not dossier_ref:
        return PushSubscription.objects.none()
    qs = PushSubscription.objects.filter(is_active=True)
    if dossier_ref:
        qs = qs.filter(dossier_ref=dossier_ref)
    if ticket_ref:
        qs = qs.filter(ticket_ref=ticket_ref)
    if booking_ref:
        qs = qs.filter(booking_ref=booking_ref)
    return qs


def active_subscription(endpoint: str) -> PushSubscription | None:
    """The active subscription of a browser by its endpoint (which only that browser knows)."""
    if not isinstance(endpoint, str) or not endpoint or len(endpoint) > 2000:
        return None
    return PushSubscription.objects.filter(endpoint=endpoint, is_active=True).first()
