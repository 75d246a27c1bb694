"""Adoption of the booking and queueing app, village by village (Tổ công nghệ số cộng đồng).

The plans' target is that 45-50% of each village's working-age residents have the app
installed or have been guided to use it. A `Resident` is a person counted once per commune; it
keeps only a keyed hash of the citizen ID or phone and the last 3 digits, never the raw number
(data minimisation: the dashboard counts people, it does not need to know who they are).
"""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.core.models import Unit, Village


class AgeGroup(models.TextChoices):
    """Same bands as a queue ticket's age group, so counts from tickets line up."""

    UNKNOWN = "", _("Không rõ")
    UNDER_18 = "under_18", _("Dưới 18 tuổi")
    WORKING = "18_59", _("Từ 18 đến 59 tuổi")
    SENIOR = "60_plus", _("Từ 60 tuổi")


class Resident(models.Model):
    """Người dân được ghi nhận: one person per commune, identified only by hashes."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("xã/phường"), on_delete=models.PROTECT, related_name="+"
    )
    village = models.ForeignKey(
        Village, verbose_name=_("thôn/tổ dân phố"), on_delete=models.PROTECT, related_name="+"
    )
    # NULL, not "": residents known only by phone must not collide in the unique constraint
    id_hash = models.CharField(  # noqa: DJ001
        _("mã băm số định danh"), max_length=64, null=True, blank=True, editable=False
    )
    phone_hash = models.CharField(  # noqa: DJ001
        _("mã băm số điện thoại"), max_length=64, null=True, blank=True, editable=False
    )
    last3 = models.CharField(_("3 số cuối"), max_length=3, blank=True, editable=False)
    age_group = models.CharField(
        _("nhóm tuổi"), max_length=10, choices=AgeGroup.choices, blank=True, default=""
    )
    created_at = models.DateTimeField(_("thời điểm ghi nhận"), auto_now_add=True)

    class Meta:
        verbose_name = _("người dân được hỗ trợ")
        verbose_name_plural = _("người dân được hỗ trợ")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "id_hash"],
                condition=models.Q(id_hash__isnull=False),
                name="resident_unique_id_hash",
            ),
            models.UniqueConstraint(
                fields=["unit", "phone_hash"],
                condition=models.Q(phone_hash__isnull=False),
                name="resident_unique_phone_hash",
            ),
        ]

    def __str__(self) -> str:
        return f"***{self.last3}" if self.last3 else f"#{self.pk}"


class AssistedAction(models.Model):
    """Việc đã hỗ trợ người dân: counted once per (resident, kind), whoever records it."""

    class Kind(models.TextChoices):
        APP_INSTALLED = "app_installed", _("Cài đặt/hướng dẫn dùng ứng dụng đặt hẹn")
        VNEID_LEVEL2 = "vneid_level2_created", _("Tạo tài khoản định danh VNeID mức 2")
        FIRST_ONLINE_DOSSIER = "first_online_dossier", _("Nộp hồ sơ trực tuyến lần đầu")
        FIRST_ONLINE_PAYMENT = "first_online_payment", _("Thanh toán trực tuyến lần đầu")
        APP_REGISTERED = "app_registered", _("Tự đăng ký dùng ứng dụng")

    class Source(models.TextChoices):
        TEAM_MEMBER = "team_member", _("Tổ công nghệ số ghi nhận")
        APP_REGISTRATION = "app_registration", _("Đăng ký trên ứng dụng")
        FIRST_BOOKING = "first_booking", _("Lần đặt hẹn đầu tiên")
        FIRST_TICKET = "first_ticket", _("Lần lấy số đầu tiên")

    # what counts as "installed or guided" towards the 45-50% target
    ADOPTION_KINDS = (Kind.APP_INSTALLED, Kind.APP_REGISTERED)

    unit_scope_field = "unit"

    resident = models.ForeignKey(
        Resident, verbose_name=_("người dân"), on_delete=models.PROTECT, related_name="actions"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("xã/phường"), on_delete=models.PROTECT, related_name="+"
    )
    village = models.ForeignKey(
        Village, verbose_name=_("thôn/tổ dân phố"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("việc hỗ trợ"), max_length=30, choices=Kind.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người ghi nhận"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    source = models.CharField(_("nguồn"), max_length=20, choices=Source.choices)
    occurred_at = models.DateTimeField(_("thời điểm thực hiện"))
    client_uuid = models.UUIDField(_("mã chống gửi trùng"), unique=True, editable=False)
    created_at = models.DateTimeField(_("thời điểm lưu"), auto_now_add=True)

    class Meta:
        verbose_name = _("việc hỗ trợ người dân")
        verbose_name_plural = _("việc hỗ trợ người dân")
        ordering = ["-occurred_at"]
        constraints = [
            models.UniqueConstraint(fields=["resident", "kind"], name="action_once_per_person"),
        ]
        indexes = [models.Index(fields=["village", "kind"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} - {self.resident}"


class GuidanceSession(models.Model):
    """Buổi hướng dẫn: a session the team held, e.g. at the village cultural house."""

    unit_scope_field = "unit"

    unit = models.ForeignKey(
        Unit, verbose_name=_("xã/phường"), on_delete=models.PROTECT, related_name="+"
    )
    village = models.ForeignKey(
        Village, verbose_name=_("thôn/tổ dân phố"), on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField(_("ngày"))
    place = models.CharField(_("địa điểm"), max_length=200)
    attendees = models.PositiveIntegerField(_("số người tham dự"))
    notes = models.TextField(_("ghi chú"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người ghi nhận"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    client_uuid = models.UUIDField(_("mã chống gửi trùng"), unique=True, editable=False)
    created_at = models.DateTimeField(_("thời điểm lưu"), auto_now_add=True)

    class Meta:
        verbose_name = _("buổi hướng dẫn")
        verbose_name_plural = _("buổi hướng dẫn")
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.place}"


class Campaign(models.Model):
    """Chiến dịch (e.g. "Cao điểm 60 ngày"): the adoption target and its milestone dates.

    `milestones` is a list of {"date": "YYYY-MM-DD", "percent": N}: the share of working-age
    residents each village should have reached by that date.
    """

    unit_scope_field = "unit"

    unit = models.ForeignKey(
        Unit, verbose_name=_("xã/phường"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("tên chiến dịch"), max_length=200)
    start = models.DateField(_("từ ngày"))
    end = models.DateField(_("đến ngày"))
    target_percent = models.PositiveSmallIntegerField(
        _("chỉ tiêu tối thiểu (%)"),
        default=45,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    stretch_percent = models.PositiveSmallIntegerField(
        _("chỉ tiêu phấn đấu (%)"),
        default=50,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    milestones = models.JSONField(
        _("các mốc"),
        default=list,
        blank=True,
        help_text=_('Danh sách mốc, ví dụ [{"date": "2025-09-05", "percent": 25}].'),
    )

    class Meta:
        verbose_name = _("chiến dịch cài đặt ứng dụng")
        verbose_name_plural = _("chiến dịch cài đặt ứng dụng")
        ordering = ["-start"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="campaign_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        if self.start and self.end and self.end < self.start:
            errors["end"] = _("Ngày kết thúc phải sau ngày bắt đầu.")
        if (
            self.target_percent
            and self.stretch_percent
            and self.stretch_percent < self.target_percent
        ):
            errors["stretch_percent"] = _(
                "Chỉ tiêu phấn đấu không được thấp hơn chỉ tiêu tối thiểu."
            )
        try:
            parse_milestones(self.milestones)
        except ValueError:
            errors["milestones"] = _(
                'Mốc không hợp lệ: cần dạng [{"date": "2025-09-05", "percent": 25}], '
                "phần trăm từ 0 đến 100."
            )
        if errors:
            raise ValidationError(errors)

    def milestone_list(self) -> list[tuple[date, int]]:
        return parse_milestones(self.milestones)


def parse_milestones(raw) -> list[tuple[date, int]]:
    """[(date, percent)] sorted by date; ValueError on anything malformed."""
    if raw in (None, ""):
        return []
    if not isinstance(raw, list):
        raise ValueError("milestones must be a list")
    out = []
    for item in raw:
        if not isinstance(item, dict):
            raise ValueError("milestone must be an object")
        day = date.fromisoformat(str(item.get("date", "")))
        percent = item.get("percent")
        if isinstance(percent, bool) or not isinstance(percent, int | float):
            raise ValueError("percent must be a number")
        if not 0 <= percent <= 100:
            raise ValueError("percent out of range")
        out.append((day, int(percent)))
    return sorted(out)
