"""The digitization screen (/can-bo/so-hoa/): scoped, refused to roles without the right,
exported to .xlsx with Vietnamese text, a page in a bounded number of queries; the fixes
posted from the dossier page (decisions/0034)."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from motcua.dossiers import services
from motcua.dossiers.models import DossierDocument, Status

from .factories import applicant, at, drive_to, receive

PAGE = reverse("dossiers:defects")
PERIOD = {"tu_ngay": "2026-10-01", "den_ngay": "2026-12-31"}
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\nxref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000052 00000 n \n0000000101 00000 n \ntrailer<</Size 4/Root 1 0 R>>\nstartxref\n164\n%%EOF\n"  # noqa: E501


@pytest.fixture
def leader_client(client, world):
    client.force_login(world.leader)
    return client


def test_leader_sees_the_defects_of_their_unit_newest_first(leader_client, world):
    older = receive(world, at(2026, 11, 2, 9))
    newer = receive(world, at(2026, 11, 3, 9))
    elsewhere = services.receive_at_counter(
        world.other_officer,
        procedure=world.procedure,
        receiving_unit=world.other,
        applicant=applicant(),
        at=at(2026, 11, 3, 10),
    )
    page = leader_client.get(PAGE, PERIOD).content.decode()
    assert page.index(newer.code) < page.index(older.code)
    assert elsewhere.code not in page
    assert 'data-testid="defect-thanh-phan"' in page
    assert reverse("dossiers:dossier_detail", args=[newer.pk]) + "#thanh-phan" in page


def test_roles_without_the_right_are_refused(client, world):
    client.force_login(world.specialist)
    assert client.get(PAGE).status_code == 403
    assert client.get(reverse("dossiers:defects_export")).status_code == 403


def test_another_units_filter_is_refused(client, world):
    client.force_login(world.other_leader)
    answer = client.get(PAGE, {"don_vi": world.commune.pk})
    assert answer.status_code == 400
    assert "Lựa chọn không hợp lệ" in answer.content.decode()


def test_empty_state_and_hostile_dates(leader_client):
    answer = leader_client.get(PAGE, PERIOD)
    assert "Không có hồ sơ nào có lỗi số hóa" in answer.content.decode()
    assert leader_client.get(PAGE, {"tu_ngay": "9999-99-99"}).status_code == 400
    assert (
        leader_client.get(PAGE, {"tu_ngay": "2026-12-01", "den_ngay": "2026-11-01"}).status_code
        == 400
    )


def test_export_opens_in_a_spreadsheet_with_vietnamese_text(leader_client, world):
    receive(world, at(2026, 11, 2, 9))
    answer = leader_client.get(reverse("dossiers:defects_export"), PERIOD)
    assert answer["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(answer.content))
    cells = [str(c.value) for row in wb.worksheets[0].iter_rows() for c in row if c.value]
    assert "Lỗi số hóa hồ sơ" in cells
    assert any("Chưa xác thực danh tính qua CSDL dân cư" in c for c in cells)
    assert "Nguyễn Văn An" in cells
    figures = [str(c.value) for row in wb.worksheets[1].iter_rows() for c in row if c.value]
    assert "Hồ sơ số hóa đủ mọi thành phần" in figures


def test_the_screen_costs_a_bounded_number_of_queries(leader_client, world):
    receive(world, at(2026, 11, 2, 9))

    def count() -> int:
        with CaptureQueriesContext(connection) as seen:
            assert leader_client.get(PAGE, PERIOD).status_code == 200
        return len(seen.captured_queries)

    few = count()
    for hour in range(10, 16):
        receive(world, at(2026, 11, 2, hour))
    assert count() == few


def test_figures_link_to_the_dossiers_behind_them(leader_client, world):
    dossier = receive(world, at(2026, 11, 2, 9))
    url = reverse("dossiers:digitization_list", args=["thanh-phan", "mau-so"])
    assert dossier.code in leader_client.get(url, PERIOD).content.decode()
    url = reverse("dossiers:digitization_list", args=["thanh-phan", "tu-so"])
    assert dossier.code not in leader_client.get(url, PERIOD).content.decode()
    assert (
        leader_client.get(reverse("dossiers:digitization_list", args=["x", "y"])).status_code == 404
    )


def test_missing_result_attached_from_the_dossier_page_leaves_the_list(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    dossier = drive_to(world, Status.RETURNED, at(2026, 11, 2, 9))
    dossier.documents.filter(kind=DossierDocument.Kind.RESULT).delete()
    client.force_login(world.leader)
    assert 'data-testid="defect-ket-qua"' in client.get(PAGE, PERIOD).content.decode()
    fix = reverse("dossiers:defect_fix_paper", args=[dossier.pk])
    detail = client.get(reverse("dossiers:dossier_detail", args=[dossier.pk])).content.decode()
    assert fix in detail
    client.force_login(world.officer)  # a counter officer does not attach results
    refused = client.post(fix, {"file": SimpleUploadedFile("kq.pdf", PDF)})
    assert refused.status_code == 403
    client.force_login(world.leader)
    answer = client.post(fix, {"file": SimpleUploadedFile("kq.pdf", PDF)})
    assert answer.status_code == 302
    assert dossier.documents.filter(kind=DossierDocument.Kind.RESULT).exists()
    assert 'data-testid="defect-ket-qua"' not in client.get(PAGE, PERIOD).content.decode()


def test_a_component_scan_from_the_dossier_page_must_be_a_real_file(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    dossier = receive(world, at(2026, 11, 2, 9))
    component = dossier.components.first()
    client.force_login(world.officer)
    url = reverse("dossiers:defect_fix_component", args=[dossier.pk, component.pk])
    refused = client.post(url, {"file": SimpleUploadedFile("a.pdf", b"not a pdf")})
    assert refused.status_code == 400
    assert "không phải ảnh (JPEG, PNG) hay văn bản PDF" in refused.content.decode()
    client.force_login(world.other_officer)
    assert client.post(url, {"file": SimpleUploadedFile("a.pdf", PDF)}).status_code == 404
    client.force_login(world.officer)
    assert client.post(url, {"file": SimpleUploadedFile("a.pdf", PDF)}).status_code == 302
    component.refresh_from_db()
    assert component.digitized


def test_reception_warns_before_collecting_a_paper_the_citizen_already_has(client, world):
    from motcua.dossiers.models import Dossier, IdentityVia

    from .test_digitization_defects import issued_birth_certificate, residence_procedure

    result = issued_birth_certificate(world).documents.get(kind=DossierDocument.Kind.RESULT)
    procedure = residence_procedure(world)
    component = procedure.components.get()
    client.force_login(world.officer)
    form = {
        "procedure": procedure.pk,
        "key": "k-reuse",
        "applicant_kind": "1",
        "applicant_name": "Nguyễn Văn An",
        "applicant_id_number": "001203004567",
        "applicant_phone": "0912 345 678",
        "applicant_address": "Thôn Đồng Bụt",
        "applicant_email": "",
        "identity_via": IdentityVia.CHIP_CARD,
        "delivery": "counter",
        "action": "receive",
        f"c{component.pk}_received": "on",
        f"c{component.pk}_form": "copy",
        f"c{component.pk}_count": "1",
    }
    url = reverse("dossiers:counter_reception")
    warned = client.post(url, form).content.decode()
    assert 'data-testid="reuse-warning"' in warned
    assert "Công dân đã có giấy tờ này trong kho dữ liệu" in warned
    before = Dossier.objects.count()
    assert client.post(url, {**form, f"c{component.pk}_reuse": str(result.pk)}).status_code == 302
    dossier = Dossier.objects.latest("id")
    assert Dossier.objects.count() == before + 1
    reused = dossier.components.get()
    assert reused.reused_from_warehouse and reused.file
    assert dossier.all_components_digitized
