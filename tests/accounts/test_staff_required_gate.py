"""The gate in front of staff pages: login, staff only, TOTP verified, and roles."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from motcua.accounts.decorators import staff_required
from motcua.accounts.models import Role, User

from .conftest import code_for


def test_anonymous_visitor_is_sent_to_the_login_page(client, db):
    response = client.get("/can-bo/nhan-su/")
    assert response.status_code == 302
    assert response["Location"] == "/can-bo/dang-nhap/?next=/can-bo/nhan-su/"


def test_citizen_gets_a_vietnamese_403(client, make_staff, login_as):
    citizen = make_staff(kind=User.Kind.CITIZEN)
    login_as(citizen)
    response = client.get("/can-bo/")
    assert response.status_code == 403
    assert "Không có quyền truy cập" in response.content.decode()


def test_officer_without_the_role_gets_403_on_the_audit_log(client, units, make_staff, login_as):
    login_as(make_staff((Role.COUNTER_OFFICER, units["thach_ha"])))
    assert client.get("/can-bo/nhat-ky/").status_code == 403
    assert client.get("/can-bo/nhan-su/").status_code == 403
    assert client.get("/can-bo/").status_code == 200


def test_staff_with_unverified_totp_session_is_sent_to_the_code_step(
    client, units, make_staff, login_as, totp_device
):
    manager = make_staff((Role.MANAGER, units["thach_ha"]))
    device = totp_device(manager)
    login_as(manager)
    response = client.get("/can-bo/nhat-ky/")
    assert response.status_code == 302
    assert response["Location"] == "/can-bo/dang-nhap/ma-xac-thuc/?next=/can-bo/nhat-ky/"
    login_as(manager, verified_device=device)
    assert client.get("/can-bo/nhat-ky/").status_code == 200
    assert code_for(device)  # the helper works for this device


@pytest.mark.parametrize("decorate", [staff_required, staff_required()])
def test_bare_and_called_forms_both_work(decorate, rf: RequestFactory, units, make_staff):
    view = decorate(lambda request: HttpResponse("ok"))
    request = rf.get("/x/")
    request.user = make_staff((Role.SPECIALIST, units["thach_ha"]))
    request.session = {}
    request.user.is_verified = lambda: False
    assert view(request).content == b"ok"
