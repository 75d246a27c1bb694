"""Dates "ghi bằng chữ" as the civil-status forms write them."""

import datetime as dt

import pytest

from motcua.eforms.words import date_in_words, number


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (1, "một"),
        (10, "mười"),
        (15, "mười lăm"),
        (21, "hai mươi mốt"),
        (24, "hai mươi tư"),
        (25, "hai mươi lăm"),
        (30, "ba mươi"),
        (1996, "một nghìn chín trăm chín mươi sáu"),
        (2000, "hai nghìn"),
        (2005, "hai nghìn không trăm linh năm"),
        (2010, "hai nghìn không trăm mười"),
        (2026, "hai nghìn không trăm hai mươi sáu"),
    ],
)
def test_numbers_in_words(n, words):
    assert number(n) == words


def test_a_birth_date_in_words():
    assert date_in_words(dt.date(2026, 11, 20)) == (
        "Ngày hai mươi, tháng mười một, năm hai nghìn không trăm hai mươi sáu"
    )
    assert date_in_words(dt.date(2026, 4, 5)).startswith("Ngày năm, tháng tư,")
