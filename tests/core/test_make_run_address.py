"""`make run` gives every link the address it serves (scripts/public-url.sh), answers to it, and
passes the system checks that refuse a loopback address only where nothing else can reach it."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EVERY_INTERFACE = "0.0.0.0"  # noqa: S104  (make run HOST=0.0.0.0: what the test is about)


def served(host: str, port: str = "8080", **env: str) -> dict[str, str]:
    """The variables scripts/public-url.sh exports for `make run HOST=host PORT=port`."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "MOTCUA_PUB"))}
    script = (
        f'source scripts/public-url.sh "{host}" "{port}" && '
        'printf "%s\\n%s\\n%s\\n" "$MOTCUA_PUBLIC_BASE_URL" '
        '"${DJANGO_SILENCED_SYSTEM_CHECKS:-}" "$DJANGO_ALLOWED_HOSTS"'
    )
    out = subprocess.run(
        ["bash", "-c", script], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True,
        check=True,
    )  # fmt: skip
    base, silenced, hosts = out.stdout.splitlines()
    return {"base": base, "silenced": silenced, "hosts": hosts, "env": {**clean, **env}}


def test_on_loopback_the_links_say_loopback_and_only_that_check_is_acknowledged():
    run = served("127.0.0.1", "8080")
    assert run["base"] == "http://127.0.0.1:8080"
    assert run["silenced"] == "motcua.E002"
    assert "127.0.0.1" in run["hosts"].split(",")


def test_on_every_interface_the_links_carry_this_machines_address():
    run = served(EVERY_INTERFACE, "8080")
    host = run["base"].removeprefix("http://").rsplit(":", 1)[0]
    assert run["base"].endswith(":8080") and host not in (EVERY_INTERFACE, "")
    assert run["silenced"] == ""  # a loopback fallback would fail the check, as it should
    assert host in run["hosts"].split(",")  # the server answers to the address it prints


def test_an_address_set_by_the_operator_is_kept():
    run = served("127.0.0.1", MOTCUA_PUBLIC_BASE_URL="https://motcua.vinhbao.gov.vn")
    assert run["base"] == "https://motcua.vinhbao.gov.vn"
    assert "motcua.vinhbao.gov.vn" in run["hosts"].split(",")
    assert served(EVERY_INTERFACE, DJANGO_ALLOWED_HOSTS="a.gov.vn")["hosts"] == "a.gov.vn"


def test_make_run_on_loopback_passes_the_system_checks(tmp_path):
    env = served("127.0.0.1", "8000")["env"]
    script = 'source scripts/public-url.sh 127.0.0.1 8000 && exec "$0" manage.py check'
    result = subprocess.run(
        ["bash", "-c", script, sys.executable],
        cwd=ROOT,
        env={**env, "MOTCUA_VAR_DIR": str(tmp_path), "PYTHONPATH": str(ROOT / "src")},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "1 silenced" in result.stdout
