"""A resident signs in through the development provider over real HTTP (authorization code +
PKCE, state and nonce), becomes a citizen account with the claims stored, and signs out of
motcua and of the provider."""

import re

import pytest
import requests

from motcua.accounts.models import User
from motcua.citizens.models import CitizenIdentity
from motcua.core.models import AuditEvent

from .conftest import HUNG, LAN

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_a_resident_signs_in_and_lands_where_she_was_going(rp, devidp):
    session = requests.Session()
    response = session.get(f"{rp}/cong-dan/dang-nhap/", params={"next": "/thu-tuc/"})
    # the provider's own page, on its own origin
    assert response.url.startswith(devidp.url + "/dang-nhap/")
    assert "Đăng nhập bằng tài khoản định danh điện tử" in response.text
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.text).group(1)
    nxt = re.search(r'name="next" value="([^"]*)"', response.text).group(1)
    assert "code_challenge_method=S256" in nxt.replace("&amp;", "&")
    assert "nonce=" in nxt and "state=" in nxt
    response = session.post(
        response.url,
        data={
            "csrfmiddlewaretoken": csrf,
            "next": nxt.replace("&amp;", "&"),
            "username": "0311 9001 2345",
            "password": LAN["password"],
        },
    )
    assert response.status_code == 200
    assert response.url == f"{rp}/thu-tuc/"
    account = session.get(f"{rp}/cong-dan/")
    assert account.status_code == 200
    assert "Nguyễn Thị Lan" in account.text and "Mức 2" in account.text
    assert "031190012345" not in account.text  # masked on screen

    identity = CitizenIdentity.objects.select_related("user").get()
    assert identity.citizen_id == "031190012345"
    assert identity.full_name == "Nguyễn Thị Lan"
    assert identity.date_of_birth.isoformat() == "1990-03-14"
    assert identity.sex == "female"
    assert identity.address == "Tổ dân phố 1, xã Vĩnh Bảo, thành phố Hải Phòng"
    assert identity.identity_level == 2
    assert identity.issuer == devidp.url
    user = identity.user
    assert user.kind == User.Kind.CITIZEN and not user.has_usable_password()
    assert not user.assignments.exists() and not user.is_staff and not user.is_superuser
    assert "031190012345" not in user.username

    event = AuditEvent.objects.get(action="citizen.sign_in")
    assert event.changes == {"identity_level": 2, "first_sign_in": True}
    assert "031190012345" not in str(event.changes) + event.object_repr


def test_signing_in_again_is_the_same_account_with_fresh_claims(rp, devidp):
    from .conftest import walk_to_callback

    for _ in range(2):
        session = requests.Session()
        callback = walk_to_callback(session, rp, HUNG)
        assert session.get(callback).url == f"{rp}/cong-dan/"
    identity = CitizenIdentity.objects.get()
    assert identity.identity_level == 1 and identity.sex == "male"
    assert User.objects.filter(kind=User.Kind.CITIZEN).count() == 1
    assert list(
        AuditEvent.objects.filter(action="citizen.sign_in").values_list("changes", flat=True)
    ) == [
        {"identity_level": 1, "first_sign_in": True},
        {"identity_level": 1, "first_sign_in": False},
    ]


def test_sign_out_ends_the_local_session_and_the_providers(rp, devidp):
    from .conftest import walk_to_callback

    session = requests.Session()
    session.get(walk_to_callback(session, rp, LAN))
    page = session.get(f"{rp}/cong-dan/")
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = session.post(
        f"{rp}/cong-dan/dang-xuat/", data={"csrfmiddlewaretoken": csrf}, allow_redirects=False
    )
    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"{devidp.url}/logout/?")
    assert "id_token_hint=" in response.headers["Location"]
    final = session.get(response.headers["Location"])
    assert final.url == f"{rp}/"  # the provider sent the citizen back home
    # motcua's session is over
    assert session.get(f"{rp}/cong-dan/", allow_redirects=False).status_code == 302
    # and so is the provider's: a new sign-in asks for the password again
    again = session.get(f"{rp}/cong-dan/dang-nhap/")
    assert again.url.startswith(devidp.url + "/dang-nhap/")
    assert AuditEvent.objects.filter(action="citizen.sign_out").count() == 1


def test_next_only_takes_paths_on_this_site(rp, devidp):
    from .conftest import walk_to_callback

    for hostile in ("//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:x"):
        session = requests.Session()
        callback = walk_to_callback(session, rp, LAN, next_url=hostile)
        assert session.get(callback).url == f"{rp}/cong-dan/"


def test_a_wrong_password_stays_on_the_providers_page(rp, devidp):
    session = requests.Session()
    page = session.get(f"{rp}/cong-dan/dang-nhap/")
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    nxt = re.search(r'name="next" value="([^"]*)"', page.text).group(1).replace("&amp;", "&")
    response = session.post(
        page.url,
        data={
            "csrfmiddlewaretoken": csrf,
            "next": nxt,
            "username": LAN["citizen_id"],
            "password": "sai-mat-khau",
        },
    )
    assert response.url.startswith(devidp.url)
    assert "Số định danh cá nhân hoặc mật khẩu không đúng." in response.text
    assert not CitizenIdentity.objects.exists()
