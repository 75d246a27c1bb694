"""Handing a result over to the post through the adapter, against the simulated post served
over real HTTP, and the post's signed status updates on the webhook: booked once, the post down,
refusals, delivered returns the result, returned to sender shown to the officer; forged,
replayed, stale and unknown updates refused and logged."""

import json
import time

import pytest
import requests
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from motcua.core.models import AuditEvent
from motcua.dossiers.models import Dossier, DossierEvent, Status
from motcua.postal import services
from motcua.postal.models import Consignment, PostalTariff, RefusedUpdate
from motcua.postsim.models import Behaviour, SimulatedConsignment
from motcua.postsim.views import send_update
from tests.dossiers.factories import receive

from .conftest import ADDRESS, ready_by_post

pytestmark = pytest.mark.django_db(transaction=True)


def hand(w, dossier, actor=None, address=ADDRESS):
    return services.hand_over(actor or w.officer, dossier_id=dossier.pk, address=address)


def test_the_officer_hands_over_once_and_the_dossier_carries_the_tracking_number(world, post):
    PostalTariff.objects.create(unit=world.province, amount_vnd=25000, basis="Hợp đồng mẫu")
    dossier = ready_by_post(world)
    consignment = hand(world, dossier)
    assert consignment.tracking_number.startswith("EB") and consignment.fee_vnd == 25000
    dossier.refresh_from_db()
    assert dossier.postal_tracking_number == consignment.tracking_number
    assert dossier.status == Status.RESULT_READY  # returned only when the post delivers
    assert AuditEvent.objects.filter(action="postal.hand_over").count() == 1
    assert consignment.events.get().status == "booked"
    again = hand(world, dossier)  # a double click
    assert again.pk == consignment.pk and SimulatedConsignment.objects.count() == 1


def test_the_post_down_records_nothing_and_a_retry_later_books(world, post):
    dossier = ready_by_post(world)
    Behaviour.objects.update_or_create(pk=1, defaults={"down": True})
    with pytest.raises(services.PostDown, match="thử lại sau"):
        hand(world, dossier)
    dossier.refresh_from_db()
    assert Consignment.objects.count() == 0 and dossier.postal_tracking_number == ""
    assert not AuditEvent.objects.filter(action="postal.hand_over").exists()
    Behaviour.objects.update_or_create(pk=1, defaults={"down": False})
    assert hand(world, dossier).tracking_number


def test_the_post_sees_one_order_per_dossier_even_when_our_side_lost_the_answer(world, post):
    from motcua.postal import post as adapter

    dossier = ready_by_post(world)
    first = adapter.book(
        order_id=dossier.code,
        recipient="A",
        phone="",
        address=ADDRESS,
        contents="x",
        callback_url=services.callback_url(),
    )  # booked, but the answer never reached the dossier (a timeout)
    assert hand(world, dossier).tracking_number == first.tracking_number


def test_who_may_hand_over_and_what(world, post):
    dossier = ready_by_post(world)
    with pytest.raises(PermissionDenied):
        hand(world, dossier, actor=world.other_officer)  # another unit's officer
    with pytest.raises(PermissionDenied):
        hand(world, dossier, actor=world.specialist)  # a role that does not return results
    with pytest.raises(ValidationError) as bad:
        hand(world, dossier, address="xã An Hưng")
    assert "dấu phẩy" in " ".join(bad.value.messages)
    at_counter = receive(world)
    with pytest.raises(PermissionDenied, match="không chọn nhận kết quả qua bưu chính"):
        hand(world, at_counter)
    assert Consignment.objects.count() == 0 and SimulatedConsignment.objects.count() == 0


def test_the_page_hands_over_and_another_units_officer_gets_404(world, post):
    dossier = ready_by_post(world)
    stranger = Client()
    stranger.force_login(world.other_officer)
    url = f"/can-bo/buu-chinh/ho-so/{dossier.pk}/giao/"
    assert stranger.post(url, {"dia_chi": ADDRESS}).status_code == 404
    officer = Client()
    officer.force_login(world.officer)
    page = officer.post(url, {"dia_chi": ADDRESS}, follow=True)
    tracking = Consignment.objects.get().tracking_number
    assert page.status_code == 200 and tracking in page.content.decode()
    Behaviour.objects.update_or_create(pk=1, defaults={"down": True})
    other = ready_by_post(world)
    page = officer.post(
        f"/can-bo/buu-chinh/ho-so/{other.pk}/giao/", {"dia_chi": ADDRESS}, follow=True
    )
    assert "Bưu điện chưa nhận được yêu cầu" in page.content.decode()


