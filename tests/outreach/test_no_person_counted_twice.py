"""A villager counts once per action, however often and by whom the action is recorded."""

import pytest
from django.utils import timezone

from motcua.core.models import AuditEvent
from motcua.outreach import services
from motcua.outreach.models import AgeGroup, AssistedAction, Resident

from .conftest import at, new_key

INSTALLED = AssistedAction.Kind.APP_INSTALLED
WORKING = AgeGroup.WORKING


def record(actor, village, **extra):
    args = {
        "kind": INSTALLED,
        "age_group": WORKING,
        "occurred_at": at("2026-11-20 09:00"),
        "client_uuid": new_key(),
    }
    args.update(extra)
    return services.record_action(actor=actor, village=village, **args)


def test_same_citizen_recorded_twice_counts_once(team_member, manager, villages):
    first = record(team_member, villages["thon1"], citizen_id="001 204 012 345")
    again = record(manager, villages["thon1"], citizen_id="001204012345")

    assert first.created and not again.created
    assert again.obj.pk == first.obj.pk
    assert AssistedAction.objects.count() == 1
    assert Resident.objects.count() == 1


def test_replay_of_the_same_submission_from_a_flaky_phone_is_harmless(team_member, villages):
    key = new_key()
    first = record(team_member, villages["thon1"], phone="0912345678", client_uuid=key)
    replay = record(team_member, villages["thon1"], phone="0912345678", client_uuid=key)

    assert (first.created, replay.created) == (True, False)
    assert replay.obj.pk == first.obj.pk
    assert AssistedAction.objects.count() == 1
    assert AuditEvent.objects.filter(action="outreach.action_recorded").count() == 1


@pytest.mark.parametrize("written", ["0912 345 678", "0912.345.678", "+84 912 345 678"])
def test_same_phone_written_differently_is_the_same_person(team_member, villages, written):
    record(team_member, villages["thon1"], phone="0912345678")
    again = record(team_member, villages["thon1"], phone=written)

    assert not again.created
    assert Resident.objects.count() == 1


def test_person_first_known_by_phone_is_found_again_by_citizen_id(team_member, villages):
    record(team_member, villages["thon1"], phone="0912345678")
    both = record(
        team_member,
        villages["thon1"],
        phone="0912 345 678",
        citizen_id="001204012345",
        kind=AssistedAction.Kind.VNEID_LEVEL2,
    )
    by_id_only = record(team_member, villages["thon1"], citizen_id="001204012345", kind=INSTALLED)

    assert both.created and not by_id_only.created
    assert Resident.objects.count() == 1
    assert AssistedAction.objects.count() == 2


def test_the_same_person_may_get_each_kind_of_help_once(team_member, villages):
    for kind in (
        INSTALLED,
        AssistedAction.Kind.VNEID_LEVEL2,
        AssistedAction.Kind.FIRST_ONLINE_PAYMENT,
    ):
        assert record(team_member, villages["thon1"], phone="0987654321", kind=kind).created
    assert not record(team_member, villages["thon1"], phone="0987654321").created
    assert AssistedAction.objects.count() == 3


def test_only_a_hash_and_the_last_three_digits_are_stored(team_member, villages):
    record(team_member, villages["thon1"], citizen_id="001204012345", phone="0912345678")
    resident = Resident.objects.get()

    stored = " ".join(
        str(v) for v in Resident.objects.values_list("id_hash", "phone_hash", "last3").get()
    )
    assert "001204012345" not in stored and "0912345678" not in stored
    assert len(resident.id_hash) == 64 and resident.last3 == "345"
    assert str(resident) == "***345"
    events = " ".join(str(e.changes) for e in AuditEvent.objects.all())
    assert "001204012345" not in events and "0912345678" not in events


@pytest.mark.parametrize(
    ("citizen_id", "phone", "message"),
    [
        ("", "", "Cần nhập số định danh cá nhân (12 số) hoặc số điện thoại"),
        ("12345", "", "Số định danh cá nhân phải gồm đúng 12 chữ số."),
        ("", "12345", "Số điện thoại không hợp lệ"),
    ],
)
def test_a_person_must_be_identifiable(team_member, villages, citizen_id, phone, message):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        record(team_member, villages["thon1"], citizen_id=citizen_id, phone=phone)
    assert message in exc.value.messages[0]
    assert not AssistedAction.objects.exists()


def test_a_record_dated_in_the_future_is_refused(team_member, villages):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="tương lai"):
        record(
            team_member,
            villages["thon1"],
            phone="0912345678",
            occurred_at=timezone.now() + timezone.timedelta(days=1),
        )


def test_first_ticket_with_a_village_counts_as_self_registration(villages):
    counted = services.count_from_queue_event(
        village=villages["thon2"],
        source=AssistedAction.Source.FIRST_TICKET,
        event_key="ticket:41",
        occurred_at=at("2026-11-20 08:10"),
        phone="0912 000 111",
        age_group=AgeGroup.WORKING,
    )
    again = services.count_from_queue_event(
        village=villages["thon2"],
        source=AssistedAction.Source.FIRST_TICKET,
        event_key="ticket:41",
        occurred_at=at("2026-11-20 08:10"),
        phone="0912000111",
        age_group=AgeGroup.WORKING,
    )
    booking = services.count_from_queue_event(
        village=villages["thon2"],
        source=AssistedAction.Source.FIRST_BOOKING,
        event_key="booking:7",
        occurred_at=at("2026-11-21 08:10"),
        phone="0912000111",
    )

    assert counted.created and not again.created and not booking.created
    action = AssistedAction.objects.get()
    assert action.kind == AssistedAction.Kind.APP_REGISTERED
    assert action.source == AssistedAction.Source.FIRST_TICKET
    assert action.recorded_by is None


def test_queue_event_without_a_village_or_a_person_counts_nothing(villages):
    common = {"source": AssistedAction.Source.FIRST_TICKET, "occurred_at": at("2026-11-20 08:10")}
    assert (
        services.count_from_queue_event(village=None, event_key="t:1", phone="0912000111", **common)
        is None
    )
    assert (
        services.count_from_queue_event(village=villages["thon1"], event_key="t:2", **common)
        is None
    )
    assert (
        services.count_from_queue_event(
            village=villages["thon1"], event_key="t:3", phone="12", **common
        )
        is None
    )
    assert not AssistedAction.objects.exists()


def test_team_recording_after_self_registration_adds_the_other_kinds_only(team_member, villages):
    services.count_from_queue_event(
        village=villages["thon1"],
        source=AssistedAction.Source.APP_REGISTRATION,
        event_key="reg:1",
        occurred_at=at("2026-11-19 08:00"),
        citizen_id="001204099999",
    )
    vneid = record(
        team_member,
        villages["thon1"],
        citizen_id="001204099999",
        kind=AssistedAction.Kind.VNEID_LEVEL2,
    )
    assert vneid.created
    assert Resident.objects.count() == 1
