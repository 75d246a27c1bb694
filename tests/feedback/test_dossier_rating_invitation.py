"""The invitation to rate a dossier (issue 15, part 1): a returned result queues one message per
contact the applicant gave, with a signed link that needs no account; the link rates once, for
the officer who handed the result over; a forged, altered or expired link rates nothing."""

import datetime as dt

import pytest
from django.core import mail

from motcua.dossiers import services as dossier_services
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.feedback import invitations
from motcua.feedback import services as feedback_services
from motcua.feedback.models import Channel, Rating
from motcua.integrations.models import Notification
from tests.clock import Clock
from tests.dossiers.conftest import NOTIFY_BASE
from tests.dossiers.factories import at
from tests.dossiers.test_status_notifications import EMAIL, ready, received

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("notify_outbox")]
RETURNED_AT = at(2026, 11, 20, 10)


@pytest.fixture
def app_clock(monkeypatch):
    """The feedback pages' clock: a day after the return unless a test moves it."""
    c = Clock(RETURNED_AT + dt.timedelta(days=1))
    monkeypatch.setattr(feedback_services, "now", c)
    return c


def returned(world) -> Dossier:
    d = ready(world)
    dossier_services.return_result(
        world.officer, dossier_id=d.pk, delivery="counter", at=RETURNED_AT
    )
    return Dossier.objects.get(pk=d.pk)


def invitations_of(dossier):
    return Notification.objects.filter(
        object_id=str(dossier.pk), purpose=Notification.Purpose.RATING_INVITE
    )


def link_path(dossier) -> str:
    url = invitations_of(dossier).get().url
    assert url.startswith(f"{NOTIFY_BASE}/danh-gia/ho-so/")
    return url.removeprefix(NOTIFY_BASE)


def test_a_returned_result_invites_the_applicant_once_with_a_link(world, commit):
    d = commit(returned, world)
    invite = invitations_of(d).get()  # the applicant chose e-mail: one message
    assert invite.channel == "email" and invite.to_address == EMAIL
    sent = [m for m in mail.outbox if "đánh giá" in m.subject]
    assert len(sent) == 1
    assert f"Mời ông/bà đánh giá việc giải quyết hồ sơ {d.code}" == sent[0].subject
    assert invite.url in sent[0].body  # the outbox appends the link
    # the hook running again for the same return (a retried job) queues nothing new
    event = DossierEvent.objects.get(dossier=d, action="return_result")
    invitations.invite_to_rate(
        dossier_services.TransitionInfo(
            dossier_id=d.pk,
            action="return_result",
            from_status=event.from_status,
            to_status=event.to_status,
            event_id=event.pk,
        )
    )
    assert invitations_of(d).count() == 1
    # other status changes invite nobody
    other = commit(received, world)
    assert not invitations_of(other).exists()


def test_an_sms_invitation_is_plain_gsm_text_with_the_link(world, commit):
    d = ready(world)
    Dossier.objects.filter(pk=d.pk).update(applicant_email="", notify_by="sms")
    commit(
        dossier_services.return_result,
        world.officer,
        dossier_id=d.pk,
        delivery="counter",
        at=RETURNED_AT,
    )
    invite = invitations_of(d).get()
    assert invite.channel == "sms" and invite.to_address.endswith("912345678")
    assert invite.body.startswith(f"Hồ sơ {d.code} đã trả kết quả. Mời ông/bà đánh giá")
    assert len(invite.body) + 1 + len(invite.url) <= 306  # two SMS parts with its link


def test_no_invitation_when_the_applicant_switched_messages_off(world, commit):
    d = ready(world)
    Dossier.objects.filter(pk=d.pk).update(notifications_off=True)
    commit(
        dossier_services.return_result,
        world.officer,
        dossier_id=d.pk,
        delivery="counter",
        at=RETURNED_AT,
    )
    assert not invitations_of(d).exists()


