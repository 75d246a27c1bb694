"""Appointment dates in working days across Tết and the government's swap days, per-step
deadlines, and the early / on time / late classification (dates compared, RULES §3)."""

from decimal import Decimal

import pytest

from motcua.dossiers import deadlines, services
from motcua.dossiers.models import Status, Timeliness

from .factories import at, attach, complete_processing, make_procedure, receive

pytestmark = pytest.mark.django_db


def test_dossier_received_the_friday_before_tet_2026_is_due_after_the_holiday(world):
    # Day 0 Fri 13/02; 16-20/02 is Tết; 23, 24, 25, 26, 27 are the five working days.
    dossier = receive(world, at(2026, 2, 13, 10))
    assert dossier.due_at == dossier.due_at_current == dossier.due_at_legal
    assert dossier.due_at == at(2026, 2, 27, 17)


def test_reception_after_15h_counts_from_the_next_working_day(world):
    # Fri 13/02 16:00 -> day 0 is Mon 23/02 (after Tết); 5 days -> Mon 2/3.
    assert receive(world, at(2026, 2, 13, 16)).due_at == at(2026, 3, 2, 17)


def test_the_2025_swap_counts_saturday_26_april_and_skips_friday_2_may(world):
    # Day 0 Fri 25/4; 1 = Sat 26/4 (make-up day), 2 = Mon 28, 3 = Tue 29, then 30/4-4/5 off:
    # 4 = Mon 5/5, 5 = Tue 6/5.
    assert receive(world, at(2025, 4, 25, 9)).due_at == at(2025, 5, 6, 17)


def test_online_dossier_gets_the_shorter_online_time(world):
    online = services.submit_online(
        None,
        procedure=world.procedure,
        receiving_unit=world.commune,
        applicant=services.Applicant(name="Trần Văn Bình", id_number="031099000111"),
        at=at(2026, 2, 13, 8),
    )
    accepted = services.accept_online(world.officer, dossier_id=online.pk, at=at(2026, 2, 13, 10))
    assert accepted.processing_days == Decimal("4")
    assert accepted.due_at == at(2026, 2, 26, 17)  # one day earlier than at the counter


def test_procedure_in_calendar_days_moves_a_holiday_due_date_to_the_next_working_day(world):
    procedure = make_procedure(
        world.province, days="3", online_days=None, steps=False, time_unit="calendar_day"
    )
    # Day 0 Thu 12/02, +3 calendar days = Sun 15/02 -> next working day Mon 23/02.
    assert receive(world, at(2026, 2, 12, 9), procedure=procedure).due_at == at(2026, 2, 23, 17)


def test_each_step_gets_its_own_internal_deadline_from_the_templates(world):
    dossier = receive(world, at(2026, 11, 2, 9))  # Monday
    dues = list(dossier.steps.order_by("order").values_list("due_at", flat=True))
    # 0.5 -> Tue 11:30; 0.5 + 3.5 = 4 -> Fri 6/11 17:00; 5 -> Mon 9/11 17:00 (= the dossier)
    assert dues == [at(2026, 11, 3, 11, 30), at(2026, 11, 6, 17), at(2026, 11, 9, 17)]
    assert dues[-1] == dossier.due_at
    first = dossier.steps.get(order=1)
    assert first.started_at == at(2026, 11, 2, 9) and first.department.kind == "service_centre"
    assert dossier.steps.get(order=2).department.kind == "culture_society"


def test_procedure_without_step_templates_gets_one_step_for_the_whole_time(world):
    procedure = make_procedure(world.province, steps=False)
    dossier = receive(world, at(2026, 11, 2, 9), procedure=procedure)
    assert dossier.steps.count() == 1
    assert dossier.steps.get().due_at == dossier.due_at


def test_timeliness_compares_dates_not_hours():
    due = at(2026, 2, 27, 17)
    assert deadlines.classify(at(2026, 2, 26, 16), due) == Timeliness.EARLY
    assert deadlines.classify(at(2026, 2, 27, 8), due) == Timeliness.ON_TIME
    assert deadlines.classify(at(2026, 2, 27, 17, 30), due) == Timeliness.ON_TIME
    assert deadlines.classify(at(2026, 3, 2, 8), due) == Timeliness.LATE


@pytest.mark.parametrize(
    ("finished", "expected"),
    [
        (at(2026, 2, 26, 10), "early"),
        (at(2026, 2, 27, 16), "on_time"),
        (at(2026, 3, 2, 9), "late"),
    ],
)
def test_dossier_finished_is_classified_against_its_appointment(world, finished, expected):
    dossier = receive(world, at(2026, 2, 13, 10))
    services.start_processing(world.officer, dossier_id=dossier.pk, at=at(2026, 2, 13, 11))
    complete_processing(world, dossier, at(2026, 2, 25, 9))
    attach(world, dossier, "result")
    done = services.mark_result_ready(world.specialist, dossier_id=dossier.pk, at=finished)
    assert done.status == Status.RESULT_READY
    assert done.timeliness == expected and done.finished_at == finished


def test_due_within_one_working_day_spans_the_weekend(world):
    friday = receive(world, at(2026, 11, 2, 9), procedure=make_procedure(world.province, days="4"))
    monday = receive(world, at(2026, 11, 2, 9))  # due Mon 9/11
    later = receive(world, at(2026, 11, 4, 9))  # due Wed 11/11
    from motcua.dossiers.models import Dossier

    qs = Dossier.objects.all()
    now = at(2026, 11, 6, 8)  # Friday morning
    soon = set(deadlines.due_within(qs, 1, now=now).values_list("pk", flat=True))
    assert soon == {friday.pk, monday.pk}
    assert later.pk not in soon
    late = set(deadlines.overdue(qs, now=at(2026, 11, 9, 18)).values_list("pk", flat=True))
    assert late == {friday.pk, monday.pk}
    assert deadlines.is_overdue(Dossier.objects.get(pk=friday.pk), at(2026, 11, 7, 9))
