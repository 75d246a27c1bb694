"""A Hải Phòng commune (its province subsidises electronic copies) and one elsewhere, the
certification procedure imported from the demo catalog data, a leader who certifies, a
throw-away dev PKI and media in temp dirs."""

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
from weasyprint import HTML

from motcua.accounts.models import Role
from motcua.certification.fees import PROCEDURE_CODE
from motcua.core.models import Unit
from motcua.demo import services as demo
from tests.catalog.factories import make_user

VN = ZoneInfo("Asia/Ho_Chi_Minh")
AT = dt.datetime(2026, 12, 7, 9, 30, tzinfo=VN)
LAN_ID = "031190012345"
ORIGINAL_HTML = """<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><style>
@page { size: A4; margin: 2cm } body { font-family: "DejaVu Sans" }</style></head><body>
<h1>BẰNG TỐT NGHIỆP TRUNG HỌC PHỔ THÔNG</h1><p>Cấp cho: Nguyễn Thị Lan, sinh ngày 14/03/1990.</p>
<p style="page-break-before: always">Trang 2: Số hiệu bằng A 0123456.</p></body></html>"""


@pytest.fixture(scope="session")
def _pki_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("pki")


@pytest.fixture(autouse=True)
def isolated(_pki_dir, settings, tmp_path):
    settings.MOTCUA_PKI_DIR = str(_pki_dir)
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
def original_pdf() -> bytes:
    """A two-page original as a scanner's PDF would hold it."""
    return HTML(string=ORIGINAL_HTML).write_pdf()


def _certification_record() -> dict:
    records = json.loads(demo.PROCEDURES_FILE.read_text(encoding="utf-8"))
    return next(r for r in records if r["code"] == PROCEDURE_CODE)


class Place:
    def __init__(self, province_name: str, province_code: str, commune_code: str, name: str):
        self.province = Unit.objects.create(
            code=province_code, name=province_name, kind=Unit.Kind.PROVINCE
        )
        self.commune = Unit.objects.create(
            code=commune_code, name=name, kind=Unit.Kind.COMMUNE, parent=self.province
        )
        report = demo.import_procedures(
            unit=self.province, records=[_certification_record()], actor=None
        )
        assert not report.get("errors"), report
        self.leader = make_user(
            (Role.LEADER, self.commune), full_name="Phạm Văn Lãnh", username=f"ld{commune_code}"
        )
        self.officer = make_user(
            (Role.COUNTER_OFFICER, self.commune),
            full_name="Lê Thị Quầy",
            username=f"mc{commune_code}",
        )


@pytest.fixture
def haiphong(db):
    return Place("Thành phố Hải Phòng", "31", "11824", "Xã Vĩnh Bảo")


@pytest.fixture
def hatinh(db):
    return Place("Tỉnh Hà Tĩnh", "42", "18073", "Xã Thạch Hà")
