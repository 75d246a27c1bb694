"""The notification outbox and the browsers that agreed to receive web push.

A `Notification` row is written in the same transaction as the event it announces (a dossier
received, a turn that is near) and delivered afterwards by a background job, so a rolled-back
change never notifies anyone and a crashed worker never loses a message: the row stays
"pending" or "failed" until a later pass delivers it.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.core.models import Unit


class PushSubscription(models.Model):
    """Đăng ký nhận thông báo đẩy: one browser's Push API subscription (endpoint + keys)."""

    endpoint = models.CharField(_("địa chỉ dịch vụ đẩy"), max_length=1024, unique=True)
    p256dh = models.CharField(_("khóa công khai P-256"), max_length=100)
    auth = models.CharField(_("khóa xác thực"), max_length=40)
    created_at = models.DateTimeField(_("đăng ký lúc"), auto_now_add=True)
    last_success_at = models.DateTimeField(_("gửi thành công gần nhất"), null=True, blank=True)
    failures = models.PositiveIntegerField(_("số lần gửi lỗi liên tiếp"), default=0)
    is_active = models.BooleanField(_("còn hiệu lực"), default=True)
    ticket_ref = models.CharField(_("số thứ tự liên quan"), max_length=64, blank=True)
    booking_ref = models.CharField(_("lịch hẹn liên quan"), max_length=64, blank=True)
    # set only by a service that checked the browser belongs to the applicant (the citizens'
    # signed-in space), never from a public form: dossier codes are not secrets
    dossier_ref = models.CharField(_("hồ sơ liên quan"), max_length=64, blank=True)
    user_agent = models.CharField(_("trình duyệt"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("đăng ký nhận thông báo đẩy")
        verbose_name_plural = _("đăng ký nhận thông báo đẩy")
        indexes = [
            models.Index(fields=["ticket_ref"]),
            models.Index(fields=["booking_ref"]),
            models.Index(fields=["dossier_ref"]),
        ]

    def __str__(self) -> str:
        # The endpoint is a bearer capability: never shown in full.
        return f"#{self.pk}"

    def as_subscription_info(self) -> dict:
        """The shape the Push API's `PushSubscription.toJSON()` has, as pywebpush wants it."""
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}


class Notification(models.Model):
    """Thông báo gửi công dân: one message on one channel, with its delivery state."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("Thư điện tử")
        SMS = "sms", _("Tin nhắn SMS")
        PUSH = "push", _("Thông báo đẩy")

    class Status(models.TextChoices):
        PENDING = "pending", _("Chờ gửi")
        SENDING = "sending", _("Đang gửi")
        SENT = "sent", _("Đã gửi")
        FAILED = "failed", _("Lỗi, sẽ gửi lại")
        DEAD = "dead", _("Lỗi, đã ngừng gửi")

    class Purpose(models.TextChoices):
        DOSSIER_RECEIVED = "dossier_received", _("Đã tiếp nhận hồ sơ")
        SUPPLEMENT_REQUESTED = "supplement_requested", _("Yêu cầu bổ sung hồ sơ")
        APOLOGY = "apology", _("Xin lỗi và hẹn lại ngày trả kết quả")
        RESULT_READY = "result_ready", _("Đã có kết quả")
        DOSSIER_SUBMITTED = "dossier_submitted", _("Đã nộp hồ sơ trực tuyến")
        DOSSIER_ASSIGNED = "dossier_assigned", _("Hồ sơ được chuyển xử lý, phân công")
        DOSSIER_APPROVED = "dossier_approved", _("Hồ sơ được phê duyệt")
        DOSSIER_RETURNED = "dossier_returned", _("Đã trả kết quả")
        DOSSIER_REFUSED = "dossier_refused", _("Từ chối tiếp nhận hồ sơ")
        DOSSIER_STOPPED = "dossier_stopped", _("Dừng giải quyết hồ sơ")
        DOSSIER_WITHDRAWN = "dossier_withdrawn", _("Rút hồ sơ")
        DOSSIER_STATUS = "dossier_status", _("Thay đổi trạng thái hồ sơ khác")
        TURN_NEAR = "turn_near", _("Sắp đến lượt")
        BOOKING_REMINDER = "booking_reminder", _("Nhắc lịch hẹn")
        RESULT_EXPIRING = "result_expiring", _("Nhắc kết quả sắp hết giá trị")
        RATING_INVITE = "rating_invite", _("Mời đánh giá mức độ hài lòng")
        PETITION_ANSWERED = "petition_answered", _("Phản ánh, kiến nghị đã có trả lời công khai")
        OTHER = "other", _("Khác")

    unit = models.ForeignKey(
        Unit,
        verbose_name=_("đơn vị"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    channel = models.CharField(_("kênh"), max_length=10, choices=Channel.choices)
    to_address = models.CharField(
        _("người nhận"), max_length=254, blank=True, help_text=_("Thư điện tử hoặc số điện thoại.")
    )
    subscription = models.ForeignKey(
        PushSubscription,
        verbose_name=_("đăng ký nhận thông báo đẩy"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    purpose = models.CharField(_("mục đích"), max_length=40, choices=Purpose.choices)
    subject = models.CharField(_("tiêu đề"), max_length=200, blank=True)
    body = models.TextField(_("nội dung"))
    url = models.CharField(_("đường dẫn"), max_length=500, blank=True)
    object_type = models.CharField(_("loại đối tượng"), max_length=80, blank=True)
    object_id = models.CharField(_("mã đối tượng"), max_length=64, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("số lần gửi"), default=0)
    last_error = models.CharField(_("lỗi gần nhất"), max_length=300, blank=True)
    next_attempt_at = models.DateTimeField(_("gửi lại lúc"), null=True, blank=True)
    sending_since = models.DateTimeField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("gửi thành công lúc"), null=True, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    idempotency_key = models.CharField(
        _("khóa chống gửi trùng"), max_length=120, unique=True, null=True, blank=True
    )

    class Meta:
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["unit", "status"]),
            models.Index(fields=["object_type", "object_id"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(channel="push") | models.Q(subscription__isnull=False),
                name="notification_push_needs_subscription",
            ),
        ]

    def __str__(self) -> str:
        # No recipient here: this string reaches admin lists and the audit log.
        return f"#{self.pk} {self.purpose} ({self.channel})"

    @property
    def can_resend(self) -> bool:
        return self.status in {self.Status.FAILED, self.Status.DEAD}


def mask_recipient(notification: Notification) -> str:
    """ "a***@example.vn", "+8491*****78", "Thiết bị #12": enough for staff to tell rows apart."""
    if notification.channel == Notification.Channel.PUSH:
        return f"{_('Thiết bị')} #{notification.subscription_id}"
    address = notification.to_address
    if "@" in address:
        local, _sep, domain = address.partition("@")
        return f"{local[:1]}***@{domain}"
    if len(address) > 7:
        return f"{address[:5]}{'*' * (len(address) - 7)}{address[-2:]}"
    return "***"


def explain_error(last_error: str) -> str:
    """The stored technical error (English, stable for grepping) told to staff in Vietnamese."""
    code = last_error or ""
    if code.startswith("push: service HTTP 410") or code.startswith("push: service HTTP 404"):
        return str(_("Thiết bị đã tắt hoặc hủy nhận thông báo."))
    if code.startswith("push: subscription inactive"):
        return str(_("Thiết bị đã hủy nhận thông báo trước khi gửi."))
    if code.startswith("push:"):
        return str(_("Dịch vụ thông báo của trình duyệt tạm thời không nhận tin."))
    if code.startswith(("sms: gateway HTTP 401", "sms: gateway HTTP 403")):
        return str(_("Cổng SMS từ chối xác thực: cần kiểm tra cấu hình khóa truy cập."))
    if code.startswith(("sms: gateway HTTP 400", "sms: gateway HTTP 404", "sms: gateway HTTP 422")):
        return str(_("Cổng SMS từ chối số điện thoại hoặc nội dung tin nhắn."))
    if code.startswith("sms: MOTCUA_SMS_URL"):
        return str(_("Chưa cấu hình cổng SMS."))
    if code.startswith("sms:"):
        return str(_("Không kết nối được cổng SMS hoặc cổng SMS đang lỗi."))
    if code.startswith("email:"):
        return str(_("Máy chủ thư điện tử không nhận thư."))
    if code.startswith("interrupted"):
        return str(_("Việc gửi bị gián đoạn giữa chừng."))
    return str(_("Lỗi hệ thống khi gửi."))
