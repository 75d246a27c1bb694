"""Importing a catalog file: good rows land, bad rows come back with a Vietnamese reason."""

import io
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command

from motcua.accounts.models import Role
from motcua.catalog import importing, services
from motcua.catalog.models import Field, Procedure
from motcua.core.models import AuditEvent

from .factories import SHARED_FILE, make_admin, make_procedure, make_unit, make_user, record

pytestmark = pytest.mark.django_db


def run(unit, records, actor=None, **kw):
    rows = importing.parse_json(io.BytesIO(json.dumps(records, ensure_ascii=False).encode()))
    return services.import_catalog(unit=unit, records=rows, actor=actor, **kw)


def messages(report):
    return [(e.row, e.column, e.message) for e in report.errors]


def test_the_shared_reference_file_imports_as_is_and_code_less_records_are_reported():
    unit = make_unit()
    with SHARED_FILE.open("rb") as fileobj:
        rows = importing.parse_file(fileobj, SHARED_FILE.name)
    report = services.import_catalog(unit=unit, records=rows, actor=None, source_name="ref")

    assert report.created == 60
    assert report.rejected == 5
    assert {e.message for e in report.errors} == {"thiếu mã thủ tục."}
    assert {e.column for e in report.errors} == {"Mã thủ tục"}
    assert Procedure.objects.filter(unit=unit).count() == 60
    assert not Procedure.objects.filter(is_published=True).exists()  # drafts by default

    birth = Procedure.objects.get(unit=unit, code="1.001193")
    assert birth.name == "Thủ tục đăng ký khai sinh"
    assert birth.field.name == "Hộ tịch"
    assert birth.online_mode == "full"
    assert birth.fees.count() == 5
    assert birth.fees.filter(amount_vnd=8000, kind="le_phi", channel="any").exists()
    assert "Luật Hộ tịch 2014 (60/2014/QH13)" in birth.legal_basis_lines
    # "day" in the shared file means calendar days; "either" keeps its meaning in the note
    mediation = Procedure.objects.get(unit=unit, code="1.012812")
    assert mediation.time_unit == "calendar_day"
    either = Procedure.objects.get(unit=unit, code="2.000884").components.get(form="copy")
    assert either.note.startswith("Bản chính hoặc bản sao")


def test_importing_the_same_file_twice_changes_nothing_the_second_time():
    unit = make_unit()
    data = [record(), record(code="1.000656", name="Đăng ký khai tử")]
    first = run(unit, data)
    second = run(unit, data)
    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 2)
    assert Procedure.objects.filter(unit=unit).count() == 2


def test_an_existing_procedure_is_updated_and_its_fees_replaced():
    unit = make_unit()
    run(unit, [record()])
    changed = record(
        name="Đăng ký kết hôn (sửa)",
        fees=[{"kind": "phí", "amount_vnd": 5000}, {"kind": "lệ phí", "amount_vnd": 1000}],
    )
    report = run(unit, [changed])
    assert (report.created, report.updated) == (0, 1)
    procedure = Procedure.objects.get(unit=unit, code="1.000894")
    assert procedure.name == "Đăng ký kết hôn (sửa)"
    assert sorted(procedure.fees.values_list("amount_vnd", flat=True)) == [1000, 5000]


def test_import_into_one_unit_leaves_another_units_procedure_with_the_same_code_alone():
    unit, other = make_unit(), make_unit()
    theirs = make_procedure(unit=other, code="1.000894", name="Của xã khác")
    report = run(unit, [record()])
    assert report.created == 1
    theirs.refresh_from_db()
    assert theirs.name == "Của xã khác"


def test_duplicate_code_in_the_file_is_refused_on_the_second_occurrence():
    report = run(make_unit(), [record(), record(name="Bản trùng")])
    assert report.created == 1
    assert messages(report) == [(2, "Mã thủ tục", "trùng mã với dòng 1.")]
    assert Procedure.objects.get().name == "Thủ tục đăng ký kết hôn"


def test_a_negative_fee_rejects_the_whole_row_and_names_the_column():
    bad = record(code="1.1", fees=[{"kind": "lệ phí", "amount_vnd": -5000}])
    report = run(make_unit(), [record(), bad])
    assert report.created == 1
    assert messages(report) == [(2, "Phí, lệ phí #1 › Mức thu (đồng)", "không được âm.")]
    assert not Procedure.objects.filter(code="1.1").exists()


def test_unknown_online_mode_lists_the_allowed_values_in_vietnamese():
    report = run(make_unit(), [record(online_mode="mot-phan")])
    [(row, column, message)] = messages(report)
    assert (row, column) == (1, "Mức độ trực tuyến")
    assert "“mot-phan” không hợp lệ" in message
    assert "Toàn trình (full)" in message and "Một phần (partial)" in message