def test_the_link_rates_once_without_an_account_for_the_officer_who_returned_it(
    world, commit, client, app_clock
):
    d = commit(returned, world)
    path = link_path(d)
    page = client.get(path)
    assert page.status_code == 200
    html = page.content.decode()
    assert d.code in html and "Ông/bà có hài lòng với việc giải quyết hồ sơ không?" in html

    answer = client.post(path, {"level": "very_satisfied"})
    assert answer.status_code == 302 and answer["Location"].endswith("/cam-on/")
    rating = Rating.objects.get(dossier=d)
    assert rating.level == "very_satisfied" and rating.channel == Channel.PHONE
    assert rating.officer == world.officer  # who handed the result over
    assert rating.unit_id == d.competent_unit_id and rating.rated_by is None
    thanks = client.get(answer["Location"])
    assert "Cảm ơn ông/bà đã đánh giá!" in thanks.content.decode()

    # the same link again: the first rating stands, whatever is sent
    again = client.post(path, {"level": "not_satisfied", "reason": "long_wait"})
    assert again.status_code == 302
    assert Rating.objects.filter(dossier=d).count() == 1
    assert Rating.objects.get(dossier=d).level == "very_satisfied"
    later = client.get(path).content.decode()
    assert "Hồ sơ đã được đánh giá" in later and "Mỗi hồ sơ chỉ được đánh giá một lần" in later


def test_not_satisfied_needs_a_reason(world, commit, client, app_clock):
    d = commit(returned, world)
    path = link_path(d)
    refused = client.post(path, {"level": "not_satisfied"})
    assert refused.status_code == 400
    assert "Xin cho biết lý do bạn chưa hài lòng" in refused.content.decode()
    assert not Rating.objects.filter(dossier=d).exists()
    client.post(path, {"level": "not_satisfied", "reason": "many_trips"})
    assert Rating.objects.get(dossier=d).reason == "many_trips"


def test_forged_and_altered_links_rate_nothing(world, commit, client, app_clock):
    d = commit(returned, world)
    path = link_path(d)
    token = path.rstrip("/").rsplit("/", 1)[1]
    other = commit(returned, world)
    other_token = invitations.token_for(other.pk)
    forged = [
        token[:-1] + ("A" if token[-1] != "A" else "B"),  # signature altered
        f"{other.pk}.{token.split('.', 1)[1]}",  # another dossier's id with this signature
        f"{d.pk}",  # no signature
        "x" * 200,
        other_token.replace(str(other.pk), str(d.pk), 1),
    ]
    for bad in forged:
        assert client.get(f"/danh-gia/ho-so/{bad}/").status_code == 404, bad
        assert client.post(f"/danh-gia/ho-so/{bad}/", {"level": "satisfied"}).status_code == 404
    assert not Rating.objects.exists()
    # a link made with another secret (another installation) is refused too
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(invitations, "SALT", "another")
        foreign = invitations.token_for(d.pk)
    assert client.get(f"/danh-gia/ho-so/{foreign}/").status_code == 404


def test_an_expired_link_is_refused_and_says_where_to_rate(world, commit, client, app_clock):
    d = commit(returned, world)
    path = link_path(d)
    app_clock.set(RETURNED_AT + dt.timedelta(days=invitations.LINK_DAYS, seconds=-1))
    assert client.get(path).status_code == 200
    app_clock.set(RETURNED_AT + dt.timedelta(days=invitations.LINK_DAYS))
    page = client.get(path)
    assert page.status_code == 410
    assert "Đường dẫn đánh giá đã hết hạn" in page.content.decode()
    assert client.post(path, {"level": "satisfied"}).status_code == 410
    assert not Rating.objects.filter(dossier=d).exists()
    # the service refuses it too, whichever screen calls it
    with pytest.raises(Exception, match="hết hạn"):
        feedback_services.rate_by_invitation(dossier=d, level="satisfied", at=app_clock())
