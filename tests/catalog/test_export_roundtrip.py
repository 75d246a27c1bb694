"""Export writes the exchange format; importing an export gives back the same catalog."""

import io
import json

import pytest
from openpyxl import load_workbook

from motcua.catalog import exporting, importing, services
from motcua.catalog.models import Procedure
from motcua.core.models import Department

from .factories import SHARED_FILE, add_parts, make_procedure, make_unit

pytestmark = pytest.mark.django_db


def catalog_of(unit) -> list[dict]:
    """The unit's catalog as exchange records, for comparing two units."""
    return json.loads(exporting.export_json(Procedure.objects.filter(unit=unit)))


def load_shared(unit):
    with SHARED_FILE.open("rb") as fileobj:
        rows = importing.parse_file(fileobj)
    services.import_catalog(unit=unit, records=rows, actor=None)


@pytest.mark.parametrize("fmt", ["json", "xlsx"])
def test_importing_an_export_into_another_unit_reproduces_the_catalog(fmt):
    source, target = make_unit(), make_unit()
    load_shared(source)
    full = add_parts(make_procedure(unit=source, code="9.000001", complete=True))
    full.online_processing_days = 1
    full.save()
    qs = Procedure.objects.filter(unit=source)
    blob = exporting.export_json(qs) if fmt == "json" else exporting.export_xlsx(qs)

    rows = importing.parse_file(io.BytesIO(blob), f"x.{fmt}")
    report = services.import_catalog(unit=target, records=rows, actor=None)

    assert report.errors == []
    assert report.created == 61
    assert catalog_of(target) == catalog_of(source)
    # and importing the export back into the source changes nothing
    again = services.import_catalog(
        unit=source, records=importing.parse_file(io.BytesIO(blob)), actor=None
    )
    assert (again.created, again.updated, again.unchanged) == (0, 0, 61)


def test_json_export_has_the_shape_of_the_shared_file():
    unit = make_unit()
    add_parts(make_procedure(unit=unit, code="1.001193", name="Thủ tục đăng ký khai sinh"))
    [rec] = json.loads(exporting.export_json(Procedure.objects.all()).decode("utf-8"))
    assert rec["code"] == "1.001193"
    assert rec["level"] == "Cấp xã"
    assert rec["processing_time"]["unit"] == "working_day"
    assert rec["fees"][0] == {
        "kind": "phí",
        "amount_vnd": 8000,
        "channel": "in_person",
        "condition": "nộp trực tiếp",
        "basis": "NQ 12/2018/NQ-HĐND",
        "valid_from": "2026-01-01",
        "valid_to": "2026-12-31",
        "case": "",
    }
    assert rec["components"][1]["original_or_copy"] == "present"
    assert rec["components"][1]["from_state_data"] is True
    assert rec["steps"][0] == {
        "order": 1, "name": "Tiếp nhận", "department_kind": "service_centre", "days": 0.5,
        "stage": "processing",
    }  # fmt: skip
    assert rec["is_published"] is True


def test_xlsx_export_has_vietnamese_sheets_headers_and_intact_diacritics():
    unit = make_unit()
    add_parts(make_procedure(unit=unit, code="1.000894", name="Thủ tục đăng ký kết hôn"))
    wb = load_workbook(io.BytesIO(exporting.export_xlsx(Procedure.objects.all())))
    assert wb.sheetnames == ["Thủ tục", "Phí, lệ phí", "Thành phần hồ sơ", "Bước xử lý"]
    main = wb["Thủ tục"]
    headers = [c.value for c in main[1]]
    for column in ["Mã thủ tục", "Tên thủ tục", "Lĩnh vực", "Cấp thực hiện", "Mức độ trực tuyến",
                   "Thời hạn (ngày)", "Đơn vị thời hạn", "Thời hạn trực tuyến (ngày)", "Kết quả",
                   "Căn cứ pháp lý", "Đã công khai"]:  # fmt: skip
        assert column in headers
    row = dict(zip(headers, [c.value for c in main[2]], strict=True))
    assert row["Tên thủ tục"] == "Thủ tục đăng ký kết hôn"
    assert row["Đã công khai"] == "Có"
    assert row["Đơn vị thời hạn"] == "ngày làm việc"
    fee_headers = [c.value for c in wb["Phí, lệ phí"][1]]
    assert fee_headers[0] == "Mã thủ tục"
    assert wb["Phí, lệ phí"].max_row == 3
    assert wb["Bước xử lý"]["D2"].value == "Trung tâm phục vụ hành chính công"


def test_xlsx_rows_on_other_sheets_report_their_own_row_and_orphans_are_named():
    unit = make_unit()
    add_parts(make_procedure(unit=unit, code="1.000894"))
    wb = load_workbook(io.BytesIO(exporting.export_xlsx(Procedure.objects.all())))
    wb["Phí, lệ phí"]["C3"] = -1
    wb["Thành phần hồ sơ"].append(["9.999999", 1, "Tờ khai"])
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    report = services.import_catalog(
        unit=make_unit(), records=importing.parse_xlsx(out), actor=None
    )
    assert report.created == 0
    found = {(e.row, e.column, e.message) for e in report.errors}
    assert (2, "Phí, lệ phí dòng 3 › Mức thu (đồng)", "không được âm.") in found
    assert (
        4,
        "Thành phần hồ sơ › Mã thủ tục",
        "không có thủ tục mã “9.999999” trong sheet “Thủ tục”.",
    ) in found


def test_xlsx_without_the_procedures_sheet_is_refused():
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Sheet1"
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    with pytest.raises(importing.ImportFileError, match="thiếu sheet “Thủ tục”"):
        importing.parse_file(out, "x.xlsx")


def test_the_exchange_vocabulary_covers_every_model_choice():
    assert set(importing.ONLINE_MODES.values()) == set(Procedure.OnlineMode.values)
    assert set(importing.LEVELS.values()) == set(Procedure.Level.values)
    assert set(importing.TIME_UNITS.values()) == set(Procedure.TimeUnit.values)
    assert set(importing.CONFIDENCES.values()) == set(Procedure.Confidence.values)
    assert set(importing.DEPARTMENT_KINDS.values()) == set(Department.Kind.values)
