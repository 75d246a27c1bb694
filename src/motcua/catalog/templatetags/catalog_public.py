"""How the public pages say times and money: "5 ngày làm việc", "8.000 đ", "Miễn phí".

Kept as filters (not model methods) because they are wording for citizens, not rules; the
rules (which fee is in force) stay in plain functions that tests can call directly.
"""

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django import template
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from motcua.catalog.models import Fee, Procedure

register = template.Library()


@register.filter
def vnd(amount: int | None) -> str:
    """Integer VND the Vietnamese way: 50000 -> "50.000 đ" (whatever the UI language)."""
    if amount is None:
        return ""
    return f"{int(amount):,}\u00a0đ".replace(",", ".")  # never wrap between number and đ


@register.filter
def fee_amount(amount: int | None) -> str:
    """One fee row's amount: unknown amounts are set by the provincial council."""
    if amount is None:
        return _("Theo quy định của HĐND tỉnh")
    if amount == 0:
        return _("Miễn phí")
    return vnd(amount)


def _number(value: Decimal) -> str:
    value = Decimal(value)
    value = value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize()
    return formats.number_format(value, use_l10n=True)


def days_text(days: Decimal | None, time_unit: str, note: str = "") -> str:
    """ "5 ngày làm việc", "Trong ngày" for 0, the note when no number is published."""
    if days is None:
        return note.strip() or _("Chưa công bố thời hạn")
    if Decimal(days) == 0:
        return _("Trong ngày")
    n = 1 if Decimal(days) == 1 else 2  # "0,5 ngày" is plural in English
    if time_unit == Procedure.TimeUnit.CALENDAR_DAY:
        return ngettext("%(n)s ngày", "%(n)s ngày", n) % {"n": _number(days)}
    return ngettext("%(n)s ngày làm việc", "%(n)s ngày làm việc", n) % {"n": _number(days)}


@register.filter
def processing_time(procedure: Procedure) -> str:
    return days_text(procedure.processing_days, procedure.time_unit, procedure.processing_time_note)


@register.filter
def online_processing_time(procedure: Procedure) -> str:
    """The online time, or "" when it is the same as in person."""
    if procedure.online_processing_days is None:
        return ""
    return days_text(procedure.online_processing_days, procedure.time_unit)


@register.filter
def step_days(days: Decimal | None) -> str:
    return days_text(days, Procedure.TimeUnit.WORKING_DAY)


def fee_in_force(fee: Fee, today: datetime.date) -> bool:
    return (fee.valid_from is None or fee.valid_from <= today) and (
        fee.valid_to is None or today <= fee.valid_to
    )


@register.filter
def fee_expired(fee: Fee) -> bool:
    return fee.valid_to is not None and fee.valid_to < timezone.localdate()


@register.filter
def fee_upcoming(fee: Fee) -> bool:
    return fee.valid_from is not None and fee.valid_from > timezone.localdate()


def summarize_fees(fees: Iterable[Fee], today: datetime.date | None = None) -> str:
    """One line for a list card, from the fees in force today.

    No fee row in force -> "Chưa công bố phí, lệ phí" (a gap in the catalog, never a claim
    that it is free); zero -> "Miễn phí"; only unknown amounts -> "Theo quy định của HĐND tỉnh";
    several amounts -> "Từ 0 đ đến 8.000 đ", plus a hint when some cases are set locally.
    """
    today = today or timezone.localdate()
    current = [f for f in fees if fee_in_force(f, today)]
    if not current:
        return _("Chưa công bố phí, lệ phí")
    known = sorted({f.amount_vnd for f in current if f.amount_vnd is not None})
    has_unknown = any(f.amount_vnd is None for f in current)
    if not known:
        return _("Theo quy định của HĐND tỉnh")
    if len(known) == 1:
        text = fee_amount(known[0])
    else:
        text = _("Từ %(low)s đến %(high)s") % {"low": vnd(known[0]), "high": vnd(known[-1])}
    if has_unknown:
        text = _("%(amounts)s; trường hợp khác theo quy định của HĐND tỉnh") % {"amounts": text}
    return text


@register.filter
def fee_summary(procedure: Procedure) -> str:
    """Uses the prefetched fees: no query per card."""
    return summarize_fees(procedure.fees.all())


@register.filter
def date_vn(value: datetime.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""
