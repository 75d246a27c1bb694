"""A supplement request stops the deadline clock; the applicant's re-submission resumes it with
the working days that were left (not a restart, RULES §3)."""

import pytest
from django.core.exceptions import ValidationError

from motcua.dossiers import services
from motcua.dossiers.models import Status, SupplementRequest

from .factories import at, drive_to, receive

pytestmark = pytest.mark.django_db


def test_supplement_pause_then_resume_moves_the_due_date_by_the_paused_working_days(world):
    dossier = receive(world, at(2026, 11, 2, 9))  # due Mon 9/11 17:00
    services.start_processing(world.officer, dossier_id=dossier.pk, at=at(2026, 11, 2, 10))
    paused = services.request_supplement(
        world.specialist,
        dossier_id=dossier.pk,
        items=["Bản sao giấy chứng sinh", "Giấy xác nhận cư trú"],
        reason="Thiếu giấy tờ",
        at=at(2026, 11, 4, 10),  # Wednesday: Thu, Fri, Mon left = 3 working days
    )
    assert paused.status == Status.AWAITING_SUPPLEMENT and paused.national_status == 5
    request = SupplementRequest.objects.get(dossier=dossier)
    assert request.remaining_working_days == 3 and request.stage == "examination"
    resumed = services.resubmit_supplement(None, dossier_id=dossier.pk, at=at(2026, 11, 10, 9))
    # Paused Wed 4/11 -> resumed Tue 10/11: 4 working days later; due Mon 9/11 -> Fri 13/11.
    assert resumed.status == Status.PROCESSING
    assert resumed.due_at_current == at(2026, 11, 13, 17)
    assert resumed.due_at_legal == at(2026, 11, 13, 17)
    assert resumed.due_at == at(2026, 11, 9, 17)  # the receipt's appointment never changes
    # the open steps' internal deadlines moved by the same 4 working days; the reception
    # step closed at reception keeps its own
    assert list(resumed.steps.order_by("order").values_list("due_at", flat=True)) == [
        at(2026, 11, 3, 11, 30),  # closed on Mon 2/11
        at(2026, 11, 12, 17),  # Fri 6/11 + 4
        at(2026, 11, 13, 17),  # Mon 9/11 + 4
    ]
    request.refresh_from_db()
    assert request.resubmitted_at == at(2026, 11, 10, 9)
    assert request.due_at_after == at(2026, 11, 13, 17)


def test_a_pause_over_tet_does_not_eat_working_days(world):
    dossier = receive(world, at(2026, 2, 9, 9))  # Mon 9/2, due Mon 23/2 (Tết 16-20)
    assert dossier.due_at == at(2026, 2, 23, 17)
    services.request_supplement(
        world.officer, dossier_id=dossier.pk, items=["Tờ khai"], reason="Sai", at=at(2026, 2, 12, 9)
    )  # Thu 12/2: 13/2 and 23/2 left = 2 days
    resumed = services.resubmit_supplement(None, dossier_id=dossier.pk, at=at(2026, 2, 24, 9))
    assert resumed.status == Status.RECEIVED  # back where it paused from
    assert resumed.due_at_current == at(2026, 2, 26, 17)


def test_supplement_at_online_reception_has_no_clock_to_pause(world):
    dossier = drive_to(world, Status.SUBMITTED)
    services.request_supplement(
        world.officer, dossier_id=dossier.pk, items=["Ảnh chụp rõ nét"], reason="Mờ"
    )
    request = SupplementRequest.objects.get(dossier=dossier)
    assert request.stage == "reception" and request.remaining_working_days is None
    resumed = services.resubmit_supplement(None, dossier_id=dossier.pk)
    assert resumed.status == Status.SUBMITTED and resumed.due_at is None


def test_supplement_request_lists_every_item_and_a_reason(world):
    dossier = drive_to(world, Status.PROCESSING)
    with pytest.raises(ValidationError, match="đầy đủ"):
        services.request_supplement(
            world.specialist, dossier_id=dossier.pk, items=[" "], reason="x"
        )
    with pytest.raises(ValidationError, match="lý do"):
        services.request_supplement(world.specialist, dossier_id=dossier.pk, items=["a"], reason="")


def test_paused_dossier_is_not_overdue_and_cannot_be_finished(world):
    from motcua.dossiers import deadlines
    from motcua.dossiers.workflow import IllegalTransition

    dossier = drive_to(world, Status.AWAITING_SUPPLEMENT)
    assert not deadlines.is_overdue(dossier, at(2027, 1, 1))
    with pytest.raises(IllegalTransition):
        services.mark_result_ready(world.specialist, dossier_id=dossier.pk)
