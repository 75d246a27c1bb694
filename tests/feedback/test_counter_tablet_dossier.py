"""The counter tablet rates a dossier too (issue 15, part 1): when the officer at the counter
hands a result over or refuses a dossier at reception, the tablet turned towards the citizen
offers that dossier, takes one rating for that officer and counter, and goes back to waiting.
The newer of the last ticket and the last dossier is shown."""

import pytest
from django.urls import reverse

from motcua.core.models import AuditEvent, Counter
from motcua.dossiers import services as dossier_services
from motcua.dossiers.models import Dossier, DossierDocument
from motcua.feedback import selectors
from motcua.feedback.models import Rating
from motcua.queueing import services as queue_services
from motcua.queueing.models import Service
from tests.dossiers.factories import attach, receive
from tests.dossiers.test_status_notifications import ready

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def desk(world, clock):
    """Counter 3 of the dossier world's commune, opened by its counter officer at 09:00."""
    counter = Counter.objects.create(unit=world.commune, number=3, name="Một cửa")
    queue_services.open_counter(counter=counter, officer=world.officer)
    return counter


def tablet(counter) -> str:
    return reverse("feedback:tablet", args=[counter.pk])


def hand_over(world, clock, officer=None) -> Dossier:
    """A result ready, then returned at the counter one minute later by `officer`."""
    d = ready(world)
    dossier_services.return_result(
        officer or world.officer,
        dossier_id=d.pk,
        delivery="counter",
        at=clock.advance(minutes=1),
    )
    return Dossier.objects.get(pk=d.pk)


def test_the_tablet_offers_the_dossier_just_returned_and_takes_one_rating(
    world, desk, clock, staff_client
):
    c = staff_client(world.officer)
    assert 'data-testid="tablet-waiting"' in c.get(tablet(desk)).content.decode()
    d = hand_over(world, clock)
    clock.advance(minutes=2)
    page = c.get(tablet(desk)).content.decode()
    assert 'data-testid="tablet-rate"' in page and 'data-testid="tablet-dossier"' in page
    assert d.code in page and d.procedure_name in page
    assert f'name="dossier" value="{d.pk}"' in page and 'name="ticket"' not in page

    answer = c.post(tablet(desk), {"dossier": d.pk, "level": "very_satisfied"}, **HTMX)
    assert 'data-testid="tablet-thanks"' in answer.content.decode()
    rating = Rating.objects.get()
    assert (rating.dossier_id, rating.channel, rating.level) == (
        d.pk,
        "counter_tablet",
        "very_satisfied",
    )
    assert (rating.officer, rating.counter, rating.unit_id) == (
        world.officer,
        desk,
        d.competent_unit_id,
    )
    assert AuditEvent.objects.filter(action="feedback.rate").count() == 1
    # a double tap gets the same thanks and the same rating, counted once
    again = c.post(
        tablet(desk), {"dossier": d.pk, "level": "not_satisfied", "reason": "long_wait"}, **HTMX
    )
    assert 'data-testid="tablet-thanks"' in again.content.decode()
    assert Rating.objects.get().level == "very_satisfied"
    assert AuditEvent.objects.filter(action="feedback.rate").count() == 1
    # back to waiting: the rated dossier is not offered again
    assert 'data-testid="tablet-waiting"' in c.get(tablet(desk), **HTMX).content.decode()


def test_a_dossier_refused_at_reception_is_offered(world, desk, clock, staff_client):
    d = receive(world, when=clock.current)
    attach(world, d, DossierDocument.Kind.REFUSAL_LETTER)
    dossier_services.refuse(
        world.officer, dossier_id=d.pk, reason="Không thuộc thẩm quyền", at=clock.advance(minutes=1)
    )
    c = staff_client(world.officer)
    assert d.code in c.get(tablet(desk)).content.decode()
    c.post(tablet(desk), {"dossier": d.pk, "level": "satisfied"})
    assert Rating.objects.get(dossier=d).counter == desk


def serve_ticket(world, desk, clock):
    """A queue ticket called, served and finished at the desk by its officer."""
    service = Service.objects.create(unit=world.commune, code="A", name="Hộ tịch", order=1)
    desk.queue_setup.services.set([service])
    clock.advance(minutes=1)
    ticket = queue_services.issue_ticket(unit=world.commune, service=service, source="kiosk")
    called = queue_services.call_next(counter=desk, officer=world.officer)
    assert called.pk == ticket.pk
    queue_services.start_service(ticket=called, counter=desk, officer=world.officer)
    clock.advance(minutes=1)
    return queue_services.finish_service(ticket=called, counter=desk, officer=world.officer)


