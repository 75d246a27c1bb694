"""Admin: read-only lists of the outbox and of push subscriptions, for the operator.

Rows change only through services (delivery, "Gửi lại"), never by editing in the admin, so
every change stays audited. Non-superuser administrators see their units' notifications only.
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from motcua.core.admin_base import ReadOnlyMixin
from motcua.core.admin_scope import UnitScopedAdmin

from . import services
from .models import Notification, PushSubscription, mask_recipient


class ReadOnlyScopedAdmin(ReadOnlyMixin, UnitScopedAdmin):
    """Scoped to the administrator's units, nothing editable: written only by the senders."""


@admin.register(Notification)
class NotificationAdmin(ReadOnlyScopedAdmin, admin.ModelAdmin):
    list_display = (
        "id",
        "created_at",
        "unit",
        "purpose",
        "channel",
        "recipient",
        "status",
        "attempts",
        "last_error",
        "next_attempt_at",
        "sent_at",
    )
    list_filter = ("status", "channel", "purpose")
    search_fields = ("=id", "object_id", "idempotency_key")
    date_hierarchy = "created_at"
    list_select_related = ("unit",)
    exclude = ("to_address", "subscription", "body")  # personal data stays off the screen
    actions = ["resend_selected"]

    @admin.display(description=_("người nhận"))
    def recipient(self, obj):
        return mask_recipient(obj)

    @admin.action(description=_("Gửi lại các thông báo lỗi đã chọn"))
    def resend_selected(self, request, queryset):
        done = 0
        for notification in queryset.filter(status__in=["failed", "dead"]):
            try:
                services.resend(notification=notification, actor=request.user)
            except ValidationError:
                continue
            done += 1
        self.message_user(request, _("Đã gửi lại %(n)s thông báo.") % {"n": done}, messages.INFO)


@admin.register(PushSubscription)
class PushSubscriptionAdmin(ReadOnlyScopedAdmin, admin.ModelAdmin):
    list_display = ("id", "created_at", "is_active", "last_success_at", "failures", "ticket_ref")
    list_filter = ("is_active",)
    search_fields = ("=ticket_ref", "=booking_ref")
    exclude = ("endpoint", "p256dh", "auth")

    # Subscriptions belong to a browser, not to a unit: `UnitScopedAdmin` finds no unit for
    # them and shows them to the operator (superuser) only.
