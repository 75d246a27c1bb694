"""The filled declaration prints as the official paper, with its diacritics intact."""

import shutil
import subprocess
from pathlib import Path

import pytest

from motcua.eforms import pdf

from .conftest import TODAY

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils missing")


def test_birth_declaration_pdf_has_the_national_header_fields_and_signature(declarations, tmp_path):
    record = declarations["1.001193"]
    body = pdf.render(
        record["definition"],
        record["example"],
        addressee="Ủy ban nhân dân xã An Lão",
        place="An Lão",
        signed_on=TODAY,
        form_number=record["form_number"],
    )
    assert body.startswith(b"%PDF")
    path = tmp_path / "to-khai-khai-sinh.pdf"
    path.write_bytes(body)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "TỜ KHAI ĐĂNG KÝ KHAI SINH",
        "Kính gửi: Ủy ban nhân dân xã An Lão",
        "Người được khai sinh",
        "Trần Bình An",
        "20/11/2026",
        "Lê Thị Hoa",
        "Tôi cam đoan",
        "An Lão, ngày 06 tháng 12 năm 2026",
        "Người yêu cầu",
        "Thông tư 04/2024/TT-BTP",
    ):
        assert expected in " ".join(text.split()), expected
    shots = Path("/tmp/shots-eforms")
    if shutil.which("pdftoppm"):
        shots.mkdir(exist_ok=True)
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", str(path), str(shots / "to-khai-khai-sinh")],
            check=True,
        )


def test_every_shipped_declaration_renders(declarations):
    for code, record in declarations.items():
        assert pdf.render(record["definition"], record["example"], signed_on=TODAY).startswith(
            b"%PDF"
        ), code
