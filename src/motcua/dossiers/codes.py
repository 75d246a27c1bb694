"""Dossier codes `<agency code>-<yymmdd>-<NNNN>`: gap-free, duplicate-free, per unit and day.

The sequence lives in one `DailySequence` row per (receiving unit, local day), taken with
`motcua.core.counters.next_value` inside the reception transaction: the row stays locked until
commit, so a rolled-back reception gives its number back and two concurrent receptions wait
for each other. Never `max()+1`.
Past 9999 receptions in a day the number simply grows to 5 digits (`-10000`).
"""

import datetime as dt

from django.utils import timezone

from motcua.core import counters
from motcua.core.calendar import LOCAL_TZ
from motcua.core.models import Unit

from .models import DailySequence


def code_prefix(unit: Unit) -> str:
    """The agency's electronic ID (QĐ 20/2020/QĐ-TTg), else its administrative code."""
    return (unit.agency_code or unit.code).strip()


def next_dossier_code(unit: Unit, when: dt.datetime | None = None) -> str:
    """Take the next number of `unit` for the local day of `when`; call inside a transaction."""
    day = (when or timezone.now()).astimezone(LOCAL_TZ).date()
    number = counters.next_value(DailySequence, unit=unit, day=day)
    return f"{code_prefix(unit)}-{day:%y%m%d}-{number:04d}"
