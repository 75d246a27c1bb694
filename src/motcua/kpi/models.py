"""The kpi app's data: targets and the service index's formula sets.

Chỉ tiêu (targets) the plans set on a figure, as data an administrator edits.

A target is a figure code (`plan_figures.FIGURES`: "dossiers_online_share", ...), the period it
is in force, a value with its comparison (">= 70", "< 5") and the plan or legal text it comes
from. A row with no unit is the default for every unit; a province's or a commune's own row
wins over it for that unit (and a province's for its communes). Campaigns reuse the same rows:
a campaign's target is one more row with the campaign's dates.

Nothing here is computed: the figures are counted by `kpi.plan_figures`, which reads the target
in force on the last day it shows.

The service index's formula sets (QĐ 766, issue 16) are data, not code too: a `FormulaSet` row is
one version of the rules the index is computed with; a new decision adds a row, and a past period
is scored with the version in force then (`kpi.index.formulas.in_force`; see
docs/decisions/0048-service-index-engine.md).
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.core.models import Unit


def figure_codes() -> list[tuple[str, str]]:
    """The codes a target may name: the figures `kpi.plan_figures` counts (a callable, so a
    figure added later needs no migration here)."""
    from .plan_figures import FIGURES

    return [(code, str(f.label)) for code, f in FIGURES.items()]


class Comparison(models.TextChoices):
    AT_LEAST = ">=", _("tối thiểu (≥)")
    MORE_THAN = ">", _("trên (>)")
    AT_MOST = "<=", _("tối đa (≤)")
    LESS_THAN = "<", _("dưới (<)")


def meets(value: float | Decimal | None, comparison: str, target: Decimal) -> bool | None:
    """Whether `value` meets the target; None when there is no value to judge."""
    if value is None:
        return None
    v = Decimal(str(value))
    return {
        Comparison.AT_LEAST: v >= target,
        Comparison.MORE_THAN: v > target,
        Comparison.AT_MOST: v <= target,
        Comparison.LESS_THAN: v < target,
    }[Comparison(comparison)]


class Target(models.Model):
    """Chỉ tiêu: a figure's target value over a period, with the text that sets it."""

    unit_scope_field = "unit"

    code = models.CharField(_("chỉ số"), max_length=60, choices=figure_codes)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("đơn vị"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Để trống: chỉ tiêu chung cho mọi đơn vị chưa có chỉ tiêu riêng."),
    )
    period_start = models.DateField(_("áp dụng từ ngày"))
    period_end = models.DateField(
        _("đến ngày"),
        null=True,
        blank=True,
        help_text=_("Để trống: áp dụng cho đến khi có chỉ tiêu mới."),
    )
    comparison = models.CharField(
        _("so sánh"), max_length=2, choices=Comparison.choices, default=Comparison.AT_LEAST
    )
    value = models.DecimalField(_("giá trị"), max_digits=12, decimal_places=2)
    source = models.TextField(
        _("căn cứ"), help_text=_("Văn bản, kế hoạch đặt chỉ tiêu: số, ngày, nội dung trích.")
    )
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("chỉ tiêu")
        verbose_name_plural = _("chỉ tiêu")
        ordering = ["code", "unit_id", "-period_start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__isnull=True) | Q(period_end__gte=models.F("period_start")),
                name="target_period_ordered",
            ),
            models.UniqueConstraint(
                fields=["code", "unit", "period_start"],
                condition=Q(unit__isnull=False),
                name="target_unique_start_of_unit",
            ),
            models.UniqueConstraint(
                fields=["code", "period_start"],
                condition=Q(unit__isnull=True),
                name="target_unique_start_default",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_code_display()} {self.comparison} {self.value:g}"

    def clean(self) -> None:
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": _("Ngày kết thúc phải sau ngày bắt đầu.")})


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
