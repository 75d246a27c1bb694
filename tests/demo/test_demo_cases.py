"""The demo catalog carries the cases its source text states: birth registration is free on
time and 8.000 đ late at a Hải Phòng counter, never both; papers asked for only in some cases
say so; confidence flags and amounts are those of the reference file."""

import datetime as dt
import io

import pytest
from django.core.management import call_command

from motcua.catalog import cases, publicity
from motcua.catalog.models import Procedure
from motcua.demo.management.commands import load_demo as load_demo_command

pytestmark = pytest.mark.django_db

DEMO_COMMUNE = "11824"
DAY = dt.date(2026, 11, 2)


@pytest.fixture
def catalog():
    call_command(load_demo_command.Command(), stdout=io.StringIO())
    return Procedure.objects.filter(unit__code=DEMO_COMMUNE)


def options(procedure, *, online=False, day=DAY):
    choice = cases.fee_choice(procedure.fees.all(), online=online, day=day)
    return [(o.case, o.total_vnd) for o in choice.options]


def test_birth_registration_cases_come_from_the_source_text(catalog):
    birth = catalog.get(code="1.001193")
    assert birth.confidence == Procedure.Confidence.VERIFIED
    assert options(birth) == [("Đúng hạn hoặc được miễn lệ phí", 0), ("Không đúng hạn", 8000)]
    assert options(birth, online=True) == []  # 0 đ online in Hải Phòng since 08/8/2026
    assert options(birth, online=True, day=dt.date(2026, 8, 7)) == [
        ("Đúng hạn hoặc được miễn lệ phí", 0),
        ("Không đúng hạn", 0),  # the province's amount is stated for in-person filing only
    ]
    conditional = {c.condition: c.name for c in birth.components.all() if c.condition}
    assert set(conditional) == {
        "Trẻ bị bỏ rơi",
        "Trẻ sinh ra do mang thai hộ",
        "Nộp qua người được ủy quyền",
        "Không khai thác được thông tin cư trú",
    }
    assert conditional["Trẻ bị bỏ rơi"].startswith("Biên bản về việc trẻ bị bỏ rơi")
    assert "FEE_CASES" in birth.sources  # the notes say where the cases came from


def test_other_alternatives_are_cases_and_amounts_are_unchanged(catalog):
    assert options(catalog.get(code="1.000656")) == [("Đúng hạn", 0), ("Không đúng hạn", 8000)]
    assert options(catalog.get(code="2.001263")) == [
        ("Không thuộc diện miễn", 400000),
        ("Thuộc diện miễn lệ phí", 0),
    ]
    assert options(catalog.get(code="2.000815")) == [
        ("Bản sao giấy", 2000),
        ("Bản sao điện tử", 0),
    ]


def test_publicity_check_shows_the_death_registration_row_no_source_assigns(catalog):
    flagged = {
        p.code
        for p, problems in publicity.missing_information(catalog)
        if "fee_without_case" in problems
    }
    assert flagged == {"1.000656"}
