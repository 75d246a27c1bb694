"""Phản ánh, kiến nghị: what a citizen reports or proposes to a unit, who handles it, the answer
published with personal data removed, and the citizen's rating of that answer.

- `Category` is a unit's list of subjects (đất đai, môi trường, trật tự đô thị...) with the
  department competent for each and the handling time in working days: the routing table the
  unit's administrators keep in the admin.
- `Petition` is one petition, followed by its random public `code`; one state machine
  (`petitions.machine`) moves it, with an append-only `PetitionEvent` per move.
- `Attachment` is one file as kept: a PDF made from the photo or PDF the citizen sent, judged by
  its content (`documents.uploads.paper_pdf`).
- `SpentChallenge` remembers every proof-of-work challenge already used, so a solved challenge
  submits one petition only (docs/decisions/0044-petitions.md).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.Model):
    """Lĩnh vực phản ánh of a unit, routed to its competent department with a handling time."""

    unit = models.ForeignKey(
        "core.Unit", verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="+"
    )
    code = models.SlugField(_("mã"), max_length=40)
    name = models.CharField(_("tên lĩnh vực"), max_length=200)
    department = models.ForeignKey(
        "core.Department",
        verbose_name=_("phòng, ban xử lý"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    days = models.DecimalField(
        _("thời hạn xử lý (ngày làm việc)"),
        max_digits=4,
        decimal_places=1,
        default=Decimal(10),
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal(90))],
    )
    is_active = models.BooleanField(_("đang nhận phản ánh"), default=True)
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("lĩnh vực phản ánh")
        verbose_name_plural = _("lĩnh vực phản ánh")
        ordering = ["unit", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "code"], name="petition_category_unique_code"),
        ]

    def __str__(self) -> str:
        return self.name


class Petition(models.Model):
    """Một phản ánh, kiến nghị."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Đã tiếp nhận")
        ASSIGNED = "assigned", _("Đang xử lý")
        ANSWERED = "answered", _("Đã có trả lời")
        PUBLISHED = "published", _("Đã công khai trả lời")
        CLOSED = "closed", _("Đã đóng")
        TRANSFERRED = "transferred", _("Đã chuyển đơn vị khác")

    class Rating(models.TextChoices):
        SATISFIED = "satisfied", _("Hài lòng")
        NOT_SATISFIED = "not_satisfied", _("Không hài lòng")

    unit = models.ForeignKey(
        "core.Unit", verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="+"
    )
    code = models.CharField(_("mã theo dõi"), max_length=20, unique=True)
    category = models.ForeignKey(
        Category,
        verbose_name=_("lĩnh vực"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="petitions",
    )
    department = models.ForeignKey(
        "core.Department",
        verbose_name=_("phòng, ban xử lý"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    subject = models.CharField(_("tiêu đề"), max_length=200)
    content = models.TextField(_("nội dung"), max_length=5000)
    village = models.ForeignKey(
        "core.Village",
        verbose_name=_("thôn, tổ dân phố"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    place = models.CharField(_("địa điểm"), max_length=300, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    anonymous = models.BooleanField(_("giấu tên"), default=False)
    name = models.CharField(_("họ và tên"), max_length=150, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    repeat_of = models.ForeignKey(
        "self",
        verbose_name=_("phản ánh lại việc của"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="repeats",
    )
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        verbose_name=_("hồ sơ liên quan"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    transferred_from = models.OneToOneField(
        "self",
        verbose_name=_("chuyển đến từ"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transferred_to",
    )
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=Status.choices, default=Status.RECEIVED
    )
    version = models.PositiveIntegerField(default=0)
    received_at = models.DateTimeField(_("tiếp nhận lúc"))
    days = models.DecimalField(_("thời hạn (ngày làm việc)"), max_digits=4, decimal_places=1)
    due_at = models.DateTimeField(_("hạn xử lý"))
    overdue = models.BooleanField(_("đã quá hạn"), default=False)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người xử lý"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answer = models.TextField(_("nội dung trả lời"), blank=True)
    answered_at = models.DateTimeField(_("trả lời lúc"), null=True, blank=True)
    published_subject = models.CharField(_("tiêu đề công khai"), max_length=200, blank=True)
    published_answer = models.TextField(_("trả lời công khai"), blank=True)
    published_at = models.DateTimeField(_("công khai lúc"), null=True, blank=True)
    closed_reason = models.CharField(_("lý do đóng"), max_length=300, blank=True)
    finished_at = models.DateTimeField(_("kết thúc lúc"), null=True, blank=True)
    rating = models.CharField(
        _("đánh giá"), max_length=20, choices=Rating.choices, blank=True, default=""
    )
    rated_at = models.DateTimeField(_("đánh giá lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("phản ánh, kiến nghị")
        verbose_name_plural = _("phản ánh, kiến nghị")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["unit", "status", "due_at"], name="petition_unit_status_due"),
            models.Index(fields=["unit", "-received_at"], name="petition_unit_received"),
            models.Index(fields=["status", "-published_at"], name="petition_published"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(anonymous=False)
                | (models.Q(name="") & models.Q(phone="") & models.Q(email="")),
                name="petition_anonymous_has_no_name",
            ),
            models.CheckConstraint(
                condition=models.Q(rating="") | models.Q(rated_at__isnull=False),
                name="petition_rating_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class PetitionEvent(models.Model):
    """One append-only row per move of a petition (append-only on PostgreSQL: migration 0002)."""

    petition = models.ForeignKey(Petition, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(_("thao tác"), max_length=30)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    at = models.DateTimeField(_("thời điểm"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    unit_scope_field = "petition__unit"

    class Meta:
        verbose_name = _("diễn biến phản ánh")
        verbose_name_plural = _("diễn biến phản ánh")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.petition_id}: {self.action}"


def _attachment_path(instance: Attachment, filename: str) -> str:
    return f"phan-anh/{instance.petition.unit_id}/{instance.petition.code}/{filename}"


class Attachment(models.Model):
    """A file sent with a petition, kept as one PDF (photos re-encoded: no location data)."""

    petition = models.ForeignKey(Petition, on_delete=models.PROTECT, related_name="attachments")
    name = models.CharField(_("tên tệp gốc"), max_length=200)
    file = models.FileField(upload_to=_attachment_path, max_length=300)
    pages = models.PositiveSmallIntegerField(default=1)
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)

    unit_scope_field = "petition__unit"

    class Meta:
        verbose_name = _("tệp đính kèm")
        verbose_name_plural = _("tệp đính kèm")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class SpentChallenge(models.Model):
    """A proof-of-work challenge already used: a second use is a replay (primary key refuses)."""

    id = models.CharField(primary_key=True, max_length=40)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("thử thách đã dùng")
        verbose_name_plural = _("thử thách đã dùng")

    def __str__(self) -> str:
        return self.id
