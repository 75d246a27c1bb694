"""The citizen rates from the phone by the ticket's secret link: /danh-gia/ve/<token>/."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from motcua.feedback import views
from motcua.feedback.models import Rating


@pytest.fixture(autouse=True)
def _fresh_rate_limit(db):
    cache.clear()
    yield
    cache.clear()


def url(ticket) -> str:
    return reverse("feedback:rate_ticket", args=[ticket.access_token])


def test_a_served_citizen_sees_three_faces_and_is_thanked_after_one_tap(client, serve):
    ticket = serve("A")

    page = client.get(url(ticket))
    html = page.content.decode()
    assert page.status_code == 200
    for words in ("Rất hài lòng", "Hài lòng", "Không hài lòng", ticket.code):
        assert words in html

    sent = client.post(url(ticket), {"level": "very_satisfied"})
    assert sent.status_code == 302
    assert sent["Location"] == reverse("feedback:ticket_thanks", args=[ticket.access_token])
    thanks = client.get(sent["Location"]).content.decode()
    assert "Cảm ơn bạn đã đánh giá!" in thanks and "Rất hài lòng" in thanks
    assert Rating.objects.get().channel == "phone"


def test_not_satisfied_without_a_reason_asks_for_it_and_saves_nothing(client, serve):
    ticket = serve("A")

    answer = client.post(url(ticket), {"level": "not_satisfied"})

    html = answer.content.decode()
    assert answer.status_code == 400
    assert "Xin cho biết lý do bạn chưa hài lòng để chúng tôi khắc phục." in html
    assert 'id="reason-step" class="reason-step">' in html  # the reason step is open
    assert not Rating.objects.exists()

    client.post(url(ticket), {"level": "not_satisfied", "reason": "unclear_guidance"})
    rating = Rating.objects.get()
    assert (rating.level, rating.reason) == ("not_satisfied", "unclear_guidance")


def test_a_second_rating_shows_the_first_one_and_changes_nothing(client, serve):
    ticket = serve("A")
    client.post(url(ticket), {"level": "satisfied"})

    replay = client.post(url(ticket), {"level": "not_satisfied", "reason": "attitude"})
    assert replay.status_code == 302  # a double tap: same thank-you page
    page = client.get(url(ticket)).content.decode()
    assert "Bạn đã đánh giá" in page and "Hài lòng" in page
    assert "Không hài lòng" not in page
    assert Rating.objects.get().level == "satisfied"


def test_a_ticket_not_yet_served_cannot_be_rated(client, issue):
    ticket = issue("A")
    page = client.get(url(ticket))
    assert page.status_code == 200
    assert "Chỉ đánh giá được sau khi bạn đã được phục vụ xong." in page.content.decode()
    assert client.post(url(ticket), {"level": "satisfied"}).status_code == 400
    assert not Rating.objects.exists()


def test_an_unknown_link_is_not_found(client, db):
    assert client.get("/danh-gia/ve/khong-co-ve-nay/").status_code == 404
    assert client.get("/danh-gia/ve/khong-co-ve-nay/cam-on/").status_code == 404


def test_the_thank_you_page_without_a_rating_sends_back_to_the_faces(client, serve):
    ticket = serve("A")
    answer = client.get(reverse("feedback:ticket_thanks", args=[ticket.access_token]))
    assert answer.status_code == 302 and answer["Location"] == url(ticket)


def test_one_address_sending_too_many_ratings_is_slowed_down(client, serve, monkeypatch):
    monkeypatch.setattr(views, "RATE_LIMIT", 2)
    ticket = serve("A")
    assert client.post(url(ticket), {"level": "bogus"}).status_code == 400
    assert client.post(url(ticket), {"level": "bogus"}).status_code == 400
    third = client.post(url(ticket), {"level": "satisfied"})
    assert third.status_code == 429
    assert "Bạn đã gửi quá nhiều lần" in third.content.decode()
    assert int(third["Retry-After"]) > 0
    assert not Rating.objects.exists()


def test_the_form_needs_the_csrf_token(serve):
    from django.test import Client

    ticket = serve("A")
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(url(ticket), {"level": "satisfied"}).status_code == 403
    assert not Rating.objects.exists()
