"""A real ticket or booking with a village and a phone counts its holder as a digital user."""

# ruff: noqa: F811  (fixtures imported from test_booking_fixtures are used as arguments)
import pytest

from motcua.core.models import Village
from motcua.outreach import selectors as outreach
from motcua.outreach.models import AssistedAction
from motcua.queueing import booking

from .test_booking_fixtures import at, by_owner, hold, rule  # noqa: F401


@pytest.fixture
def thon(commune):
    return Village.objects.create(unit=commune, name="Thôn Đông", working_age_population=400)


def adopted(village, clock) -> int:
    """What the village's progress row shows as people using the app (all ages)."""
    [row] = outreach.village_progress([village], None, clock.current.date(), clock.current)
    return row.adopted_all_ages


def test_first_ticket_with_village_and_phone_counts_the_person_once(
    issue, thon, clock, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        issue("A", village=thon, phone="0912345678", age_group="18_59")
    assert adopted(thon, clock) == 1
    with django_capture_on_commit_callbacks(execute=True):
        issue("B", village=thon, phone="0912345678")  # the same person again, another day's need
    assert adopted(thon, clock) == 1
    with django_capture_on_commit_callbacks(execute=True):
        issue("A", village=thon, phone="0987654321")
    assert adopted(thon, clock) == 2
    assert set(AssistedAction.objects.values_list("source", flat=True)) == {
        AssistedAction.Source.FIRST_TICKET
    }


def test_ticket_without_village_or_phone_counts_nobody(
    issue, thon, clock, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        issue("A", phone="0912345678")
        issue("A", village=thon)
    assert adopted(thon, clock) == 0


def test_a_failing_adoption_count_never_costs_the_citizen_their_number(
    issue, thon, clock, django_capture_on_commit_callbacks, monkeypatch
):
    def broken(**kwargs):
        raise RuntimeError("outreach is down")

    monkeypatch.setattr("motcua.outreach.services.count_from_queue_event", broken)
    with django_capture_on_commit_callbacks(execute=True):
        ticket = issue("A", village=thon, phone="0912345678")
    assert ticket.pk and ticket.code == "A001"


def test_confirmed_booking_counts_once_and_its_check_in_ticket_does_not_count_again(
    hold, thon, clock, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        held = hold(9, 0, village=thon, phone="0912345678", citizen_id="001204012345")
        confirmed = booking.confirm(booking=held, proof=by_owner(held))
        booking.confirm(booking=confirmed, proof=by_owner(confirmed))  # a double tap on "Xác nhận"
    assert adopted(thon, clock) == 1
    assert AssistedAction.objects.get().source == AssistedAction.Source.FIRST_BOOKING

    clock.set(at(confirmed.slot_start.date(), 8, 50))
    with django_capture_on_commit_callbacks(execute=True):
        booking.check_in(booking=confirmed)
    assert adopted(thon, clock) == 1


def test_a_held_booking_never_confirmed_counts_nobody(
    hold, thon, clock, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        hold(9, 0, village=thon, phone="0912345678")
    assert adopted(thon, clock) == 0
