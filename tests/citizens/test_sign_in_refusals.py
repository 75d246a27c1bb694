"""Every way a sign-in can go wrong ends on a clear Vietnamese page (400 or 502, never 500),
nobody is signed in, and the log says only a reason code."""

import base64
import json
import logging
import time

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.sessions.backends.db import SessionStore
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from motcua.citizens import oidc
from motcua.citizens.models import CitizenIdentity

from .conftest import (
    CLIENT_ID,
    CLIENT_SECRET,
    LAN,
    code_of,
    replace_query,
    state_of,
    walk_to_callback,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture(autouse=True)
def _nothing_personal_in_the_log(caplog):
    """At the level the app logs (INFO), no refusal writes a citizen ID, a name, a code, a
    state or a token: only reason codes."""
    caplog.set_level(logging.INFO)
    yield
    text = caplog.text
    for secret in ("031190012345", "Nguyễn", "code=", "state=", "eyJ"):
        assert secret not in text
    for record in caplog.records:
        if record.name.startswith("motcua.citizens"):
            assert record.getMessage().startswith("citizen sign-in refused: ")


def _refused(response, status: int, reason: str, text: str) -> None:
    assert response.status_code == status, response.text[:300]
    assert f'data-reason="{reason}"' in response.text
    assert text in response.text
    assert 'lang="vi"' in response.text


def _not_signed_in(session, rp) -> None:
    assert session.get(f"{rp}/cong-dan/", allow_redirects=False).status_code == 302
    assert not CitizenIdentity.objects.exists()


def _tamper_state(session, rp, callback: str, change) -> None:
    """Edit what the start step stored for this state in motcua's session (an attacker
    cannot; the test stands for a session that lost or confused it)."""
    store = SessionStore(session_key=session.cookies["sessionid"])
    key = f"_state_{oidc.CLIENT_NAME}_{state_of(callback)}"
    entry = store[key]
    change(entry["data"])
    store[key] = entry
    store.save()


def test_a_wrong_state_is_refused(rp, devidp, caplog):
    session = requests.Session()
    callback = walk_to_callback(session, rp, LAN)
    with caplog.at_level(logging.WARNING, logger="motcua.citizens.views"):
        response = session.get(replace_query(callback, state="someone-elses-state"))
    _refused(response, 400, "bad_state", "Phiên đăng nhập không hợp lệ hoặc đã hết hạn")
    assert caplog.messages == ["citizen sign-in refused: bad_state"]
    _not_signed_in(session, rp)


def test_a_missing_state_is_refused(rp, devidp):
    session = requests.Session()
    callback = walk_to_callback(session, rp, LAN)
    response = session.get(callback.split("?")[0] + "?code=" + code_of(callback))
    _refused(response, 400, "bad_state", "Phiên đăng nhập không hợp lệ")
    _not_signed_in(session, rp)


def test_a_replayed_code_is_refused(rp, devidp):
    session = requests.Session()
    callback = walk_to_callback(session, rp, LAN)
    assert session.get(callback).url == f"{rp}/cong-dan/"
    # the same answer again: its state was used up
    _refused(session.get(callback), 400, "bad_state", "Phiên đăng nhập không hợp lệ")
    # the old code with a fresh state of this browser: the provider refuses the code itself
    thief = requests.Session()
    fresh = walk_to_callback(thief, rp, LAN)
    response = thief.get(replace_query(fresh, code=code_of(callback)))
    _refused(response, 400, "code_refused", "Mã đăng nhập không dùng được")


def test_a_wrong_nonce_is_refused(rp, devidp):
    session = requests.Session()
    callback = walk_to_callback(session, rp, LAN)
    _tamper_state(session, rp, callback, lambda data: data.update(nonce="another-nonce"))
    response = session.get(callback)
    _refused(response, 400, "id_token_nonce", "Không xác minh được thông tin đăng nhập")
    _not_signed_in(session, rp)


def test_a_session_without_its_pkce_verifier_is_refused(rp, devidp):
    session = requests.Session()
    callback = walk_to_callback(session, rp, LAN)
    _tamper_state(session, rp, callback, lambda data: data.pop("code_verifier"))
    response = session.get(callback)
    _refused(response, 400, "missing_verifier", "Thiếu mã kiểm tra của phiên đăng nhập")
    _not_signed_in(session, rp)


def test_the_provider_refuses_a_code_without_its_pkce_verifier(rp, devidp):
    session = requests.Session()
    callback = walk_to_callback(session, rp, LAN)
    response = requests.post(
        f"{devidp.url}/token/",
        data={
            "grant_type": "authorization_code",
            "code": code_of(callback),
            "redirect_uri": callback.split("?")[0],
        },
        auth=(CLIENT_ID, CLIENT_SECRET),
        timeout=10,
    )
    assert response.status_code == 400
    assert response.json()["error"] in {"invalid_request", "invalid_grant"}
    assert "id_token" not in response.text


def test_an_expired_id_token_is_refused(rp, devidp, monkeypatch):
    session = requests.Session()
    callback = walk_to_callback(session, rp, LAN)
    # the provider's ID tokens live 120 s; motcua's clock an hour on
    monkeypatch.setattr(oidc, "clock", lambda: time.time() + 3600)
    response = session.get(callback)
    _refused(response, 400, "id_token_expired", "Không xác minh được thông tin đăng nhập")
    _not_signed_in(session, rp)


def test_an_id_token_signed_by_another_key_is_refused(rp, devidp):
    session = requests.Session()
    callback = walk_to_callback(session, rp, LAN)
    # motcua trusts a key under the provider's key id that is not the provider's key
    genuine = oidc.client().fetch_jwk_set(force=True)
    kid = genuine["keys"][0]["kid"]
    other = RSAKey.import_key(
        rsa.generate_private_key(public_exponent=65537, key_size=2048),
        parameters={"kid": kid, "use": "sig", "alg": "RS256"},
    )
    oidc.client().server_metadata["jwks"] = {"keys": [other.as_dict(private=False)]}
    response = session.get(callback)
    _refused(response, 400, "id_token_signature", "Không xác minh được thông tin đăng nhập")
    _not_signed_in(session, rp)


def _crafted(devidp, **claims) -> dict:
    """An ID token signed with the provider's own key (the test can read its key file)."""
    key = RSAKey.import_key(devidp.private_key_pem)
    kid = requests.get(f"{devidp.url}/.well-known/jwks.json", timeout=10).json()["keys"][0]["kid"]
    now = int(time.time())
    payload = {
        "iss": devidp.url,
        "aud": CLIENT_ID,
        "sub": "1",
        "iat": now,
        "exp": now + 120,
        "nonce": "n-1",
        "citizen_id": "031190012345",
        "name": "Nguyễn Thị Lan",
        **claims,
    }
    return {"id_token": jwt.encode({"alg": "RS256", "kid": kid}, payload, key)}


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({}, None),
        ({"nonce": "n-2"}, "id_token_nonce"),
        ({"aud": "another-client"}, "id_token_invalid"),
        ({"iss": "http://127.0.0.1:1"}, "id_token_invalid"),
        ({"exp": int(time.time()) - 600, "iat": int(time.time()) - 900}, "id_token_expired"),
        ({"iat": int(time.time()) + 3600, "exp": int(time.time()) + 4000}, "id_token_invalid"),
    ],
)
def test_crafted_id_tokens_signed_by_the_provider(rp, devidp, claims, reason):
    token = _crafted(devidp, **claims)
    if reason is None:
        assert oidc.verify_id_token(token, nonce="n-1")["citizen_id"] == "031190012345"
        return
    with pytest.raises(oidc.SignInFailed) as refused:
        oidc.verify_id_token(token, nonce="n-1")
    assert refused.value.reason == reason


