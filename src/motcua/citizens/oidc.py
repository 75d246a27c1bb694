"""The OpenID Connect relying party: Authlib's Django client, configured from the settings.

Authlib does discovery (issuer + /.well-known/openid-configuration), state, PKCE (S256) and
the nonce, and the token request. The ID token is verified here with Authlib's own pieces but
with no step left to chance: Authlib skips the check of an ID token whose session lost its
nonce, so a missing nonce or PKCE verifier is refused before the provider is asked; the
signature is checked against the provider's JWKS with asymmetric algorithms only; `iss` must
be the configured issuer, `aud` the client id, `exp`/`iat` within MOTCUA_OIDC_LEEWAY_SECONDS
of `clock()` (tests move it).

Failures are `SignInFailed(reason, status)`: the reason is a short code for the log and the
page, never a value from the token.
"""

from __future__ import annotations

import threading
import time

import requests
from authlib.common.urls import add_params_to_uri
from authlib.integrations.base_client import OAuthError
from authlib.integrations.django_client import OAuth
from authlib.oauth2.rfc6749.errors import OAuth2Error
from authlib.oidc.core import CodeIDToken
from django.conf import settings
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

CLIENT_NAME = "identity"
# Never HS256 and friends: a public key must not be usable as a shared secret.
ASYMMETRIC = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
METADATA_MAX_AGE = 3600.0


class SignInFailed(Exception):
    def __init__(self, reason: str, status: int = 400) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


def clock() -> float:
    """The relying party's time for ID-token checks (epoch seconds)."""
    return time.time()


def configured() -> bool:
    return bool(
        settings.MOTCUA_OIDC_ISSUER
        and settings.MOTCUA_OIDC_CLIENT_ID
        and settings.MOTCUA_OIDC_CLIENT_SECRET
    )


def issuer() -> str:
    return str(settings.MOTCUA_OIDC_ISSUER).rstrip("/")


_lock = threading.Lock()
_clients: dict[tuple, object] = {}


def client():
    """The Authlib client for the current settings (one per configuration and process)."""
    key = (
        issuer(),
        settings.MOTCUA_OIDC_CLIENT_ID,
        settings.MOTCUA_OIDC_CLIENT_SECRET,
        settings.MOTCUA_OIDC_SCOPES,
        settings.MOTCUA_OIDC_TIMEOUT_SECONDS,
    )
    with _lock:
        app = _clients.get(key)
        if app is None:
            app = OAuth().register(
                name=CLIENT_NAME,
                client_id=settings.MOTCUA_OIDC_CLIENT_ID,
                client_secret=settings.MOTCUA_OIDC_CLIENT_SECRET,
                server_metadata_url=issuer() + "/.well-known/openid-configuration",
                client_kwargs={
                    "scope": settings.MOTCUA_OIDC_SCOPES,
                    "code_challenge_method": "S256",
                    "default_timeout": settings.MOTCUA_OIDC_TIMEOUT_SECONDS,
                },
            )
            _clients[key] = app
        return app


def forget_metadata() -> None:
    """Drop the discovered metadata and keys of every client (tests; a provider's key roll)."""
    with _lock:
        for app in _clients.values():
            app.server_metadata.clear()


def metadata() -> dict:
    """The provider's discovery document, fetched at most hourly; its issuer must be ours."""
    app = client()
    loaded = app.server_metadata.get("_loaded_at")
    if loaded is not None and time.time() - loaded > METADATA_MAX_AGE:
        app.server_metadata.clear()
    try:
        data = app.load_server_metadata()
    except (requests.RequestException, ValueError) as exc:
        app.server_metadata.clear()
        raise SignInFailed("provider_unreachable", 502) from exc
    if str(data.get("issuer", "")).rstrip("/") != issuer():
        app.server_metadata.clear()
        raise SignInFailed("provider_misconfigured", 502)
    return data


def state_data(request, state: str) -> dict | None:
    """What the start step stored for this state in the session, taken out (single use)."""
    app = client()
    data = app.framework.get_state_data(request.session, state)
    app.framework.clear_state_data(request.session, state)
    return data


