"""The development provider's residents are the demo people the registry also holds: the same
values in one data file, which the provider seeds from and `make run` prints."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RESIDENTS = ROOT / "src" / "motcua_devidp" / "residents.json"


def test_the_two_demo_residents_with_their_exact_values():
    people = {r["citizen_id"]: r for r in json.loads(RESIDENTS.read_text("utf-8"))["residents"]}
    assert people["031190012345"] | {"password": ""} == {
        "citizen_id": "031190012345",
        "full_name": "Nguyễn Thị Lan",
        "birthdate": "1990-03-14",
        "gender": "female",
        "address": "Tổ dân phố 1, xã Vĩnh Bảo, thành phố Hải Phòng",
        "identity_level": 2,
        "password": "",
    }
    assert people["031085067890"] | {"password": ""} == {
        "citizen_id": "031085067890",
        "full_name": "Trần Văn Hùng",
        "birthdate": "1985-07-21",
        "gender": "male",
        "address": "Thôn 2, xã Vĩnh Bảo, thành phố Hải Phòng",
        "identity_level": 1,
        "password": "",
    }


def test_the_residents_logins_are_printed(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        MOTCUA_VAR_DIR=str(tmp_path),
        DEVIDP_ISSUER="http://127.0.0.1:8100",
        PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
    )
    out = subprocess.run(
        [sys.executable, "-m", "motcua_devidp", "list_residents"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "http://127.0.0.1:8100" in out
    assert "031190012345 / lan-vneid-2026  Nguyễn Thị Lan, định danh mức 2" in out
    assert "031085067890 / hung-vneid-2026  Trần Văn Hùng, định danh mức 1" in out
    # the provider's files live in its own folder, never motcua's database
    assert sorted(p.name for p in (tmp_path / "devidp").iterdir()) == ["oidc-rsa.pem", "secret-key"]


def test_the_issuers_origin_may_receive_the_sign_out_redirect(tmp_path):
    """Sign-out posts to motcua, which redirects to the provider: browsers hold that redirect
    to the CSP form-action, so the issuer's origin (not its path) is added there."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "MOTCUA_"))}
    env.update(
        MOTCUA_VAR_DIR=str(tmp_path),
        MOTCUA_OIDC_ISSUER="https://id.example.gov.vn/realms/vneid",
        PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
    )
    code = (
        "import motcua.settings as s; "
        "print(' '.join(s.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action']))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["'self'", "https://id.example.gov.vn"]
