"""Local stand-ins for the systems we talk to, speaking their real protocols over HTTP.

`PushService` plays a browser vendor's push service *and* the browser behind it: it holds the
subscription's private ECDH key and auth secret (as a browser does), checks the VAPID
`Authorization: vapid t=<JWT>,k=<key>` header (ES256 signature, aud = its own origin, exp in
the future) and decrypts the aes128gcm body, so a test sees exactly what the service worker
would. `SmsGateway` records the JSON POSTs of the generic SMS gateway protocol.
"""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Received:
    path: str
    headers: dict
    plaintext: dict | None = None
    vapid_claims: dict | None = None
    vapid_key: str = ""
    body: dict | None = None
    problems: list[str] = field(default_factory=list)


def verify_vapid(authorization: str, origin: str) -> tuple[dict, str]:
    """Check an RFC 8292 header; returns (claims, k) or raises AssertionError."""
    scheme, _, params = authorization.partition(" ")
    assert scheme == "vapid", f"scheme {scheme!r}"
    parts = dict(p.strip().split("=", 1) for p in params.split(","))
    token, key = parts["t"], parts["k"]
    header_b64, claims_b64, signature_b64 = token.split(".")
    header = json.loads(b64url_decode(header_b64))
    assert header["alg"] == "ES256", header
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url_decode(key))
    raw_sig = b64url_decode(signature_b64)
    assert len(raw_sig) == 64
    der = encode_dss_signature(
        int.from_bytes(raw_sig[:32], "big"), int.from_bytes(raw_sig[32:], "big")
    )
    try:
        public.verify(der, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature as exc:
        raise AssertionError("VAPID JWT signature invalid") from exc
    claims = json.loads(b64url_decode(claims_b64))
    assert claims["aud"] == origin, f"aud {claims['aud']!r} != {origin!r}"
    assert claims["exp"] > time.time(), "expired"
    assert claims["exp"] <= time.time() + 24 * 3600, "exp more than 24 h ahead"
    assert claims["sub"].startswith(("mailto:", "https:")), claims["sub"]
    return claims, key


class _Server:
    def __init__(self, handler_factory):
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler_factory(self))
        self.port = self.httpd.server_address[1]
        self.origin = f"http://127.0.0.1:{self.port}"
        self.received: list[Received] = []
        self.status = 201
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


class PushService(_Server):
    def __init__(self):
        super().__init__(_push_handler)
        self.browser_key = ec.generate_private_key(ec.SECP256R1())
        self.auth_secret = os.urandom(16)

    def subscription_json(self, path: str = "/push/abc123") -> dict:
        """What `PushSubscription.toJSON()` returns in the browser."""
        point = self.browser_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {
            "endpoint": f"{self.origin}{path}",
            "keys": {"p256dh": b64url(point), "auth": b64url(self.auth_secret)},
        }


def _push_handler(server: PushService):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # keep test output quiet
            pass

        def do_POST(self):
            length = int(self.headers.get("Content-Length", 0))
            body = self.rfile.read(length)
            got = Received(path=self.path, headers={k.lower(): v for k, v in self.headers.items()})
            try:
                got.vapid_claims, got.vapid_key = verify_vapid(
                    self.headers.get("Authorization", ""), server.origin
                )
                assert got.headers.get("content-encoding") == "aes128gcm"
                assert int(got.headers.get("ttl", "-1")) >= 0
                plaintext = http_ece.decrypt(
                    body,
                    private_key=server.browser_key,
                    auth_secret=server.auth_secret,
                    version="aes128gcm",
                )
                got.plaintext = json.loads(plaintext)
            except Exception as exc:  # noqa: BLE001  the test asserts on problems
                got.problems.append(f"{type(exc).__name__}: {exc}")
            server.received.append(got)
            status = 400 if got.problems else server.status
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

    return Handler


class SmsGateway(_Server):
    def __init__(self, token: str = "sms-token-test"):  # noqa: S107
        super().__init__(_sms_handler)
        self.token = token


def _sms_handler(server: SmsGateway):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            length = int(self.headers.get("Content-Length", 0))
            raw = self.rfile.read(length)
            got = Received(path=self.path, headers={k.lower(): v for k, v in self.headers.items()})
            if self.headers.get("Authorization") != f"Bearer {server.token}":
                got.problems.append("bad token")
            try:
                got.body = json.loads(raw)
            except ValueError:
                got.problems.append("not json")
            server.received.append(got)
            status = 401 if "bad token" in got.problems else server.status
            payload = json.dumps({"id": f"msg-{len(server.received)}"}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    return Handler
