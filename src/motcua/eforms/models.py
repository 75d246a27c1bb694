"""A procedure's declaration (tờ khai) as a versioned schema.

One row per version. A published version never changes (`services` refuses, and `save()`
refuses a changed definition of a stored published row): an edit makes a new version, so a
citizen's draft that pinned version 3 still renders and validates on version 3 after version 4
is published. At most one version of a procedure is published at a time.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import Procedure


class FormSchema(models.Model):
    unit_scope_field = "procedure__unit"

    class Status(models.TextChoices):
        DRAFT = "draft", _("Bản nháp")
        PUBLISHED = "published", _("Đang áp dụng")
        RETIRED = "retired", _("Đã thay thế")

    class Confidence(models.TextChoices):
        VERIFIED = "verified", _("Đã đối chiếu mẫu chính thức")
        PARTIAL = "partial", _("Một phần có nguồn")
        RECALLED = "recalled", _("Chưa có nguồn")

    procedure = models.ForeignKey(
        Procedure,
        verbose_name=_("thủ tục"),
        on_delete=models.PROTECT,
        related_name="form_schemas",
    )
    form_number = models.CharField(
        _("số hiệu mẫu"),
        max_length=200,
        blank=True,
        help_text=_("Ví dụ: Tờ khai ban hành kèm theo Thông tư 04/2024/TT-BTP."),
    )
    name = models.CharField(_("tên mẫu"), max_length=300)
    version = models.PositiveIntegerField(_("phiên bản"))
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    definition = models.JSONField(_("nội dung tờ khai (JSON)"))
    source_note = models.TextField(
        _("nguồn, độ tin cậy"),
        blank=True,
        help_text=_("Văn bản ban hành mẫu, nơi đối chiếu; trường nào chưa đối chiếu được."),
    )
    confidence = models.CharField(
        _("độ tin cậy"), max_length=10, choices=Confidence.choices, default=Confidence.PARTIAL
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tạo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    published_at = models.DateTimeField(_("áp dụng từ"), null=True, blank=True)

    class Meta:
        verbose_name = _("biểu mẫu điện tử")
        verbose_name_plural = _("biểu mẫu điện tử")
        ordering = ["procedure", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "version"], name="eforms_schema_unique_version"
            ),
            models.UniqueConstraint(
                fields=["procedure"],
                condition=models.Q(status="published"),
                name="eforms_one_published_per_procedure",
            ),
            models.CheckConstraint(
                condition=models.Q(status="draft") | models.Q(published_at__isnull=False),
                name="eforms_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version}, {self.get_status_display()})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            stored = (
                type(self)
                .objects.filter(pk=self.pk)
                .values("status", "definition", "procedure_id", "version")
                .first()
            )
            if stored and stored["status"] != self.Status.DRAFT:
                unchanged = (
                    stored["definition"] == self.definition
                    and stored["procedure_id"] == self.procedure_id
                    and stored["version"] == self.version
                )
                if not unchanged:
                    raise ValueError("A published or retired e-form version never changes.")
        super().save(*args, **kwargs)
