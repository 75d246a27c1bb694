"""Optional TOTP second factor: setup with a QR code, two-step login, lockout on wrong codes."""

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.accounts.models import Role
from motcua.core.models import AuditEvent

from .conftest import PASSWORD, code_for

LOGIN = "/can-bo/dang-nhap/"
VERIFY = "/can-bo/dang-nhap/ma-xac-thuc/"
SETUP = "/can-bo/bao-mat/xac-thuc-hai-buoc/"
DISABLE = "/can-bo/bao-mat/xac-thuc-hai-buoc/tat/"


@pytest.fixture
def officer(units, make_staff):
    return make_staff((Role.SPECIALIST, units["thach_ha"]), username="chuyenvien")


def password_step(client, password=PASSWORD, next_url=""):
    url = LOGIN + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"username": "chuyenvien", "password": password})


def test_officer_enables_totp_by_scanning_the_qr_code_and_confirming_a_code(
    client, officer, login_as
):
    login_as(officer)
    page = client.get(SETUP)
    html = page.content.decode()
    assert page.status_code == 200
    assert 'src="data:image/svg+xml' in html
    device = TOTPDevice.objects.get(user=officer, confirmed=False)
    assert device.config_url.startswith("otpauth://totp/motcua%3Achuyenvien?")
    assert "issuer=motcua" in device.config_url
    assert page.context["secret"].replace(" ", "") in device.config_url

    response = client.post(SETUP, {"code": code_for(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEvent.objects.filter(action="auth.otp_enabled", actor=officer).exists()
    # the session that set it up counts as verified: no code asked again right away
    assert client.get(reverse("accounts:home")).status_code == 200


def test_wrong_confirmation_code_leaves_totp_off(client, officer, login_as):
    login_as(officer)
    client.get(SETUP)
    response = client.post(SETUP, {"code": "000000"})
    assert "Mã xác thực không đúng" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=officer, confirmed=True).exists()


def test_code_must_be_six_digits(client, officer, login_as):
    login_as(officer)
    client.get(SETUP)
    response = client.post(SETUP, {"code": "12ab"})
    assert "Mã xác thực gồm đúng 6 chữ số." in response.content.decode()


def test_with_totp_the_password_alone_does_not_open_a_session(client, officer, totp_device):
    totp_device(officer)
    response = password_step(client)
    assert response.status_code == 302
    assert response["Location"] == VERIFY
    assert not response.wsgi_request.user.is_authenticated
    assert client.get(reverse("accounts:home")).status_code == 302  # still anonymous
    assert not AuditEvent.objects.filter(action="auth.login").exists()


def test_password_then_right_code_logs_in_and_marks_the_session_verified(
    client, officer, totp_device
):
    device = totp_device(officer)
    password_step(client, next_url="/can-bo/bao-mat/xac-thuc-hai-buoc/")
    page = client.get(VERIFY)
    assert "Nhập mã xác thực" in page.content.decode()
    response = client.post(VERIFY, {"code": code_for(device)})
    assert response.status_code == 302
    assert response["Location"] == SETUP
    assert client.session["otp_device_id"] == device.persistent_id
    assert client.get(reverse("accounts:home")).status_code == 200
    event = AuditEvent.objects.get(action="auth.login")
    assert event.changes["second_factor"] is True


def test_wrong_code_is_refused_with_a_vietnamese_message(client, officer, totp_device):
    totp_device(officer)
    password_step(client)
    response = client.post(VERIFY, {"code": "123456"})
    assert response.status_code == 200
    assert "Mã xác thực không đúng hoặc đã hết hạn." in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated
    assert AuditEvent.objects.filter(action="auth.login_failed", changes__step="otp").count() == 1


def test_five_wrong_codes_lock_the_account(client, officer, totp_device):
    device = totp_device(officer)
    password_step(client)
    for _ in range(4):
        assert client.post(VERIFY, {"code": "123456"}).status_code == 200
    locked = client.post(VERIFY, {"code": "123456"})
    assert locked.status_code == 429
    assert "Tài khoản tạm khóa" in locked.content.decode()
    # the lock holds for the password step too, even with the right password
    assert password_step(client).status_code == 429
    # and a right code cannot slip through afterwards
    assert client.post(VERIFY, {"code": code_for(device)}).status_code in {302, 429}
    assert not client.get(reverse("accounts:home")).wsgi_request.user.is_authenticated


def test_wrong_passwords_and_wrong_codes_add_up(client, officer, totp_device):
    totp_device(officer)
    for _ in range(3):
        password_step(client, password="sai")
    password_step(client)
    client.post(VERIFY, {"code": "123456"})
    assert client.post(VERIFY, {"code": "123456"}).status_code == 429


def test_code_step_without_a_password_step_sends_back_to_login(client, db):
    response = client.get(VERIFY)
    assert response.status_code == 302
    assert response["Location"] == LOGIN


def test_a_used_code_cannot_be_replayed(client, officer, totp_device):
    device = totp_device(officer)
    code = code_for(device)
    password_step(client)
    assert client.post(VERIFY, {"code": code}).status_code == 302
    client.post(reverse("accounts:logout"))
    password_step(client)
    assert client.post(VERIFY, {"code": code}).status_code == 200


def test_session_opened_before_totp_was_enabled_must_enter_a_code(
    client, officer, totp_device, login_as
):
    login_as(officer)  # an older session, e.g. on another computer
    device = totp_device(officer)
    response = client.get(reverse("accounts:staff_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY + "?next=")
    verified = client.post(VERIFY + "?next=/can-bo/", {"code": code_for(device)})
    assert verified["Location"] == "/can-bo/"
    assert client.get("/can-bo/").status_code == 200


def test_disabling_totp_needs_a_current_code(client, officer, totp_device, login_as):
    device = totp_device(officer)
    login_as(officer, verified_device=device)
    client.post(DISABLE, {"code": "000000"})
    assert TOTPDevice.objects.filter(user=officer, confirmed=True).exists()
    response = client.post(DISABLE, {"code": code_for(device, drift=1)}, follow=True)
    assert "Đã tắt xác thực hai bước." in response.content.decode()
    assert not TOTPDevice.objects.filter(user=officer, confirmed=True).exists()
    assert AuditEvent.objects.filter(action="auth.otp_disabled").count() == 1
    assert AuditEvent.objects.filter(action="auth.otp_disable_failed").count() == 1
