""" "Sắp đến hạn" and "Có nguy cơ trễ" tell an officer the truth: one rule
(`deadlines.assess`, docs/decisions/0017) for the tabs, the badge and the periodic job, in
working time (office hours, weekends and holidays skipped), on a frozen clock.

The world's procedure: 5 working days, steps 0.5 (reception) + 3.5 (examination) + 1 (leader).
Office hours 07:30-11:30 and 13:30-17:00: one working day is 7.5 hours.
"""

from decimal import Decimal

import pytest

from motcua.dossiers import deadlines, selectors, services
from motcua.dossiers.models import DossierFlag, Status
from motcua.dossiers.tasks import watch_deadlines

from .factories import at, make_procedure, receive

pytestmark = pytest.mark.django_db
URL = "/can-bo/ho-so/"


def warning(dossier, now):
    return selectors.warnings(type(dossier).objects.filter(pk=dossier.pk), now=now)[dossier.pk]


def pks(qs) -> set[int]:
    return set(qs.values_list("pk", flat=True))


def badge(client, dossier) -> str:
    html = client.get(f"{URL}{dossier.pk}/").content.decode()
    return html.split('data-testid="deadline-badge">', 1)[1].split("<", 1)[0]


def on_plan(world, received=None):
    """Received Monday 2/11 09:00 (due Monday 9/11 17:00; the reception step closes then);
    examination done and submitted Friday 6/11 10:00 (its own due: Friday 17:00): only the
    leader's 1-day step is left, due Monday 17:00."""
    d = receive(world, received or at(2026, 11, 2, 9))
    services.start_processing(
        world.officer, dossier_id=d.pk, assignee=world.specialist, at=at(2026, 11, 2, 9, 30)
    )
    services.submit_for_approval(world.specialist, dossier_id=d.pk, at=at(2026, 11, 6, 10))
    return d


def test_working_time_skips_the_night_lunch_and_weekend(world):
    friday_4pm, monday_1130 = at(2026, 11, 6, 16), at(2026, 11, 9, 11, 30)
    assert deadlines.working_time_between(friday_4pm, monday_1130) == Decimal(5) / Decimal("7.5")
    assert deadlines.working_time_between(at(2026, 11, 2, 12), at(2026, 11, 2, 13, 30)) == 0
    assert deadlines.working_time_between(at(2026, 11, 2, 7, 30), at(2026, 11, 2, 17)) == 1
    assert deadlines.working_time_between(monday_1130, friday_4pm) == 0


def test_just_received_is_neither_due_soon_nor_at_risk(client, world, clock):
    clock.set(at(2026, 11, 2, 9, 0))
    five_days = receive(world, at(2026, 11, 2, 9, 0))
    one_day = receive(
        world,
        at(2026, 11, 2, 14, 0),
        procedure=make_procedure(world.province, days="1", steps=False),
    )
    clock.set(
        at(
            2026,
            11,
            2,
            14,
            0,
        )
    )
    for d in (five_days, one_day):
        w = warning(d, clock())
        assert not w.due_soon and not w.at_risk and not w.overdue
    assert not pks(selectors.due_soon(world.manager)) & {five_days.pk, one_day.pk}
    assert not pks(selectors.at_risk(world.manager))
    client.force_login(world.manager)
    assert badge(client, one_day) == "Trong hạn"
    assert watch_deadlines(now=clock())["flagged"] == 0


def test_one_day_procedure_becomes_due_soon_once_half_its_time_is_gone(world, clock):
    # received Monday 14:00, due Tuesday 17:00: 3 h + 7.5 h = 10.5 h of office time
    d = receive(
        world,
        at(2026, 11, 2, 14, 0),
        procedure=make_procedure(world.province, days="1", steps=False),
    )
    assert not warning(d, at(2026, 11, 3, 8, 0)).due_soon  # 6.5 h left: within a day, not half
    assert warning(d, at(2026, 11, 3, 11, 0)).due_soon  # 4 h left of 10.5 h


