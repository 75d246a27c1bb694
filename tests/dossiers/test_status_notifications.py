"""Every status change reaches the applicant (ND 224/2026 art. 15(1)(g), decisions/0029):
one outbox row per change on the channel they chose, with the dossier code, the new status in
plain Vietnamese, the agency, the officer, the new date where there is one and the public
tracking link; delivered after the commit (e-mail checked in Django's outbox); the same row on
a retried hook or a double-submitted form; nothing after the applicant switched the dossier's
messages off (the link in every e-mail) or when they left no contact."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from motcua.dossiers import notifications, services, tracking_views
from motcua.dossiers.models import Delivery, Dossier, DossierDocument, DossierEvent, Status
from motcua.integrations.models import Notification, PushSubscription
from motcua.integrations.senders import strip_diacritics

from .conftest import NOTIFY_BASE as BASE
from .factories import applicant, at, attach, complete_processing, receive

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("notify_outbox")]
EMAIL = "an.nguyen@example.vn"
# GSM 03.38 basic character set (what a 7-bit SMS part carries)
GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ ÆæßÉ!\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)


def rows(dossier):
    return Notification.objects.filter(object_type="dossiers.dossier", object_id=str(dossier.pk))


def by_email(**kw):
    return applicant(email=EMAIL, notify_by="email", **kw)


def received(world, **kw):
    return receive(world, applicant=kw.pop("who", None) or by_email(), **kw)


def processing(world):
    d = received(world)
    services.start_processing(world.officer, dossier_id=d.pk, assignee=world.specialist)
    return d


def approved(world):
    d = processing(world)
    complete_processing(world, d)
    return d


def ready(world):
    d = approved(world)
    attach(world, d, DossierDocument.Kind.RESULT, signed=True)
    services.mark_result_ready(world.specialist, dossier_id=d.pk)
    return d


def paused(world):
    d = processing(world)
    services.request_supplement(
        world.specialist, dossier_id=d.pk, items=["Bản sao giấy chứng sinh"], reason="Thiếu"
    )
    return d


def online(world):
    return services.submit_online(
        None,
        procedure=world.procedure,
        receiving_unit=world.commune,
        applicant=by_email(),
        at=at(2026, 11, 2, 9),
    )


# name -> (set-up, the verb, purpose, words of the status, officer, date shown)
CASES = {
    "submit_online": (
        None,
        lambda w, d: online(w),
        "dossier_submitted",
        "đã được gửi thành công, đang chờ cán bộ tiếp nhận",
        None,
        None,
    ),
    "receive": (
        None,
        lambda w, d: received(w),
        "dossier_received",
        "đã được tiếp nhận",
        "Trần Thị Một Cửa",
        "17 giờ 00 ngày 09/11/2026",
    ),
    "accept": (
        online,
        lambda w, d: services.accept_online(w.officer, dossier_id=d.pk, at=at(2026, 11, 2, 10)),
        "dossier_received",
        "đã được tiếp nhận",
        "Trần Thị Một Cửa",
        "17 giờ 00 ngày 06/11/2026",
    ),
    "start_processing": (
        received,
        lambda w, d: services.start_processing(w.officer, dossier_id=d.pk, assignee=w.specialist),
        "dossier_assigned",
        "đã được chuyển xử lý",
        "Lê Văn Chuyên",
        None,
    ),
    "assign_step": (
        processing,
        lambda w, d: services.assign_step(w.manager, dossier_id=d.pk, assignee=w.specialist),
        "dossier_assigned",
        "đã được phân công cán bộ giải quyết",
        "Lê Văn Chuyên",
        None,
    ),
    "request_supplement": (
        processing,
        lambda w, d: services.request_supplement(
            w.specialist, dossier_id=d.pk, items=["Bản sao giấy chứng sinh"], reason="Thiếu"
        ),
        "supplement_requested",
        "cần bổ sung giấy tờ",
        "Lê Văn Chuyên",
        None,
    ),
    "resubmit_supplement": (
        paused,
        lambda w, d: services.resubmit_supplement(w.officer, dossier_id=d.pk),
        "dossier_status",
        "đã nhận đủ phần bổ sung, tiếp tục giải quyết",
        "Trần Thị Một Cửa",
        "",  # a date, whichever it is now
    ),
    "request_financial_obligation": (
        processing,
        lambda w, d: services.request_financial_obligation(
            w.specialist, dossier_id=d.pk, amount_vnd=50000
        ),
        "dossier_status",
        "cần thực hiện nghĩa vụ tài chính",
        "Lê Văn Chuyên",
        None,
    ),
    "extend": (
        processing,
        lambda w, d: services.extend_with_apology(
            w.specialist,
            dossier_id=d.pk,
            reason="Cần xác minh thêm",
            new_due_at=at(2026, 11, 12, 17),
            at=at(2026, 11, 5, 9),
        ),
        "apology",
        "chưa thể trả kết quả đúng hẹn, xin lỗi ông/bà",
        "Lê Văn Chuyên",
        "17 giờ 00 ngày 12/11/2026",
    ),
    "approve": (
        None,
        lambda w, d: approved(w),
        "dossier_approved",
        "đã được lãnh đạo phê duyệt",
        "Phạm Văn Lãnh",
        None,
    ),
    "mark_result_ready": (
        approved,
        lambda w, d: (
            attach(w, d, DossierDocument.Kind.RESULT, signed=True),
            services.mark_result_ready(w.specialist, dossier_id=d.pk),
        ),
        "result_ready",
        "đã có kết quả",
        "Lê Văn Chuyên",
        None,
    ),
    "return_result": (
        ready,
        lambda w, d: services.return_result(w.officer, dossier_id=d.pk, delivery="counter"),
        "dossier_returned",
        "đã trả kết quả",
        "Trần Thị Một Cửa",
        None,
    ),
    "refuse": (
        online,
        lambda w, d: services.refuse_with_letter(
            w.officer, dossier_id=d.pk, reason="Không thuộc thẩm quyền"
        ),
        "dossier_refused",
        "không được tiếp nhận",
        "Trần Thị Một Cửa",
        None,
    ),
    "stop": (
        processing,
        lambda w, d: services.stop_with_letter(w.specialist, dossier_id=d.pk, reason="Tranh chấp"),
        "dossier_stopped",
        "bị dừng giải quyết",
        "Lê Văn Chuyên",
        None,
    ),
    "withdraw": (
        processing,
        lambda w, d: (
            attach(w, d, DossierDocument.Kind.WITHDRAWAL_REQUEST),
            services.withdraw(w.officer, dossier_id=d.pk, reason="Công dân xin rút"),
        ),
        "dossier_withdrawn",
        "đã được rút theo đề nghị của ông/bà",
        "Trần Thị Một Cửa",
        None,
    ),
}


def run_case(world, commit, name):
    setup, act, *_rest = CASES[name]
    dossier = setup(world) if setup else None
    before = set(Notification.objects.values_list("pk", flat=True))
    mail.outbox.clear()
    result = commit(act, world, dossier)
    if isinstance(result, tuple):
        result = result[-1]
    dossier = dossier or result
    # the status messages; a return also invites the applicant to rate (tests/feedback)
    new = Notification.objects.exclude(pk__in=before).exclude(purpose="rating_invite")
    if name == "approve":  # its set-up is its own verb: keep the approval's row only
        new = new.filter(purpose="dossier_approved")
    return dossier, list(new)


@pytest.mark.parametrize("name", list(CASES))
def test_each_status_change_sends_one_message_on_the_chosen_channel(world, commit, name):
    _setup, _act, purpose, words, officer, date = CASES[name]
    dossier, new = run_case(world, commit, name)
    assert len(new) == 1, [n.purpose for n in new]
    row = new[0]
    assert row.channel == "email" and row.to_address == EMAIL  # chosen: e-mail, not the SMS
    assert row.purpose == purpose
    assert row.status == Notification.Status.SENT  # delivered after the commit
    assert row.url == f"{BASE}/tra-cuu/?ma={dossier.code}"
    assert row.subject == f"Hồ sơ {dossier.code} {words}"
    body = row.body
    assert f"Hồ sơ {dossier.code} (" in body and f") {words}." in body
    assert "Cơ quan giải quyết: Xã An Hưng" in body
    if officer:
        assert f"Cán bộ xử lý: {officer}" in body
    else:
        assert "Cán bộ xử lý" not in body
    if date:
        assert date in body
    elif date == "":
        dossier.refresh_from_db()
        assert notifications.format_moment(dossier.due_at_current) in body
    else:
        assert "hẹn trả" not in body.lower()
    assert f"{BASE}/tra-cuu/thong-bao/" in body  # the switch-off link
    # Django's mail outbox after delivery: the same message, the tracking link last
    sent = [m for m in mail.outbox if m.to == [EMAIL] and m.subject == row.subject]
    assert len(sent) == 1
    assert sent[0].subject == row.subject
    assert sent[0].body.endswith(f"/tra-cuu/?ma={dossier.code}")


@pytest.mark.parametrize("name", ["receive", "extend", "request_supplement", "refuse"])
def test_sms_choice_is_short_gsm_text_with_the_link(world, commit, name, settings):
    who = applicant(email=EMAIL, notify_by="sms")
    original = CASES[name]
    CASES_SMS = {
        **CASES,
        "receive": (None, lambda w, d: received(w, who=who), *original[2:]),
    }
    setup, act, _purpose, words, *_ = CASES_SMS[name]
    if setup is online:
        dossier = services.submit_online(
            None,
            procedure=world.procedure,
            receiving_unit=world.commune,
            applicant=who,
            at=at(2026, 11, 2, 9),
        )
    elif setup is processing:
        dossier = received(world, who=who)
        services.start_processing(world.officer, dossier_id=dossier.pk, assignee=world.specialist)
    else:
        dossier = None
    before = set(Notification.objects.values_list("pk", flat=True))
    result = commit(act, world, dossier)
    dossier = dossier or result
    new = list(Notification.objects.exclude(pk__in=before))
    assert [(n.channel, n.to_address) for n in new] == [("sms", "+84912345678")]
    from motcua.integrations.senders import sms_text

    text = sms_text(new[0])
    assert text.startswith(f"{dossier.code}: {strip_diacritics(words)}")
    assert text.endswith(f"\n{BASE}/tra-cuu/?ma={dossier.code}")
    assert set(text) <= GSM7, set(text) - GSM7
    assert len(text) <= notifications.SMS_MAX_CHARS  # at most two concatenated parts
    # the development SMS outbox got exactly it
    lines = (settings.VAR_DIR / "dev-sms-outbox.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 and dossier.code in lines[0]


def test_not_chosen_means_every_contact_given(world, commit):
    dossier = commit(received, world, who=applicant(email=EMAIL))
    assert sorted(rows(dossier).values_list("channel", flat=True)) == ["email", "sms"]


def test_push_choice_goes_to_the_applicants_registered_devices(world, commit, settings):
    settings.MOTCUA_NOTIFY_SENDERS = {"push": "tests.dossiers.test_status_notifications.NoPush"}
    who = applicant(notify_by="push")
    dossier = commit(received, world, who=who)
    # no device registered yet: the phone they gave instead
    assert list(rows(dossier).values_list("channel", flat=True)) == ["sms"]
    device = PushSubscription.objects.create(
        endpoint="https://fcm.googleapis.com/fcm/send/abc",
        p256dh="k",
        auth="a",
        dossier_ref=dossier.code,
    )
    commit(services.start_processing, world.officer, dossier_id=dossier.pk)
    push = rows(dossier).get(purpose="dossier_assigned")
    assert push.channel == "push" and push.subscription_id == device.pk
    assert push.subject == f"Hồ sơ {dossier.code} đã được chuyển xử lý"
    assert push.body.startswith("Đã được chuyển xử lý.")


class NoPush:
    """A push sender that accepts everything (the real protocol is tested in integrations)."""

    def send(self, notification):
        return None


def test_a_retried_hook_or_a_double_submitted_form_sends_once(world, commit):
    dossier = commit(received, world)
    event = DossierEvent.objects.get(dossier=dossier, action="receive")
    info = services.TransitionInfo(dossier.pk, "receive", None, Status.RECEIVED, event.pk, {})
    commit(notifications.notify_applicant, info)  # a replayed event
    commit(notifications.notify_applicant, info)
    assert rows(dossier).count() == 1 and len(mail.outbox) == 1
    # the same "refuse" form sent twice: the second is refused as stale, nothing more is sent
    d = online(world)
    version = d.version
    commit(
        services.refuse_with_letter,
        world.officer,
        dossier_id=d.pk,
        reason="X",
        expected_version=version,
    )
    with pytest.raises(services.IllegalTransition):
        commit(
            services.refuse_with_letter,
            world.officer,
            dossier_id=d.pk,
            reason="X",
            expected_version=version,
        )
    assert list(rows(d).values_list("purpose", flat=True).order_by("id")) == [
        "dossier_submitted",
        "dossier_refused",
    ]


def test_no_contact_no_message(world, commit):
    dossier = commit(received, world, who=applicant(phone="", email=""))
    commit(services.start_processing, world.officer, dossier_id=dossier.pk)
    assert not rows(dossier).exists() and mail.outbox == []


def test_switched_off_by_the_link_in_the_email_then_nothing_more(world, commit, client):
    dossier = commit(received, world)
    body = mail.outbox[0].body
    link = re.search(r"https://\S+/tra-cuu/thong-bao/\S+/", body).group(0)
    path = link.removeprefix(BASE)
    page = client.get(path)  # asking only: mail scanners open links
    assert page.status_code == 200 and dossier.code in page.content.decode()
    dossier.refresh_from_db()
    assert not dossier.notifications_off
    done = client.post(path, {"bat": "0"})
    assert done.status_code == 200 and "Đã tắt." in done.content.decode()
    dossier.refresh_from_db()
    assert dossier.notifications_off
    from motcua.core.models import AuditEvent

    assert AuditEvent.objects.filter(action="dossier.notifications_off").count() == 1
    count = rows(dossier).count()
    commit(
        services.start_processing, world.officer, dossier_id=dossier.pk, assignee=world.specialist
    )
    commit(
        services.request_supplement,
        world.specialist,
        dossier_id=dossier.pk,
        items=["Giấy chứng sinh"],
        reason="Thiếu",
    )
    assert rows(dossier).count() == count and len(mail.outbox) == 1
    # and on again
    client.post(path, {"bat": "1"})
    commit(services.resubmit_supplement, world.officer, dossier_id=dossier.pk)
    assert rows(dossier).count() == count + 1


def test_an_altered_switch_off_link_is_a_404(world, commit, client):
    dossier = commit(received, world)
    token = notifications.optout_token(dossier.pk)
    assert client.get(f"/tra-cuu/thong-bao/{token}x/").status_code == 404
    assert client.post(f"/tra-cuu/thong-bao/{token[:-2]}/", {"bat": "0"}).status_code == 404
    other = notifications.optout_token(dossier.pk + 1000)
    assert client.get(f"/tra-cuu/thong-bao/{other}/").status_code == 404
    dossier.refresh_from_db()
    assert not dossier.notifications_off


def test_a_chosen_channel_needs_its_contact(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        received(world, who=applicant(phone="", email=EMAIL, notify_by="sms"))
    assert "Cần số điện thoại" in str(refused.value)
    with pytest.raises(ValidationError):
        received(world, who=applicant(notify_by="email"))
    with pytest.raises(ValidationError):
        received(world, who=applicant(notify_by="fax"))


def test_the_reverse_link_name_is_public(world):
    assert reverse("dossiers:tracking_notifications_off", args=["abc"]) == "/tra-cuu/thong-bao/abc/"


def test_a_long_reason_still_fits_two_sms_parts(world, commit):
    from motcua.integrations.senders import sms_text

    d = services.submit_online(
        None,
        procedure=world.procedure,
        receiving_unit=world.commune,
        applicant=applicant(notify_by="sms"),
        at=at(2026, 11, 2, 9),
    )
    reason = "Hồ sơ không thuộc thẩm quyền giải quyết của Ủy ban nhân dân xã " * 6
    commit(services.refuse_with_letter, world.officer, dossier_id=d.pk, reason=reason)
    refused = rows(d).get(purpose="dossier_refused")
    text = sms_text(refused)
    assert len(text) <= notifications.SMS_MAX_CHARS
    assert text.startswith(f"{d.code}: khong duoc tiep nhan.") and "Ly do: Ho so" in text


@pytest.mark.parametrize("signed", [True, False])
def test_a_result_asked_online_is_to_download_not_to_collect_once_signed(world, commit, signed):
    """Asked online and signed: "download it from your space", and the tracking page says so;
    unsigned (it cannot be returned online): the counter, as for everybody."""
    d = approved(world)
    d.result_delivery = Delivery.ONLINE
    d.save(update_fields=["result_delivery"])
    attach(world, d, DossierDocument.Kind.RESULT, signed=signed)
    before = set(rows(d).values_list("pk", flat=True))
    commit(services.mark_result_ready, world.specialist, dossier_id=d.pk)
    (message,) = rows(d).exclude(pk__in=before)
    page = tracking_views.public_view(Dossier.objects.get(pk=d.pk))
    if signed:
        assert "tải kết quả đã ký số tại mục Hồ sơ của tôi" in message.body
        assert "Mời ông/bà nhận kết quả tại" not in message.body
        assert "Hồ sơ của tôi" in page.status_hint and "Hồ sơ của tôi" in page.collect
        assert page.collect_hint == ""
    else:
        assert "Mời ông/bà nhận kết quả tại Bộ phận Một cửa Xã An Hưng" in message.body
        assert page.collect.startswith("Bộ phận Một cửa") and "Mang theo" in page.collect_hint
