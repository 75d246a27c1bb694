"""Queueing: services, what each counter serves, daily ticket numbers, tickets and their history.

Booking slots, the display board, push and adoption records come later and hang off these rows:
a booking check-in issues a `Ticket` with source=appointment, the display reads `Ticket` and
`CounterAssignment`, adoption counts `Ticket.village`/`age_group`.
"""

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.core.models import Counter, Unit, Village


class QueuePolicy(models.Model):
    """Quy tắc hàng đợi of one unit; a unit without a row uses the defaults below."""

    unit = models.OneToOneField(
        Unit, verbose_name=_("đơn vị"), on_delete=models.CASCADE, related_name="queue_policy"
    )
    priority_streak_limit = models.PositiveSmallIntegerField(
        _("số lượt ưu tiên liên tiếp tối đa"),
        default=2,
        validators=[MinValueValidator(1)],
        help_text=_("Sau chừng này lượt gọi ưu tiên liên tiếp, quầy gọi một số thường nếu có."),
    )
    calls_before_no_show = models.PositiveSmallIntegerField(
        _("số lần gọi trước khi được đánh vắng mặt"),
        default=3,
        validators=[MinValueValidator(1)],
    )

    class Meta:
        verbose_name = _("quy tắc hàng đợi")
        verbose_name_plural = _("quy tắc hàng đợi")

    def __str__(self) -> str:
        return str(self.unit)


class Service(models.Model):
    """Nhóm dịch vụ: a group of procedures served by the same counters, with its letter A..Z."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="queue_services"
    )
    code = models.CharField(
        _("chữ cái"),
        max_length=1,
        validators=[RegexValidator(r"^[A-Z]$", _("Mã nhóm dịch vụ là một chữ cái in hoa A-Z."))],
    )
    name = models.CharField(_("tên nhóm dịch vụ"), max_length=200)
    procedures = models.ManyToManyField(
        "catalog.Procedure", verbose_name=_("thủ tục"), blank=True, related_name="queue_services"
    )
    is_active = models.BooleanField(_("đang nhận số"), default=True)
    order = models.PositiveSmallIntegerField(_("thứ tự hiển thị"), default=0)

    class Meta:
        verbose_name = _("nhóm dịch vụ")
        verbose_name_plural = _("nhóm dịch vụ")
        ordering = ["unit", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "code"], name="queue_service_unique_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} - {self.name}"


class CounterAssignment(models.Model):
    """Which services a counter (quầy) serves, whether it is open and who sits at it.

    Its row is locked by every call at the counter, so `priority_streak` (consecutive priority
    calls, for weighted fairness) is never updated by two calls at once.
    """

    counter = models.OneToOneField(
        Counter, verbose_name=_("quầy"), on_delete=models.CASCADE, related_name="queue_setup"
    )
    services = models.ManyToManyField(
        Service, verbose_name=_("nhóm dịch vụ phục vụ"), blank=True, related_name="counters"
    )
    is_open = models.BooleanField(_("đang mở"), default=False)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cán bộ đang trực"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("mở lúc"), null=True, blank=True)
    priority_streak = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("phân công quầy")
        verbose_name_plural = _("phân công quầy")

    def __str__(self) -> str:
        return str(self.counter)


class TicketSequence(models.Model):
    """The last number given for one service on one local day; its row is the numbering lock."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["service", "day"], name="ticket_sequence_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.service_id}/{self.day}: {self.last_value}"


