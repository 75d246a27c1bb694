"""The shared state-machine helper (`core.statemachine`): one lock, check, event, audit, hooks.

The machines here are built in the test over real tables (tickets, dossiers), not the apps'
own: they pin the helper's behaviour, whatever rules the apps' tables hold. Every moment is
passed with `at=` (a working Tuesday, 09:00 in the commune): nothing reads the wall clock.
"""

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import transaction

from motcua.core import calendar
from motcua.core.models import AuditEvent, Unit
from motcua.core.statemachine import NOOP, IllegalTransition, Machine, actor_or_none
from motcua.dossiers import workflow
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.queueing import services
from motcua.queueing.models import Service, Ticket, TicketEvent

VN = ZoneInfo("Asia/Ho_Chi_Minh")
TUESDAY_9AM = dt.datetime(2026, 11, 17, 9, 0, tzinfo=VN)
S = Ticket.Status


def _ticket_event(outcome):
    return TicketEvent(
        ticket=outcome.obj,
        from_status=outcome.move.from_status,
        to_status=outcome.move.to_status,
        action=outcome.move.action,
        at=outcome.at,
    )


def ticket_machine(**extra) -> Machine:
    return Machine(
        name="test-ticket",
        model=Ticket,
        transitions={
            "call": ({S.WAITING}, S.CALLED),
            "note": ({S.WAITING, S.CALLED}, None),
            "give_up": ({S.WAITING, S.CALLED}, S.CANCELLED),
        },
        labels={"call": "Gọi số", "note": "Ghi chú", "give_up": "Huỷ số"},
        terminal={S.CANCELLED},
        statuses=S.values,
        event=_ticket_event,
        audit_prefix="test.ticket_",
        **extra,
    )


@pytest.fixture
def ticket(db, monkeypatch):
    monkeypatch.setattr(services, "now", lambda: TUESDAY_9AM)
    province = Unit.objects.create(code="42", name="Tỉnh Hà Tĩnh", kind=Unit.Kind.PROVINCE)
    commune = Unit.objects.create(
        code="18073", name="Xã Thạch Hà", kind=Unit.Kind.COMMUNE, parent=province
    )
    service = Service.objects.create(unit=commune, code="A", name="Hộ tịch", order=1)
    return services.issue_ticket(unit=commune, service=service, source="kiosk", at=TUESDAY_9AM)


def _traces(ticket) -> tuple[int, int]:
    return (
        TicketEvent.objects.filter(ticket=ticket).count(),
        AuditEvent.objects.filter(action__startswith="test.").count(),
    )


def test_an_allowed_action_writes_one_event_and_one_audit_row(ticket):
    machine = ticket_machine()
    at = TUESDAY_9AM + dt.timedelta(minutes=5)
    outcome = machine.run(ticket.pk, action="call", at=at)
    assert outcome.obj.status == S.CALLED
    assert Ticket.objects.get(pk=ticket.pk).status == S.CALLED
    event = TicketEvent.objects.filter(ticket=ticket).latest("id")
    assert (event.from_status, event.to_status, event.action, event.at) == (
        S.WAITING,
        S.CALLED,
        "call",
        at,
    )
    row = AuditEvent.objects.get(action="test.ticket_call")
    assert row.changes == {"status": [S.WAITING, S.CALLED]}
    assert outcome.changed == {"status": [S.WAITING, S.CALLED]}


def test_an_action_the_table_refuses_raises_the_one_error_with_a_vietnamese_reason(ticket):
    machine = ticket_machine()
    machine.run(ticket.pk, action="give_up", at=TUESDAY_9AM)
    before = _traces(ticket)
    with pytest.raises(IllegalTransition) as refused:
        machine.run(ticket.pk, action="call", at=TUESDAY_9AM)
    assert refused.value.reason == "Không thể “Gọi số” khi đang ở trạng thái “Đã huỷ”."
    assert (refused.value.action, refused.value.status) == ("call", S.CANCELLED)
    assert refused.value.code == "illegal_transition"
    with pytest.raises(IllegalTransition, match="Thao tác không tồn tại: fly"):
        machine.run(ticket.pk, action="fly", at=TUESDAY_9AM)
    assert _traces(ticket) == before
    assert machine.allowed(S.CANCELLED) == []


def test_every_apps_refusal_is_the_one_error_type():
    assert issubclass(workflow.IllegalTransition, IllegalTransition)
    assert issubclass(workflow.InvariantBroken, IllegalTransition)


def test_a_table_that_lets_a_terminal_status_out_is_refused_at_import():
    with pytest.raises(AssertionError, match="terminal status cannot be a source"):
        Machine(
            name="bad",
            model=Ticket,
            transitions={"revive": ({S.CANCELLED}, S.WAITING)},
            labels={"revive": "Hồi sinh"},
            terminal={S.CANCELLED},
            event=_ticket_event,
            audit_prefix="test.",
        )


def test_an_exception_in_apply_rolls_everything_back(ticket):
    machine = ticket_machine()
    before = _traces(ticket)

    def apply(t, move, at):
        t.call_count = 9
        raise ValueError("the verb's own rule said no")

    with pytest.raises(ValueError, match="own rule"):
        machine.run(ticket.pk, action="call", at=TUESDAY_9AM, apply=apply)
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert (fresh.status, fresh.call_count) == (S.WAITING, 0)
    assert _traces(ticket) == before


def test_guard_noop_ends_the_call_without_a_trace(ticket):
    machine = ticket_machine()
    before = _traces(ticket)
    outcome = machine.run(ticket.pk, action="call", at=TUESDAY_9AM, guard=lambda t: NOOP)
    assert outcome.move is None and outcome.event is None
    assert _traces(ticket) == before