def start(request, redirect_uri: str):
    """The redirect to the provider's authorization endpoint (state, nonce, PKCE stored)."""
    metadata()
    try:
        return client().authorize_redirect(request, redirect_uri)
    except (requests.RequestException, ValueError, RuntimeError) as exc:
        raise SignInFailed("provider_unreachable", 502) from exc


def exchange(*, code: str, data: dict) -> dict:
    """The token request (server to server, with the PKCE verifier) and the verified ID
    token's claims. Returns {"claims": ..., "id_token": ...}."""
    if not data.get("code_verifier"):
        raise SignInFailed("missing_verifier")
    if not data.get("nonce") or not data.get("redirect_uri"):
        raise SignInFailed("bad_state")
    metadata()
    try:
        token = client().fetch_access_token(
            redirect_uri=data["redirect_uri"], code=code, code_verifier=data["code_verifier"]
        )
    except (OAuthError, OAuth2Error) as exc:
        raise SignInFailed("code_refused") from exc
    except (requests.RequestException, ValueError) as exc:
        raise SignInFailed("provider_unreachable", 502) from exc
    if not isinstance(token, dict) or not token.get("id_token"):
        raise SignInFailed("no_id_token")
    claims = verify_id_token(token, nonce=data["nonce"])
    return {"claims": claims, "id_token": token["id_token"]}


def _key_set(force: bool = False) -> KeySet:
    try:
        return KeySet.import_key_set(client().fetch_jwk_set(force=force))
    except (requests.RequestException, ValueError) as exc:
        raise SignInFailed("provider_unreachable", 502) from exc
    except (JoseError, KeyError, TypeError) as exc:
        raise SignInFailed("bad_keys", 502) from exc


def verify_id_token(token: dict, *, nonce: str) -> dict:
    meta = metadata()
    offered = meta.get("id_token_signing_alg_values_supported") or ["RS256"]
    algorithms = [alg for alg in offered if alg in ASYMMETRIC]
    if not algorithms:
        raise SignInFailed("provider_misconfigured", 502)
    registry = JWSRegistry(algorithms=algorithms, strict_check_header=False)
    try:
        try:
            decoded = jwt.decode(token["id_token"], key=_key_set(), registry=registry)
        except InvalidKeyIdError:  # the provider rolled its keys: fetch them once more
            decoded = jwt.decode(token["id_token"], key=_key_set(force=True), registry=registry)
        options = {
            "iss": {"essential": True, "values": [meta["issuer"]]},
            "aud": {"essential": True, "values": [settings.MOTCUA_OIDC_CLIENT_ID]},
            "exp": {"essential": True},
            "nonce": {"essential": True},
        }
        params = {
            "nonce": nonce,
            "client_id": settings.MOTCUA_OIDC_CLIENT_ID,
            "access_token": token.get("access_token"),
        }
        claims = CodeIDToken(decoded.claims, decoded.header, options, params)
        claims.validate(now=int(clock()), leeway=settings.MOTCUA_OIDC_LEEWAY_SECONDS)
    except JoseError as exc:
        reason = {
            "ExpiredTokenError": "id_token_expired",
            "BadSignatureError": "id_token_signature",
        }.get(type(exc).__name__, "id_token_invalid")
        if getattr(exc, "claim", None) == "nonce":
            reason = "id_token_nonce"
        raise SignInFailed(reason) from exc
    except (ValueError, TypeError, KeyError) as exc:
        raise SignInFailed("id_token_invalid") from exc
    return dict(claims)


def end_session_url(*, id_token: str, post_logout_redirect_uri: str) -> str | None:
    """The provider's end-session address for this sign-out, None when it offers none (or
    cannot be reached: the local session is over anyway)."""
    try:
        meta = metadata()
    except SignInFailed:
        return None
    if not meta.get("end_session_endpoint"):
        return None
    params = {
        "post_logout_redirect_uri": post_logout_redirect_uri,
        "client_id": settings.MOTCUA_OIDC_CLIENT_ID,
    }
    if id_token:
        params["id_token_hint"] = id_token
    # No `state`: the citizen comes back to the home page, which has nothing to match it to.
    return add_params_to_uri(meta["end_session_endpoint"], params)
