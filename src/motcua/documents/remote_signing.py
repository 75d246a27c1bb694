"""Remote signing: the citizen's key stays at a signing service; motcua sends the hash to sign
(docs/decisions/0038).

`RemoteSigner` is the interface (one method, `sign_pdf`); `CSCRemoteSigner` speaks the Cloud
Signature Consortium API v2, the protocol remote signing services expose:

1. the service's bearer token: `MOTCUA_CSC_TOKEN`, or OAuth2 client credentials
   (`MOTCUA_CSC_CLIENT_ID` / `_SECRET`) at `MOTCUA_CSC_TOKEN_URL` (default
   `<base>/oauth2/token`);
2. `credentials/list` with `userID` = the citizen ID -> the citizen's credential;
3. `credentials/info` (pyHanko's `fetch_certs_in_csc_credential`) -> the certificate chain;
4. pyHanko's `CSCSigner` builds the PAdES signature; when it has the hash to sign it asks our
   `PinAuthorization` for a SAD: `credentials/authorize` with the PIN/OTP the citizen typed and
   that hash (explicit authorisation, SCAL 2); then `signatures/signHash` with the SAD.

pyHanko's client follows CSC v1.0.4 field names (`hash`, `hashAlgo`); v2 renamed them
(`hashes`, `hashAlgorithmOID`): `CSCv2Signer` only renames. Every CSC error answer
(`{"error", "error_description"}`) is turned into a `RemoteSigningError` by one aiohttp
middleware, whichever call it answers; the PIN never leaves the request that carries it.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol

import aiohttp
from asn1crypto import algos
from django.conf import settings
from django.utils.translation import gettext as _
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers import csc_signer

from motcua.core import links

from . import pki
from .citizen_signing import CitizenSigningError, SignedByCitizen, async_sign

log = logging.getLogger(__name__)
API_VERSION = "v2"


class RemoteSigningError(CitizenSigningError):
    """The service refused or could not be reached; `reason` is for the citizen."""


def _unavailable() -> RemoteSigningError:
    return RemoteSigningError(
        "unavailable",
        _(
            "Dịch vụ ký số từ xa đang không phản hồi. Vui lòng thử lại sau ít phút "
            "hoặc ký bằng tệp chứng thư số."
        ),
    )


def _refusal(endpoint: str, error: str) -> RemoteSigningError:
    if error in ("invalid_pin", "invalid_otp") or (
        endpoint == "credentials/authorize" and error == "access_denied"
    ):
        return RemoteSigningError("wrong_pin", _("Mã PIN/OTP không đúng. Vui lòng nhập lại."))
    if error in ("invalid_token", "invalid_client", "unauthorized_client"):
        return RemoteSigningError(
            "service_auth",
            _("Hệ thống chưa kết nối được với dịch vụ ký số từ xa. Vui lòng báo cơ quan."),
        )
    if endpoint == "signatures/signHash":
        return RemoteSigningError(
            "sad_refused", _("Phiên ký đã hết hạn hoặc đã được dùng. Vui lòng ký lại.")
        )
    return RemoteSigningError(
        "refused", _("Dịch vụ ký số từ xa từ chối yêu cầu ký. Vui lòng thử lại hoặc ký bằng tệp.")
    )


class RemoteSigner(Protocol):
    name: str

    def sign_pdf(self, pdf_bytes: bytes, *, user_id: str, pin: str) -> SignedByCitizen:
        """Sign with the credential the service holds for `user_id` (the citizen ID),
        authorised by `pin` (their PIN or OTP). Raises `RemoteSigningError`."""
        ...


class PinAuthorization(csc_signer.CSCAuthorizationManager):
    """Explicit authorisation: the citizen's PIN/OTP and the hashes about to be signed."""

    def __init__(self, session_info, credential_info, *, http, pin: str) -> None:
        super().__init__(session_info, credential_info)
        self.http, self._pin = http, pin

    async def authorize_signature(self, hash_b64s: list[str]) -> csc_signer.CSCAuthorizationInfo:
        body = self.format_csc_auth_request(pin=self._pin, hash_b64s=hash_b64s)
        body["hashes"] = body.pop("hash")  # v2 name
        body["hashAlgorithmOID"] = algos.DigestAlgorithmId("sha256").dotted
        url = self.csc_session_info.endpoint_url("credentials/authorize")
        async with self.http.post(url, headers=self.auth_headers, json=body) as response:
            answer = await response.json()
        return self.parse_csc_auth_response(answer)


class CSCv2Signer(csc_signer.CSCSigner):
    async def format_csc_signing_req(self, tbs_hashes, digest_algorithm):
        request = await super().format_csc_signing_req(tbs_hashes, digest_algorithm)
        request["hashes"] = request.pop("hash")
        request["hashAlgorithmOID"] = request.pop("hashAlgo")
        return request


def _endpoint(url: str) -> str:
    return str(url).split(f"/csc/{API_VERSION}/", 1)[-1]