def test_one_working_day_left_with_work_remaining_is_due_soon(client, world, clock):
    d = on_plan(world)
    clock.set(at(2026, 11, 9, 9, 0))  # Monday: 2.5 h + 3.5 h = 0.8 working day left
    w = warning(d, clock())
    assert w.due_soon and w.about == "dossier" and not w.at_risk
    assert pks(selectors.due_soon(world.leader)) == {d.pk}
    assert not pks(selectors.at_risk(world.leader))
    client.force_login(world.leader)
    assert badge(client, d) == "Sắp đến hạn"
    # the day before it was not: Friday 09:00 leaves 6 h + 7.5 h
    assert not warning(d, at(2026, 11, 6, 9, 0)).due_soon


def test_open_step_past_its_own_due_date_is_at_risk(client, world, clock):
    # ten working days; the examination step is due Friday 6/11 17:00 and is not done
    ten_days = make_procedure(world.province, days="10")
    d = receive(world, at(2026, 11, 2, 9), procedure=ten_days)
    clock.set(at(2026, 11, 9, 9, 0))  # Monday: the dossier itself is due Monday 16/11
    w = warning(d, clock())
    assert w.at_risk and w.about == "step" and not w.overdue and not w.due_soon
    assert pks(selectors.at_risk(world.leader)) == {d.pk}
    client.force_login(world.leader)
    assert badge(client, d) == "Có nguy cơ trễ: bước xử lý quá hạn"
    assert watch_deadlines(now=clock())["flagged"] == 1
    assert DossierFlag.objects.get(cleared_at=None).dossier_id == d.pk
    # the step gets done: the job clears the flag, the tab and the badge agree
    services.start_processing(world.officer, dossier_id=d.pk, at=at(2026, 11, 9, 9, 5))
    services.submit_for_approval(world.specialist, dossier_id=d.pk, at=at(2026, 11, 9, 9, 10))
    clock.set(at(2026, 11, 9, 9, 30))
    assert not pks(selectors.at_risk(world.leader))
    assert watch_deadlines(now=clock())["cleared"] == 1
    assert badge(client, d) == "Trong hạn"


def test_too_little_time_for_the_steps_still_to_come_is_at_risk(world):
    # a pause moved the open step's own due date later than the plan can afford
    w = deadlines.assess(
        now=at(2026, 11, 9, 9),
        status=Status.PROCESSING,
        due_at=at(2026, 11, 9, 17),
        received_at=at(2026, 11, 2, 9),
        unit=world.commune,
        step_due_at=at(2026, 11, 9, 11, 30),
        later_steps_days=Decimal(1),
    )
    assert w.at_risk and w.about == "dossier" and w.due_soon


def test_friday_afternoon_counts_working_time_across_the_weekend(world, clock):
    quick = make_procedure(world.province, days="2.5", steps=False)
    monday_noon = receive(world, at(2026, 11, 4, 9), procedure=quick)  # due Monday 9/11 11:30
    assert monday_noon.due_at_current == at(2026, 11, 9, 11, 30)
    tuesday = receive(
        world, at(2026, 11, 4, 9), procedure=make_procedure(world.province, days="4", steps=False)
    )
    clock.set(at(2026, 11, 6, 16, 0))  # Friday 16:00: 68 hours but only 5 office hours away
    assert pks(selectors.due_soon(world.officer)) == {monday_noon.pk}
    assert tuesday.pk not in pks(selectors.due_soon(world.officer))
    # Friday morning the Monday dossier still had a working day and a half
    assert not warning(monday_noon, at(2026, 11, 6, 8, 0)).due_soon


def test_paused_and_overdue_dossiers_are_not_warned_as_soon_or_at_risk(world, clock):
    paused = receive(world, at(2026, 11, 2, 9))
    services.request_supplement(
        world.officer,
        dossier_id=paused.pk,
        items=["Giấy chứng sinh"],
        reason="Thiếu",
        at=at(2026, 11, 2, 10),
    )
    late = receive(world, at(2026, 10, 1, 9))
    clock.set(at(2026, 11, 9, 16))
    assert warning(paused, clock()) == deadlines.CALM
    w = warning(late, clock())
    assert w.overdue and not w.at_risk and not w.due_soon
    assert not pks(selectors.at_risk(world.officer)) & {paused.pk, late.pk}
    assert pks(selectors.overdue(world.officer)) == {late.pk}


def test_worklist_page_explains_the_two_warnings(client, world, clock):
    client.force_login(world.specialist)
    html = client.get(URL).content.decode()
    assert "Sắp đến hạn" in html and "không quá một ngày làm việc" in html
    assert "nguy cơ trễ" in html