def test_updates_from_the_post_are_recorded_and_delivered_returns_the_result(world, post):
    dossier = ready_by_post(world)
    tracking = hand(world, dossier).tracking_number
    assert send_update(tracking, "da-nhan-gui").status_code == 200
    assert send_update(tracking, "dang-van-chuyen").status_code == 200
    answer = send_update(tracking, "da-phat", note="Người nhận: chủ hộ")
    assert answer.status_code == 200 and answer.json()["trang_thai"] == "delivered"
    dossier = Dossier.objects.get(pk=dossier.pk)
    assert dossier.status == Status.RETURNED and dossier.result_delivery == "post"
    event = DossierEvent.objects.filter(dossier=dossier, action="return_result").get()
    assert event.actor_id is None and event.data["tracking_number"] == tracking
    assert AuditEvent.objects.filter(action="postal.status").count() == 3
    citizen = Client().post(
        "/tra-cuu/", {"ma": dossier.code, "so": dossier.applicant_id_number[-4:]}
    )
    assert citizen.status_code == 200
    assert (
        tracking in citizen.content.decode()
        and "Đã phát cho người nhận" in citizen.content.decode()
    )


def test_returned_to_sender_is_shown_to_the_officer_to_follow_up(world, post):
    dossier = ready_by_post(world)
    tracking = hand(world, dossier).tracking_number
    assert send_update(tracking, "chuyen-hoan", note="Không có người nhận").status_code == 200
    dossier.refresh_from_db()
    assert dossier.status == Status.RESULT_READY
    officer = Client()
    officer.force_login(world.officer)
    page = officer.get(f"/can-bo/mot-cua/ho-so/{dossier.pk}/").content.decode()
    assert "Bưu điện chuyển hoàn kết quả" in page and "Không có người nhận" in page
    officer.post(f"/can-bo/buu-chinh/ho-so/{dossier.pk}/da-xu-ly/")
    assert Consignment.objects.get().followed_up
    # nothing moves a returned consignment back
    assert send_update(tracking, "da-phat").status_code == 400


def test_forged_replayed_stale_and_unknown_updates_are_refused_and_logged(world, post):
    dossier = ready_by_post(world)
    tracking = hand(world, dossier).tracking_number
    forged = send_update(tracking, "da-phat", secret="khoa-gia-mao")
    assert forged.status_code == 403 and forged.json()["ly_do"] == "Chữ ký không hợp lệ."
    stale = send_update(tracking, "da-phat", timestamp=int(time.time()) - 3600)
    assert stale.status_code == 400 and "quá hạn" in stale.json()["ly_do"]
    assert send_update(tracking, "da-nhan-gui", message_id="m-1").status_code == 200
    replay = send_update(tracking, "dang-van-chuyen", message_id="m-1")
    assert replay.status_code == 400 and "trước đó" in replay.json()["ly_do"]
    SimulatedConsignment.objects.create(
        order_id="khac",
        tracking_number="EB000000001VN",
        customer="X",
        recipient="X",
        address=ADDRESS,
        callback_url=services.callback_url(),
    )
    unknown = send_update("EB000000001VN", "da-phat")
    assert unknown.status_code == 400 and "không có trong hệ thống" in unknown.json()["ly_do"]
    garbage = requests.post(services.callback_url(), data=b"not json", timeout=5)
    assert garbage.status_code == 403  # unsigned: not the post
    assert RefusedUpdate.objects.count() == 5
    assert Dossier.objects.get(pk=dossier.pk).status == Status.RESULT_READY
    assert Consignment.objects.get().status == "accepted"


def test_the_simulator_refuses_an_unsigned_booking(post):
    answer = requests.post(
        f"{post.url}/gia-lap/buu-chinh/api/van-don",
        data=json.dumps({"ma_don_hang": "x"}),
        timeout=5,
    )
    assert answer.status_code == 401


def test_the_citizen_sees_the_tracking_number_and_status_in_their_own_space(world, post):
    from django.urls import reverse

    from tests.citizens.myspace import BACKEND, citizen
    from tests.dossiers.factories import CITIZEN_ID

    dossier = ready_by_post(world)
    tracking = hand(world, dossier).tracking_number
    assert send_update(tracking, "dang-van-chuyen").status_code == 200
    mine = Client()
    mine.force_login(citizen(CITIZEN_ID), backend=BACKEND)
    page = mine.get(reverse("citizens:my_dossier", args=[dossier.code])).content.decode()
    assert tracking in page and "Đang vận chuyển" in page
