"""A local remote-signing service speaking the Cloud Signature Consortium API v2, for development
and tests only (docs/decisions/0038). Never deployed: keys live in this process's memory.

It holds citizens' signing keys, each with a personal certificate issued by the development PKI
(`pki`: the dev intermediate CA, so pyHanko validates the result against the dev root), and
answers what motcua's adapter (`remote_signing`) asks a real provider:

- `POST /oauth2/token` (client credentials, the service's bearer token);
- `POST /csc/v2/info`, `/csc/v2/credentials/list` (by `userID`: the citizen ID),
  `/csc/v2/credentials/info`, `/csc/v2/credentials/authorize` (explicit authorisation: the PIN,
  the hashes to sign; answers a short-lived, single-use SAD bound to them, SCAL 2) and
  `/csc/v2/signatures/signHash` (ECDSA P-256 over the given SHA-256 hashes).

Every refusal is the CSC error JSON `{"error": ..., "error_description": ...}` with a 4xx status.
Tests make it fail (`fail_next`) or slow (`delay_seconds`) on demand.

`CSCSimulator` is a WSGI application: tests serve it on loopback with `serve()`; `make run`
mounts it at /csc-sim/ when MOTCUA_CSC_SIMULATOR is on (`csc_simulator_urls`).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from socketserver import ThreadingMixIn
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from cryptography.x509.oid import NameOID
from django.utils import timezone

from . import pki

SHA256_OID = "2.16.840.1.101.3.4.2.1"
ECDSA_SHA256_OID = "1.2.840.10045.4.3.2"
ECDSA_OID = "1.2.840.10045.2.1"
P256_OID = "1.2.840.10045.3.1.7"
SPECS = "2.0.0.2"


class CSCErrorResponse(Exception):
    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(error)
        self.status, self.error, self.description = status, error, description


@dataclass
class Credential:
    credential_id: str
    user_id: str
    key: ec.EllipticCurvePrivateKey
    chain: list[x509.Certificate]  # the citizen's certificate first, then the CAs
    pin_digest: bytes
    salt: bytes


@dataclass
class Authorization:
    credential_id: str
    hashes: frozenset[str]
    remaining: int
    expires: float


@dataclass
class CSCSimulator:
    client_id: str = "motcua-dev"
    client_secret: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    sad_seconds: int = 300
    token_seconds: int = 3600
    delay_seconds: float = 0.0
    # endpoint ("credentials/authorize", ...) -> (status, error, description) answered once
    fail_next: dict[str, tuple[int, str, str]] = field(default_factory=dict)
    # user IDs with no credential yet -> (certificate name, PIN) made on first use (make run)
    enrol_on_demand: dict[str, tuple[str, str]] = field(default_factory=dict)
    credentials: dict[str, Credential] = field(default_factory=dict)
    sads: dict[str, Authorization] = field(default_factory=dict)
    used_sads: set[str] = field(default_factory=set)
    tokens: dict[str, float] = field(default_factory=dict)
    signed: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # --- set-up ----------------------------------------------------------------------------

    def enrol(self, user_id: str, name: str, pin: str, *, expired: bool = False) -> str:
        """Issue `user_id` a key and a personal certificate (CN = name) from the dev PKI."""
        chain = pki.setup_dev_pki()
        inter_key, inter_cert = pki._read_bundle(chain.intermediate_path)
        _root_key, root_cert = pki._read_bundle(chain.root_path)
        key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                x509.NameAttribute(NameOID.USER_ID, f"CCCD:{user_id}"),
                x509.NameAttribute(NameOID.COMMON_NAME, name),
            ]
        )
        cert = pki._issue(
            subject=subject,
            key=key,
            issuer=inter_cert.subject,
            issuer_key=inter_key,
            ca=False,
            years=2,
        )
        if expired:  # the same certificate, its validity over (for the refusal tests)
            now = timezone.now()
            builder = (
                x509.CertificateBuilder()
                .subject_name(subject)
                .issuer_name(inter_cert.subject)
                .public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - dt.timedelta(days=400))
                .not_valid_after(now - dt.timedelta(days=1))
            )
            for ext in cert.extensions:
                builder = builder.add_extension(ext.value, critical=ext.critical)
            cert = builder.sign(inter_key, hashes.SHA256())
        salt = secrets.token_bytes(16)
        credential = Credential(
            credential_id=f"cred-{secrets.token_hex(8)}",
            user_id=user_id,
            key=key,
            chain=[cert, inter_cert, root_cert],
            pin_digest=hashlib.pbkdf2_hmac("sha256", pin.encode(), salt, 1000),
            salt=salt,
        )
        with self._lock:
            self.credentials[credential.credential_id] = credential
        return credential.credential_id

    # --- the protocol ------------------------------------------------------------------------

    def handle(self, path: str, headers: dict[str, str], body: bytes, base_url: str):
        """(status, JSON-able answer) for one request; `headers` keys are lower case."""
        if self.delay_seconds:
            time.sleep(self.delay_seconds)
        endpoint = path.rstrip("/").split("/csc/v2/", 1)[-1]
        try:
            failure = self.fail_next.pop(endpoint, None)
            if failure is not None:
                raise CSCErrorResponse(*failure)
            if path.rstrip("/").endswith("/oauth2/token"):
                return 200, self._token(headers, body)
            if "/csc/v2/" not in path:
                raise CSCErrorResponse(404, "invalid_request", "Unknown endpoint")
            if endpoint == "info":
                return 200, self._info(base_url)
            self._check_token(headers)
            try:
                data = json.loads(body or b"{}")
            except ValueError:
                raise CSCErrorResponse(400, "invalid_request", "Malformed JSON body") from None
            if not isinstance(data, dict):
                raise CSCErrorResponse(400, "invalid_request", "Malformed JSON body")
            handler = {
                "credentials/list": self._list,
                "credentials/info": self._credential_info,
                "credentials/authorize": self._authorize,
                "signatures/signHash": self._sign_hash,
            }.get(endpoint)
            if handler is None:
                raise CSCErrorResponse(404, "invalid_request", "Unknown endpoint")
            return 200, handler(data)
        except CSCErrorResponse as exc:
            return exc.status, {"error": exc.error, "error_description": exc.description}

    def _token(self, headers: dict[str, str], body: bytes) -> dict:
        form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
        client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        auth = headers.get("authorization", "")
        if auth.lower().startswith("basic "):
            try:
                client_id, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
            except ValueError:
                raise CSCErrorResponse(401, "invalid_client", "Bad client credentials") from None
        if form.get("grant_type") != "client_credentials":
            raise CSCErrorResponse(400, "unsupported_grant_type", "Only client_credentials")
        if not (
            hmac.compare_digest(client_id, self.client_id)
            and hmac.compare_digest(secret, self.client_secret)
        ):
            raise CSCErrorResponse(401, "invalid_client", "Bad client credentials")
        token = secrets.token_urlsafe(24)
        with self._lock:
            self.tokens[token] = time.monotonic() + self.token_seconds
        return {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": self.token_seconds,
            "scope": "service",
        }

    def _check_token(self, headers: dict[str, str]) -> None:
        auth = headers.get("authorization", "")
        token = auth[7:] if auth.lower().startswith("bearer ") else ""
        expires = self.tokens.get(token)
        if expires is None or expires < time.monotonic():
            raise CSCErrorResponse(401, "invalid_token", "The access token is invalid or expired")

    def _info(self, base_url: str) -> dict:
        return {
            "specs": SPECS,
            "name": "motcua CSC simulator (không dùng thật)",
            "logo": "",
            "region": "VN",
            "lang": "vi-VN",
            "description": "Dịch vụ ký số từ xa mô phỏng cho môi trường phát triển.",
            "authType": ["oauth2client"],
            "oauth2": base_url,
            "methods": [
                "oauth2/token",
                "credentials/list",
                "credentials/info",
                "credentials/authorize",
                "signatures/signHash",
            ],
            "signAlgorithms": {"algos": [ECDSA_SHA256_OID]},
        }

    def _credential(self, data: dict) -> Credential:
        credential_id = data.get("credentialID")
        if not isinstance(credential_id, str) or not credential_id:
            raise CSCErrorResponse(
                400, "invalid_request", "Missing (or invalid type) string parameter credentialID"
            )
        credential = self.credentials.get(credential_id)
        if credential is None:
            raise CSCErrorResponse(400, "invalid_request", "Invalid parameter credentialID")
        return credential

    def _list(self, data: dict) -> dict:
        user_id = data.get("userID")
        if not isinstance(user_id, str) or not user_id:
            raise CSCErrorResponse(400, "invalid_request", "Missing parameter userID")
        if user_id in self.enrol_on_demand and not any(
            c.user_id == user_id for c in self.credentials.values()
        ):
            name, pin = self.enrol_on_demand[user_id]
            self.enrol(user_id, name, pin)
        ids = [c.credential_id for c in self.credentials.values() if c.user_id == user_id]
        return {"credentialIDs": ids}

    def _credential_info(self, data: dict) -> dict:
        credential = self._credential(data)
        cert = credential.chain[0]
        now = timezone.now()
        valid = cert.not_valid_before_utc <= now <= cert.not_valid_after_utc
        chain = credential.chain if data.get("certificates", "single") == "chain" else [cert]
        return {
            "description": "Chứng thư số cá nhân (mô phỏng)",
            "key": {"status": "enabled", "algo": [ECDSA_SHA256_OID], "len": 256, "curve": P256_OID},
            "cert": {
                "status": "valid" if valid else "expired",
                "certificates": [
                    base64.b64encode(c.public_bytes(serialization.Encoding.DER)).decode()
                    for c in chain
                ],
                "issuerDN": cert.issuer.rfc4514_string(),
                "serialNumber": format(cert.serial_number, "x"),
                "subjectDN": cert.subject.rfc4514_string(),
                "validFrom": cert.not_valid_before_utc.strftime("%Y%m%d%H%M%SZ"),
                "validTo": cert.not_valid_after_utc.strftime("%Y%m%d%H%M%SZ"),
            },
            "authMode": "explicit",
            "PIN": {"presence": "true", "format": "N", "label": "PIN"},
            "OTP": {"presence": "false"},
            "SCAL": "2",
            "multisign": 1,
            "lang": "vi-VN",
        }

    def _hashes(self, data: dict) -> list[str]:
        hashes_in = data.get("hashes")
        if not isinstance(hashes_in, list) or not hashes_in:
            raise CSCErrorResponse(
                400, "invalid_request", "Missing (or invalid type) array parameter hashes"
            )
        for value in hashes_in:
            try:
                if not isinstance(value, str) or len(base64.b64decode(value, validate=True)) != 32:
                    raise ValueError
            except ValueError:
                raise CSCErrorResponse(400, "invalid_request", "Invalid Base64 hash") from None
        if data.get("hashAlgorithmOID", SHA256_OID) != SHA256_OID:
            raise CSCErrorResponse(400, "invalid_request", "Invalid parameter hashAlgorithmOID")
        return hashes_in

    def _authorize(self, data: dict) -> dict:
        credential = self._credential(data)
        hashes_in = self._hashes(data)
        count = data.get("numSignatures")
        if not isinstance(count, int) or count < 1 or count != len(hashes_in):
            raise CSCErrorResponse(400, "invalid_request", "Invalid parameter numSignatures")
        pin = data.get("PIN")
        if not isinstance(pin, str) or not pin:
            raise CSCErrorResponse(
                400, "invalid_request", "Missing (or invalid type) string parameter PIN"
            )
        digest = hashlib.pbkdf2_hmac("sha256", pin.encode(), credential.salt, 1000)
        if not hmac.compare_digest(digest, credential.pin_digest):
            raise CSCErrorResponse(400, "invalid_pin", "The PIN is invalid")
        cert = credential.chain[0]
        if cert.not_valid_after_utc < timezone.now():
            raise CSCErrorResponse(400, "invalid_request", "The certificate has expired")
        sad = secrets.token_urlsafe(32)
        with self._lock:
            self.sads[sad] = Authorization(
                credential_id=credential.credential_id,
                hashes=frozenset(hashes_in),
                remaining=count,
                expires=time.monotonic() + self.sad_seconds,
            )
        return {"SAD": sad, "expiresIn": self.sad_seconds}

    def _sign_hash(self, data: dict) -> dict:
        credential = self._credential(data)
        hashes_in = self._hashes(data)
        sad = data.get("SAD")
        if not isinstance(sad, str) or not sad:
            raise CSCErrorResponse(
                400, "invalid_request", "Missing (or invalid type) string parameter SAD"
            )
        with self._lock:
            if sad in self.used_sads:
                raise CSCErrorResponse(400, "invalid_request", "The SAD has already been used")
            auth = self.sads.pop(sad, None)
            if auth is None:
                raise CSCErrorResponse(400, "invalid_request", "Invalid parameter SAD")
            self.used_sads.add(sad)
        if auth.expires < time.monotonic():
            raise CSCErrorResponse(400, "invalid_request", "SAD expired")
        if auth.credential_id != credential.credential_id or not set(hashes_in) <= auth.hashes:
            raise CSCErrorResponse(400, "invalid_request", "The SAD does not cover these hashes")
        if data.get("signAlgo") != ECDSA_SHA256_OID:
            raise CSCErrorResponse(400, "invalid_request", "Invalid parameter signAlgo")
        signatures = [
            base64.b64encode(
                credential.key.sign(base64.b64decode(h), ec.ECDSA(Prehashed(hashes.SHA256())))
            ).decode()
            for h in hashes_in
        ]
        self.signed += len(signatures)
        return {"signatures": signatures}

    # --- WSGI ----------------------------------------------------------------------------

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") != "POST":
            status, answer = 405, {"error": "invalid_request", "error_description": "POST only"}
        else:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(min(length, 1_000_000)) if length else b""
            headers = {
                k[5:].replace("_", "-").lower(): v
                for k, v in environ.items()
                if k.startswith("HTTP_")
            }
            host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "localhost")
            base = f"{environ.get('wsgi.url_scheme', 'http')}://{host}"
            base += environ.get("SCRIPT_NAME", "")
            status, answer = self.handle(environ.get("PATH_INFO", ""), headers, body, base)
        payload = json.dumps(answer).encode()
        start_response(
            f"{status} {'OK' if status == 200 else 'Error'}",
            [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))],
        )
        return [payload]


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        pass


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


@dataclass
class Served:
    simulator: CSCSimulator
    url: str
    server: WSGIServer
    thread: threading.Thread

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def serve(simulator: CSCSimulator, host: str = "127.0.0.1", port: int = 0) -> Served:
    """Serve `simulator` over HTTP on loopback in a thread (tests): `Served.url` is its base."""
    server = make_server(
        host, port, simulator, server_class=_ThreadingServer, handler_class=_QuietHandler
    )
    thread = threading.Thread(target=server.serve_forever, name="csc-simulator", daemon=True)
    thread.start()
    return Served(
        simulator=simulator, url=f"http://{host}:{server.server_port}", server=server, thread=thread
    )
