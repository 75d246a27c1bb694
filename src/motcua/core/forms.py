"""Bounded input fields: the one way a date or a number typed into a URL or a form is read.

Python's dates run from year 1 to 9999 and the working-day calendar from 1995 to 2200
(`core.calendar`); "the day after 9999-12-31" or a deadline counted from year 1 is an
OverflowError (a 500), and a date in 3000 makes the calendar build a thousand years. A date of
this project lies between EARLIEST_DATE and LATEST_DATE: anything outside is refused with a
Vietnamese message on the form (an HTML page shows it with status 200 or 400; a download
endpoint answers 400), before any view or service computes with it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django import forms
from django.utils.translation import gettext_lazy as _

EARLIEST_DATE = dt.date(2000, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)
# The largest id a query string may name: PostgreSQL's bigint (SQLite's INTEGER is the same).
MAX_ID = 2**63 - 1


def date_widget(**attrs) -> forms.DateInput:
    """The browser's date picker, limited to the accepted range."""
    return forms.DateInput(
        attrs={
            "type": "date",
            "min": EARLIEST_DATE.isoformat(),
            "max": LATEST_DATE.isoformat(),
            **attrs,
        },
        format="%Y-%m-%d",
    )


class BoundedDateField(forms.DateField):
    """A date between EARLIEST_DATE and LATEST_DATE (both included), else a form error."""

    default_error_messages = {
        "invalid": _("Ngày không hợp lệ."),
        "out_of_range": _("Ngày phải trong khoảng từ %(earliest)s đến %(latest)s."),
    }

    def __init__(self, *, earliest: dt.date = EARLIEST_DATE, latest: dt.date = LATEST_DATE, **kw):
        kw.setdefault("widget", date_widget())
        super().__init__(**kw)
        self.earliest, self.latest = earliest, latest

    def validate(self, value):
        super().validate(value)
        if value is not None and not self.earliest <= value <= self.latest:
            raise forms.ValidationError(
                self.error_messages["out_of_range"],
                code="out_of_range",
                params={
                    "earliest": self.earliest.strftime("%d/%m/%Y"),
                    "latest": self.latest.strftime("%d/%m/%Y"),
                },
            )


class BoundedDateTimeField(forms.DateTimeField):
    """A moment whose day lies between EARLIEST_DATE and LATEST_DATE, else a form error."""

    default_error_messages = {
        "invalid": _("Thời điểm không hợp lệ."),
        "out_of_range": BoundedDateField.default_error_messages["out_of_range"],
    }

    def validate(self, value):
        super().validate(value)
        if value is not None and not EARLIEST_DATE <= value.date() <= LATEST_DATE:
            raise forms.ValidationError(
                self.error_messages["out_of_range"],
                code="out_of_range",
                params={
                    "earliest": EARLIEST_DATE.strftime("%d/%m/%Y"),
                    "latest": LATEST_DATE.strftime("%d/%m/%Y"),
                },
            )


def query_date(params: Mapping[str, str], name: str) -> dt.date | None:
    """A date from a query string (YYYY-MM-DD) within the bounds; None when absent or not one.

    For links a page builds itself (a day picked from a list), where a bad value simply shows
    the step before; a filter someone types goes through a form with a BoundedDateField.
    """
    field = BoundedDateField(required=False, input_formats=["%Y-%m-%d"])
    try:
        return field.clean(params.get(name) or "")
    except forms.ValidationError:
        return None


def query_id(params: Mapping[str, str], name: str) -> int | None:
    """A positive id from a query string; None when absent, not a number or beyond any id."""
    raw = (params.get(name) or "").strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 19:
        return None
    value = int(raw)
    return value if 0 < value <= MAX_ID else None
