"""Every allowed move of the one state machine, and that every other move is refused with a
Vietnamese reason (views answer 409 with it)."""

import pytest

from motcua.dossiers import services, workflow
from motcua.dossiers.models import Dossier, DossierEvent, DossierStep, Status
from motcua.dossiers.workflow import TERMINAL, TRANSITIONS, IllegalTransition

from .factories import at, attach, drive_to, receive

pytestmark = pytest.mark.django_db
REACHABLE = [
    Status.SUBMITTED,
    Status.RECEIVED,
    Status.REFUSED,
    Status.PROCESSING,
    Status.AWAITING_SUPPLEMENT,
    Status.AWAITING_FINANCIAL_OBLIGATION,
    Status.WITHDRAWN,
    Status.STOPPED,
    Status.RESULT_READY,
    Status.RETURNED,
    Status.AWAITING_APPROVAL,
    Status.APPROVED,
    Status.TRANSFERRING,
]


def test_every_status_is_reachable_through_the_services(world):
    for status in REACHABLE:
        assert drive_to(world, status).status == status


@pytest.mark.parametrize("status", REACHABLE, ids=lambda s: Status(s).name)
def test_actions_not_allowed_from_a_status_are_refused_with_a_reason(world, status):
    dossier = drive_to(world, status)
    events = DossierEvent.objects.filter(dossier=dossier).count()
    refused = [a for a in TRANSITIONS if a not in workflow.allowed_actions(status)]
    assert refused, "every status refuses something"
    for action in refused:
        with pytest.raises(IllegalTransition) as caught:
            services.transition(dossier.pk, action=action, actor=world.manager)
        assert caught.value.reason
        if status in TERMINAL:
            assert "đã kết thúc" in caught.value.reason
        else:
            assert "Không thể" in caught.value.reason
    dossier.refresh_from_db()
    assert dossier.status == status
    assert DossierEvent.objects.filter(dossier=dossier).count() == events


def test_actions_with_effects_cannot_be_run_as_a_bare_transition(world):
    dossier = drive_to(world, Status.APPROVED)
    with pytest.raises(TypeError, match="verb"):
        services.transition(dossier.pk, action="mark_result_ready", actor=world.specialist)
    assert Dossier.objects.get(pk=dossier.pk).status == Status.APPROVED


def test_terminal_statuses_have_no_way_out():
    for action, (sources, _target) in TRANSITIONS.items():
        assert not (sources & TERMINAL), action
    for status in TERMINAL:
        assert workflow.allowed_actions(status) == []


def test_national_status_maps_internal_steps_to_in_processing(world):
    dossier = drive_to(world, Status.AWAITING_APPROVAL)
    assert dossier.national_status == 4
    assert drive_to(world, Status.APPROVED).national_status == 4
    assert drive_to(world, Status.TRANSFERRING).national_status == 4
    assert drive_to(world, Status.RESULT_READY).national_status == 9


def test_counter_dossier_goes_from_reception_to_returned_result(world):
    dossier = receive(world, at(2026, 11, 2, 9))
    assert dossier.status == Status.RECEIVED
    assert dossier.national_channel == 1
    pk = dossier.pk
    services.start_processing(
        world.officer, dossier_id=pk, assignee=world.specialist, at=at(2026, 11, 2, 10)
    )
    services.submit_for_approval(world.specialist, dossier_id=pk, at=at(2026, 11, 4, 9))
    services.approve(world.leader, dossier_id=pk, at=at(2026, 11, 4, 10))
    attach(world, dossier, "result", signed=True)
    services.mark_result_ready(world.specialist, dossier_id=pk, at=at(2026, 11, 4, 11))
    done = services.return_result(
        world.officer, dossier_id=pk, delivery="post", tracking_number="EB123", at=at(2026, 11, 5)
    )
    assert done.status == Status.RETURNED
    assert done.timeliness == "early"  # due Monday 9/11, finished Wednesday 4/11
    assert done.result_signed and done.postal_tracking_number == "EB123"
    actions = list(done.events.order_by("id").values_list("action", flat=True))
    assert actions == [
        "receive",
        "start_processing",
        "submit_for_approval",
        "approve",
        "mark_result_ready",
        "return_result",
    ]
    assert done.current_event.action == "return_result"
    steps = list(
        DossierStep.objects.filter(dossier=done).values_list(
            "stage", "assignee", "started_at", "finished_at", "result"
        )
    )
    # each step closed by the person who did it, when they did it (the control sheet's rows)
    assert steps == [
        ("reception", world.officer.pk, at(2026, 11, 2, 9), at(2026, 11, 2, 9), "early"),
        ("processing", world.specialist.pk, at(2026, 11, 2, 9), at(2026, 11, 4, 9), "early"),
        ("approval", world.leader.pk, at(2026, 11, 4, 9), at(2026, 11, 4, 10), "early"),
    ]


def test_online_dossier_is_accepted_then_counts_the_shorter_online_time(world):
    dossier = services.submit_online(
        None,
        procedure=world.procedure,
        receiving_unit=world.commune,
        applicant=services.Applicant(name="Nguyễn Thị Bình", id_number="079188001234"),
        at=at(2026, 11, 2, 8),
    )
    assert dossier.status == Status.SUBMITTED and dossier.due_at is None
    assert dossier.national_channel == 2 and dossier.fee_total_vnd == 0
    accepted = services.accept_online(world.officer, dossier_id=dossier.pk, at=at(2026, 11, 2, 9))
    assert accepted.status == Status.RECEIVED
    assert accepted.due_at == at(2026, 11, 6, 17)  # 4 online working days, not 5
    assert accepted.received_at == at(2026, 11, 2, 9)