class Ticket(models.Model):
    """Số thứ tự: one citizen's place in a service's queue on one day."""

    class Source(models.TextChoices):
        KIOSK = "kiosk", _("Máy lấy số tại chỗ")
        REMOTE = "remote", _("Lấy số từ xa")
        APPOINTMENT = "appointment", _("Đặt hẹn")

    class Priority(models.TextChoices):
        NONE = "none", _("Thông thường")
        APPOINTMENT = "appointment", _("Đặt hẹn đúng giờ")
        ELDERLY = "elderly", _("Người cao tuổi")
        DISABILITY = "disability", _("Người khuyết tật")
        PREGNANT = "pregnant", _("Phụ nữ mang thai")
        MERIT = "merit", _("Người có công với cách mạng")

    class Status(models.TextChoices):
        WAITING = "waiting", _("Đang chờ")
        CALLED = "called", _("Đã gọi")
        SERVING = "serving", _("Đang phục vụ")
        DONE = "done", _("Đã xong")
        NO_SHOW = "no_show", _("Vắng mặt")
        TRANSFERRED = "transferred", _("Đã chuyển, đang chờ")
        CANCELLED = "cancelled", _("Đã huỷ")

    class AgeGroup(models.TextChoices):
        UNKNOWN = "", _("Không rõ")
        UNDER_18 = "under_18", _("Dưới 18")
        WORKING = "18_59", _("18-59")
        SENIOR = "60_plus", _("Từ 60")

    unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="tickets"
    )
    service = models.ForeignKey(
        Service, verbose_name=_("nhóm dịch vụ"), on_delete=models.PROTECT, related_name="tickets"
    )
    issued_service = models.ForeignKey(
        Service,
        verbose_name=_("nhóm dịch vụ khi lấy số"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    day = models.DateField(_("ngày"))
    number = models.PositiveIntegerField(_("số"))
    code = models.CharField(_("số hiển thị"), max_length=6)
    source = models.CharField(_("nguồn"), max_length=12, choices=Source.choices)
    priority_reason = models.CharField(
        _("ưu tiên"), max_length=12, choices=Priority.choices, default=Priority.NONE
    )
    status = models.CharField(
        _("trạng thái"), max_length=12, choices=Status.choices, default=Status.WAITING
    )
    issued_at = models.DateTimeField(_("lấy số lúc"))
    called_at = models.DateTimeField(_("gọi lúc"), null=True, blank=True)
    call_count = models.PositiveSmallIntegerField(_("số lần gọi"), default=0)
    serving_started_at = models.DateTimeField(_("bắt đầu phục vụ"), null=True, blank=True)
    finished_at = models.DateTimeField(_("kết thúc"), null=True, blank=True)
    counter = models.ForeignKey(
        Counter,
        verbose_name=_("quầy"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    target_counter = models.ForeignKey(
        Counter,
        verbose_name=_("chuyển đến quầy"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Khi đặt, chỉ quầy này được gọi số."),
    )
    served_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cán bộ phục vụ"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    village = models.ForeignKey(
        Village,
        verbose_name=_("thôn/tổ dân phố"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    age_group = models.CharField(
        _("nhóm tuổi"), max_length=10, choices=AgeGroup.choices, blank=True, default=""
    )
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True, default="")
    dossier_code = models.CharField(_("mã hồ sơ"), max_length=40, blank=True)
    # NULL, not "": tickets without a key must not collide in the unique constraint
    idempotency_key = models.CharField(  # noqa: DJ001
        max_length=64, null=True, blank=True, editable=False
    )
    # The citizen's phone opens its ticket by this secret, not by the sequential id; NULL for
    # tickets issued before it existed (they are only printable at the kiosk).
    access_token = models.CharField(
        max_length=32, null=True, blank=True, unique=True, editable=False
    )
    # Set once when "your turn is near" went out, so a busy queue never notifies twice.
    near_notified_at = models.DateTimeField(
        _("đã báo sắp đến lượt lúc"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("số thứ tự")
        verbose_name_plural = _("số thứ tự")
        ordering = ["day", "issued_at", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["issued_service", "day", "number"], name="ticket_unique_number"
            ),
            models.UniqueConstraint(
                fields=["unit", "idempotency_key"], name="ticket_unique_idempotency_key"
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "day", "status"], name="ticket_queue_idx"),
        ]

    WAITING_STATES = (Status.WAITING, Status.TRANSFERRED)
    ACTIVE_AT_COUNTER = (Status.CALLED, Status.SERVING)

    def __str__(self) -> str:
        return f"{self.code} ({self.day:%d/%m/%Y})"

    @property
    def is_priority(self) -> bool:
        return self.priority_reason != self.Priority.NONE


def display_code(letter: str, number: int) -> str:
    """A001 .. A999, then A1000: three digits, four when the day runs past 999."""
    return f"{letter}{number:03d}"


class TicketEvent(models.Model):
    """One row per ticket transition, never edited: the ticket's own history."""

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="events")
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12)
    action = models.CharField(max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField()
    counter = models.ForeignKey(
        Counter, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("lịch sử số thứ tự")
        verbose_name_plural = _("lịch sử số thứ tự")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.from_status} -> {self.to_status} ({self.action})"


# --- appointment booking (đặt hẹn): docs/decisions/0010-booking.md ------------------------------


class BookingRule(models.Model):
    """Lịch nhận đặt hẹn of one service: slot length and how many citizens one slot takes.

    Slots are cut from the office hours of `motcua.core.calendar` on working days (and Saturday
    mornings where the unit receives then); a service without an active rule takes no bookings.
    """

    class SlotLength(models.IntegerChoices):
        M15 = 15, _("15 phút")
        M20 = 20, _("20 phút")
        M30 = 30, _("30 phút")
        M60 = 60, _("60 phút")

    service = models.OneToOneField(
        Service,
        verbose_name=_("nhóm dịch vụ"),
        on_delete=models.CASCADE,
        related_name="booking_rule",
    )
    slot_minutes = models.PositiveSmallIntegerField(
        _("độ dài khung giờ (phút)"), choices=SlotLength.choices, default=SlotLength.M30
    )
    capacity = models.PositiveSmallIntegerField(
        _("số người mỗi khung giờ"), default=3, validators=[MinValueValidator(1)]
    )
    days_ahead = models.PositiveSmallIntegerField(
        _("nhận đặt trước tối đa (ngày)"), default=14, validators=[MinValueValidator(1)]
    )
    is_active = models.BooleanField(_("đang nhận đặt hẹn"), default=True)

    class Meta:
        verbose_name = _("quy tắc đặt hẹn")
        verbose_name_plural = _("quy tắc đặt hẹn")

    def __str__(self) -> str:
        return f"{self.service}: {self.capacity}/{self.slot_minutes}'"


class BookingSlot(models.Model):
    """One (service, slot start) row, created on first use: the lock every hold takes.

    `hold_slot` locks this row (SELECT ... FOR UPDATE) before counting the seats taken, so
    two citizens can never both take the last seat.
    """

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    start = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["service", "start"], name="booking_slot_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.service_id}@{self.start:%Y-%m-%d %H:%M}"


class Booking(models.Model):
    """Lịch hẹn: a citizen's seat in one slot of one service."""

    class Status(models.TextChoices):
        HELD = "held", _("Đang giữ chỗ")
        CONFIRMED = "confirmed", _("Đã xác nhận")
        CANCELLED = "cancelled", _("Đã huỷ")
        CHECKED_IN = "checked_in", _("Đã đến, đã lấy số")
        NO_SHOW = "no_show", _("Không đến")
        EXPIRED = "expired", _("Hết thời gian giữ chỗ")

    unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="bookings"
    )
    service = models.ForeignKey(
        Service, verbose_name=_("nhóm dịch vụ"), on_delete=models.PROTECT, related_name="bookings"
    )
    slot_start = models.DateTimeField(_("giờ hẹn"))
    status = models.CharField(
        _("trạng thái"), max_length=12, choices=Status.choices, default=Status.HELD
    )
    held_until = models.DateTimeField(_("giữ chỗ đến"))
    code = models.CharField(_("mã đặt hẹn"), max_length=8, unique=True)
    citizen_name = models.CharField(_("họ và tên"), max_length=150)
    phone = models.CharField(_("điện thoại"), max_length=10)
    citizen_id = models.CharField(_("số định danh cá nhân"), max_length=12, blank=True)
    village = models.ForeignKey(
        Village,
        verbose_name=_("thôn/tổ dân phố"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    age_group = models.CharField(
        _("nhóm tuổi"), max_length=10, choices=Ticket.AgeGroup.choices, blank=True, default=""
    )
    # NULL, not "": bookings without a key must not collide in the unique constraint
    idempotency_key = models.CharField(  # noqa: DJ001
        max_length=64, null=True, blank=True, editable=False
    )
    rescheduled_from = models.OneToOneField(
        "self",
        verbose_name=_("đổi từ lịch hẹn"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rescheduled_to",
    )
    ticket = models.OneToOneField(
        Ticket,
        verbose_name=_("số thứ tự"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="booking",
    )
    created_at = models.DateTimeField(_("đặt lúc"))
    confirmed_at = models.DateTimeField(_("xác nhận lúc"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("huỷ lúc"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("đến lúc"), null=True, blank=True)
    no_show_at = models.DateTimeField(_("ghi không đến lúc"), null=True, blank=True)
    reminder_day_before_sent_at = models.DateTimeField(
        _("nhắc trước một ngày lúc"), null=True, blank=True
    )
    reminder_30min_sent_at = models.DateTimeField(
        _("nhắc trước 30 phút lúc"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("lịch hẹn")
        verbose_name_plural = _("lịch hẹn")
        ordering = ["slot_start", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "idempotency_key"], name="booking_unique_idempotency_key"
            ),
        ]
        indexes = [
            models.Index(fields=["service", "slot_start", "status"], name="booking_slot_idx"),
            models.Index(fields=["phone", "status"], name="booking_phone_idx"),
            models.Index(fields=["status", "slot_start"], name="booking_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.slot_start:%d/%m/%Y %H:%M})"


class BookingEvent(models.Model):
    """One row per booking change (hold, confirm, cancel, reminder...), never edited."""

    booking = models.ForeignKey(Booking, on_delete=models.PROTECT, related_name="events")
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12)
    action = models.CharField(max_length=24)
    at = models.DateTimeField()
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("lịch sử lịch hẹn")
        verbose_name_plural = _("lịch sử lịch hẹn")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.booking_id}: {self.from_status} -> {self.to_status} ({self.action})"
