"""The one way a date or an id is read from input: inside 01/01/2000-31/12/2100, or a
Vietnamese form error; never a date the calendar cannot count from or an id beyond bigint."""

import datetime as dt

import pytest
from django import forms
from django.http import QueryDict

from motcua.core.forms import (
    EARLIEST_DATE,
    LATEST_DATE,
    BoundedDateField,
    BoundedDateTimeField,
    query_date,
    query_id,
)

OUT_OF_RANGE = "Ngày phải trong khoảng từ 01/01/2000 đến 31/12/2100."


class Period(forms.Form):
    start = BoundedDateField(required=False)
    at = BoundedDateTimeField(required=False)


@pytest.mark.parametrize("value", ["2000-01-01", "2026-11-17", "2100-12-31"])
def test_a_date_inside_the_range_is_accepted(value):
    form = Period({"start": value})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["start"] == dt.date.fromisoformat(value)


@pytest.mark.parametrize("value", ["0001-01-01", "1999-12-31", "2101-01-01", "9999-12-31"])
def test_a_date_outside_the_range_is_a_vietnamese_form_error(value):
    form = Period({"start": value})
    assert not form.is_valid()
    assert form.errors["start"] == [OUT_OF_RANGE]


@pytest.mark.parametrize("value", ["2026-02-30", "17/13/2026", "99999-01-01", "'\x00"])
def test_a_date_that_is_no_date_is_a_vietnamese_form_error(value):
    form = Period({"start": value})
    assert not form.is_valid()
    assert form.errors["start"] == ["Ngày không hợp lệ."]


def test_a_moment_on_a_day_outside_the_range_is_refused():
    assert not Period({"at": "0001-01-01T00:00:00+07:00"}).is_valid()
    assert not Period({"at": "9999-12-31T23:59:59+07:00"}).is_valid()
    assert Period({"at": "2026-11-17T09:00:00+07:00"}).is_valid()


def test_the_date_picker_offers_only_the_range():
    html = str(Period()["start"])
    assert 'type="date"' in html
    assert f'min="{EARLIEST_DATE.isoformat()}"' in html
    assert f'max="{LATEST_DATE.isoformat()}"' in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ngay=2026-11-18", dt.date(2026, 11, 18)),
        ("ngay=9999-12-31", None),
        ("ngay=0001-01-01", None),
        ("ngay=18/11/2026", None),
        ("ngay=", None),
        ("", None),
    ],
)
def test_a_date_in_a_link_is_read_or_ignored(query, expected):
    assert query_date(QueryDict(query), "ngay") == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("thon=12", 12),
        ("thon=9223372036854775807", 2**63 - 1),
        ("thon=9223372036854775808", None),
        ("thon=99999999999999999999", None),
        ("thon=0", None),
        ("thon=-1", None),
        ("thon=%D9%A3", None),  # an Arabic-Indic digit: isdigit() says yes, an id it is not
        ("thon=1e3", None),
        ("", None),
    ],
)
def test_an_id_in_a_query_string_is_a_positive_bigint_or_nothing(query, expected):
    assert query_id(QueryDict(query), "thon") == expected
