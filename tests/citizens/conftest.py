"""The development identity provider as a real server in a subprocess (its own database,
keys and port), and motcua's relying party on pytest-django's live server: every sign-in in
these tests is a real browser-style round trip and a real server-to-server token request."""

import os
import re
import socket
import subprocess
import sys
import time
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
CLIENT_ID = "motcua-test"
CLIENT_SECRET = "test-client-secret-not-for-production"
LAN = {"citizen_id": "031190012345", "password": "lan-vneid-2026"}
HUNG = {"citizen_id": "031085067890", "password": "hung-vneid-2026"}
CALLBACK = "/cong-dan/dang-nhap/xong/"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class DevIdp:
    """`python -m motcua_devidp` migrate + seed, then uvicorn on a free port."""

    def __init__(self, var_dir: Path, rp_base_url: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.var_dir = var_dir
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE"))}
        env.update(
            MOTCUA_VAR_DIR=str(var_dir),
            DEVIDP_ISSUER=self.url,
            DEVIDP_ID_TOKEN_SECONDS="120",
            PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
        )
        self.env = env
        manage = [sys.executable, "-m", "motcua_devidp"]
        subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
        subprocess.run(
            [
                *manage,
                "seed_devidp",
                f"--rp-base-url={rp_base_url}",
                f"--client-id={CLIENT_ID}",
                f"--client-secret={CLIENT_SECRET}",
            ],
            env=env,
            check=True,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )
        self.log = open(var_dir / "devidp.log", "w+")  # noqa: SIM115 (closed in stop)
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "motcua_devidp.asgi:application",
                "--host=127.0.0.1",
                f"--port={self.port}",
                "--log-level=warning",
            ],
            env=env,
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                if requests.get(f"{self.url}/.well-known/jwks.json", timeout=5).ok:
                    return
            except requests.RequestException:
                time.sleep(0.2)
        self.log.seek(0)
        raise AssertionError(f"the development provider did not start:\n{self.log.read()[-3000:]}")

    @property
    def private_key_pem(self) -> bytes:
        return (self.var_dir / "devidp" / "oidc-rsa.pem").read_bytes()

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


@pytest.fixture(scope="session")
def devidp(live_server, tmp_path_factory):
    server = DevIdp(tmp_path_factory.mktemp("devidp"), live_server.url)
    yield server
    server.stop()


@pytest.fixture
def rp(settings, live_server, devidp):
    """motcua configured to sign citizens in at the development provider."""
    from motcua.citizens import oidc

    settings.MOTCUA_PUBLIC_BASE_URL = live_server.url
    settings.MOTCUA_OIDC_ISSUER = devidp.url
    settings.MOTCUA_OIDC_CLIENT_ID = CLIENT_ID
    settings.MOTCUA_OIDC_CLIENT_SECRET = CLIENT_SECRET
    policy = settings.CONTENT_SECURITY_POLICY
    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {
            **policy["DIRECTIVES"],
            "form-action": [*policy["DIRECTIVES"]["form-action"], devidp.url],
        }
    }
    oidc.forget_metadata()
    yield live_server.url
    oidc.forget_metadata()


def _form(html: str) -> dict:
    return {k: unescape(v) for k, v in re.findall(r'name="([^"]+)"\s+value="([^"]*)"', html)}


def walk_to_callback(session: requests.Session, rp_url: str, person: dict, *, next_url=""):
    """Start at motcua, sign in at the provider, stop at motcua's callback URL (not opened)."""
    start = f"{rp_url}/cong-dan/dang-nhap/"
    response = session.get(
        start, params={"next": next_url} if next_url else None, allow_redirects=False
    )
    for _ in range(10):
        assert response.status_code in (200, 302), (response.status_code, response.text[:500])
        if response.status_code == 302:
            location = urljoin(response.url, response.headers["Location"])
            if urlsplit(location).path == CALLBACK:
                return location
            response = session.get(location, allow_redirects=False)
            continue
        # the provider's sign-in page
        assert "Đăng nhập bằng tài khoản định danh điện tử" in response.text
        hidden = _form(response.text)
        response = session.post(
            response.url,
            data={
                "csrfmiddlewaretoken": hidden["csrfmiddlewaretoken"],
                "next": hidden.get("next", ""),
                "username": person["citizen_id"],
                "password": person["password"],
            },
            allow_redirects=False,
        )
    raise AssertionError("never reached the callback")


def state_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["state"][0]


def code_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["code"][0]


def replace_query(url: str, **values) -> str:
    from urllib.parse import urlencode

    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query.update(values)
    return f"{parts.scheme}://{parts.netloc}{parts.path}?{urlencode(query)}"
