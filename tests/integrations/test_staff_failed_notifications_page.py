"""The staff page of failed notifications: a manager sees their units' only and can resend."""

import pytest
from django.utils import timezone

from motcua.accounts.models import Role
from motcua.core.models import AuditEvent
from motcua.integrations import services
from motcua.integrations.models import Notification, PushSubscription

pytestmark = pytest.mark.django_db
PAGE = "/can-bo/thong-bao/"


def _failed(unit, status=Notification.Status.DEAD, channel="sms", **extra):
    recipient = extra.pop("recipient", "0912345678")
    notification = services.notify(
        channel=channel,
        recipient=recipient,
        purpose="result_ready",
        subject="",
        body="Đã có kết quả hồ sơ, mời ông/bà đến nhận.",
        unit=unit,
    )
    Notification.objects.filter(pk=notification.pk).update(
        status=status, attempts=6, last_error="sms: gateway HTTP 503", **extra
    )
    return notification


@pytest.fixture
def manager(units, make_staff):
    return make_staff((Role.MANAGER, units["thach_ha"]))


def test_manager_sees_failed_notifications_of_their_unit_with_error_and_button(
    units, manager, login_as
):
    mine = _failed(units["thach_ha"])
    theirs = _failed(units["cam_xuyen"])
    sent = _failed(units["thach_ha"], status=Notification.Status.SENT)

    page = login_as(manager).get(PAGE).content.decode()

    assert f'data-testid="notification-{mine.pk}"' in page
    assert f'data-testid="notification-{theirs.pk}"' not in page
    assert f'data-testid="notification-{sent.pk}"' not in page
    assert "sms: gateway HTTP 503" in page
    assert "Không kết nối được cổng SMS hoặc cổng SMS đang lỗi." in page  # told in Vietnamese
    assert "Gửi lại" in page
    assert "Đã có kết quả" in page  # the purpose, in Vietnamese
    assert "0912345678" not in page and "+84912345678" not in page  # the number is masked
    assert "+8491*****78" in page


def test_filter_by_status(units, manager, login_as):
    dead = _failed(units["thach_ha"])
    failed = _failed(
        units["thach_ha"], status=Notification.Status.FAILED, next_attempt_at=timezone.now()
    )
    page = login_as(manager).get(PAGE, {"trang-thai": "failed"}).content.decode()
    assert f"notification-{failed.pk}" in page
    assert f"notification-{dead.pk}" not in page


def test_resend_puts_the_notification_back_in_the_queue_and_is_audited(
    units, manager, login_as, django_capture_on_commit_callbacks
):
    notification = _failed(units["thach_ha"])
    client = login_as(manager)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(f"{PAGE}{notification.pk}/gui-lai/")

    assert response.status_code == 302
    assert len(callbacks) == 1  # delivery scheduled after commit
    notification.refresh_from_db()
    assert notification.status == Notification.Status.PENDING
    assert notification.attempts == 0
    event = AuditEvent.objects.get(action="notification.resend")
    assert event.actor == manager
    assert event.unit_id == units["thach_ha"].pk
    assert event.changes["status"] == ["dead", "pending"]
    page = client.get(PAGE).content.decode()
    assert "vào hàng đợi gửi lại" in page


def test_another_units_notification_cannot_be_resent(units, manager, login_as):
    theirs = _failed(units["cam_xuyen"])
    response = login_as(manager).post(f"{PAGE}{theirs.pk}/gui-lai/")
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Notification.Status.DEAD


def test_provincial_manager_sees_every_commune(units, make_staff, login_as):
    province_manager = make_staff((Role.MANAGER, units["ha_tinh"]))
    a, b = _failed(units["thach_ha"]), _failed(units["cam_xuyen"])
    page = login_as(province_manager).get(PAGE).content.decode()
    assert f"notification-{a.pk}" in page and f"notification-{b.pk}" in page


def test_resending_to_an_unsubscribed_browser_explains_why_not(units, manager, login_as):
    subscription = PushSubscription.objects.create(
        endpoint="https://fcm.googleapis.com/fcm/send/x", p256dh="k", auth="a", is_active=False
    )
    notification = _failed(units["thach_ha"], channel="push", recipient=subscription)
    client = login_as(manager)
    page = client.get(PAGE).content.decode()
    assert "Không thể gửi lại: công dân đã tắt thông báo trên thiết bị này." in page
    assert f'action="{PAGE}{notification.pk}/gui-lai/"' not in page  # no button to press
    response = client.post(f"{PAGE}{notification.pk}/gui-lai/", follow=True)
    assert "đã hủy nhận thông báo đẩy" in response.content.decode()
    notification.refresh_from_db()
    assert notification.status == Notification.Status.DEAD


def test_resending_a_sent_notification_is_refused(units, manager, login_as):
    sent = _failed(units["thach_ha"], status=Notification.Status.SENT)
    response = login_as(manager).post(f"{PAGE}{sent.pk}/gui-lai/", follow=True)
    assert "không ở trạng thái lỗi" in response.content.decode()


def test_counter_officer_may_not_open_the_page(units, make_staff, login_as):
    officer = make_staff((Role.COUNTER_OFFICER, units["thach_ha"]))
    assert login_as(officer).get(PAGE).status_code == 403


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert "/can-bo/dang-nhap/" in response["Location"]


def test_resend_needs_post(units, manager, login_as):
    notification = _failed(units["thach_ha"])
    assert login_as(manager).get(f"{PAGE}{notification.pk}/gui-lai/").status_code == 405


def test_list_query_count_does_not_grow_with_rows(
    units, manager, login_as, django_assert_max_num_queries
):
    for _ in range(20):
        _failed(units["thach_ha"])
    client = login_as(manager)
    client.get(PAGE)  # warm the session
    with django_assert_max_num_queries(12):
        response = client.get(PAGE)
    assert response.status_code == 200
