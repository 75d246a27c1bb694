"""The periodic job warns about dossiers at risk and records overdue dossiers that got no
apology letter; running it again changes nothing."""

import pytest

from motcua.dossiers import selectors, services
from motcua.dossiers.models import DossierFlag, Violation
from motcua.dossiers.tasks import watch_deadlines

from .factories import at, make_procedure, receive

pytestmark = pytest.mark.django_db


def test_dossier_whose_open_step_is_late_is_flagged_once(world):
    ten_days = make_procedure(world.province, days="10")  # due Mon 16/11 when received 2/11
    quiet = receive(world, at(2026, 11, 2, 9), procedure=ten_days)  # examination due Fri 6/11
    busy = receive(world, at(2026, 11, 2, 9), procedure=ten_days)
    services.start_processing(world.officer, dossier_id=busy.pk, at=at(2026, 11, 2, 10))
    services.submit_for_approval(world.specialist, dossier_id=busy.pk, at=at(2026, 11, 2, 14))
    relaxed = receive(world, at(2026, 11, 5, 9), procedure=ten_days)  # examination due 11/11
    now = at(2026, 11, 9, 10)  # Monday
    assert watch_deadlines(now=now)["flagged"] == 1
    assert watch_deadlines(now=now)["flagged"] == 0
    flag = DossierFlag.objects.get()
    assert flag.dossier_id == quiet.pk
    assert {d.pk for d in selectors.at_risk(world.leader, now=now)} == {quiet.pk}
    assert relaxed.pk not in {d.pk for d in selectors.at_risk(world.leader, now=now)}


def test_a_flag_clears_when_the_risk_is_gone(world):
    dossier = receive(world, at(2026, 11, 2, 9))
    services.start_processing(world.officer, dossier_id=dossier.pk, at=at(2026, 11, 2, 10))
    # examination was due Fri 6/11 17:00 and is still open on Monday: at risk
    assert watch_deadlines(now=at(2026, 11, 9, 9))["flagged"] == 1
    services.extend_with_apology(
        world.specialist,
        dossier_id=dossier.pk,
        reason="Chờ kết quả xác minh",
        new_due_at=at(2026, 11, 16, 17),
        at=at(2026, 11, 9, 9, 30),
    )
    services.finish_step(world.specialist, dossier_id=dossier.pk, at=at(2026, 11, 9, 9, 45))
    result = watch_deadlines(now=at(2026, 11, 9, 10))
    assert result["cleared"] == 1 and result["flagged"] == 0
    assert not selectors.at_risk(world.leader, now=at(2026, 11, 9, 10)).exists()


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
