"""Issued signed results reused in the next filing (recorded as reuse), and the choice of how
to be told of each status change ("Nhận thông báo qua") carried from the draft to the dossier
so that a later status change queues exactly that channel's message."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone

from motcua.catalog.models import Component, ResultValidity
from motcua.dossiers import services as dossiers
from motcua.dossiers.models import Dossier, DossierDocument, OnlineFiling, Status
from motcua.filing import services
from motcua.integrations.models import Notification, PushSubscription
from tests.dossiers.factories import make_procedure

from .factories import HUNG, LAN, make_citizen
from .test_services import walk_the_form

MARRIAGE_PAPER = "Giấy chứng nhận kết hôn của cha, mẹ trẻ (nếu có)"
RESULT_BYTES = b"%PDF-1.4\n% giay chung nhan ket hon (ky so)\n"
ENDPOINT = "https://fcm.googleapis.com/fcm/send/lan-phone"


@pytest.fixture
def marriage(fw):
    """A marriage registration whose result is the certificate, and the birth registration
    asking for that certificate."""
    procedure = make_procedure(fw.province, name="Thủ tục đăng ký kết hôn")
    procedure.result_type = "Giấy chứng nhận kết hôn (mỗi bên 01 bản chính)"
    procedure.save()
    Component.objects.create(procedure=fw.birth, order=7, name=MARRIAGE_PAPER, form="copy")
    return procedure


def issued(fw, procedure, citizen_id=LAN, *, status=Status.RETURNED, signed=True) -> Dossier:
    """A dossier of `citizen_id` with its result document (set up directly, not the subject)."""
    dossier = dossiers.receive_at_counter(
        fw.officer,
        procedure=procedure,
        receiving_unit=fw.commune,
        applicant=dossiers.Applicant(name="Nguyễn Thị Lan", id_number=citizen_id),
    )
    Dossier.objects.filter(pk=dossier.pk).update(status=status, returned_at=timezone.now())
    document = DossierDocument(
        dossier=dossier,
        kind=DossierDocument.Kind.RESULT,
        created_at=timezone.now(),
        signed=signed,
    )
    document.file.save("ket-qua.pdf", ContentFile(RESULT_BYTES), save=False)
    document.save()
    dossier.refresh_from_db()
    return dossier


def ready_draft(fw, citizen):
    draft = walk_the_form(services.start(citizen=citizen, procedure=fw.birth), citizen)
    services.choose_case(draft_id=draft.pk, citizen=citizen, case="Đúng hạn", conditions=[])
    draft.refresh_from_db()
    return draft


def component(draft, name):
    return next(c for c in services.papers_for(draft) if c.name == name)


def test_an_issued_signed_result_is_offered_where_the_paper_is_needed_and_counted_as_reuse(
    fw, marriage
):
    lan = make_citizen(LAN)
    earlier = issued(fw, marriage)
    draft = ready_draft(fw, lan)
    wanted = component(draft, MARRIAGE_PAPER)
    offered = services.reusable_results(draft, wanted)
    assert [d.dossier_id for d in offered] == [earlier.pk]
    # not offered for a paper that does not ask for it
    assert services.reusable_results(draft, component(draft, "Giấy chứng sinh")) == []
    services.reuse_paper(
        draft_id=draft.pk, citizen=lan, component_id=wanted.pk, result_id=offered[0].pk
    )
    services.choose_delivery(draft_id=draft.pk, citizen=lan, delivery="online")
    dossier = services.submit(draft_id=draft.pk, citizen=lan)
    filed = dossier.components.get(name=MARRIAGE_PAPER)
    assert filed.reused_from_warehouse and filed.digitized
    assert filed.file.read() == RESULT_BYTES
    assert OnlineFiling.objects.get(dossier=dossier).reused_documents == 1


def test_results_not_theirs_not_signed_not_ready_or_expired_are_never_offered(
    fw, marriage, settings
):
    settings.MOTCUA_DRAFT_DAYS = 90  # the draft outlives the result's validity
    lan = make_citizen(LAN)
    hungs = issued(fw, marriage, HUNG)
    issued(fw, marriage, status=Status.PROCESSING)
    issued(fw, marriage, signed=False)
    draft = ready_draft(fw, lan)
    wanted = component(draft, MARRIAGE_PAPER)
    assert services.reusable_results(draft, wanted) == []
    with pytest.raises(ValidationError):
        services.reuse_paper(
            draft_id=draft.pk,
            citizen=lan,
            component_id=wanted.pk,
            result_id=hungs.documents.get().pk,
        )
    # a valid one, then its validity rule runs out
    mine = issued(fw, marriage)
    assert [d.dossier_id for d in services.reusable_results(draft, wanted)] == [mine.pk]
    ResultValidity.objects.create(code=marriage.code, days=30, result="x", basis="test")
    later = timezone.now() + dt.timedelta(days=31)
    assert services.reusable_results(draft, wanted, now=later) == []
    with pytest.raises(ValidationError):
        services.reuse_paper(
            draft_id=draft.pk,
            citizen=lan,
            component_id=wanted.pk,
            result_id=mine.documents.get().pk,
            now=later,
        )
    assert not draft.papers.exists()


def test_reuse_needs_exactly_one_source(fw, marriage):
    lan = make_citizen(LAN)
    draft = ready_draft(fw, lan)
    wanted = component(draft, MARRIAGE_PAPER)
    for kw in ({}, {"earlier_id": 1, "result_id": 1}):
        with pytest.raises(ValidationError):
            services.reuse_paper(draft_id=draft.pk, citizen=lan, component_id=wanted.pk, **kw)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"notify_by": "sms"}, "phone", "Vui lòng nhập số điện thoại di động"),
        ({"notify_by": "sms", "phone": "0243 765 4321"}, "phone", "cần số di động"),
        ({"notify_by": "sms", "phone": "12345"}, "phone", "không hợp lệ"),
        ({"notify_by": "email"}, "email", "Vui lòng nhập địa chỉ thư điện tử"),
        ({"notify_by": "email", "email": "lan@"}, "email", "không hợp lệ"),
        ({"notify_by": "push"}, "push", "Chưa bật được thông báo"),
        ({"notify_by": "push", "push_endpoint": ENDPOINT}, "push", "Chưa bật được thông báo"),
        ({"notify_by": "fax"}, "notify_by", "Vui lòng chọn cách nhận thông báo"),
    ],
    ids=[
        "sms-no-phone",
        "sms-landline",
        "sms-bad",
        "email-none",
        "email-bad",
        "push-none",
        "push-unknown-device",
        "unknown-channel",
    ],
)
def test_a_channel_without_what_it_needs_is_refused_in_vietnamese(fw, fields, field, message):
    lan = make_citizen(LAN)
    draft = services.start(citizen=lan, procedure=fw.birth)
    with pytest.raises(ValidationError) as refused:
        services.choose_delivery(draft_id=draft.pk, citizen=lan, delivery="online", **fields)
    assert message in " ".join(refused.value.message_dict[field])
    draft.refresh_from_db()
    assert draft.result_delivery == "" and draft.notify_by == ""


def _device(**kw):
    return PushSubscription.objects.create(endpoint=ENDPOINT, p256dh="k", auth="a", **kw)


@pytest.mark.parametrize(
    ("fields", "channel"),
    [
        ({"notify_by": "sms", "phone": "0912 345 678", "email": "lan@example.vn"}, "sms"),
        ({"notify_by": "email", "phone": "0912345678", "email": "lan@example.vn"}, "email"),
        ({"notify_by": "push", "phone": "0912345678", "push_endpoint": ENDPOINT}, "push"),
    ],
    ids=["sms", "email", "push"],
)
def test_the_chosen_channel_reaches_the_dossier_and_a_status_change_uses_only_it(
    fw, fields, channel, settings
):
    settings.MOTCUA_NOTIFY_SENDERS = {"push": "tests.dossiers.test_status_notifications.NoPush"}
    device = _device() if channel == "push" else None
    lan = make_citizen(LAN)
    draft = ready_draft(fw, lan)
    services.choose_delivery(draft_id=draft.pk, citizen=lan, delivery="online", **fields)
    draft.refresh_from_db()
    assert draft.notify_by == channel
    dossier = services.submit(draft_id=draft.pk, citizen=lan)
    assert dossier.notify_by == channel
    assert dossier.applicant_phone == "0912345678"
    if device is not None:
        device.refresh_from_db()
        assert device.dossier_ref == dossier.code
    dossiers.accept_online(fw.officer, dossier_id=dossier.pk)
    told = Notification.objects.filter(
        object_type="dossiers.dossier", object_id=str(dossier.pk), purpose="dossier_received"
    )
    assert list(told.values_list("channel", flat=True)) == [channel]
    message = told.get()
    if channel == "sms":
        assert message.to_address in ("0912345678", "+84912345678")
    elif channel == "email":
        assert message.to_address == "lan@example.vn"
    else:
        assert message.subscription_id == device.pk


def test_not_choosing_keeps_every_contact_given(fw):
    lan = make_citizen(LAN)
    draft = ready_draft(fw, lan)
    services.choose_delivery(
        draft_id=draft.pk, citizen=lan, delivery="online", phone="0912345678", email="l@x.vn"
    )
    dossier = services.submit(draft_id=draft.pk, citizen=lan)
    assert dossier.notify_by == "" and dossier.applicant_email == "l@x.vn"
    dossiers.accept_online(fw.officer, dossier_id=dossier.pk)
    told = Notification.objects.filter(object_id=str(dossier.pk), purpose="dossier_received")
    assert sorted(told.values_list("channel", flat=True)) == ["email", "sms"]


def test_another_citizens_draft_cannot_take_a_channel(fw):
    lan, hung = make_citizen(LAN), make_citizen(HUNG)
    draft = services.start(citizen=lan, procedure=fw.birth)
    _device()
    with pytest.raises(Exception) as refused:
        services.choose_delivery(
            draft_id=draft.pk,
            citizen=hung,
            delivery="online",
            notify_by="push",
            push_endpoint=ENDPOINT,
        )
    assert refused.type.__name__ == "DoesNotExist"
