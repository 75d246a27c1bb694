"""Staff catalog list, import page and export: scoped per unit, drafts included."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from motcua.accounts.models import Role
from motcua.catalog.models import Procedure

from .factories import make_admin, make_procedure, make_unit, make_user, record

pytestmark = pytest.mark.django_db
LIST = reverse("catalog:staff_procedure_list")
IMPORT = reverse("catalog:import")


def export_url(fmt):
    return reverse("catalog:export", args=[fmt])


@pytest.fixture
def two_units():
    mine, other = make_unit(name="Xã Của Tôi"), make_unit(name="Xã Bên Cạnh")
    make_procedure(unit=mine, name="Thủ tục đăng ký kết hôn", code="1.000894")
    make_procedure(unit=mine, name="Đăng ký khai tử (nháp)", code="1.000656", is_published=False)
    make_procedure(unit=other, name="Bản nháp của xã khác", code="2.000001", is_published=False)
    return mine, other


def test_staff_list_shows_own_drafts_with_a_badge_but_not_another_units(client, two_units):
    mine, other = two_units
    client.force_login(make_user((Role.COUNTER_OFFICER, mine)))
    page = client.get(LIST).content.decode()
    assert "Thủ tục đăng ký kết hôn" in page
    assert "Đăng ký khai tử (nháp)" in page
    assert page.count('data-testid="draft-badge"') == 1
    assert "Bản nháp của xã khác" not in page
    assert client.get(LIST, {"unit": other.code}).status_code == 404


def test_staff_list_searches_without_accents_and_filters_drafts(client, two_units):
    mine, _ = two_units
    client.force_login(make_user((Role.SPECIALIST, mine)))
    page = client.get(LIST, {"q": "dang ky ket hon"}).content.decode()
    assert "Thủ tục đăng ký kết hôn" in page and "khai tử" not in page
    drafts = client.get(LIST, {"published": "0"}).content.decode()
    assert "khai tử" in drafts and "kết hôn" not in drafts


def test_anonymous_goes_to_login_and_a_citizen_is_refused(client, two_units):
    assert client.get(LIST).status_code == 302
    citizen = make_user(kind="citizen")
    client.force_login(citizen)
    assert client.get(LIST).status_code == 403


def test_export_json_contains_own_drafts_only(client, two_units):
    mine, other = two_units
    client.force_login(make_user((Role.MANAGER, mine)))
    response = client.get(export_url("json"))
    assert response["Content-Disposition"].startswith("attachment;")
    codes = {r["code"] for r in json.loads(response.content)}
    assert codes == {"1.000894", "1.000656"}
    assert client.get(export_url("json"), {"unit": other.code}).status_code == 404
    assert client.get(export_url("csv")).status_code == 404


def test_export_xlsx_downloads_a_workbook_of_the_visible_procedures(client, two_units):
    mine, _ = two_units
    client.force_login(make_user((Role.MANAGER, mine)))
    response = client.get(export_url("xlsx"), {"unit": mine.code})
    wb = load_workbook(io.BytesIO(response.content))
    names = {row[1] for row in wb["Thủ tục"].iter_rows(min_row=2, values_only=True)}
    assert names == {"Thủ tục đăng ký kết hôn", "Đăng ký khai tử (nháp)"}


def upload(content: bytes, name: str = "danh-muc.json"):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def test_administrator_imports_a_file_and_sees_the_report(client):
    unit = make_unit()
    client.force_login(make_admin(unit))
    data = json.dumps([record(), record(code="1.1", online_mode="abc")], ensure_ascii=False)
    response = client.post(IMPORT, {"file": upload(data.encode()), "unit": unit.pk})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="created">1<' in page
    assert 'data-testid="rejected">1<' in page
    assert "Mức độ trực tuyến" in page and "không hợp lệ" in page
    assert Procedure.objects.filter(unit=unit).count() == 1

    again = client.post(IMPORT, {"file": upload(data.encode()), "unit": unit.pk})
    assert 'data-testid="unchanged">1<' in again.content.decode()
    assert Procedure.objects.filter(unit=unit).count() == 1


def test_publish_now_checkbox_publishes_the_imported_procedures(client):
    unit = make_unit()
    client.force_login(make_admin(unit))
    data = json.dumps([record()], ensure_ascii=False).encode()
    client.post(IMPORT, {"file": upload(data), "unit": unit.pk, "publish": "on"})
    assert Procedure.objects.get().is_published


def test_garbage_named_xlsx_is_refused_with_a_clear_message_and_nothing_written(client):
    unit = make_unit()
    client.force_login(make_admin(unit))
    response = client.post(
        IMPORT, {"file": upload(b"\x89PNG garbage" * 10, "danh-muc.xlsx"), "unit": unit.pk}
    )
    assert response.status_code == 400
    assert "không phải là bảng tính Excel (.xlsx) hợp lệ" in response.content.decode()
    assert not Procedure.objects.exists()


def test_import_into_a_unit_one_does_not_administer_is_refused(client):
    mine, other = make_unit(), make_unit()
    client.force_login(make_admin(mine))
    data = json.dumps([record()]).encode()
    response = client.post(IMPORT, {"file": upload(data), "unit": other.pk})
    assert response.status_code == 400
    assert "Bạn không quản trị đơn vị này." in response.content.decode()
    assert not Procedure.objects.exists()


def test_a_manager_without_the_administrator_role_cannot_open_the_import_page(client):
    unit = make_unit()
    client.force_login(make_user((Role.MANAGER, unit)))
    assert client.get(IMPORT).status_code == 403
    page = client.get(LIST).content.decode()
    assert 'data-testid="import-link"' not in page


def test_import_page_requires_the_csrf_token():
    from django.test import Client

    unit = make_unit()
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_admin(unit))
    data = json.dumps([record()]).encode()
    assert client.post(IMPORT, {"file": upload(data), "unit": unit.pk}).status_code == 403
    assert not Procedure.objects.exists()
