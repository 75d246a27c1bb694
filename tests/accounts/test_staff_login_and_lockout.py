"""Password sign-in for staff: success, wrong password, citizens refused, lockout after 5."""

import pytest
from django.urls import reverse

from motcua.accounts.models import Role, User
from motcua.core.models import AuditEvent

from .conftest import PASSWORD

LOGIN = "/can-bo/dang-nhap/"
GENERIC_ERROR = "Tên đăng nhập hoặc mật khẩu không đúng"
LOCKED_TEXT = (
    "Tài khoản tạm khóa do đăng nhập sai nhiều lần. "
    "Vui lòng thử lại sau 15 phút hoặc liên hệ quản trị."
)


def post_login(client, username, password, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


@pytest.fixture
def officer(units, make_staff):
    return make_staff((Role.COUNTER_OFFICER, units["thach_ha"]), username="canbo.thachha")


def test_login_page_is_in_vietnamese(client, db):
    response = client.get(LOGIN)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Cán bộ đăng nhập" in html and "Mật khẩu" in html


def test_officer_logs_in_and_lands_on_the_staff_home(client, officer):
    response = post_login(client, "canbo.thachha", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:home")
    home = client.get(reverse("accounts:home"))
    assert "Trang làm việc" in home.content.decode()
    event = AuditEvent.objects.get(action="auth.login")
    assert event.actor_id == officer.pk
    assert event.unit_id == officer.assignments.get().unit_id
    assert "password" not in str(event.changes).lower()
    assert PASSWORD not in str(event.changes)


def test_login_follows_a_safe_next_and_ignores_an_outside_one(client, officer):
    ok = client.post(
        LOGIN + "?next=/can-bo/nhan-su/", {"username": "canbo.thachha", "password": PASSWORD}
    )
    assert ok["Location"] == "/can-bo/nhan-su/"
    client.post(reverse("accounts:logout"))
    evil = client.post(
        LOGIN + "?next=https://evil.example/", {"username": "canbo.thachha", "password": PASSWORD}
    )
    assert evil["Location"] == reverse("accounts:home")


def test_wrong_password_shows_a_vietnamese_error_and_is_audited(client, officer):
    response = post_login(client, "canbo.thachha", "sai-mat-khau")
    assert response.status_code == 200
    assert GENERIC_ERROR in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated
    event = AuditEvent.objects.get(action="auth.login_failed")
    assert event.changes["username"] == "canbo.thachha"
    assert event.changes["reason"] == "invalid"
    assert event.unit_id == officer.assignments.get().unit_id
    assert "sai-mat-khau" not in str(event.changes)


def test_unknown_username_is_not_written_into_the_audit_log(client, db):
    post_login(client, "my-password-typed-in-the-wrong-box", "x")
    event = AuditEvent.objects.get(action="auth.login_failed")
    assert "my-password" not in str(event.changes) + event.object_repr
    assert event.unit_id is None


def test_empty_form_asks_for_username_and_password_in_vietnamese(client, db):
    html = client.post(LOGIN, {"username": "", "password": ""}).content.decode()
    assert "Vui lòng nhập tên đăng nhập." in html
    assert "Vui lòng nhập mật khẩu." in html
    assert not AuditEvent.objects.exists()


def test_citizen_cannot_log_in_on_the_staff_page_and_gets_the_same_message(client, make_staff):
    make_staff(username="congdan01", kind=User.Kind.CITIZEN)
    response = post_login(client, "congdan01", PASSWORD)
    assert response.status_code == 200
    assert GENERIC_ERROR in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated
    event = AuditEvent.objects.get(action="auth.login_failed")
    assert "congdan01" not in str(event.changes)  # a citizen's login name is personal data


def test_deactivated_officer_cannot_log_in(client, units, make_staff):
    make_staff((Role.SPECIALIST, units["thach_ha"]), username="nghiviec", is_active=False)
    response = post_login(client, "nghiviec", PASSWORD)
    assert GENERIC_ERROR in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated


def test_five_wrong_passwords_lock_the_account_for_15_minutes(client, officer):
    for _ in range(4):
        assert post_login(client, "canbo.thachha", "sai").status_code == 200
    locked = post_login(client, "canbo.thachha", "sai")
    assert locked.status_code == 429
    assert LOCKED_TEXT in locked.content.decode()
    # even the right password is refused while the lock lasts
    again = post_login(client, "canbo.thachha", PASSWORD)
    assert again.status_code == 429
    assert not again.wsgi_request.user.is_authenticated
    assert AuditEvent.objects.filter(action="auth.locked_out").count() == 2
    assert AuditEvent.objects.filter(action="auth.login_failed").count() == 4


def test_lockout_is_per_username_and_ip_so_a_colleague_can_still_log_in(
    client, officer, units, make_staff
):
    make_staff((Role.SPECIALIST, units["thach_ha"]), username="dongnghiep")
    for _ in range(5):
        post_login(client, "canbo.thachha", "sai")
    response = post_login(client, "dongnghiep", PASSWORD)
    assert response.status_code == 302


def test_same_username_from_another_ip_is_not_locked(client, officer):
    for _ in range(5):
        post_login(client, "canbo.thachha", "sai")
    response = post_login(client, "canbo.thachha", PASSWORD, REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 302


def test_a_successful_login_resets_the_failure_count(client, officer):
    for _ in range(4):
        post_login(client, "canbo.thachha", "sai")
    assert post_login(client, "canbo.thachha", PASSWORD).status_code == 302
    client.post(reverse("accounts:logout"))
    for _ in range(4):
        assert post_login(client, "canbo.thachha", "sai").status_code == 200


def test_many_usernames_from_one_ip_hit_the_ip_ceiling(client, settings, db):
    settings.MOTCUA_LOGIN_IP_FAILURE_LIMIT = 6
    for i in range(6):
        assert post_login(client, f"doan-ten-{i}", "sai").status_code == 200
    blocked = post_login(client, "doan-ten-99", "sai")
    assert blocked.status_code == 429
    assert LOCKED_TEXT in blocked.content.decode()
    assert AuditEvent.objects.filter(changes__reason="ip_blocked").count() == 1


def test_logout_is_audited_and_ends_the_session(client, officer):
    post_login(client, "canbo.thachha", PASSWORD)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="auth.logout", actor=officer).count() == 1
    assert client.get(reverse("accounts:home")).status_code == 302


def test_logout_needs_post(client, officer):
    post_login(client, "canbo.thachha", PASSWORD)
    assert client.get(reverse("accounts:logout")).status_code == 405
