"""The outbox hook: every creation and status change writes its message in the same
transaction (or nothing), with the national codes, in order, once per event."""

import datetime as dt

import pytest

from motcua.dossiers import services
from motcua.dossiers.models import DossierDocument, Status
from motcua.portalsync import outbox
from motcua.portalsync import services as sync
from motcua.portalsync.models import PortalMessage
from tests.dossiers.factories import at, drive_to, receive

pytestmark = pytest.mark.django_db


def messages(dossier):
    return list(PortalMessage.objects.filter(dossier=dossier).order_by("seq"))


def test_reception_and_each_status_change_queue_one_message_with_the_national_code(world):
    dossier = drive_to(world, Status.RETURNED)
    sent = messages(dossier)
    statuses = [m.national_status for m in sent if m.kind == "status"]
    # received 2, processing 4, awaiting approval and approved are "4" to the portal (41, 42),
    # result ready 9, returned 10; the result for the citizen's data store comes last
    assert statuses == [2, 4, 4, 4, 9, 10]
    assert [m.kind for m in sent][-2:] == ["status", "result"]
    assert [m.payload["local_status"] for m in sent if m.kind == "status"] == [2, 4, 41, 42, 9, 10]
    store = sent[-1].payload
    assert store["applicant_id_number"] == dossier.applicant_id_number
    assert store["results"][0]["signed"] is True
    assert sent[0].payload["channel"] == 1 and sent[0].payload["dossier_code"] == dossier.code
    assert all(m.state == "pending" and m.unit_id == world.commune.pk for m in sent)
    assert [m.seq for m in sent] == sorted(m.seq for m in sent)
    assert len({m.message_id for m in sent}) == len(sent)


def test_an_online_submission_is_status_1_and_a_transfer_is_0(world):
    online = drive_to(world, Status.SUBMITTED)
    assert [(m.national_status, m.payload["channel"]) for m in messages(online)] == [(1, 2)]
    transferred = drive_to(world, Status.TRANSFERRING)
    assert [m.national_status for m in messages(transferred)] == [2, 0]


def test_a_refusal_carries_its_reason(world):
    refused = drive_to(world, Status.REFUSED)
    last = messages(refused)[-1]
    assert last.national_status == 3 and last.payload["reason"] == "Không thuộc thẩm quyền"


def test_a_change_that_fails_leaves_no_message(world):
    dossier = drive_to(world, Status.APPROVED)
    before = len(messages(dossier))
    with pytest.raises(services.InvariantBroken):  # no result file: the change is refused
        services.mark_result_ready(world.specialist, dossier_id=dossier.pk)
    assert len(messages(dossier)) == before


def test_a_failing_outbox_undoes_the_change(world, monkeypatch):
    dossier = receive(world)

    def broken(*args, **kwargs):
        raise RuntimeError("outbox unavailable")

    monkeypatch.setattr(outbox, "snapshot", broken)
    with pytest.raises(RuntimeError):
        services.start_processing(world.officer, dossier_id=dossier.pk, assignee=world.specialist)
    dossier.refresh_from_db()
    assert dossier.status == Status.RECEIVED and len(messages(dossier)) == 1


def test_the_hook_run_twice_for_one_event_writes_one_message(world):
    dossier = receive(world)
    event = dossier.events.get()
    info = services.TransitionInfo(
        dossier_id=dossier.pk,
        action=event.action,
        from_status=None,
        to_status=event.to_status,
        event_id=event.pk,
    )
    outbox.enqueue_for_transition(info)
    outbox.enqueue_for_transition(info)
    assert len(messages(dossier)) == 1


def test_only_the_head_of_each_dossier_is_claimed(world):
    first = receive(world)
    services.start_processing(world.officer, dossier_id=first.pk, assignee=world.specialist)
    second = receive(world, at(2026, 11, 2, 10))
    now = at(2026, 11, 2, 11)
    _token, rows = sync.claim(now=now, limit=50)
    assert [(r.dossier_id, r.national_status) for r in rows] == [(first.pk, 2), (second.pk, 2)]
    # a second worker gets nothing: the heads are leased, the rest wait behind them
    assert sync.claim(now=now, limit=50)[1] == []
    # the lease runs out (the worker died): the same rows are claimed again, nothing else
    later = now + sync.LEASE + dt.timedelta(seconds=1)
    assert [r.pk for r in sync.claim(now=later, limit=50)[1]] == [r.pk for r in rows]


def test_a_dead_message_holds_its_dossiers_later_messages(world):
    dossier = receive(world)
    services.start_processing(world.officer, dossier_id=dossier.pk, assignee=world.specialist)
    head, later = messages(dossier)
    PortalMessage.objects.filter(pk=head.pk).update(state="dead", last_error="refused: E05: x")
    assert sync.claim(now=at(2026, 11, 3, 9), limit=10)[1] == []
    sync.retry(world.manager, message_pk=head.pk, now=at(2026, 11, 3, 9))
    assert [r.pk for r in sync.claim(now=at(2026, 11, 3, 9), limit=10)[1]] == [head.pk]
    assert later.state == "pending"


def test_backoff_doubles_up_to_the_cap(settings):
    settings.MOTCUA_DVCQG_MAX_BACKOFF_S = 1800
    assert [sync.backoff(n).total_seconds() for n in (1, 2, 3, 7, 8, 12)] == [
        30,
        60,
        120,
        1800,
        1800,
        1800,
    ]


def test_the_result_is_sent_only_when_a_file_is_there(world):
    dossier = drive_to(world, Status.RETURNED)
    kinds = [m.kind for m in messages(dossier)]
    assert kinds.count("result") == 1
    assert dossier.documents.filter(kind=DossierDocument.Kind.RESULT).exists()
