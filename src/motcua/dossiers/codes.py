"""Dossier codes `<agency code>-<yymmdd>-<NNNN>`: gap-free, duplicate-free, per unit and day.

The sequence lives in one `DailySequence` row per (receiving unit, local day). It is created
with INSERT ... ON CONFLICT DO NOTHING (SQLite: INSERT OR IGNORE), then locked with SELECT ...
FOR UPDATE and incremented, all inside the reception transaction: a rolled-back reception
gives its number back, two concurrent receptions wait for each other. Never `max()+1`.
Past 9999 receptions in a day the number simply grows to 5 digits (`-10000`).
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from motcua.core.calendar import LOCAL_TZ
from motcua.core.models import Unit

from .models import DailySequence


def code_prefix(unit: Unit) -> str:
    """The agency's electronic ID (QĐ 20/2020/QĐ-TTg), else its administrative code."""
    return (unit.agency_code or unit.code).strip()


def next_dossier_code(unit: Unit, when: dt.datetime | None = None) -> str:
    """Take the next number of `unit` for the local day of `when`; call inside a transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_dossier_code must run inside the reception transaction")
    when = when or timezone.now()
    day = when.astimezone(LOCAL_TZ).date()
    DailySequence.objects.bulk_create(
        [DailySequence(unit=unit, day=day, last_value=0)], ignore_conflicts=True
    )
    row = DailySequence.objects.select_for_update().get(unit=unit, day=day)
    row.last_value += 1
    row.save(update_fields=["last_value"])
    return f"{code_prefix(unit)}-{day:%y%m%d}-{row.last_value:04d}"
