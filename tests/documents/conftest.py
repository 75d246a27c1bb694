"""A commune, a throw-away dev PKI per test session, media in a temp dir, small PDFs."""

import subprocess
from pathlib import Path

import pytest
from weasyprint import HTML

from motcua.core.models import Unit

RESULT_HTML = """<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><style>
@page { size: A4; margin: 2cm } body { font-family: "DejaVu Sans"; font-size: 12pt }
.c { text-align: center } h1 { font-size: 16pt }
</style></head><body>
<p class="c"><b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b><br>Độc lập - Tự do - Hạnh phúc</p>
<h1 class="c">GIẤY CHỨNG NHẬN KẾT HÔN</h1>
<p>Họ và tên chồng: Nguyễn Văn Ánh, sinh ngày 02/09/1995.</p>
<p>Họ và tên vợ: Trần Thị Bưởi, sinh ngày 19/05/1997.</p>
<p>Đăng ký kết hôn tại Ủy ban nhân dân xã Thạch Hà, tỉnh Hà Tĩnh.</p>
</body></html>"""


@pytest.fixture(scope="session")
def pki_dir(tmp_path_factory):
    from django.conf import settings

    path = tmp_path_factory.mktemp("pki")
    previous = getattr(settings, "MOTCUA_PKI_DIR", None)
    settings.MOTCUA_PKI_DIR = str(path)
    yield path
    settings.MOTCUA_PKI_DIR = previous


@pytest.fixture(autouse=True)
def isolated(pki_dir, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MOTCUA_PUBLIC_BASE_URL = "https://motcua.example.vn"
    for name in (
        "MOTCUA_SIGNING_P12_PATH",
        "MOTCUA_SIGNING_P12_PASSWORD",
        "MOTCUA_PERSONAL_P12_PATH",
        "MOTCUA_PERSONAL_P12_PASSWORD",
        "MOTCUA_TRUST_ROOTS",
    ):
        setattr(settings, name, "")


@pytest.fixture(scope="session")
def result_pdf() -> bytes:
    """An unsigned result with Vietnamese text, as WeasyPrint makes it."""
    return HTML(string=RESULT_HTML).write_pdf()


@pytest.fixture
def commune(db):
    province = Unit.objects.create(code="42", name="Tỉnh Hà Tĩnh", kind=Unit.Kind.PROVINCE)
    return Unit.objects.create(
        code="18073", name="Xã Thạch Hà", kind=Unit.Kind.COMMUNE, parent=province
    )


@pytest.fixture
def other_commune(db):
    return Unit.objects.create(code="18074", name="Xã Cẩm Xuyên", kind=Unit.Kind.COMMUNE)


@pytest.fixture
def signed_document(commune, result_pdf):
    from motcua.documents.services import sign_and_store

    return sign_and_store(
        actor=None,
        unit=commune,
        pdf_bytes=result_pdf,
        title="Giấy chứng nhận kết hôn - Nguyễn Văn Ánh",
        signer_name="Lê Văn Hùng",
        object_type="dossiers.dossier",
        object_id="42",
    )


def stored_bytes(document) -> bytes:
    with document.file.open("rb") as fh:
        return fh.read()


def flip_byte_in_page_content(pdf: bytes) -> bytes:
    """Change one byte inside the first page's content stream (inside the signed range)."""
    from io import BytesIO

    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(BytesIO(pdf))
    contents = reader.root["/Pages"]["/Kids"][0].get_object().raw_get("/Contents")
    if hasattr(contents, "__iter__") and not hasattr(contents, "idnum"):
        contents = contents[0]
    header = f"\n{contents.idnum} 0 obj".encode()
    start = pdf.index(b"stream", pdf.index(header)) + len(b"stream\n") + 20
    data = bytearray(pdf)
    data[start] ^= 0x01
    return bytes(data)


def render_first_page(pdf: bytes, out_png: Path, dpi: int = 100) -> Path:
    src = out_png.with_suffix(".pdf")
    src.write_bytes(pdf)
    stem = out_png.with_suffix("")
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-png", "-f", "1", "-l", "1", "-singlefile", src, stem],
        check=True,
    )
    src.unlink()
    return out_png
