"""Rules no path may break: nothing "finished" while a step is open, no result returned without
a result document, no refusal/stop/withdrawal without its letter, no extension without reason."""

import pytest
from django.core.exceptions import ValidationError

from motcua.dossiers import services
from motcua.dossiers.models import Dossier, DossierDocument, Status
from motcua.dossiers.workflow import InvariantBroken

from .factories import at, attach, drive_to, finish_all_steps

pytestmark = pytest.mark.django_db
Kind = DossierDocument.Kind


def test_dossier_cannot_be_marked_finished_before_the_leader_approved(world):
    dossier = drive_to(world, Status.PROCESSING)
    attach(world, dossier, Kind.RESULT)
    with pytest.raises(InvariantBroken, match="lãnh đạo phê duyệt"):
        services.mark_result_ready(world.specialist, dossier_id=dossier.pk)
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING and dossier.finished_at is None


def test_dossier_cannot_be_marked_finished_while_two_processing_steps_are_open(world):
    from decimal import Decimal

    from motcua.catalog.models import ProcessStep

    from .factories import make_procedure, receive

    procedure = make_procedure(world.province, steps=False, name="Chứng thực")
    for order, name in ((1, "Kiểm tra"), (2, "Dự thảo")):
        ProcessStep.objects.create(procedure=procedure, order=order, name=name, days=Decimal(1))
    dossier = receive(world, procedure=procedure)
    services.start_processing(world.officer, dossier_id=dossier.pk, assignee=world.specialist)
    attach(world, dossier, Kind.RESULT)
    with pytest.raises(InvariantBroken, match="còn bước xử lý chưa hoàn thành"):
        services.mark_result_ready(world.specialist, dossier_id=dossier.pk)
    assert Dossier.objects.get(pk=dossier.pk).status == Status.PROCESSING


def test_result_cannot_be_ready_or_returned_without_a_result_document(world):
    dossier = drive_to(world, Status.APPROVED)
    with pytest.raises(InvariantBroken, match="văn bản kết quả"):
        services.mark_result_ready(world.specialist, dossier_id=dossier.pk)
    assert Dossier.objects.get(pk=dossier.pk).status == Status.APPROVED


def test_returning_needs_the_result_even_if_it_was_lost_after_being_ready(world):
    dossier = drive_to(world, Status.RESULT_READY)
    dossier.documents.filter(kind=Kind.RESULT).delete()  # e.g. removed by an operator
    with pytest.raises(InvariantBroken, match="văn bản kết quả"):
        services.return_result(world.officer, dossier_id=dossier.pk, delivery="counter")
    assert Dossier.objects.get(pk=dossier.pk).status == Status.RESULT_READY


@pytest.mark.parametrize(
    ("status", "verb", "letter"),
    [
        (Status.SUBMITTED, "refuse", Kind.REFUSAL_LETTER),
        (Status.PROCESSING, "stop", Kind.STOP_LETTER),
        (Status.PROCESSING, "withdraw", Kind.WITHDRAWAL_REQUEST),
    ],
)
def test_refusal_stop_and_withdrawal_need_their_letter_attached(world, status, verb, letter):
    dossier = drive_to(world, status)
    call = getattr(services, verb)
    actor = world.specialist if verb == "stop" else world.officer
    with pytest.raises(InvariantBroken, match="Cần đính kèm"):
        call(actor, dossier_id=dossier.pk, reason="Lý do cụ thể")
    assert Dossier.objects.get(pk=dossier.pk).status == status
    attach(world, dossier, letter)
    done = call(actor, dossier_id=dossier.pk, reason="Lý do cụ thể")
    assert done.status in (Status.REFUSED, Status.STOPPED, Status.WITHDRAWN)


def test_the_wrong_letter_does_not_count(world):
    dossier = drive_to(world, Status.PROCESSING)
    attach(world, dossier, Kind.REFUSAL_LETTER)
    with pytest.raises(InvariantBroken):
        services.stop(world.specialist, dossier_id=dossier.pk, reason="Có tranh chấp")


