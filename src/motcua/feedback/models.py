"""Satisfaction ratings (đánh giá mức độ hài lòng) after a queue ticket or a dossier.

One `Rating` table for both subjects (docs/decisions/0013): the service index counts
satisfaction per dossier and per unit, and a ticket linked to a dossier carries its code, so
both roll up from one place. The rows the index groups by (unit, counter, officer, queue
service, procedure) are copied onto the rating when it is made, so later changes to the ticket
or the counter set-up never move a rating from one group to another.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.core.models import Counter, Unit


class Level(models.TextChoices):
    VERY_SATISFIED = "very_satisfied", _("Rất hài lòng")
    SATISFIED = "satisfied", _("Hài lòng")
    NOT_SATISFIED = "not_satisfied", _("Không hài lòng")


class Reason(models.TextChoices):
    """Why a citizen is not satisfied: short, tappable, and countable."""

    LONG_WAIT = "long_wait", _("Chờ lâu")
    ATTITUDE = "attitude", _("Thái độ phục vụ chưa tốt")
    UNCLEAR_GUIDANCE = "unclear_guidance", _("Hướng dẫn chưa rõ")
    MANY_TRIPS = "many_trips", _("Phải đi lại nhiều lần")
    OTHER = "other", _("Lý do khác")


class Channel(models.TextChoices):
    COUNTER_TABLET = "counter_tablet", _("Máy tính bảng tại quầy")
    PHONE = "phone", _("Điện thoại của công dân")
    KIOSK = "kiosk", _("Ki-ốt tự phục vụ")
    ONLINE = "online", _("Trực tuyến")


class Rating(models.Model):
    """Đánh giá mức độ hài lòng: one per served ticket or per dossier, never edited."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="ratings"
    )
    # Exactly one subject; OneToOne makes "one rating per ticket / per dossier" a database rule,
    # so a double tap or a replayed request can never count twice.
    ticket = models.OneToOneField(
        "queueing.Ticket",
        verbose_name=_("số thứ tự"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rating",
    )
    dossier = models.OneToOneField(
        "dossiers.Dossier",
        verbose_name=_("hồ sơ"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rating",
    )
    dossier_code = models.CharField(
        _("mã hồ sơ"),
        max_length=60,
        blank=True,
        help_text=_("Mã hồ sơ được đánh giá, hoặc hồ sơ đã gắn với số thứ tự."),
    )
    level = models.CharField(_("mức độ hài lòng"), max_length=16, choices=Level.choices)
    reason = models.CharField(_("lý do"), max_length=20, choices=Reason.choices, blank=True)
    comment = models.TextField(_("ý kiến"), max_length=1000, blank=True)
    channel = models.CharField(_("hình thức đánh giá"), max_length=16, choices=Channel.choices)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người đánh giá (tài khoản)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Để trống khi công dân đánh giá không cần đăng nhập."),
    )
    # denormalised for the index: who served, where, which service or procedure
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cán bộ phục vụ"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ratings_received",
    )
    counter = models.ForeignKey(
        Counter,
        verbose_name=_("quầy"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    service = models.ForeignKey(
        "queueing.Service",
        verbose_name=_("nhóm dịch vụ"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    procedure = models.ForeignKey(
        "catalog.Procedure",
        verbose_name=_("thủ tục"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    procedure_code = models.CharField(_("mã thủ tục"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("thời điểm đánh giá"))

    class Meta:
        verbose_name = _("đánh giá mức độ hài lòng")
        verbose_name_plural = _("đánh giá mức độ hài lòng")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(ticket__isnull=False) & Q(dossier__isnull=True))
                | (Q(ticket__isnull=True) & Q(dossier__isnull=False)),
                name="rating_exactly_one_subject",
            ),
            models.CheckConstraint(
                condition=~Q(level=Level.NOT_SATISFIED) | ~Q(reason=""),
                name="rating_not_satisfied_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(level=Level.NOT_SATISFIED) | Q(reason=""),
                name="rating_reason_only_when_not_satisfied",
            ),
            models.CheckConstraint(
                condition=~Q(reason=Reason.OTHER) | ~Q(comment=""),
                name="rating_other_reason_has_comment",
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "created_at"], name="rating_unit_time"),
        ]

    def __str__(self) -> str:
        return f"{self.subject_label}: {self.get_level_display()}"

    @property
    def subject_label(self) -> str:
        if self.ticket_id is not None:
            return str(self.ticket)
        return self.dossier_code or str(self.dossier_id)

    @property
    def is_satisfied(self) -> bool:
        return self.level != Level.NOT_SATISFIED
