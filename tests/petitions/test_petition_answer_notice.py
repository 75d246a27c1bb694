"""The submitter is told when the answer is published: an SMS to the mobile and an e-mail to
the address they gave (a signed-in citizen who gave neither: their account's), queued in the
notifications outbox in the publication's transaction and delivered after the commit, once;
the message has the code and the follow link, nothing of the content; anonymous petitions and
petitions without a contact get nothing; no contact in the logs."""

from __future__ import annotations

import logging
from types import SimpleNamespace

import pytest
from django.core import mail
from django.db import transaction

from motcua.accounts.models import Role, User
from motcua.core.statemachine import IllegalTransition
from motcua.integrations.models import Notification
from motcua.petitions import services
from motcua.petitions.models import Petition

from .conftest import at, petition_in, staff, submit

pytestmark = pytest.mark.django_db

BASE = "https://motcua.anhung.example.vn"
ANSWER = "Phòng Kinh tế đã thay bóng ba cột đèn đầu thôn Đông ngày 20/11/2026."


@pytest.fixture
def outbox(settings, tmp_path):
    """Delivery inline after the commit: e-mail into Django's outbox, SMS into VAR_DIR."""
    from huey.contrib.djhuey import HUEY

    settings.MOTCUA_PUBLIC_BASE_URL = BASE
    settings.VAR_DIR = tmp_path
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MOTCUA_NOTIFY_MODE = "dev"
    was, HUEY.immediate = HUEY.immediate, True
    yield tmp_path
    HUEY.immediate = was


def answered(world, **kw) -> Petition:
    p = submit(world, **kw)
    services.assign(p.pk, actor=world.manager, handler=world.handler, now=at(2026, 11, 18))
    services.answer(p.pk, actor=world.handler, text=ANSWER, now=at(2026, 11, 19))
    return p


def publish(world, p, django_capture_on_commit_callbacks) -> Petition:
    with django_capture_on_commit_callbacks(execute=True):
        return services.publish(p.pk, actor=world.manager, now=at(2026, 11, 20))


def test_the_submitter_gets_one_sms_and_one_email_with_the_code_and_link(
    world, outbox, caplog, django_capture_on_commit_callbacks
):
    p = answered(world, email="an.nguyen@example.vn")
    caplog.set_level(logging.DEBUG)
    publish(world, p, django_capture_on_commit_callbacks)

    rows = {n.channel: n for n in Notification.objects.filter(object_id=str(p.pk))}
    assert set(rows) == {"sms", "email"}
    link = f"{BASE}/phan-anh/theo-doi/{p.code}/"
    for row in rows.values():
        assert row.purpose == "petition_answered"
        assert row.object_type == "petitions.petition"
        assert row.unit_id == world.commune.pk
        assert row.url == link
        assert p.code in row.body and link in row.body
        assert "Xã An Hưng" in row.body
        assert "thay bóng" not in row.body  # the answer is behind the link, masked
        assert row.status == Notification.Status.SENT
    assert rows["sms"].to_address == "+84912345678"
    assert rows["email"].to_address == "an.nguyen@example.vn"
    [email] = [m for m in mail.outbox if m.to == ["an.nguyen@example.vn"]]
    assert email.subject == f"Phản ánh {p.code} đã có trả lời"
    sms = (outbox / "dev-sms-outbox.jsonl").read_text(encoding="utf-8")
    assert p.code in sms and link in sms
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for personal in ("0912345678", "912345678", "an.nguyen", "Nguyễn Văn An"):
        assert personal not in logged


