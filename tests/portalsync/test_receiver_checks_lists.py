"""The local receiver refuses a dossier message whose step history, fees, supplements,
attachments or databases are not of the agreed shape, with its code and reason, so the adapter
is tested against a portal that looks at them; the messages motcua writes pass."""

import copy
import json

import pytest

from motcua.dossiers import services
from motcua.dossiers.models import Status
from motcua.portalsim.models import ReceivedMessage
from motcua.portalsync import adapter
from motcua.portalsync.models import PortalMessage
from tests.dossiers.factories import drive_to

from .conftest import TOKEN

pytestmark = pytest.mark.django_db

URL = "/gia-lap/dvcqg/api/dong-bo"


@pytest.fixture
def receiver(settings):
    settings.ROOT_URLCONF = "tests.portalsync.urls_with_receiver"
    settings.MOTCUA_DVCQGSIM_TOKEN = TOKEN


def post(client, *envelopes) -> list[dict]:
    answer = client.post(
        URL,
        json.dumps({"DanhSachTinNhan": list(envelopes)}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {TOKEN}",
    )
    assert answer.status_code == 200
    return answer.json()["KetQua"]


@pytest.fixture
def full(world):
    """The last status message of a dossier that had every list filled: a supplement asked and
    answered, fees, papers, then returned."""
    dossier = drive_to(world, Status.AWAITING_SUPPLEMENT)
    services.resubmit_supplement(world.officer, dossier_id=dossier.pk)
    message = PortalMessage.objects.filter(dossier=dossier, kind="status").order_by("seq").last()
    return adapter.envelope(message)


def test_every_list_motcua_writes_is_accepted(client, receiver, full):
    data = full["DuLieu"]
    assert data["QuaTrinhXuLy"] and data["DanhSachLePhi"] and data["DanhSachHoSoBoSung"]
    assert data["TaiLieuNop"]
    assert post(client, full) == [{"MaTinNhan": full["MaTinNhan"], "TrangThai": "DA_NHAN"}]


def broken(envelope: dict, name: str, change) -> dict:
    bad = copy.deepcopy(envelope)
    bad["MaTinNhan"] = f"{envelope['MaTinNhan'][:30]}-{name}"
    change(bad["DuLieu"])
    return bad


def set_item(name, key, value):
    def change(data):
        data[name][0][key] = value

    return change


@pytest.mark.parametrize(
    ("name", "change", "code"),
    [
        ("step_date", set_item("QuaTrinhXuLy", "ThoiDiemXuLy", "2026-11-02"), "E06"),
        ("step_status", set_item("QuaTrinhXuLy", "TrangThai", 12), "E06"),
        ("step_due", set_item("QuaTrinhXuLy", "NgayKetThucTheoQuyDinh", "mai"), "E06"),
        ("history_not_list", lambda d: d.update(QuaTrinhXuLy={"a": 1}), "E06"),
        ("fee_kind", set_item("DanhSachLePhi", "LoaiPhiLePhi", 9), "E07"),
        ("fee_amount", set_item("DanhSachLePhi", "Gia", -5), "E07"),
        ("fee_amount_text", set_item("DanhSachLePhi", "Gia", "8000"), "E07"),
        ("method_unpaid", set_item("DanhSachLePhi", "HinhThucThanhToanTrucTuyen", "VIETQR"), "E07"),
        ("supplement_state", set_item("DanhSachHoSoBoSung", "TrangThaiBoSung", 0), "E08"),
        ("supplement_reason", set_item("DanhSachHoSoBoSung", "LyDo", ""), "E08"),
        ("paper_flag", set_item("TaiLieuNop", "DuocTaiSuDung", 2), "E09"),
        ("paper_flag_bool", set_item("TaiLieuNop", "DuocLayTuKhoDMQG", True), "E09"),
        ("database", lambda d: d.update(DSKetNoiCSDL=[{"MaCSDL": ""}]), "E10"),
    ],
)
def test_a_malformed_list_is_refused_with_its_reason(client, receiver, full, name, change, code):
    bad = broken(full, name, change)
    (answer,) = post(client, bad)
    assert answer["TrangThai"] == "TU_CHOI" and answer["MaLoi"] == code
    assert answer["LyDo"]
    assert not ReceivedMessage.objects.filter(message_id=bad["MaTinNhan"]).exists()


def test_a_message_without_the_lists_is_still_taken(client, receiver, full):
    """An older message (written before the lists existed) is taken as it is."""
    bare = copy.deepcopy(full)
    for name in ("QuaTrinhXuLy", "DanhSachLePhi", "DanhSachHoSoBoSung", "TaiLieuNop"):
        bare["DuLieu"].pop(name)
    bare["DuLieu"].pop("DSKetNoiCSDL")
    assert post(client, bare)[0]["TrangThai"] == "DA_NHAN"