def test_keep_target_records_the_action_and_keeps_the_status(ticket):
    machine = ticket_machine()
    changes = {}

    def apply(t, move, at):
        t.dossier_code = "X-1"
        changes["dossier_code"] = "X-1"

    outcome = machine.run(ticket.pk, action="note", at=TUESDAY_9AM, apply=apply, changes=changes)
    assert outcome.move.to_status == S.WAITING
    assert outcome.changed == {"dossier_code": ["", "X-1"]}
    assert AuditEvent.objects.get(action="test.ticket_note").changes == {
        "status": [S.WAITING, S.WAITING],
        "dossier_code": "X-1",
    }


def test_hooks_are_deferred_to_the_commit(ticket, django_capture_on_commit_callbacks):
    seen = []
    machine = ticket_machine(hooks=[lambda o: seen.append(("machine", o.move.action))])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        machine.run(
            ticket.pk,
            action="call",
            at=TUESDAY_9AM,
            after_commit=[lambda o: seen.append(("call", o.obj.status))],
        )
    assert seen == []  # nothing ran inside the transaction
    for callback in callbacks:
        callback()
    assert seen == [("machine", "call"), ("call", S.CALLED)]


@pytest.mark.django_db(transaction=True)
def test_a_hook_runs_only_after_a_real_commit_and_never_after_a_rollback(ticket):
    seen = []
    machine = ticket_machine(hooks=[lambda o: seen.append(o.move.action)])
    with transaction.atomic():
        machine.run(ticket.pk, action="call", at=TUESDAY_9AM)
        assert seen == []
    assert seen == ["call"]

    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        machine.run(ticket.pk, action="give_up", at=TUESDAY_9AM)
        raise Undo
    assert seen == ["call"]
    assert Ticket.objects.get(pk=ticket.pk).status == S.CALLED


@pytest.mark.django_db(transaction=True)
def test_a_failing_hook_does_not_undo_the_committed_change(ticket, caplog):
    def broken(outcome):
        raise RuntimeError("SMS gateway down")

    later = []
    machine = ticket_machine(hooks=[broken, lambda o: later.append(o.move.action)])
    machine.run(ticket.pk, action="call", at=TUESDAY_9AM)
    assert Ticket.objects.get(pk=ticket.pk).status == S.CALLED
    assert later == ["call"]  # the next hook still ran
    assert "hook" in caplog.text and "SMS gateway down" in caplog.text


# --- a versioned row with a current-event pointer: the dossier's shape ---------------------


@pytest.fixture
def dossier(db, settings, tmp_path):
    from tests.dossiers.factories import make_world, receive

    settings.MEDIA_ROOT = tmp_path / "media"
    calendar.clear_cache()
    call_command("load_calendar", stdout=StringIO())
    world = make_world()
    return receive(world, when=TUESDAY_9AM)


def dossier_machine() -> Machine:
    st = workflow.Status

    def event(outcome):
        return DossierEvent(
            dossier=outcome.obj,
            from_status=outcome.move.from_status,
            to_status=outcome.move.to_status,
            action=outcome.move.action,
            actor=actor_or_none(outcome.data.get("actor")),
            at=outcome.at,
            data=outcome.data,
        )

    return Machine(
        name="test-dossier",
        model=Dossier,
        transitions={"start_processing": ({st.RECEIVED}, st.PROCESSING)},
        labels=workflow.ACTION_LABELS,
        terminal=workflow.TERMINAL,
        statuses=st.values,
        event=event,
        audit_prefix="test.dossier_",
        unit=lambda d: d.competent_unit_id,
        current_event_field="current_event",
    )


def test_a_versioned_row_gets_version_plus_one_and_points_at_its_event(dossier):
    machine = dossier_machine()
    version = dossier.version
    outcome = machine.run(
        dossier.pk, action="start_processing", at=TUESDAY_9AM, expected_version=version
    )
    fresh = Dossier.objects.get(pk=dossier.pk)
    assert fresh.version == version + 1
    assert fresh.current_event_id == outcome.event.pk
    assert fresh.events.count() == fresh.version


def test_a_stale_version_is_refused_and_leaves_no_trace(dossier):
    machine = dossier_machine()
    events = DossierEvent.objects.filter(dossier=dossier).count()
    audits = AuditEvent.objects.count()
    with pytest.raises(IllegalTransition, match="vừa được cập nhật") as refused:
        machine.run(
            dossier.pk,
            action="start_processing",
            at=TUESDAY_9AM,
            expected_version=dossier.version - 1,
        )
    assert refused.value.action == "start_processing"
    assert DossierEvent.objects.filter(dossier=dossier).count() == events
    assert AuditEvent.objects.count() == audits
    assert Dossier.objects.get(pk=dossier.pk).version == dossier.version


# --- the answer: 409 with the reason, for any view that lets it through ----------------------


def _refusing_view(request):
    raise workflow.IllegalTransition("Hồ sơ đã kết thúc (Đã trả kết quả).", action="withdraw")


def test_a_refusal_no_view_caught_is_a_409_page_with_its_reason(client, settings, db):
    from django.urls import path

    from motcua import urls

    settings.ROOT_URLCONF = type(
        "Urls", (), {"urlpatterns": [path("tu-choi/", _refusing_view), *urls.urlpatterns]}
    )
    response = client.get("/tu-choi/")
    assert response.status_code == 409
    assert "Hồ sơ đã kết thúc (Đã trả kết quả)." in response.content.decode()
