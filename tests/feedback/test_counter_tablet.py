"""The tablet at the counter: it shows the ticket just served, takes one rating, goes back."""

from django.urls import reverse

from motcua.accounts.models import Role
from motcua.core.models import Counter
from motcua.feedback.models import Rating

HTMX = {"HTTP_HX_REQUEST": "true"}


def tablet(counter) -> str:
    return reverse("feedback:tablet", args=[counter.pk])


def test_the_tablet_waits_then_shows_the_ticket_just_served_and_thanks_the_citizen(
    staff_client, officer, serve, open_counters
):
    c = staff_client(officer)
    counter = open_counters[1]
    waiting = c.get(tablet(counter)).content.decode()
    assert 'data-testid="tablet-waiting"' in waiting

    ticket = serve("A", counter=1)
    shown = c.get(tablet(counter)).content.decode()
    assert 'data-testid="tablet-rate"' in shown and ticket.code in shown

    thanks = c.post(tablet(counter), {"ticket": ticket.pk, "level": "satisfied"}, **HTMX)
    assert 'data-testid="tablet-thanks"' in thanks.content.decode()
    rating = Rating.objects.get()
    assert (rating.ticket_id, rating.channel, rating.level) == (
        ticket.pk,
        "counter_tablet",
        "satisfied",
    )
    # back to waiting: the rated ticket is not offered again
    assert 'data-testid="tablet-waiting"' in c.get(tablet(counter), **HTMX).content.decode()


def test_a_tablet_poll_with_nothing_new_leaves_the_screen_alone(
    staff_client, officer, serve, open_counters
):
    c = staff_client(officer)
    counter = open_counters[1]
    assert c.get(tablet(counter) + "?dang-hien=0", **HTMX).status_code == 204
    ticket = serve("A", counter=1)
    fresh = c.get(tablet(counter) + "?dang-hien=0", **HTMX)
    assert fresh.status_code == 200 and ticket.code in fresh.content.decode()
    assert c.get(tablet(counter) + f"?dang-hien={ticket.pk}", **HTMX).status_code == 204


def test_a_ticket_finished_long_ago_is_not_offered(
    staff_client, officer, serve, open_counters, clock
):
    c = staff_client(officer)
    serve("A", counter=1)
    clock.advance(minutes=16)
    assert 'data-testid="tablet-waiting"' in c.get(tablet(open_counters[1])).content.decode()


def test_not_satisfied_on_the_tablet_needs_a_reason(staff_client, officer, serve, open_counters):
    c = staff_client(officer)
    ticket = serve("A", counter=1)
    answer = c.post(tablet(open_counters[1]), {"ticket": ticket.pk, "level": "not_satisfied"})
    assert answer.status_code == 400
    assert "Xin cho biết lý do" in answer.content.decode()
    assert not Rating.objects.exists()


def test_another_units_counter_is_not_found(
    staff_client, make_officer, other_commune, open_counters, serve
):
    stranger = make_officer(other_commune)
    c = staff_client(stranger)
    ticket = serve("A", counter=1)
    assert c.get(tablet(open_counters[1])).status_code == 404
    assert (
        c.post(tablet(open_counters[1]), {"ticket": ticket.pk, "level": "satisfied"}).status_code
        == 404
    )
    assert not Rating.objects.exists()


def test_a_ticket_of_another_counter_cannot_be_rated_from_this_tablet(
    staff_client, officer, serve, open_counters
):
    c = staff_client(officer)
    ticket = serve("A", counter=1)
    answer = c.post(tablet(open_counters[2]), {"ticket": ticket.pk, "level": "satisfied"})
    assert answer.status_code == 404
    assert not Rating.objects.exists()


def test_only_counter_officers_open_the_tablet(
    client, staff_client, make_officer, commune, open_counters
):
    anonymous = client.get(tablet(open_counters[1]))
    assert anonymous.status_code == 302 and "/can-bo/dang-nhap/" in anonymous["Location"]
    specialist = make_officer(commune, role=Role.SPECIALIST)
    assert staff_client(specialist).get(tablet(open_counters[1])).status_code == 403


def test_the_tablet_list_shows_only_the_officers_counters(
    staff_client, officer, other_commune, counters
):
    Counter.objects.create(unit=other_commune, number=9, name="Quầy xã khác")
    page = staff_client(officer).get(reverse("feedback:tablet_index")).content.decode()
    assert "Hộ tịch - Chứng thực" in page and "Quầy xã khác" not in page
