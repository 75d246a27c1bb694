"""Chứng thực bản sao điện tử từ bản chính: the certification book and its entries.

One book per unit and year (sổ chứng thực bản sao): its numbers run 1, 2, 3... with no gap,
taken from `BookCounter` inside the transaction that keeps the copy (core.counters), so a copy
that fails to be made gives its number back. See docs/decisions/0035.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class BookCounter(models.Model):
    """The last number used in a unit's certification book of a year."""

    unit = models.ForeignKey("core.Unit", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="certification_book_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.year}: {self.last_value}"


class CertifiedCopy(models.Model):
    """Bản sao điện tử được chứng thực từ bản chính: one entry of the certification book."""

    unit = models.ForeignKey(
        "core.Unit", verbose_name=_("đơn vị chứng thực"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    number = models.PositiveIntegerField(_("số chứng thực"))
    book = models.CharField(_("quyển số"), max_length=40)
    citizen_id = models.CharField(_("số định danh cá nhân"), max_length=12, db_index=True)
    citizen_name = models.CharField(_("người yêu cầu chứng thực"), max_length=150)
    title = models.CharField(_("tên giấy tờ, văn bản"), max_length=300)
    pages = models.PositiveIntegerField(_("số trang bản chính"))
    fee_vnd = models.PositiveIntegerField(_("phí chứng thực (đồng)"))
    fee_note = models.CharField(_("căn cứ thu phí"), max_length=400, blank=True)
    document = models.OneToOneField(
        "documents.SignedDocument",
        verbose_name=_("bản sao đã ký số"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    certified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện chứng thực"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    certified_at = models.DateTimeField(_("thời điểm chứng thực"))
    # Hủy bỏ (services.void_copy): the number stays in the book, marked void, never deleted
    voided_at = models.DateTimeField(_("thời điểm hủy bỏ"), null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người hủy bỏ"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    void_reason = models.CharField(_("lý do hủy bỏ"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("bản sao điện tử được chứng thực")
        verbose_name_plural = _("sổ chứng thực bản sao điện tử")
        ordering = ["-year", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "number"], name="certification_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.number}/{self.book}: {self.title}"

    @property
    def masked_citizen_id(self) -> str:
        """The ID as a list may show it: the last four digits."""
        return f"{'•' * 8}{self.citizen_id[-4:]}"

    @property
    def voided(self) -> bool:
        return self.voided_at is not None

    @property
    def fee_text(self) -> str:
        return f"{self.fee_vnd:,}".replace(",", ".") + " đ"