async def _errors(request: aiohttp.ClientRequest, handler) -> aiohttp.ClientResponse:
    """Client middleware: a 4xx CSC error JSON -> RemoteSigningError; 5xx -> unavailable."""
    response = await handler(request)
    if response.status < 400:
        return response
    endpoint = _endpoint(str(request.url))
    if response.status >= 500:
        log.warning("remote signing service answered %s to %s", response.status, endpoint)
        raise _unavailable()
    try:
        answer = await response.json(content_type=None)
        error = str(answer.get("error", "")) if isinstance(answer, dict) else ""
    except (ValueError, aiohttp.ClientError):
        error = ""
    log.info("remote signing service refused %s: %s", endpoint, error or response.status)
    raise _refusal(endpoint, error)


class CSCRemoteSigner:
    name = "csc"

    def __init__(
        self,
        *,
        base_url: str,
        token: str = "",
        client_id: str = "",
        client_secret: str = "",
        token_url: str = "",
        timeout: float = 15.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token, self.client_id, self.client_secret = token, client_id, client_secret
        self.token_url = token_url or f"{self.base_url}/oauth2/token"
        self.timeout = timeout

    async def _bearer(self, http: aiohttp.ClientSession) -> str:
        if self.token:
            return self.token
        form = {"grant_type": "client_credentials", "scope": "service"}
        auth = {"Authorization": aiohttp.encode_basic_auth(self.client_id, self.client_secret)}
        async with http.post(self.token_url, data=form, headers=auth) as response:
            answer = await response.json(content_type=None)
        token = answer.get("access_token") if isinstance(answer, dict) else None
        if not token:
            raise _refusal("oauth2/token", "invalid_client")
        return str(token)

    async def _credential_id(self, http, bearer: str, user_id: str) -> str:
        url = f"{self.base_url}/csc/{API_VERSION}/credentials/list"
        body = {"userID": user_id, "onlyValid": True}
        headers = {"Authorization": f"Bearer {bearer}"}
        async with http.post(url, json=body, headers=headers) as response:
            answer = await response.json(content_type=None)
        ids = answer.get("credentialIDs") if isinstance(answer, dict) else None
        if not ids:
            raise RemoteSigningError(
                "no_credential",
                _(
                    "Bạn chưa có chứng thư số ký từ xa tại dịch vụ ký số. Hãy đăng ký với nhà "
                    "cung cấp dịch vụ hoặc ký bằng tệp chứng thư số."
                ),
            )
        return str(ids[0])

    async def async_sign_pdf(self, pdf_bytes: bytes, *, user_id: str, pin: str) -> SignedByCitizen:
        timeout = aiohttp.ClientTimeout(total=self.timeout)
        try:
            async with aiohttp.ClientSession(timeout=timeout, middlewares=(_errors,)) as http:
                bearer = await self._bearer(http)
                session_info = csc_signer.CSCServiceSessionInfo(
                    service_url=self.base_url,
                    credential_id=await self._credential_id(http, bearer, user_id),
                    oauth_token=bearer,
                    api_ver=API_VERSION,
                )
                credential = await csc_signer.fetch_certs_in_csc_credential(
                    http, session_info, timeout=int(self.timeout)
                )
                auth = PinAuthorization(session_info, credential, http=http, pin=pin)
                signer = CSCv2Signer(http, auth, sign_timeout=int(self.timeout))
                return await async_sign(pdf_bytes, signer)
        except CitizenSigningError:
            raise
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            log.warning("remote signing service unreachable: %s", type(exc).__name__)
            raise _unavailable() from exc
        except SigningError as exc:
            cause = exc.__cause__
            if isinstance(cause, CitizenSigningError):
                raise cause from exc
            log.warning("remote signing failed: %s", exc)
            raise _unavailable() from exc

    def sign_pdf(self, pdf_bytes: bytes, *, user_id: str, pin: str) -> SignedByCitizen:
        def run():
            return asyncio.run(self.async_sign_pdf(pdf_bytes, user_id=user_id, pin=pin))

        return pki.run_outside_event_loop(run)


def configured() -> bool:
    return bool(base_url())


def base_url() -> str:
    if settings.MOTCUA_CSC_BASE_URL:
        return settings.MOTCUA_CSC_BASE_URL
    if settings.MOTCUA_CSC_SIMULATOR:  # make run: the simulator mounted in this process
        return links.public_url("/csc-sim")
    return ""


def get_remote_signer() -> RemoteSigner:
    """The configured service (docs/operations.md, "Citizens' signatures")."""
    if not configured():
        raise RemoteSigningError(
            "not_configured", _("Chưa có dịch vụ ký số từ xa. Vui lòng ký bằng tệp chứng thư số.")
        )
    client_id, client_secret = settings.MOTCUA_CSC_CLIENT_ID, settings.MOTCUA_CSC_CLIENT_SECRET
    if not settings.MOTCUA_CSC_BASE_URL:
        from .csc_simulator_urls import mounted

        client_id, client_secret = mounted().client_id, mounted().client_secret
    return CSCRemoteSigner(
        base_url=base_url(),
        token=settings.MOTCUA_CSC_TOKEN,
        client_id=client_id,
        client_secret=client_secret,
        token_url=settings.MOTCUA_CSC_TOKEN_URL,
        timeout=settings.MOTCUA_CSC_TIMEOUT_SECONDS,
    )
