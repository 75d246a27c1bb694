"""Reading and validating catalog exchange files (JSON and XLSX), without touching the database.

The exchange format is described in docs/decisions/0003-catalog-exchange-format.md. Parsers turn
a file into `RowInput`s (row number + raw record in the JSON shape); `validate_record` turns one
raw record into a `ProcedureData` or a list of Vietnamese errors naming the row and the column.
Both formats go through the same validator, so a rule holds for both.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from motcua.catalog.models import infer_stage
from motcua.core.text import fold

MAX_FILE_BYTES = 5 * 1024 * 1024
ZIP_MAGIC = b"PK\x03\x04"

# --- vocabulary: exchange value -> model value; Vietnamese labels are accepted too ----------
LEVELS = {"Cấp xã": "commune", "Cấp tỉnh": "province", "Cấp trung ương": "central"}
ONLINE_MODES = {
    "Toàn trình": "full",
    "Một phần": "partial",
    "Không trực tuyến": "none",
    "Chưa xác định": "unknown",  # no source says how it can be filed: never guess "none"
}
TIME_UNITS = {"ngày làm việc": "working_day", "ngày": "calendar_day"}
TIME_UNIT_ALIASES = {"day": "calendar_day"}  # the shared reference file writes "day"
FEE_KINDS = {"phí": "phi", "lệ phí": "le_phi"}
CHANNELS = {"Mọi hình thức": "any", "Trực tiếp/bưu chính": "in_person", "Trực tuyến": "online"}
PER = {"hồ sơ": "dossier", "bản": "copy", "trang": "page"}
COMPONENT_FORMS = {
    "Bản chính": "original",
    "Bản sao": "copy",
    "Bản sao chứng thực": "certified_copy",
    "Xuất trình": "present",
}
EITHER_FORM_NOTE = "Bản chính hoặc bản sao"
CONFIDENCES = {
    "Đã đối chiếu nguồn": "verified",
    "Một phần có nguồn": "partial",
    "Chưa có nguồn": "recalled",
}
DEPARTMENT_KINDS = {  # fixed Vietnamese, whatever the UI language; mirrors Department.Kind
    "Văn phòng HĐND và UBND": "office",
    "Phòng Kinh tế": "economy",
    "Phòng Văn hóa - Xã hội": "culture_society",
    "Trung tâm phục vụ hành chính công": "service_centre",
    "Khác": "other",
}
STEP_STAGES = {  # fixed Vietnamese; mirrors catalog.models.StepStage
    "Tiếp nhận": "reception",
    "Xử lý": "processing",
    "Phê duyệt, ký": "approval",
    "Trả kết quả": "return",
}
YES = {"co", "x", "true", "1", "yes", "da cong khai", "dung"}
NO = {"khong", "false", "0", "no", "chua", "sai"}

# Column names (the XLSX headers; JSON errors use the same words).
C_CODE, C_NAME, C_FIELD, C_LEVEL = "Mã thủ tục", "Tên thủ tục", "Lĩnh vực", "Cấp thực hiện"
C_MODE, C_REASON = "Mức độ trực tuyến", "Lý do chưa toàn trình"
C_DAYS, C_UNIT, C_TIME_NOTE = "Thời hạn (ngày)", "Đơn vị thời hạn", "Ghi chú thời hạn"
C_ONLINE_DAYS, C_RESULT = "Thời hạn trực tuyến (ngày)", "Kết quả"
C_LEGAL, C_REQ = "Căn cứ pháp lý", "Yêu cầu, điều kiện"
C_COMPETENT, C_IMPLEMENTING = "Cơ quan có thẩm quyền", "Cơ quan thực hiện"
C_CONFIDENCE, C_SOURCES, C_NOTES, C_PUBLISHED = "Độ tin cậy", "Nguồn", "Ghi chú", "Đã công khai"
F_KIND, F_AMOUNT, F_CHANNEL, F_CONDITION = "Loại", "Mức thu (đồng)", "Hình thức nộp", "Trường hợp"
F_BASIS, F_FROM, F_TO = "Căn cứ", "Hiệu lực từ", "Hiệu lực đến"
F_CASE = "Thuộc trường hợp"  # alternatives (on time / late): never added up
# how an amount is counted (payments.fees): per dossier, copy or page; a page tier and a cap
F_PER, F_TIER_FROM = "Tính theo", "Từ trang thứ"
F_TIER_AMOUNT, F_CAP = "Mức thu từ trang đó (đồng/trang)", "Tối đa mỗi bản (đồng)"
K_ORDER, K_NAME, K_FORM, K_COUNT, K_NOTE = (
    "Thứ tự",
    "Tên giấy tờ",
    "Bản chính/bản sao",
    "Số lượng",
    "Ghi chú",
)
K_STATE, K_WAREHOUSE = "Khai thác từ CSDL", "Tái sử dụng từ kho dữ liệu"
K_CONDITION = "Chỉ nộp khi"
S_ORDER, S_NAME, S_DEPT, S_DAYS = "Thứ tự", "Tên bước", "Bộ phận thực hiện", "Số ngày"
S_STAGE = "Giai đoạn"

SHEET_PROCEDURES, SHEET_FEES = "Thủ tục", "Phí, lệ phí"
SHEET_COMPONENTS, SHEET_STEPS = "Thành phần hồ sơ", "Bước xử lý"
PROCEDURE_COLUMNS = [
    C_CODE, C_NAME, C_FIELD, C_LEVEL, C_MODE, C_REASON, C_DAYS, C_UNIT, C_TIME_NOTE,
    C_ONLINE_DAYS, C_RESULT, C_LEGAL, C_REQ, C_COMPETENT, C_IMPLEMENTING, C_CONFIDENCE,
    C_SOURCES, C_NOTES, C_PUBLISHED,
]  # fmt: skip
FEE_COLUMNS = [
    C_CODE, F_KIND, F_AMOUNT, F_CHANNEL, F_CONDITION, F_BASIS, F_FROM, F_TO, F_CASE,
    F_PER, F_TIER_FROM, F_TIER_AMOUNT, F_CAP,
]  # fmt: skip
COMPONENT_COLUMNS = [
    C_CODE, K_ORDER, K_NAME, K_FORM, K_COUNT, K_NOTE, K_STATE, K_WAREHOUSE, K_CONDITION,
]  # fmt: skip
STEP_COLUMNS = [C_CODE, S_ORDER, S_NAME, S_DEPT, S_DAYS, S_STAGE]


class ImportFileError(ValueError):
    """The file as a whole cannot be read; nothing is imported."""


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


@dataclass
class RowInput:
    """One procedure as found in the file: its row (JSON: index+1; XLSX: sheet row)."""

    row: int
    record: Any
    # where each fee/component/step came from, for error messages (XLSX: other sheets' rows)
    part_rows: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class ProcedureData:
    """A validated procedure in model terms; equal data means an import changes nothing."""

    code: str
    name: str
    field_name: str
    level: str
    online_mode: str
    online_mode_reason: str
    time_unit: str
    processing_days: Decimal | None
    online_processing_days: Decimal | None
    processing_time_note: str
    result_type: str
    legal_basis: str
    requirements: str
    competent_agency: str
    implementing_agency: str
    confidence: str
    sources: str
    is_published: bool | None
    fees: list[dict] = field(default_factory=list)
    components: list[dict] = field(default_factory=list)
    steps: list[dict] = field(default_factory=list)

    def procedure_fields(self) -> dict:
        return {
            "name": self.name,
            "level": self.level,
            "online_mode": self.online_mode,
            "online_mode_reason": self.online_mode_reason,
            "time_unit": self.time_unit,
            "processing_days": self.processing_days,
            "online_processing_days": self.online_processing_days,
            "processing_time_note": self.processing_time_note,
            "result_type": self.result_type,
            "legal_basis": self.legal_basis,
            "requirements": self.requirements,
            "competent_agency": self.competent_agency,
            "implementing_agency": self.implementing_agency,
            "confidence": self.confidence,
            "sources": self.sources,
        }


# --- file level --------------------------------------------------------------------------------
def read_limited(fileobj: IO[bytes]) -> bytes:
    data = fileobj.read(MAX_FILE_BYTES + 1)
    if isinstance(data, str):
        data = data.encode()
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileError("Tệp quá lớn: tối đa 5 MB.")
    if not data.strip():
        raise ImportFileError("Tệp rỗng.")
    return data


def parse_file(fileobj: IO[bytes], name: str = "") -> list[RowInput]:
    """Pick the parser by content (zip magic = XLSX), never by the file name alone."""
    data = read_limited(fileobj)
    if data.startswith(ZIP_MAGIC):
        return parse_xlsx(io.BytesIO(data))
    if name.lower().endswith((".xlsx", ".xlsm", ".xls")):
        raise ImportFileError("Tệp không phải là bảng tính Excel (.xlsx) hợp lệ.")
    return parse_json(io.BytesIO(data))


def parse_json(fileobj: IO[bytes]) -> list[RowInput]:
    data = read_limited(fileobj)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError("Tệp không phải văn bản UTF-8 (JSON) hợp lệ.") from exc
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFileError(
            f"Tệp không phải JSON hợp lệ (dòng {exc.lineno}, cột {exc.colno})."
        ) from exc
    if not isinstance(payload, list):
        raise ImportFileError("Tệp JSON phải là một danh sách thủ tục [ … ], không phải đối tượng.")
    return [RowInput(row=i + 1, record=rec) for i, rec in enumerate(payload)]


def parse_xlsx(fileobj: IO[bytes]) -> list[RowInput]:
    from openpyxl import load_workbook

    data = read_limited(fileobj)
    if not data.startswith(ZIP_MAGIC):
        raise ImportFileError("Tệp không phải là bảng tính Excel (.xlsx) hợp lệ.")
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise ImportFileError("Tệp Excel bị hỏng hoặc không phải định dạng .xlsx.") from exc
    try:
        sheets = {fold(name): workbook[name] for name in workbook.sheetnames}
        main = sheets.get(fold(SHEET_PROCEDURES))
        if main is None:
            raise ImportFileError(f"Bảng tính thiếu sheet “{SHEET_PROCEDURES}”.")
        rows: list[RowInput] = []
        by_code: dict[str, RowInput] = {}
        for row_no, values in _sheet_rows(main, SHEET_PROCEDURES, [C_CODE, C_NAME]):
            record = _procedure_record_from_cells(values)
            row = RowInput(row=row_no, record=record)
            rows.append(row)
            code = _text(values.get(C_CODE))
            if code and code not in by_code:
                by_code[code] = row
        orphans: list[RowInput] = []
        for sheet_name, key, build in (
            (SHEET_FEES, "fees", _fee_from_cells),
            (SHEET_COMPONENTS, "components", _component_from_cells),
            (SHEET_STEPS, "steps", _step_from_cells),
        ):
            sheet = sheets.get(fold(sheet_name))
            if sheet is None:
                continue
            for row_no, values in _sheet_rows(sheet, sheet_name, [C_CODE]):
                code = _text(values.get(C_CODE))
                owner = by_code.get(code)
                if owner is None:
                    orphans.append(
                        RowInput(
                            row=row_no,
                            record={"_orphan": f"{sheet_name} › {C_CODE}", "_code": code},
                        )
                    )
                    continue
                owner.record.setdefault(key, []).append(build(values))
                owner.part_rows.setdefault(key, []).append(f"{sheet_name} dòng {row_no}")
        return rows + orphans
    finally:
        workbook.close()


def _sheet_rows(sheet, sheet_name: str, required: list[str]):
    """(row number, {header: value}) for each non-empty row under the header row."""
    iterator = sheet.iter_rows(values_only=True)
    header = next(iterator, None)
    if header is None:
        raise ImportFileError(f"Sheet “{sheet_name}” không có dòng tiêu đề.")
    names = [_text(h) for h in header]
    folded = {fold(n): n for n in names if n}
    for col in required:
        if fold(col) not in folded:
            raise ImportFileError(f"Sheet “{sheet_name}” thiếu cột “{col}”.")
    canonical = {fold(c): c for c in {*PROCEDURE_COLUMNS, *FEE_COLUMNS, *COMPONENT_COLUMNS,
                                      *STEP_COLUMNS}}  # fmt: skip
    keys = [canonical.get(fold(n), n) for n in names]
    for offset, cells in enumerate(iterator, start=2):
        if cells is None or all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
            continue
        values = {keys[i]: c for i, c in enumerate(cells) if i < len(keys) and keys[i]}
        yield offset, values


def _lines(value: Any) -> list[str]:
    return [line.strip() for line in _text(value).splitlines() if line.strip()]


def _procedure_record_from_cells(v: dict) -> dict:
    return {
        "code": v.get(C_CODE),
        "name": v.get(C_NAME),
        "field": v.get(C_FIELD),
        "level": v.get(C_LEVEL),
        "online_mode": v.get(C_MODE),
        "online_mode_reason": v.get(C_REASON),
        "processing_time": {
            "value": v.get(C_DAYS),
            "unit": v.get(C_UNIT),
            "note": v.get(C_TIME_NOTE),
        },
        "online_processing_time": {"value": v.get(C_ONLINE_DAYS)},
        "result": v.get(C_RESULT),
        "legal_basis": _lines(v.get(C_LEGAL)),
        "requirements": v.get(C_REQ),
        "competent_agency": v.get(C_COMPETENT),
        "implementing_agency": v.get(C_IMPLEMENTING),
        "confidence": v.get(C_CONFIDENCE),
        "sources": _lines(v.get(C_SOURCES)),
        "notes": v.get(C_NOTES),
        "is_published": v.get(C_PUBLISHED),
        "fees": [],
        "components": [],
        "steps": [],
    }


def _fee_from_cells(v: dict) -> dict:
    return {
        "kind": v.get(F_KIND),
        "amount_vnd": v.get(F_AMOUNT),
        "channel": v.get(F_CHANNEL),
        "condition": v.get(F_CONDITION),
        "basis": v.get(F_BASIS),
        "valid_from": v.get(F_FROM),
        "valid_to": v.get(F_TO),
        "case": v.get(F_CASE),
        "per": v.get(F_PER),
        "tier_from_page": v.get(F_TIER_FROM),
        "tier_amount_vnd": v.get(F_TIER_AMOUNT),
        "cap_per_copy_vnd": v.get(F_CAP),
    }


def _component_from_cells(v: dict) -> dict:
    return {
        "order": v.get(K_ORDER),
        "name": v.get(K_NAME),
        "original_or_copy": v.get(K_FORM),
        "count": v.get(K_COUNT),
        "note": v.get(K_NOTE),
        "from_state_data": v.get(K_STATE),
        "from_warehouse": v.get(K_WAREHOUSE),
        "condition": v.get(K_CONDITION),
    }


def _step_from_cells(v: dict) -> dict:
    return {
        "order": v.get(S_ORDER),
        "name": v.get(S_NAME),
        "department_kind": v.get(S_DEPT),
        "days": v.get(S_DAYS),
        "stage": v.get(S_STAGE),
    }


# --- record level ------------------------------------------------------------------------------
def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _allowed(vocab: dict[str, str]) -> str:
    return ", ".join(f"{label} ({code})" for label, code in vocab.items())


class _Checker:
    """Collects errors for one row while converting values."""

    def __init__(self, row: int):
        self.row = row
        self.errors: list[RowError] = []

    def error(self, column: str, message: str) -> None:
        self.errors.append(RowError(self.row, column, message))

    def text(self, value: Any, column: str, max_length: int | None = None) -> str:
        if isinstance(value, (dict, list)):
            self.error(column, "phải là văn bản.")
            return ""
        result = _text(value)
        if max_length is not None and len(result) > max_length:
            self.error(column, f"quá dài ({len(result)} ký tự; tối đa {max_length}).")
        return result

    def choice(
        self,
        value: Any,
        column: str,
        vocab: dict[str, str],
        default: str | None,
        aliases: dict[str, str] | None = None,
    ) -> str | None:
        raw = _text(value)
        if not raw:
            return default
        lookup = {fold(label): code for label, code in vocab.items()}
        lookup.update({code: code for code in vocab.values()})
        lookup.update(aliases or {})
        code = lookup.get(raw) or lookup.get(fold(raw))
        if code is None:
            self.error(column, f"giá trị “{raw}” không hợp lệ; chấp nhận: {_allowed(vocab)}.")
        return code

    def number(
        self, value: Any, column: str, *, places: int, max_digits: int = 5
    ) -> Decimal | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, bool):
            self.error(column, "phải là một số.")
            return None
        try:
            number = Decimal(str(value).strip().replace(",", "."))
        except InvalidOperation:
            self.error(column, f"“{_text(value)}” không phải là một số.")
            return None
        if not number.is_finite():
            self.error(column, f"“{_text(value)}” không phải là một số.")
            return None
        if number < 0:
            self.error(column, "không được âm.")
            return None
        if number >= Decimal(10) ** (max_digits - places):
            self.error(column, "quá lớn.")
            return None
        if number != number.quantize(Decimal(1).scaleb(-places)):
            self.error(column, f"tối đa {places} chữ số thập phân.")
            return None
        return number.quantize(Decimal(1).scaleb(-places))

    def integer(self, value: Any, column: str, *, default: int | None, maximum: int) -> int | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return default
        if isinstance(value, bool):
            self.error(column, "phải là số nguyên.")
            return default
        raw = _text(value)
        if isinstance(value, str) and re.fullmatch(r"-?\d{1,3}([.,\s]\d{3})+", raw):
            raw = re.sub(r"[.,\s]", "", raw)  # "8.000" is eight thousand dong
        try:
            number = Decimal(raw)
        except InvalidOperation:
            self.error(column, f"“{raw}” không phải là số nguyên.")
            return default
        if not number.is_finite() or number != number.to_integral_value():
            self.error(column, f"“{raw}” không phải là số nguyên.")
            return default
        if number < 0:
            self.error(column, "không được âm.")
            return default
        if number > maximum:
            self.error(column, "quá lớn.")
            return default
        return int(number)

    def boolean(self, value: Any, column: str, default: bool | None) -> bool | None:
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        raw = fold(_text(value))
        if raw in YES:
            return True
        if raw in NO:
            return False
        self.error(column, f"giá trị “{_text(value)}” không hợp lệ; chấp nhận: Có, Không.")
        return default

    def date(self, value: Any, column: str) -> dt.date | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        raw = _text(value)
        for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                return dt.datetime.strptime(raw, fmt).date()  # noqa: DTZ007 (a date, no time)
            except ValueError:
                continue
        self.error(column, f"ngày “{raw}” không hợp lệ (dạng YYYY-MM-DD hoặc DD/MM/YYYY).")
        return None

    def items(self, value: Any, column: str) -> list:
        if value is None:
            return []
        if not isinstance(value, list):
            self.error(column, "phải là một danh sách.")
            return []
        return value

    def mapping(self, value: Any, column: str) -> dict:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.error(column, "phải là một đối tượng {…}.")
            return {}
        return value


def validate_record(row: RowInput) -> tuple[ProcedureData | None, list[RowError]]:
    """Convert one raw record; any error makes the whole row rejected (nothing half-imported)."""
    check = _Checker(row.row)
    rec = row.record
    if not isinstance(rec, dict):
        check.error("", "dòng không phải là một thủ tục (đối tượng JSON {…}).")
        return None, check.errors
    if "_orphan" in rec:
        check.error(
            rec["_orphan"],
            f"không có thủ tục mã “{rec['_code']}” trong sheet “{SHEET_PROCEDURES}”.",
        )
        return None, check.errors

    code = check.text(rec.get("code"), C_CODE, 40)
    if not code:
        check.error(C_CODE, "thiếu mã thủ tục.")
    name = check.text(rec.get("name"), C_NAME, 500)
    if not name:
        check.error(C_NAME, "thiếu tên thủ tục.")
    field_name = check.text(rec.get("field"), C_FIELD, 200)
    if not field_name:
        check.error(C_FIELD, "thiếu lĩnh vực.")
    level = check.choice(rec.get("level"), C_LEVEL, LEVELS, "commune")
    online_mode = check.choice(rec.get("online_mode"), C_MODE, ONLINE_MODES, "unknown")
    reason = check.text(rec.get("online_mode_reason"), C_REASON, 500)
    time = check.mapping(rec.get("processing_time"), C_DAYS)
    days = check.number(time.get("value"), C_DAYS, places=1)
    time_unit = check.choice(
        time.get("unit"), C_UNIT, TIME_UNITS, "working_day", aliases=TIME_UNIT_ALIASES
    )
    time_note = check.text(time.get("note"), C_TIME_NOTE)
    online_time = check.mapping(rec.get("online_processing_time"), C_ONLINE_DAYS)
    online_days = check.number(online_time.get("value"), C_ONLINE_DAYS, places=1)
    result = check.text(rec.get("result"), C_RESULT, 500)
    legal = [check.text(x, C_LEGAL) for x in check.items(rec.get("legal_basis"), C_LEGAL)]
    requirements = check.text(rec.get("requirements"), C_REQ)
    competent = check.text(rec.get("competent_agency"), C_COMPETENT, 300)
    implementing = check.text(rec.get("implementing_agency"), C_IMPLEMENTING, 300)
    confidence = check.choice(rec.get("confidence"), C_CONFIDENCE, CONFIDENCES, "partial")
    sources = [check.text(x, C_SOURCES) for x in check.items(rec.get("sources"), C_SOURCES)]
    notes = check.text(rec.get("notes"), C_NOTES)
    published = check.boolean(rec.get("is_published"), C_PUBLISHED, None)

    fees = []
    fee_where = row.part_rows.get("fees", [])
    for i, raw in enumerate(check.items(rec.get("fees"), SHEET_FEES)):
        where = fee_where[i] if i < len(fee_where) else f"{SHEET_FEES} #{i + 1}"
        fee = check.mapping(raw, where)
        fees.append(
            {
                "kind": check.choice(fee.get("kind"), f"{where} › {F_KIND}", FEE_KINDS, "le_phi"),
                "amount_vnd": check.integer(
                    fee.get("amount_vnd"), f"{where} › {F_AMOUNT}", default=None, maximum=10**15
                ),
                "channel": check.choice(
                    fee.get("channel"), f"{where} › {F_CHANNEL}", CHANNELS, "any"
                ),
                "condition": check.text(fee.get("condition"), f"{where} › {F_CONDITION}"),
                "case": check.text(fee.get("case"), f"{where} › {F_CASE}", 120),
                "legal_basis": check.text(fee.get("basis"), f"{where} › {F_BASIS}", 400),
                "valid_from": check.date(fee.get("valid_from"), f"{where} › {F_FROM}"),
                "valid_to": check.date(fee.get("valid_to"), f"{where} › {F_TO}"),
                "per": check.choice(fee.get("per"), f"{where} › {F_PER}", PER, "dossier"),
                "tier_from_page": check.integer(
                    fee.get("tier_from_page"),
                    f"{where} › {F_TIER_FROM}",
                    default=None,
                    maximum=10_000,
                ),
                "tier_amount_vnd": check.integer(
                    fee.get("tier_amount_vnd"),
                    f"{where} › {F_TIER_AMOUNT}",
                    default=None,
                    maximum=10**15,
                ),
                "cap_per_copy_vnd": check.integer(
                    fee.get("cap_per_copy_vnd"),
                    f"{where} › {F_CAP}",
                    default=None,
                    maximum=10**15,
                ),
            }
        )
        last = fees[-1]
        if last["tier_from_page"] is not None and last["tier_from_page"] < 2:
            check.error(f"{where} › {F_TIER_FROM}", "trang bắt đầu mức thu khác phải từ 2 trở lên.")
        if (last["tier_from_page"] is None) != (last["tier_amount_vnd"] is None):
            check.error(
                f"{where} › {F_TIER_AMOUNT}",
                "cần cả trang bắt đầu và mức thu từ trang đó, hoặc để trống cả hai.",
            )
        if last["per"] != "page" and (
            last["tier_from_page"] is not None or last["cap_per_copy_vnd"] is not None
        ):
            check.error(
                f"{where} › {F_PER}", "mức theo trang và mức tối đa chỉ dùng khi tính theo trang."
            )
        if last["valid_from"] and last["valid_to"] and last["valid_to"] < last["valid_from"]:
            check.error(f"{where} › {F_TO}", "ngày hết hiệu lực trước ngày bắt đầu hiệu lực.")

    components = []
    comp_where = row.part_rows.get("components", [])
    for i, raw in enumerate(check.items(rec.get("components"), SHEET_COMPONENTS)):
        where = comp_where[i] if i < len(comp_where) else f"{SHEET_COMPONENTS} #{i + 1}"
        comp = check.mapping(raw, where)
        note = check.text(comp.get("note"), f"{where} › {K_NOTE}")
        form_raw = _text(comp.get("original_or_copy"))
        if fold(form_raw) in {"either", fold(EITHER_FORM_NOTE)}:
            # no model value for "either": the copy is what is at least accepted; say so
            form = "copy"
            if fold(EITHER_FORM_NOTE) not in fold(note):
                note = f"{EITHER_FORM_NOTE}. {note}".strip() if note else EITHER_FORM_NOTE
        else:
            form = check.choice(form_raw, f"{where} › {K_FORM}", COMPONENT_FORMS, "original")
        comp_name = check.text(comp.get("name"), f"{where} › {K_NAME}")
        if not comp_name:
            check.error(f"{where} › {K_NAME}", "thiếu tên giấy tờ.")
        order = check.integer(comp.get("order"), f"{where} › {K_ORDER}", default=None,
                              maximum=32767)  # fmt: skip
        components.append(
            {
                "order": order if order is not None else i + 1,
                "name": comp_name,
                "form": form,
                "count": check.integer(
                    comp.get("count"), f"{where} › {K_COUNT}", default=1, maximum=32767
                ),
                "note": note,
                "from_state_data": bool(
                    check.boolean(comp.get("from_state_data"), f"{where} › {K_STATE}", False)
                ),
                "from_warehouse": bool(
                    check.boolean(comp.get("from_warehouse"), f"{where} › {K_WAREHOUSE}", False)
                ),
                "condition": check.text(comp.get("condition"), f"{where} › {K_CONDITION}", 200),
            }
        )

    steps = []
    step_where = row.part_rows.get("steps", [])
    seen_orders: set[int] = set()
    for i, raw in enumerate(check.items(rec.get("steps"), SHEET_STEPS)):
        where = step_where[i] if i < len(step_where) else f"{SHEET_STEPS} #{i + 1}"
        step = check.mapping(raw, where)
        order = check.integer(step.get("order"), f"{where} › {S_ORDER}", default=i + 1,
                              maximum=32767)  # fmt: skip
        if order in seen_orders:
            check.error(f"{where} › {S_ORDER}", f"thứ tự {order} bị lặp.")
        seen_orders.add(order)
        step_name = check.text(step.get("name"), f"{where} › {S_NAME}", 300)
        if not step_name:
            check.error(f"{where} › {S_NAME}", "thiếu tên bước.")
        step_days = check.number(step.get("days"), f"{where} › {S_DAYS}", places=2)
        if step_days is None and _text(step.get("days")) == "":
            check.error(f"{where} › {S_DAYS}", "thiếu số ngày.")
        steps.append(
            {
                "order": order,
                "name": step_name,
                "department_kind": check.choice(
                    step.get("department_kind"), f"{where} › {S_DEPT}", DEPARTMENT_KINDS, ""
                ),
                "days": step_days,
                "stage": check.choice(step.get("stage"), f"{where} › {S_STAGE}", STEP_STAGES, ""),
            }
        )
    for step in steps:  # older files name no stage: the step's place and name tell it
        step["stage"] = step["stage"] or infer_stage(
            order=step["order"] or 0,
            count=len(steps),
            name=step["name"] or "",
            department_kind=step["department_kind"] or "",
        )

    if check.errors:
        return None, check.errors
    source_text = "\n".join(s for s in sources if s)
    if notes:  # the model has no notes column: notes follow the sources after a blank line
        source_text = f"{source_text}\n\n{notes}" if source_text else f"\n\n{notes}"
    return (
        ProcedureData(
            code=code,
            name=name,
            field_name=field_name,
            level=level or "commune",
            online_mode=online_mode or "unknown",
            online_mode_reason=reason,
            time_unit=time_unit or "working_day",
            processing_days=days,
            online_processing_days=online_days,
            processing_time_note=time_note,
            result_type=result,
            legal_basis="\n".join(x for x in legal if x),
            requirements=requirements,
            competent_agency=competent,
            implementing_agency=implementing,
            confidence=confidence or "partial",
            sources=source_text,
            is_published=published,
            fees=fees,
            components=components,
            steps=steps,
        ),
        [],
    )


def split_sources(text: str) -> tuple[list[str], str]:
    """Inverse of the sources/notes packing done by `validate_record`."""
    head, _, notes = text.partition("\n\n")
    return [line.strip() for line in head.splitlines() if line.strip()], notes.strip()