def test_leader_sends_a_draft_back_and_the_financial_obligation_round_trip(world):
    dossier = drive_to(world, Status.AWAITING_APPROVAL)
    back = services.send_back(world.leader, dossier_id=dossier.pk, reason="Sai họ tên")
    assert back.status == Status.PROCESSING
    asked = services.request_financial_obligation(
        world.specialist, dossier_id=dossier.pk, amount_vnd=120000
    )
    assert asked.status == Status.AWAITING_FINANCIAL_OBLIGATION
    paid = services.confirm_payment(world.officer, dossier_id=dossier.pk, paid_online=True)
    assert paid.status == Status.PROCESSING and paid.paid_online


def test_only_a_leader_of_the_competent_unit_approves(world):
    from django.core.exceptions import PermissionDenied

    dossier = drive_to(world, Status.AWAITING_APPROVAL)
    for not_leader in (world.specialist, world.officer, world.other_leader):
        with pytest.raises(PermissionDenied):
            services.approve(not_leader, dossier_id=dossier.pk)
    assert Dossier.objects.get(pk=dossier.pk).status == Status.AWAITING_APPROVAL


def test_staff_of_another_unit_cannot_act_on_a_dossier(world):
    from django.core.exceptions import PermissionDenied

    dossier = drive_to(world, Status.RECEIVED)
    with pytest.raises(PermissionDenied):
        services.start_processing(world.other_officer, dossier_id=dossier.pk)


def test_transfer_to_another_commune_waits_for_its_acknowledgement(world):
    from django.core.exceptions import PermissionDenied

    dossier = drive_to(world, Status.PROCESSING)
    moved = services.transfer_to_unit(
        world.manager, dossier_id=dossier.pk, to_unit=world.other, reason="Đúng thẩm quyền xã B"
    )
    assert moved.status == Status.TRANSFERRING and moved.competent_unit == world.other
    assert moved.competent_received_at is None
    with pytest.raises(PermissionDenied):  # the sending unit cannot acknowledge for B
        services.acknowledge_transfer(world.officer, dossier_id=dossier.pk)
    done = services.acknowledge_transfer(
        world.other_officer, dossier_id=dossier.pk, at=at(2026, 11, 3, 9)
    )
    assert done.status == Status.RECEIVED
    assert done.competent_received_at == at(2026, 11, 3, 9)
    assert not done.steps.filter(finished_at__isnull=True).exclude(unit=world.other).exists()


def test_boundary_free_reception_waits_for_the_competent_commune(world):
    dossier = receive(world, competent_unit=world.other)
    assert dossier.status == Status.TRANSFERRING
    assert dossier.receiving_unit == world.commune and dossier.competent_unit == world.other
    assert dossier.code.startswith(world.commune.agency_code)
    done = services.acknowledge_transfer(world.other_officer, dossier_id=dossier.pk)
    assert done.status == Status.RECEIVED


def test_every_transition_writes_one_event_and_one_audit_row(world):
    from motcua.core.models import AuditEvent

    dossier = drive_to(world, Status.RETURNED)
    events = DossierEvent.objects.filter(dossier=dossier).count()
    audits = AuditEvent.objects.filter(
        object_type="dossiers.dossier", object_id=str(dossier.pk), action__startswith="dossier."
    ).exclude(action="dossier.attach_document")
    assert events == audits.count() == dossier.version


def test_after_commit_hooks_see_each_transition(world, django_capture_on_commit_callbacks):
    seen = []
    hook = services.on_transition(seen.append)
    try:
        dossier = drive_to(world, Status.RECEIVED)
        with django_capture_on_commit_callbacks(execute=True):
            services.start_processing(world.officer, dossier_id=dossier.pk)
    finally:
        services._HOOKS.remove(hook)
    assert [(i.action, i.from_status, i.to_status) for i in seen] == [
        ("start_processing", Status.RECEIVED, Status.PROCESSING)
    ]


def test_finished_dossier_steps_leave_nothing_open(world):
    dossier = drive_to(world, Status.RETURNED)
    assert not dossier.steps.filter(finished_at__isnull=True).exists()


def test_a_transition_costs_a_small_fixed_number_of_queries(world, django_assert_max_num_queries):
    dossier = drive_to(world, Status.AWAITING_APPROVAL)
    world.leader.refresh_from_db()  # a fresh user object: the scope is looked up once
    # 11 for the transition + 7 for the applicant's message (approval is a status change the
    # applicant is told of, decisions/0029): the dossier read for the text, the outbox's
    # idempotency check, its savepoint, row and audit append (chain read + insert); PostgreSQL
    # adds the audit chain's advisory lock to each of the two audit appends; + 4 for the
    # national portal's outbox (decisions/0045): the dossier read with its fee request (one
    # statement), the step history (one statement whatever its length: the events, their
    # actors and the steps they completed), the papers (components), one insert. The
    # supplements and the obligations' payments are read only for a dossier whose history
    # asked for them. SQLite 22, PostgreSQL 24.
    with django_assert_max_num_queries(24):
        services.approve(world.leader, dossier_id=dossier.pk)
