"""The outbox drained to the simulated national portal over real HTTP: order per dossier, the
portal down for an hour of simulated time, refusals to the dead-letter list and back, an answer
that is not JSON, an answer that never comes after the portal stored the messages, and a worker
that dies mid-batch."""

import datetime as dt

import pytest

from motcua.dossiers import services
from motcua.dossiers.models import Status
from motcua.portalsim.models import Behaviour, ReceivedMessage
from motcua.portalsync import adapter
from motcua.portalsync import services as sync
from motcua.portalsync.models import PortalMessage
from tests.dossiers.factories import at, drive_to, receive

pytestmark = pytest.mark.django_db(transaction=True)


def behave(**kw) -> None:
    Behaviour.objects.update_or_create(pk=1, defaults=kw)


def busy_day(world, n=3) -> list:
    """`n` dossiers received, each taken into processing: two messages per dossier."""
    dossiers = []
    for i in range(n):
        d = receive(world, at(2026, 11, 2, 9, i))
        services.start_processing(
            world.officer, dossier_id=d.pk, assignee=world.specialist, at=at(2026, 11, 2, 9, 30)
        )
        dossiers.append(d)
    return dossiers


def received_statuses(dossier) -> list:
    return list(
        ReceivedMessage.objects.filter(dossier_code=dossier.code)
        .order_by("id")
        .values_list("status", flat=True)
    )


def test_every_message_reaches_the_portal_once_and_in_order(world, portal):
    dossier = drive_to(world, Status.RETURNED)
    done = sync.drain(now=at(2026, 11, 2, 9, 30))
    assert done.sent == 7 and done.refused == done.retried == 0
    assert received_statuses(dossier) == [2, 4, 4, 4, 9, 10, None]
    body = ReceivedMessage.objects.filter(dossier_code=dossier.code).first().body
    assert body["LoaiTinNhan"] == "DongBoHoSo"
    assert body["DuLieu"]["MaHoSo"] == dossier.code and body["DuLieu"]["KenhThucHien"] == 1
    assert body["DuLieu"]["NgayTiepNhan"] == "20261102090000"  # local time, yyyyMMddHHmmss
    store = ReceivedMessage.objects.get(dossier_code=dossier.code, kind="KhoDuLieuCaNhan")
    assert store.body["DuLieu"]["SoDinhDanh"] == dossier.applicant_id_number
    assert store.body["DuLieu"]["DanhSachGiayToKetQua"][0]["DaKySo"] == 1
    assert set(PortalMessage.objects.values_list("state", flat=True)) == {"sent"}
    assert sync.drain(now=at(2026, 11, 2, 9, 31)).sent == 0  # nothing twice


def test_an_hour_down_loses_nothing_and_keeps_each_dossiers_order(world, portal):
    dossiers = busy_day(world)
    behave(down=True)
    now = at(2026, 11, 2, 10)
    for _minute in range(60):  # the worker keeps trying through the hour, with backoff
        sync.drain(now=now)
        now += dt.timedelta(minutes=1)
    assert ReceivedMessage.objects.count() == 0
    waiting = PortalMessage.objects.filter(state="pending")
    assert waiting.count() == 6 and not PortalMessage.objects.filter(state="dead").exists()
    assert "503" in waiting.first().last_error
    behave(down=False)
    now += sync.backoff(20)  # the longest pause: every message is due again
    sync.drain(now=now)
    assert ReceivedMessage.objects.count() == 6
    for d in dossiers:
        assert received_statuses(d) == [2, 4]
    lags = PortalMessage.objects.values_list("lag", flat=True)
    assert min(lags) > dt.timedelta(hours=1)  # they waited out the hour: the lag says so


def test_a_refusal_goes_to_the_dead_letters_with_the_reason_and_holds_the_dossier(world, portal):
    dossier = busy_day(world, n=1)[0]
    behave(reject_code="E09", reject_reason="Mã thủ tục chưa được công bố trên Cổng")
    sync.drain(now=at(2026, 11, 2, 10))
    head, later = PortalMessage.objects.filter(dossier=dossier).order_by("seq")
    assert head.state == "dead" and head.rejected
    assert head.last_error == "refused: E09: Mã thủ tục chưa được công bố trên Cổng"
    assert later.state == "pending" and later.attempts == 0  # never sent before the head
    behave(reject_code="")
    sync.retry(world.manager, message_pk=head.pk, now=at(2026, 11, 2, 11))
    sync.drain(now=at(2026, 11, 2, 11))
    assert received_statuses(dossier) == [2, 4]


def test_an_answer_that_is_not_json_is_retried_later(world, portal):
    dossier = receive(world)
    behave(non_json=True)
    done = sync.drain(now=at(2026, 11, 2, 10))
    message = PortalMessage.objects.get(dossier=dossier)
    assert done.retried == 1 and message.state == "pending"
    assert message.last_error.startswith("format: answer is not the agreed JSON (text/html)")
    assert message.next_attempt_at == at(2026, 11, 2, 10) + dt.timedelta(seconds=30)
    behave(non_json=False)
    assert sync.drain(now=at(2026, 11, 2, 10, 1)).sent == 1


def test_accepted_then_timed_out_is_sent_again_and_held_once(world, portal, settings):
    dossier = receive(world)
    settings.MOTCUA_DVCQG_TIMEOUT = 0.5
    behave(accept_then_sleep_ms=1500)  # the portal stores, then answers too late
    sync.drain(now=at(2026, 11, 2, 10))
    message = PortalMessage.objects.get(dossier=dossier)
    assert message.state == "pending" and message.last_error.startswith("timeout")
    assert ReceivedMessage.objects.count() == 1  # the portal has it already
    behave(accept_then_sleep_ms=0)
    assert sync.drain(now=at(2026, 11, 2, 10, 1)).sent == 1  # answered "DA_CO"
    assert ReceivedMessage.objects.count() == 1


def test_a_worker_that_dies_mid_batch_loses_and_duplicates_nothing(world, portal):
    dossiers = busy_day(world)
    now = at(2026, 11, 2, 10)
    # worker A claims and sends, and dies before it writes the outcome (kill -9)
    _token, rows = sync.claim(now=now, limit=2)
    adapter.send(rows)
    # worker B meanwhile: A's rows are leased; it takes the third dossier (both its messages)
    assert sync.drain(now=now).sent == 2
    # after the lease, A's rows are claimed again and sent with the same ids: the portal
    # answers "already have it", the rows are sent, and every dossier's line moves on
    later = now + sync.LEASE + dt.timedelta(seconds=1)
    assert sync.drain(now=later).sent == 4
    assert ReceivedMessage.objects.count() == 6
    for d in dossiers:
        assert received_statuses(d) == [2, 4]


def test_a_wrong_token_is_retried_not_dropped(world, portal, settings):
    receive(world)
    settings.MOTCUA_DVCQG_TOKEN = "khong-dung"
    sync.drain(now=at(2026, 11, 2, 10))
    message = PortalMessage.objects.get()
    assert message.state == "pending" and "401" in message.last_error


def test_after_the_last_attempt_the_message_is_dead(world, portal, settings):
    receive(world)
    settings.MOTCUA_DVCQG_MAX_ATTEMPTS = 3
    behave(down=True)
    now = at(2026, 11, 2, 10)
    for _ in range(3):
        sync.drain(now=now)
        now += dt.timedelta(hours=1)
    message = PortalMessage.objects.get()
    assert message.state == "dead" and message.attempts == 3 and not message.rejected