def test_the_newer_of_ticket_and_dossier_wins_and_the_poll_sees_the_change(
    world, desk, clock, staff_client
):
    c = staff_client(world.officer)
    d = hand_over(world, clock)
    assert c.get(tablet(desk) + f"?dang-hien=hs{d.pk}", **HTMX).status_code == 204
    # the officer then serves a queue ticket: the ticket is newer, the tablet shows it
    ticket = serve_ticket(world, desk, clock)
    page = c.get(tablet(desk) + f"?dang-hien=hs{d.pk}", **HTMX).content.decode()
    assert ticket.code in page and 'name="ticket"' in page and d.code not in page
    # and a second dossier returned after the ticket takes the screen back
    d2 = hand_over(world, clock)
    page = c.get(tablet(desk) + f"?dang-hien={ticket.pk}", **HTMX).content.decode()
    assert d2.code in page and 'name="dossier"' in page


def test_a_dossier_is_offered_for_fifteen_minutes_only(world, desk, clock, staff_client):
    c = staff_client(world.officer)
    d = hand_over(world, clock)
    clock.advance(minutes=16)
    assert selectors.dossier_awaiting_rating(desk, at=clock.current) is None
    stale = c.get(tablet(desk) + f"?dang-hien=hs{d.pk}", **HTMX)
    assert 'data-testid="tablet-waiting"' in stale.content.decode()
    late = c.post(tablet(desk), {"dossier": d.pk, "level": "satisfied"})
    assert late.status_code == 400
    assert "không vừa được trả kết quả" in late.content.decode()
    assert not Rating.objects.exists()


def test_a_dossier_rated_from_the_invitation_is_not_offered_again(world, desk, clock, staff_client):
    from motcua.feedback import services as feedback_services

    d = hand_over(world, clock)
    feedback_services.rate_dossier(dossier=d, level="satisfied", channel="phone")
    c = staff_client(world.officer)
    assert 'data-testid="tablet-waiting"' in c.get(tablet(desk)).content.decode()
    answer = c.post(
        tablet(desk), {"dossier": d.pk, "level": "not_satisfied", "reason": "long_wait"}
    )
    assert answer.status_code == 400 and "đã được đánh giá" in answer.content.decode()
    assert Rating.objects.get().level == "satisfied"


def test_a_dossier_the_counter_did_not_hand_over_is_refused(world, desk, clock, staff_client):
    """Returned by another officer (at no open counter here), or at another counter."""
    from motcua.accounts.models import Role
    from tests.dossiers.factories import make_staff

    colleague = make_staff((Role.COUNTER_OFFICER, world.commune), name="Hoàng Văn Bên")
    d = hand_over(world, clock, officer=colleague)
    c = staff_client(world.officer)
    assert 'data-testid="tablet-waiting"' in c.get(tablet(desk)).content.decode()
    answer = c.post(tablet(desk), {"dossier": d.pk, "level": "satisfied"})
    assert answer.status_code == 400 and not Rating.objects.exists()
    # the colleague's own counter offers it, and only there
    other_desk = Counter.objects.create(unit=world.commune, number=4, name="Một cửa 2")
    queue_services.open_counter(
        counter=other_desk, officer=colleague, at=clock.current.replace(hour=8)
    )
    assert selectors.dossier_awaiting_rating(other_desk, at=clock.current).pk == d.pk
    assert selectors.dossier_awaiting_rating(desk, at=clock.current) is None


def test_a_dossier_of_another_unit_is_not_found(world, desk, clock, staff_client):
    d = hand_over(world, clock)
    Dossier.objects.filter(pk=d.pk).update(receiving_unit=world.other, competent_unit=world.other)
    c = staff_client(world.officer)
    assert c.post(tablet(desk), {"dossier": d.pk, "level": "satisfied"}).status_code == 404
    assert c.post(tablet(desk), {"dossier": "abc", "level": "satisfied"}).status_code == 404
    # another unit's officer cannot open this counter's tablet at all
    stranger = staff_client(world.other_officer)
    assert stranger.post(tablet(desk), {"dossier": d.pk, "level": "satisfied"}).status_code == 404
    assert not Rating.objects.exists()


def test_not_satisfied_with_a_dossier_needs_a_reason(world, desk, clock, staff_client):
    d = hand_over(world, clock)
    c = staff_client(world.officer)
    answer = c.post(tablet(desk), {"dossier": d.pk, "level": "not_satisfied"})
    assert answer.status_code == 400 and "Xin cho biết lý do" in answer.content.decode()
    assert d.code in answer.content.decode()
    assert not Rating.objects.exists()


def test_only_a_hand_over_made_while_the_officer_sat_at_the_open_counter_counts(world, desk, clock):
    d = hand_over(world, clock)
    assert selectors.dossier_awaiting_rating(desk, at=clock.current).pk == d.pk
    queue_services.close_counter(counter=desk, officer=world.officer)
    assert selectors.dossier_awaiting_rating(desk, at=clock.current) is None
    # opened again after the hand-over: that citizen was served before, elsewhere
    queue_services.open_counter(counter=desk, officer=world.officer, at=clock.advance(minutes=1))
    assert selectors.dossier_awaiting_rating(desk, at=clock.current) is None
