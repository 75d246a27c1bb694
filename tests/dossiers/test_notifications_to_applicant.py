"""The applicant gets an SMS / email at every status change (ND 224/2026 art. 15(1)(g)):
once per event, in Vietnamese, with the agency, the officer and the tracking link; nothing for
a dossier without a phone or email, nothing for internal steps. Every transition, channel
choice, opt-out and delivery: test_status_notifications.py."""

import pytest

from motcua.dossiers import notifications, services
from motcua.dossiers.models import DossierEvent, Status

from .factories import applicant, at, drive_to, receive

pytestmark = pytest.mark.django_db
BASE = "https://motcua.anhung.example.vn"


@pytest.fixture(autouse=True)
def _public_base(settings):
    settings.MOTCUA_PUBLIC_BASE_URL = BASE


@pytest.fixture
def sent(monkeypatch):
    """Messages handed to the outbox, captured at the module's one delivery point."""
    captured: list[notifications.Message] = []
    monkeypatch.setattr(notifications, "deliver", captured.append)
    return captured


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run the after-commit hooks of what happens inside, as production does."""

    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run


def test_hook_is_registered_with_the_dossier_core():
    # inside the transition's transaction: the change and its messages commit together
    assert notifications.notify_applicant in services._IN_TRANSACTION_HOOKS
    assert notifications.notify_applicant not in services._HOOKS


def test_reception_sends_code_appointment_and_tracking_link_by_sms(world, sent, commit):
    dossier = commit(receive, world, at(2026, 11, 2, 9))
    assert len(sent) == 1
    sms = sent[0]
    assert sms.channel == "sms" and sms.recipient == "0912345678"
    assert sms.purpose == "dossier_received"
    assert sms.body == (
        f"{dossier.code}: đã được tiếp nhận, hẹn trả kết quả 17:00 09/11/2026. "
        "Xã An Hưng, cán bộ Trần Thị Một Cửa. Tra cứu:"
    )
    assert sms.url == f"{BASE}/tra-cuu/?ma={dossier.code}"
    event = DossierEvent.objects.get(dossier=dossier, action="receive")
    assert sms.idempotency_key == f"dossier:{dossier.code}:{event.pk}:sms"
    assert sms.object_id == str(dossier.pk)


def test_phone_and_email_each_get_one_message(world, sent, commit):
    commit(receive, world, applicant=applicant(email="an.nguyen@example.vn"))
    assert sorted((m.channel, m.recipient) for m in sent) == [
        ("email", "an.nguyen@example.vn"),
        ("sms", "0912345678"),
    ]
    email = next(m for m in sent if m.channel == "email")
    assert email.subject == f"Hồ sơ {email.idempotency_key.split(':')[1]} đã được tiếp nhận"


def test_no_message_for_a_dossier_without_phone_or_email(world, sent, commit):
    dossier = commit(receive, world, applicant=applicant(phone="", email=""))
    commit(services.start_processing, world.officer, dossier_id=dossier.pk)
    commit(
        services.request_supplement,
        world.specialist,
        dossier_id=dossier.pk,
        items=["Giấy chứng sinh"],
        reason="Thiếu",
    )
    assert sent == []


def test_supplement_request_lists_what_to_bring(world, sent, commit):
    dossier = commit(drive_to, world, Status.AWAITING_SUPPLEMENT)
    supplement = [m for m in sent if m.purpose == "supplement_requested"]
    assert len(supplement) == 1
    assert supplement[0].body.startswith(
        f"{dossier.code}: cần bổ sung giấy tờ. Gồm: Bản sao giấy chứng sinh."
    )


def test_apology_gives_the_new_appointment(world, sent, commit):
    dossier = commit(receive, world, at(2026, 11, 2, 9))
    sent.clear()
    commit(services.start_processing, world.officer, dossier_id=dossier.pk)
    commit(
        services.extend_with_apology,
        world.specialist,
        dossier_id=dossier.pk,
        reason="Cần xác minh thêm",
        new_due_at=at(2026, 11, 12, 17),
        at=at(2026, 11, 5, 9),
    )
    assert [m.purpose for m in sent] == ["dossier_assigned", "apology"]
    assert sent[1].body == (
        f"{dossier.code}: chưa thể trả kết quả đúng hẹn, xin lỗi ông/bà, "
        "hẹn trả kết quả mới 17:00 12/11/2026. Xã An Hưng, cán bộ Lê Văn Chuyên. Tra cứu:"
    )


def test_result_ready_says_where_to_collect(world, sent, commit):
    world.commune.address = "Số 1 đường Trung tâm"
    world.commune.save()
    dossier = commit(drive_to, world, Status.RESULT_READY)
    ready = [m for m in sent if m.purpose == "result_ready"]
    assert len(ready) == 1
    assert ready[0].body.startswith(
        f"{dossier.code}: đã có kết quả. Mời ông/bà nhận kết quả tại "
        "Bộ phận Một cửa Xã An Hưng, Số 1 đường Trung tâm."
    )


def test_a_whole_lifecycle_notifies_every_status_change_not_internal_steps(world, sent, commit):
    commit(drive_to, world, Status.RETURNED)
    # steps finished and the draft submitted to the leader send nothing
    assert [m.purpose for m in sent] == [
        "dossier_received",
        "dossier_assigned",
        "dossier_approved",
        "result_ready",
        "dossier_returned",
    ]


def test_online_dossier_is_announced_when_submitted_and_when_accepted(world, sent, commit):
    dossier = commit(drive_to, world, Status.SUBMITTED)
    assert [m.purpose for m in sent] == ["dossier_submitted"]
    assert "hẹn trả" not in sent[0].body  # no appointment before reception
    commit(services.accept_online, world.officer, dossier_id=dossier.pk, at=at(2026, 11, 2, 10))
    assert [m.purpose for m in sent] == ["dossier_submitted", "dossier_received"]
    assert "hẹn trả kết quả" in sent[1].body


def test_replaying_an_event_gives_the_same_idempotency_keys(world, sent, commit):
    dossier = commit(receive, world, applicant=applicant(email="an@example.vn"))
    event = DossierEvent.objects.get(dossier=dossier, action="receive")
    info = services.TransitionInfo(dossier.pk, "receive", None, Status.RECEIVED, event.pk, {})
    first = {m.idempotency_key for m in sent}
    notifications.notify_applicant(info)
    assert {m.idempotency_key for m in sent} == first and len(sent) == 4  # 2 + the replay


def test_a_failing_channel_does_not_stop_the_other(world, monkeypatch, commit):
    delivered = []

    def flaky(message):
        if message.channel == "sms":
            raise RuntimeError("gateway down")
        delivered.append(message)

    monkeypatch.setattr(notifications, "deliver", flaky)
    dossier = commit(receive, world, applicant=applicant(email="an@example.vn"))
    assert [m.channel for m in delivered] == ["email"]
    assert dossier.status == Status.RECEIVED  # the reception stands


def test_messages_reach_the_outbox_once_per_event(world, monkeypatch, commit):
    from motcua.integrations import services as outbox
    from motcua.integrations.models import Notification

    monkeypatch.setattr(outbox, "schedule", lambda pk: None)  # delivery is not this test's
    dossier = commit(receive, world, applicant=applicant(email="an@example.vn"))
    event = DossierEvent.objects.get(dossier=dossier, action="receive")
    info = services.TransitionInfo(dossier.pk, "receive", None, Status.RECEIVED, event.pk, {})
    notifications.notify_applicant(info)  # a replayed event
    rows = Notification.objects.filter(object_type="dossiers.dossier", object_id=str(dossier.pk))
    assert sorted(rows.values_list("channel", "to_address")) == [
        ("email", "an@example.vn"),
        ("sms", "+84912345678"),
    ]
    sms = rows.get(channel="sms")
    assert sms.purpose == "dossier_received" and sms.unit_id == world.commune.pk
    assert sms.url == f"{BASE}/tra-cuu/?ma={dossier.code}"
    assert sms.body.startswith(f"{dossier.code}: đã được tiếp nhận,")


def test_an_invalid_phone_is_skipped_without_losing_the_email(world, monkeypatch, commit):
    from motcua.integrations import services as outbox
    from motcua.integrations.models import Notification

    monkeypatch.setattr(outbox, "schedule", lambda pk: None)
    dossier = commit(receive, world, applicant=applicant(phone="12", email="an@example.vn"))
    rows = Notification.objects.filter(object_id=str(dossier.pk), object_type="dossiers.dossier")
    assert list(rows.values_list("channel", flat=True)) == ["email"]
