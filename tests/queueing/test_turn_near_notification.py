"""“Sắp đến lượt bạn”: a waiting citizen is told once when N people or fewer are ahead."""

import pytest

from motcua.core.models import AuditEvent
from motcua.integrations.models import Notification, PushSubscription
from motcua.queueing import near_turn, services
from motcua.queueing.models import Ticket

PHONE = "0912345678"


@pytest.fixture
def moved(django_capture_on_commit_callbacks):
    """Run a queue action and what it triggers on commit, as a real request would."""

    def run(action, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(**kwargs)

    return run


def told(ticket) -> list[Notification]:
    return list(
        Notification.objects.filter(
            object_type="queueing.ticket",
            object_id=str(ticket.pk),
            purpose=Notification.Purpose.TURN_NEAR,
        )
    )


def subscribe(ticket, n=1) -> PushSubscription:
    return PushSubscription.objects.create(
        endpoint=f"https://push.example/sub/{ticket.pk}/{n}",
        p256dh="k" * 87,
        auth="a" * 22,
        ticket_ref=ticket.access_token,
    )


def test_four_ahead_is_not_near_and_one_call_later_it_is_told_once_by_sms(
    open_counters, officer, issue, moved
):
    for _ in range(4):
        issue("A")
    fifth = issue("A", phone=PHONE)
    assert told(fifth) == []

    moved(services.call_next, counter=open_counters[1], officer=officer)

    [sms] = told(fifth)
    assert sms.channel == Notification.Channel.SMS and sms.to_address == "+84912345678"
    assert sms.body == (
        "Số A005: còn 3 người nữa là đến lượt bạn. Mời bạn đến Xã Thạch Hà, chờ trước quầy 1, 2."
    )
    assert sms.url.endswith(f"/hang-doi/ve/{fifth.access_token}/")
    fifth.refresh_from_db()
    assert fifth.near_notified_at is not None
    assert AuditEvent.objects.filter(action="queue.ticket_turn_near").count() == 1

    moved(services.call_next, counter=open_counters[2], officer=officer)  # 2 ahead now
    assert len(told(fifth)) == 1


def test_a_subscribed_phone_gets_a_push_not_an_sms(open_counters, officer, issue, moved):
    first = issue("A")
    second = issue("A", phone=PHONE)
    browser = subscribe(second)

    moved(services.call_next, counter=open_counters[1], officer=officer)

    [push] = told(second)
    assert push.channel == Notification.Channel.PUSH and push.subscription_id == browser.pk
    assert push.body.startswith("Số A002: bạn là người tiếp theo.")
    assert told(first) == []  # called, not waiting


def test_nobody_to_reach_means_nothing_sent_until_the_browser_subscribes(
    open_counters, officer, issue, moved
):
    for _ in range(3):
        issue("A")
    quiet = issue("A")  # no phone, no subscription

    moved(services.call_next, counter=open_counters[1], officer=officer)
    quiet.refresh_from_db()
    assert told(quiet) == [] and quiet.near_notified_at is None

    subscribe(quiet)
    moved(services.call_next, counter=open_counters[2], officer=officer)
    assert [n.channel for n in told(quiet)] == [Notification.Channel.PUSH]


def test_a_ticket_of_another_service_is_untouched(open_counters, officer, issue, moved):
    issue("A")
    land = issue("C", phone=PHONE)
    moved(services.call_next, counter=open_counters[1], officer=officer)  # counter 1: A, B
    land.refresh_from_db()
    assert told(land) == [] and land.near_notified_at is None


def test_a_cancelled_place_moves_the_queue_too(open_counters, issue, moved):
    gone = issue("A")
    for _ in range(3):
        issue("A")
    waiting = issue("A", phone=PHONE)  # 4 ahead
    moved(services.cancel_ticket, ticket=gone)
    assert [n.body.split(".")[0] for n in told(waiting)] == [
        "Số A005: còn 3 người nữa là đến lượt bạn"
    ]


def test_a_citizen_transferred_to_another_service_is_told_where_to_go(
    open_counters, officer, issue, moved
):
    first = issue("A", phone=PHONE)
    issue("C")
    moved(services.call_next, counter=open_counters[1], officer=officer)  # A001 at counter 1
    assert told(first) == []  # called: nothing to announce
    moved(
        services.transfer,
        ticket=first,
        counter=open_counters[1],
        officer=officer,
        to_service=open_counters[2].queue_setup.services.get(code="C"),
    )
    # it keeps its place by issue time, so it is first in line for land matters (counter 2)
    [sms] = told(first)
    assert sms.body == (
        "Số A001: bạn là người tiếp theo. Mời bạn đến Xã Thạch Hà, chờ trước quầy 2."
    )


def test_two_servers_running_the_check_at_once_tell_the_citizen_once(
    open_counters, issue, clock, django_capture_on_commit_callbacks
):
    ticket = issue("A", phone=PHONE)
    with django_capture_on_commit_callbacks(execute=True):
        first = near_turn.notify_near_turn(
            unit_id=ticket.unit_id, service_ids=[ticket.service_id], day=ticket.day
        )
        second = near_turn.notify_near_turn(
            unit_id=ticket.unit_id, service_ids=[ticket.service_id], day=ticket.day
        )
    assert (first, second) == (1, 0)
    assert len(told(ticket)) == 1


def test_the_unit_chooses_how_near_is_near(open_counters, officer, issue, moved, settings):
    settings.MOTCUA_QUEUE_NEAR_TURN = 1
    for _ in range(3):
        issue("A")
    third_in_line = issue("A", phone=PHONE)  # 3 ahead, 2 after the call
    moved(services.call_next, counter=open_counters[1], officer=officer)
    assert told(third_in_line) == []


def test_a_broken_notification_never_stops_the_officers_call(
    open_counters, officer, issue, moved, monkeypatch
):
    def broken(**kwargs):
        raise RuntimeError("SMS gateway misconfigured")

    monkeypatch.setattr("motcua.integrations.services.notify_device_or_phone", broken)
    issue("A")
    issue("A", phone=PHONE)
    called = moved(services.call_next, counter=open_counters[1], officer=officer)
    assert called.status == Ticket.Status.CALLED and called.code == "A001"
