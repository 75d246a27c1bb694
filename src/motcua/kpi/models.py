"""The service index's formula sets (QĐ 766, issue 16): data, not code.

A `FormulaSet` row is one version of the rules the index is computed with: its groups and their
maxima, its indicators (maximum points, where full marks start, which measure each counts,
what a zero denominator scores, which dossiers it counts) and each group's headline ratio.
A new decision adds a row (a new version); a past period is always scored with the version in
force then (`kpi.index.formulas.in_force`). See docs/decisions/00XX-service-index-engine.md.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class FormulaSet(models.Model):
    """Bộ công thức tính Chỉ số phục vụ người dân, doanh nghiệp (one version)."""

    code = models.SlugField(_("mã bộ công thức"), max_length=60)
    version = models.PositiveSmallIntegerField(_("phiên bản"))
    name = models.CharField(_("tên"), max_length=300)
    legal_source = models.TextField(_("căn cứ, nguồn"))
    effective_from = models.DateField(_("áp dụng từ ngày"))
    effective_to = models.DateField(_("áp dụng đến hết ngày"), null=True, blank=True)
    definition = models.JSONField(_("định nghĩa nhóm và chỉ tiêu"))
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("bộ công thức Chỉ số phục vụ")
        verbose_name_plural = _("bộ công thức Chỉ số phục vụ")
        ordering = ["-effective_from", "code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="formula_set_unique_version"),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True)
                | Q(effective_to__gte=models.F("effective_from")),
                name="formula_set_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"
