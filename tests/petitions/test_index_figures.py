"""The two figures the service index will count (issue 16, group "Satisfaction (18)"), with the
arithmetic stated: which petitions are in each numerator and denominator."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.petitions import selectors, services

from .conftest import at, submit

pytestmark = pytest.mark.django_db

NOVEMBER = (at(2026, 11, 1, 0), at(2026, 12, 1, 0))


def _answer(w, p, when):
    services.assign(p.pk, actor=w.manager, handler=w.handler, now=when)
    services.answer(p.pk, actor=w.handler, text="Đã xử lý xong phản ánh của người dân.", now=when)


def test_on_time_and_satisfied_arithmetic(world):
    w = world
    # 2/11 Monday + 10 working days: due Monday 16/11 17:00
    a = submit(w, when=at(2026, 11, 2))  # answered 10/11: on time; published, rated satisfied
    _answer(w, a, at(2026, 11, 10))
    services.publish(a.pk, actor=w.leader, now=at(2026, 11, 10, 10))
    services.rate(a.code, level="satisfied")
    b = submit(w, when=at(2026, 11, 2))  # answered 20/11: late
    _answer(w, b, at(2026, 11, 20))
    c = submit(w, when=at(2026, 11, 2))  # answered on time, rated "not satisfied"
    _answer(w, c, at(2026, 11, 12))
    services.publish(c.pk, actor=w.leader, now=at(2026, 11, 12, 10))
    services.rate(c.code, level="not_satisfied")
    d = submit(w, when=at(2026, 11, 2))  # answered on time, then filed again (a repeat)
    _answer(w, d, at(2026, 11, 12))
    submit(w, when=at(2026, 11, 25), repeat_of=d.code)  # e: open, due 9/12: still in time
    f = submit(w, when=at(2026, 11, 2))  # open and past 16/11: late
    g = submit(w, when=at(2026, 11, 3))  # closed on 5/11 without an answer: on time
    services.close(g.pk, actor=w.manager, reason="Trùng với phản ánh khác", now=at(2026, 11, 5))
    h = submit(w, when=at(2026, 11, 3))  # transferred away: not counted here
    services.transfer(
        h.pk, actor=w.manager, to_unit=w.other, reason="Thuộc xã khác", now=at(2026, 11, 4)
    )
    submit(w, when=at(2026, 10, 30))  # received in October: outside the period
    now = at(2026, 11, 30, 12)

    # counted: a b c d e f g = 7 (h transferred, the October one outside)
    # on time: a c d (answered by the deadline) + g (closed in time) + e (open, in time) = 5
    # late: b (answered late), f (open, overdue)
    assert selectors.on_time([w.commune.pk], start=NOVEMBER[0], end=NOVEMBER[1], now=now) == (
        selectors.Ratio(5, 7)
    )
    # answered: a b c d = 4; without "not satisfied", a repeat or lateness: a only
    # (b late, c not satisfied, d repeated by e)
    ratio = selectors.satisfied([w.commune.pk], start=NOVEMBER[0], end=NOVEMBER[1])
    assert ratio == selectors.Ratio(1, 4)
    assert ratio.percent == 25.0
    # the other commune counts the petition it received by transfer on 4/11: due 18/11,
    # still open on 30/11: late there
    assert selectors.on_time([w.other.pk], start=NOVEMBER[0], end=NOVEMBER[1], now=now) == (
        selectors.Ratio(0, 1)
    )
    assert selectors.satisfied([w.other.pk], start=NOVEMBER[0], end=NOVEMBER[1]).percent is None
    assert f.pk


def test_no_petitions_is_no_figure_not_zero(world):
    start, end = NOVEMBER
    ratio = selectors.on_time([world.commune.pk], start=start, end=end, now=end + dt.timedelta(1))
    assert ratio == selectors.Ratio(0, 0) and ratio.percent is None