def test_publishing_again_or_a_retried_hook_sends_nothing_new(
    world, outbox, django_capture_on_commit_callbacks
):
    p = answered(world)
    publish(world, p, django_capture_on_commit_callbacks)
    assert Notification.objects.count() == 1
    with pytest.raises(IllegalTransition):
        publish(world, p, django_capture_on_commit_callbacks)
    # a job or a hook run a second time for the same publication: the outbox's key stands
    with django_capture_on_commit_callbacks(execute=True):
        services.tell_submitter(SimpleNamespace(obj=Petition.objects.get(pk=p.pk)))
    assert Notification.objects.count() == 1
    assert len(mail.outbox) == 0  # SMS only: no e-mail was given
    sms = (outbox / "dev-sms-outbox.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(sms) == 1


@pytest.mark.parametrize(
    "contact",
    [{"anonymous": True, "name": "", "phone": ""}, {"name": "Nguyễn Văn An", "phone": ""}],
    ids=["anonymous", "no-contact"],
)
def test_anonymous_or_without_contact_nothing_is_sent(
    world, outbox, contact, django_capture_on_commit_callbacks
):
    p = answered(world, **contact)
    p = publish(world, p, django_capture_on_commit_callbacks)
    assert p.status == Petition.Status.PUBLISHED
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_an_anonymous_petition_of_a_signed_in_citizen_names_nobody(
    world, outbox, django_capture_on_commit_callbacks
):
    citizen = User.objects.create_user(
        username="cd1",
        password="x",
        kind=User.Kind.CITIZEN,
        phone="0987654321",
        email="binh@example.vn",
    )
    p = services.submit(
        unit=world.commune,
        data=petition_in(world, anonymous=True, name="", phone=""),
        user=citizen,
        now=at(2026, 11, 17),
    )
    services.assign(p.pk, actor=world.manager, handler=world.handler, now=at(2026, 11, 18))
    services.answer(p.pk, actor=world.handler, text=ANSWER, now=at(2026, 11, 19))
    publish(world, p, django_capture_on_commit_callbacks)
    assert not Notification.objects.exists()


def test_a_signed_in_citizen_without_typed_contact_is_told_on_their_account(
    world, outbox, django_capture_on_commit_callbacks
):
    citizen = User.objects.create_user(
        username="cd2",
        password="x",
        kind=User.Kind.CITIZEN,
        phone="0987654321",
        email="binh@example.vn",
    )
    p = services.submit(
        unit=world.commune,
        data=petition_in(world, name="Trần Thị Bình", phone=""),
        user=citizen,
        now=at(2026, 11, 17),
    )
    services.assign(p.pk, actor=world.manager, handler=world.handler, now=at(2026, 11, 18))
    services.answer(p.pk, actor=world.handler, text=ANSWER, now=at(2026, 11, 19))
    publish(world, p, django_capture_on_commit_callbacks)
    sent = dict(Notification.objects.values_list("channel", "to_address"))
    assert sent == {"sms": "+84987654321", "email": "binh@example.vn"}


def test_a_landline_gets_no_sms_but_the_email_still_goes(
    world, outbox, django_capture_on_commit_callbacks
):
    p = answered(world, phone="024 3765 4321", email="an.nguyen@example.vn")
    publish(world, p, django_capture_on_commit_callbacks)
    assert list(Notification.objects.values_list("channel", flat=True)) == ["email"]


def test_the_outbox_row_is_written_in_the_publications_transaction(
    world, outbox, django_capture_on_commit_callbacks
):
    p = answered(world)

    # undone with the publication: no row, the petition still waits to be published
    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        services.publish(p.pk, actor=world.manager, now=at(2026, 11, 20))
        assert Notification.objects.filter(object_id=str(p.pk)).exists()
        raise Undo
    assert not Notification.objects.exists()
    assert Petition.objects.get(pk=p.pk).status == Petition.Status.ANSWERED

    # committed with it: the row is there before the commit, sent only after it
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.publish(p.pk, actor=world.manager, now=at(2026, 11, 20))
    row = Notification.objects.get()
    assert row.status == Notification.Status.PENDING
    assert not (outbox / "dev-sms-outbox.jsonl").exists()
    for callback in callbacks:
        callback()
    row.refresh_from_db()
    assert row.status == Notification.Status.SENT


def test_after_a_transfer_the_message_gives_the_code_the_submitter_holds(
    world, outbox, django_capture_on_commit_callbacks
):
    first = submit(world)
    services.transfer(first.pk, actor=world.manager, to_unit=world.other, reason="Thuộc xã khác")
    there = Petition.objects.get(transferred_from=first)
    handler = staff("Hà Văn Xử", (Role.SPECIALIST, world.other, there.department))
    services.assign(there.pk, actor=world.other_manager, handler=handler)
    services.answer(there.pk, actor=handler, text=ANSWER)
    with django_capture_on_commit_callbacks(execute=True):
        services.publish(there.pk, actor=world.other_manager)
    row = Notification.objects.get()
    assert first.code in row.body and there.code not in row.body
    assert "Xã Kiến Thụy" in row.body
