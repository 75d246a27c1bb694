"""The periodic job warns about dossiers at risk and records overdue dossiers that got no
apology letter; running it again changes nothing."""

import pytest

from motcua.dossiers import selectors, services
from motcua.dossiers.models import DossierFlag, Violation
from motcua.dossiers.tasks import watch_deadlines

from .factories import at, receive

pytestmark = pytest.mark.django_db


def test_dossier_due_within_two_working_days_without_progress_is_flagged_once(world):
    quiet = receive(world, at(2026, 11, 2, 9))  # due Mon 9/11, nothing done since Monday
    busy = receive(world, at(2026, 11, 2, 9))
    services.start_processing(world.officer, dossier_id=busy.pk, at=at(2026, 11, 5, 14))
    relaxed = receive(world, at(2026, 11, 5, 9))  # due Thu 12/11
    now = at(2026, 11, 5, 16)  # Thursday: Fri and Mon are the next 2 working days
    assert watch_deadlines(now=now)["flagged"] == 1
    assert watch_deadlines(now=now)["flagged"] == 0
    flag = DossierFlag.objects.get()
    assert flag.dossier_id == quiet.pk
    assert {d.pk for d in selectors.at_risk(world.leader)} == {quiet.pk}
    assert relaxed.pk not in {d.pk for d in selectors.at_risk(world.leader)}


def test_a_flag_clears_when_the_deadline_moves(world):
    dossier = receive(world, at(2026, 11, 2, 9))
    services.start_processing(world.officer, dossier_id=dossier.pk, at=at(2026, 11, 2, 10))
    watch_deadlines(now=at(2026, 11, 5, 16))
    services.extend_with_apology(
        world.specialist,
        dossier_id=dossier.pk,
        reason="Chờ kết quả xác minh",
        new_due_at=at(2026, 11, 16, 17),
        at=at(2026, 11, 5, 16, 30),
    )
    result = watch_deadlines(now=at(2026, 11, 5, 17))
    assert result["cleared"] == 1
    assert not selectors.at_risk(world.leader).exists()


def test_overdue_dossier_without_apology_is_a_violation_recorded_once(world):
    late = receive(world, at(2026, 11, 2, 9))  # due 9/11
    apologised = receive(world, at(2026, 11, 2, 9))
    services.start_processing(world.officer, dossier_id=apologised.pk, at=at(2026, 11, 2, 10))
    services.extend_with_apology(
        world.specialist,
        dossier_id=apologised.pk,
        reason="Chờ ý kiến cơ quan phối hợp",
        new_due_at=at(2026, 11, 10, 17),
        at=at(2026, 11, 5, 9),
    )
    now = at(2026, 11, 10, 9)
    assert watch_deadlines(now=now)["missing_apology"] == 1
    assert watch_deadlines(now=now)["missing_apology"] == 0
    violation = Violation.objects.get(kind="missing_apology")
    assert violation.dossier_id == late.pk
    assert {v.dossier_id for v in selectors.violations(world.manager)} == {late.pk}
    assert not selectors.violations(world.other_leader).exists()
    # past its new appointment too, the apologised dossier now also misses an apology
    assert watch_deadlines(now=at(2026, 11, 11, 9))["missing_apology"] == 1
