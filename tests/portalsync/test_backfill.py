"""`manage.py portal_sync_backfill`: dossiers changed before the sync existed get the messages
the hook would have written (same ids, same order, each as it was at its change); run twice it
writes nothing; a dossier the portal already has is left alone; once drained they are synced."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db.models import Max

from motcua.dossiers import services
from motcua.dossiers.models import Status
from motcua.portalsim.models import ReceivedMessage
from motcua.portalsync import selectors
from motcua.portalsync import services as sync
from motcua.portalsync.models import PortalMessage
from tests.dossiers.factories import at, drive_to, receive

COMPARED = ("status", "local_status", "action", "changed_at", "received_at", "finished_at")
COMPARED += ("returned_at", "history", "fees", "supplements", "attachments", "results")


def rows(dossier) -> list[PortalMessage]:
    return list(PortalMessage.objects.filter(dossier=dossier).order_by("seq"))


def before_the_sync(*dossiers) -> None:
    """As if the outbox did not exist when these dossiers moved."""
    PortalMessage.objects.filter(dossier__in=dossiers).delete()


def backfill() -> str:
    out = io.StringIO()
    call_command("portal_sync_backfill", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_the_backfill_writes_what_the_hook_would_have_with_the_same_ids_in_order(world):
    dossier = drive_to(world, Status.AWAITING_SUPPLEMENT)
    services.resubmit_supplement(world.officer, dossier_id=dossier.pk)
    returned = drive_to(world, Status.RETURNED)
    live = {d.pk: rows(d) for d in (dossier, returned)}
    before_the_sync(dossier, returned)

    assert "11 tin nhắn mới cho 2 hồ sơ" in backfill()
    for d in (dossier, returned):
        again = rows(d)
        assert [(m.message_id, m.seq, m.kind, m.national_status) for m in again] == [
            (m.message_id, m.seq, m.kind, m.national_status) for m in live[d.pk]
        ]
        for written, hooked in zip(again, live[d.pk], strict=True):
            assert written.backfilled and written.changed_at == hooked.changed_at
            for key in COMPARED if written.kind == "status" else ("results", "returned_at"):
                assert written.payload[key] == hooked.payload[key], key
    # the first message tells the reception only: nothing that came after it
    first = rows(returned)[0].payload
    assert [h["action"] for h in first["history"]] == ["receive"]
    assert first["finished_at"] is None and first["returned_at"] is None

    assert "0 tin nhắn mới cho 0 hồ sơ" in backfill()  # run twice: nothing new
    assert PortalMessage.objects.count() == 11


@pytest.mark.django_db
def test_a_dossier_the_portal_already_has_is_left_alone_and_a_partial_one_is_completed(world):
    known = receive(world)
    services.start_processing(world.officer, dossier_id=known.pk, assignee=world.specialist)
    PortalMessage.objects.filter(dossier=known).update(state="sent")
    PortalMessage.objects.filter(dossier=known).order_by("seq").first().delete()

    partial = receive(world, at(2026, 11, 2, 10))
    before_the_sync(partial)  # received before the sync existed, handed over after
    services.start_processing(world.officer, dossier_id=partial.pk, assignee=world.specialist)

    backfill()
    assert len(rows(known)) == 1  # the portal has its whole history in the accepted message
    reception, handover = rows(partial)
    assert reception.backfilled and not handover.backfilled
    assert [reception.national_status, handover.national_status] == [2, 4]
    # the reception goes first: the hand-over waits behind it
    _token, claimed = sync.claim(now=at(2026, 11, 2, 11), limit=10)
    assert [m.pk for m in claimed] == [reception.pk]


@pytest.mark.django_db(transaction=True)
def test_backfilled_dossiers_are_synced_once_the_worker_drains(world, portal):
    dossiers = [drive_to(world, Status.RETURNED), receive(world, at(2026, 11, 2, 11))]
    before_the_sync(*dossiers)
    backfill()
    # the worker drains a month after the last change (its clock, not the wall's)
    later = PortalMessage.objects.aggregate(last=Max("changed_at"))["last"] + dt.timedelta(30)
    done = sync.drain(now=later)
    assert done.sent == 8 and done.refused == 0
    statuses = list(
        ReceivedMessage.objects.filter(dossier_code=dossiers[0].code)
        .order_by("id")
        .values_list("status", flat=True)
    )
    assert statuses == [2, 4, 4, 4, 9, 10, None]
    start, end = at(2026, 11, 1), later + dt.timedelta(days=1)  # the acceptances are in it
    (row,) = selectors.coverage(world.manager, start=start, end=end, now=later)
    assert (row.dossiers, row.synced, row.coverage) == (2, 2, 100.0)
    # sent weeks after the change: synced, never on time, and out of the lag figures
    assert row.on_time == 0 and row.lag_p95_ms is None