def test_refusal_and_stop_need_a_written_reason(world):
    dossier = drive_to(world, Status.SUBMITTED)
    attach(world, dossier, Kind.REFUSAL_LETTER)
    with pytest.raises(ValidationError) as caught:
        services.refuse(world.officer, dossier_id=dossier.pk, reason="   ")
    assert "lý do" in str(caught.value)


def test_extension_needs_a_written_reason(world):
    dossier = drive_to(world, Status.PROCESSING, at(2026, 11, 2, 9))
    with pytest.raises(InvariantBroken, match="lý do bằng văn bản"):
        services.extend_with_apology(
            world.leader,
            dossier_id=dossier.pk,
            reason=" ",
            new_due_at=at(2026, 11, 16, 17),
            at=at(2026, 11, 5, 9),
        )
    assert not dossier.extensions.exists()


def test_no_papers_can_be_attached_to_a_closed_dossier(world):
    from motcua.dossiers.workflow import IllegalTransition

    dossier = drive_to(world, Status.RETURNED)
    with pytest.raises(IllegalTransition):
        attach(world, dossier, Kind.RESULT)


def test_post_delivery_needs_a_tracking_number(world):
    dossier = drive_to(world, Status.RESULT_READY)
    with pytest.raises(ValidationError, match="vận đơn"):
        services.return_result(world.officer, dossier_id=dossier.pk, delivery="post")


def test_citizen_id_must_have_exactly_12_digits(world):
    for bad in ("12345678901", "1234567890123", "00120300456a", ""):
        with pytest.raises(ValidationError) as caught:
            services.receive_at_counter(
                world.officer,
                procedure=world.procedure,
                receiving_unit=world.commune,
                applicant=services.Applicant(name="Nguyễn Văn An", id_number=bad),
            )
        assert "12 chữ số" in str(caught.value)
    assert not Dossier.objects.exists()


def test_a_business_files_with_its_tax_code(world):
    business = services.Applicant(name="Công ty TNHH An Phát", id_number="0201234567", kind=2)
    dossier = services.receive_at_counter(
        world.officer, procedure=world.procedure, receiving_unit=world.commune, applicant=business
    )
    assert dossier.applicant_kind == 2
    with pytest.raises(ValidationError, match="Mã số thuế"):
        services.receive_at_counter(
            world.officer,
            procedure=world.procedure,
            receiving_unit=world.commune,
            applicant=services.Applicant(name="Công ty B", id_number="001203004567x", kind=2),
        )


def test_finished_steps_stay_finished_and_ready_needs_all_closed(world):
    dossier = drive_to(world, Status.PROCESSING)
    finish_all_steps(world, dossier)
    with pytest.raises(InvariantBroken, match="khi lãnh đạo phê duyệt"):
        services.finish_step(world.specialist, dossier_id=dossier.pk)


def test_a_double_submitted_finish_step_closes_only_one_step(world):
    from motcua.dossiers.workflow import IllegalTransition

    dossier = drive_to(world, Status.PROCESSING)
    shown = dossier.version  # the version the specialist's screen was rendered with
    services.finish_step(world.specialist, dossier_id=dossier.pk, expected_version=shown)
    with pytest.raises(IllegalTransition, match="tải lại"):
        services.finish_step(world.specialist, dossier_id=dossier.pk, expected_version=shown)
    # the reception step closed at reception, the examination step now: two, not three
    assert dossier.steps.filter(finished_at__isnull=False).count() == 2


def test_a_procedure_of_another_province_or_a_draft_cannot_be_received(world):
    from motcua.core.models import Unit

    from .factories import make_procedure, receive

    elsewhere = Unit.objects.create(code="01", name="Thành phố Hà Nội", kind="province")
    with pytest.raises(ValidationError, match="không được công bố"):
        receive(world, procedure=make_procedure(elsewhere))
    draft = make_procedure(world.province, is_published=False)
    with pytest.raises(ValidationError, match="không được công bố"):
        receive(world, procedure=draft)
    commune_own = make_procedure(world.commune)
    assert receive(world, procedure=commune_own).status == Status.RECEIVED