@pytest.mark.parametrize(
    ("change", "column", "needle"),
    [
        ({"name": ""}, "Tên thủ tục", "thiếu tên thủ tục"),
        ({"processing_time": {"value": "ba", "unit": "working_day"}}, "Thời hạn (ngày)",
         "không phải là một số"),
        ({"processing_time": {"value": -1}}, "Thời hạn (ngày)", "không được âm"),
        ({"processing_time": {"value": 3, "unit": "tuần"}}, "Đơn vị thời hạn", "ngày làm việc"),
        ({"fees": [{"kind": "thuế"}]}, "Phí, lệ phí #1 › Loại", "lệ phí (le_phi)"),
        ({"fees": [{"valid_from": "31/02/2026"}]}, "Phí, lệ phí #1 › Hiệu lực từ",
         "không hợp lệ"),
        ({"fees": [{"valid_from": "2026-05-01", "valid_to": "2026-01-01"}]},
         "Phí, lệ phí #1 › Hiệu lực đến", "trước ngày bắt đầu"),
        ({"fees": [{"channel": "zalo"}]}, "Phí, lệ phí #1 › Hình thức nộp", "Trực tuyến (online)"),
        ({"components": [{"name": "Tờ khai", "original_or_copy": "photo"}]},
         "Thành phần hồ sơ #1 › Bản chính/bản sao", "Bản sao chứng thực"),
        ({"steps": [{"order": 1, "name": "Tiếp nhận", "days": -2}]},
         "Bước xử lý #1 › Số ngày", "không được âm"),
        ({"steps": [{"order": 1, "name": "A", "days": 1}, {"order": 1, "name": "B", "days": 1}]},
         "Bước xử lý #2 › Thứ tự", "bị lặp"),
        ({"level": "Cấp huyện"}, "Cấp thực hiện", "Cấp xã (commune)"),
        ({"fees": {"kind": "phí"}}, "Phí, lệ phí", "danh sách"),
    ],
)  # fmt: skip
def test_bad_values_are_refused_with_a_clear_message(change, column, needle):
    report = run(make_unit(), [record(**change)])
    assert report.created == 0
    assert any(e.column == column and needle in e.message for e in report.errors), messages(report)
    assert not Procedure.objects.exists()


def test_a_record_that_is_not_an_object_is_reported_and_the_rest_imported():
    report = run(make_unit(), ["không phải thủ tục", record()])
    assert report.created == 1
    assert report.errors[0].row == 1


def test_vietnamese_labels_are_accepted_as_well_as_codes():
    rec = record(online_mode="Toàn trình", processing_time={"value": "2,5", "unit": "ngày"})
    report = run(make_unit(), [rec])
    assert report.created == 1, messages(report)
    procedure = Procedure.objects.get()
    assert procedure.online_mode == "full"
    assert str(procedure.processing_days) == "2.5"
    assert procedure.time_unit == "calendar_day"


def test_publish_option_publishes_and_a_record_without_is_published_keeps_the_current_state():
    unit = make_unit()
    run(unit, [record()], publish=True)
    assert Procedure.objects.get().is_published
    report = run(unit, [record()])  # no is_published key: must not silently unpublish
    assert report.unchanged == 1
    assert Procedure.objects.get().is_published


def test_new_fields_are_created_by_name_once_ignoring_accents_and_case():
    unit = make_unit()
    run(unit, [record(field="Đất đai"), record(code="2.1", field="đất đai")])
    assert Field.objects.filter(name__iexact="Đất đai").count() == 1
    assert Field.objects.get(name="Đất đai").code == "dat-dai"


def test_one_audit_event_per_import_names_the_file_and_the_counts():
    unit = make_unit()
    admin = make_admin(unit)
    before = AuditEvent.objects.count()
    run(unit, [record(), record(code=None)], actor=admin, source_name="danh-muc.json")
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("id")
    assert event.action == "catalog.import"
    assert event.actor == admin
    assert event.unit_id == unit.pk
    assert event.changes["source_name"] == "danh-muc.json"
    assert (event.changes["created"], event.changes["rejected"]) == (1, 1)


def test_someone_who_does_not_administer_the_unit_cannot_import_into_it():
    unit, other = make_unit(), make_unit()
    with pytest.raises(PermissionDenied):
        run(unit, [record()], actor=make_admin(other))
    with pytest.raises(PermissionDenied):
        run(unit, [record()], actor=make_user((Role.MANAGER, unit)))
    assert not Procedure.objects.exists()


# --- whole-file problems ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("content", "name", "needle"),
    [
        (b"\x00\x01garbage\xff" * 20, "danh-muc.xlsx", "không phải là bảng tính Excel"),
        (b"PK\x03\x04 this is no workbook", "danh-muc.xlsx", "Tệp Excel bị hỏng"),
        (b'[{"code": "1.1",', "danh-muc.json", "không phải JSON hợp lệ"),
        (b'{"code": "1.1"}', "danh-muc.json", "phải là một danh sách"),
        (b"\xff\xfe\x00bad", "danh-muc.json", "UTF-8"),
        (b"   ", "danh-muc.json", "rỗng"),
    ],
)
def test_a_file_that_is_not_a_catalog_is_refused_as_a_whole(content, name, needle):
    with pytest.raises(importing.ImportFileError) as excinfo:
        importing.parse_file(io.BytesIO(content), name)
    assert needle in str(excinfo.value)


def test_a_file_over_5_mb_is_refused():
    with pytest.raises(importing.ImportFileError, match="5 MB"):
        importing.parse_file(io.BytesIO(b"[" + b" " * (5 * 1024 * 1024) + b"]"), "big.json")


def test_the_command_imports_a_file_and_prints_the_report(tmp_path):
    unit = make_unit(code="99001")
    path = tmp_path / "dm.json"
    path.write_text(json.dumps([record(), record(code=None)], ensure_ascii=False), "utf-8")
    out = io.StringIO()
    call_command("import_catalog", str(path), "--unit", "99001", "--publish", stdout=out)
    text = out.getvalue()
    assert "thêm mới 1" in text and "dòng bị từ chối 1" in text
    assert "Dòng 2 [Mã thủ tục]: thiếu mã thủ tục." in text
    assert Procedure.objects.get(unit=unit).is_published


def test_the_command_refuses_an_unknown_unit_code(tmp_path):
    path = tmp_path / "dm.json"
    path.write_text("[]", "utf-8")
    with pytest.raises(CommandError, match="Không có đơn vị hành chính mã “00000”"):
        call_command("import_catalog", str(path), "--unit", "00000")