def test_an_unsigned_or_hmac_id_token_is_refused(rp, devidp):
    header = base64.urlsafe_b64encode(json.dumps({"alg": "none"}).encode()).rstrip(b"=")
    body = base64.urlsafe_b64encode(json.dumps({"iss": devidp.url}).encode()).rstrip(b"=")
    for token in (
        f"{header.decode()}.{body.decode()}.",
        jwt.encode(
            {"alg": "HS256"}, {"iss": devidp.url}, KeySet.generate_key_set("oct", 256).keys[0]
        ),
    ):
        with pytest.raises(oidc.SignInFailed) as refused:
            oidc.verify_id_token({"id_token": token}, nonce="n-1")
        assert refused.value.reason == "id_token_invalid"


def test_a_provider_error_is_a_clear_page(rp, devidp):
    session = requests.Session()
    callback = walk_to_callback(session, rp, LAN)
    response = session.get(
        callback.split("?")[0] + f"?error=access_denied&state={state_of(callback)}"
    )
    _refused(response, 400, "provider_error", "Bạn đã hủy đăng nhập")
    _not_signed_in(session, rp)


def test_a_provider_that_cannot_be_reached(rp, devidp, settings):
    from .conftest import free_port

    session = requests.Session()
    callback = walk_to_callback(session, rp, LAN)
    # down between the browser's return and the token request
    oidc.client().server_metadata["token_endpoint"] = f"http://127.0.0.1:{free_port()}/token/"
    _refused(session.get(callback), 502, "provider_unreachable", "Chưa kết nối được")
    # down before the sign-in starts
    settings.MOTCUA_OIDC_ISSUER = f"http://127.0.0.1:{free_port()}"
    response = requests.get(f"{rp}/cong-dan/dang-nhap/", timeout=30)
    _refused(response, 502, "provider_unreachable", "Chưa kết nối được hệ thống định danh điện tử")
    _not_signed_in(session, rp)
