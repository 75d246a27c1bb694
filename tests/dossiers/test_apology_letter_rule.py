"""The apology letter (Mẫu 04) must reach the citizen at least one working day before the
deadline; a late one is recorded as a violation; an apology never makes a dossier on time."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from motcua.dossiers import services
from motcua.dossiers.models import Extension, Violation
from motcua.dossiers.workflow import InvariantBroken

from .factories import at, attach, complete_processing, receive

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossier(world):
    d = receive(world, at(2026, 11, 2, 9))  # due Mon 9/11 17:00
    services.start_processing(world.officer, dossier_id=d.pk, at=at(2026, 11, 2, 10))
    return d


def extend(world, dossier, sent, new_due=None, reason="Cần xác minh thêm tại địa phương"):
    return services.extend_with_apology(
        world.specialist,
        dossier_id=dossier.pk,
        reason=reason,
        new_due_at=new_due or at(2026, 11, 13, 17),
        approved_by=world.leader,
        at=sent,
    )


def test_apology_letter_sent_one_working_day_before_the_deadline_is_timely(world, dossier):
    extended = extend(world, dossier, at(2026, 11, 6, 16))  # Friday, deadline Monday
    extension = Extension.objects.get(dossier=dossier)
    assert extension.is_timely
    assert extension.old_due_at == at(2026, 11, 9, 17)
    assert extended.due_at_current == at(2026, 11, 13, 17)
    assert extended.due_at == extended.due_at_legal == at(2026, 11, 9, 17)
    assert not Violation.objects.exists()


def test_apology_sent_on_the_deadline_day_is_recorded_as_a_violation(world, dossier):
    extend(world, dossier, at(2026, 11, 9, 8))  # Monday morning: less than 1 working day
    assert not Extension.objects.get(dossier=dossier).is_timely
    violation = Violation.objects.get(dossier=dossier)
    assert violation.kind == Violation.Kind.LATE_APOLOGY
    assert violation.due_at_ref == at(2026, 11, 9, 17)


def test_apology_sent_on_the_saturday_before_a_monday_deadline_is_too_late(world, dossier):
    extend(world, dossier, at(2026, 11, 7, 10))  # Saturday: no working day left before Monday
    assert Violation.objects.filter(kind="late_apology").count() == 1


def test_an_apology_does_not_make_a_late_dossier_on_time(world, dossier):
    extend(world, dossier, at(2026, 11, 5, 9))
    complete_processing(world, dossier, at(2026, 11, 12, 9))
    attach(world, dossier, "result")
    done = services.mark_result_ready(world.specialist, dossier_id=dossier.pk, at=at(2026, 11, 12))
    assert done.due_at_current == at(2026, 11, 13, 17)  # within the new appointment...
    assert done.timeliness == "late"  # ...but late against the legal deadline


def test_the_new_appointment_must_be_later_and_a_working_day(world, dossier):
    with pytest.raises(ValidationError, match="sau ngày hẹn hiện tại"):
        extend(world, dossier, at(2026, 11, 5), new_due=at(2026, 11, 9, 10))
    with pytest.raises(ValidationError, match="ngày làm việc"):
        extend(world, dossier, at(2026, 11, 5), new_due=at(2026, 11, 14, 17))  # Saturday
    assert not Extension.objects.exists()


def test_only_one_extension_is_allowed_by_default(world, dossier, settings):
    extend(world, dossier, at(2026, 11, 5))
    with pytest.raises(InvariantBroken, match="không được gia hạn thêm"):
        extend(world, dossier, at(2026, 11, 11), new_due=at(2026, 11, 20, 17))
    settings.MOTCUA_MAX_EXTENSIONS = 2  # a rule version that allows a second one
    extend(world, dossier, at(2026, 11, 11), new_due=at(2026, 11, 20, 17))
    assert Extension.objects.filter(dossier=dossier).count() == 2


def test_a_counter_officer_cannot_issue_the_apology(world, dossier):
    with pytest.raises(PermissionDenied):
        services.extend_with_apology(
            world.officer,
            dossier_id=dossier.pk,
            reason="x",
            new_due_at=at(2026, 11, 13, 17),
            at=at(2026, 11, 5),
        )
