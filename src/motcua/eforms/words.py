"""Dates in Vietnamese words, as the civil-status forms ask ("ghi bằng chữ")."""

from __future__ import annotations

import datetime as dt

_DIGITS = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]


def _under_100(n: int) -> str:
    if n < 10:
        return _DIGITS[n]
    if n < 20:
        unit = n % 10
        return "mười" if unit == 0 else "mười " + ("lăm" if unit == 5 else _DIGITS[unit])
    tens, unit = divmod(n, 10)
    head = f"{_DIGITS[tens]} mươi"
    if unit == 0:
        return head
    return f"{head} " + {1: "mốt", 4: "tư", 5: "lăm"}.get(unit, _DIGITS[unit])


def _under_1000(n: int, *, full: bool) -> str:
    hundreds, rest = divmod(n, 100)
    if not full and hundreds == 0:
        return _under_100(rest)
    head = f"{_DIGITS[hundreds]} trăm"
    if rest == 0:
        return head
    if rest < 10:
        return f"{head} linh {_DIGITS[rest]}"
    return f"{head} {_under_100(rest)}"


def number(n: int) -> str:
    """0..9999 in words: 2026 -> "hai nghìn không trăm hai mươi sáu"."""
    if not 0 <= n <= 9999:
        raise ValueError(n)
    thousands, rest = divmod(n, 1000)
    if thousands == 0:
        return _under_1000(rest, full=False)
    head = f"{_DIGITS[thousands]} nghìn"
    return head if rest == 0 else f"{head} {_under_1000(rest, full=True)}"


def date_in_words(day: dt.date) -> str:
    """20/11/2026 -> "Ngày hai mươi, tháng mười một, năm hai nghìn không trăm hai mươi sáu"."""
    month = "tư" if day.month == 4 else number(day.month)
    return f"Ngày {number(day.day)}, tháng {month}, năm {number(day.year)}"
