"""The schema language of a declaration (tờ khai) and its check, with Vietnamese errors.

A definition is plain JSON (docs/decisions/0028-e-forms-as-data.md):

    {
      "title": "TỜ KHAI ĐĂNG KÝ KHAI SINH",
      "intro": "Đề nghị cơ quan đăng ký khai sinh cho người dưới đây:",   (optional)
      "steps": [
        {"key": "nguoi_yeu_cau", "title": "Người yêu cầu", "help": "...",
         "when": {...condition...},                                         (optional)
         "fields": [
           {"name": "requester_name", "label": "Họ, chữ đệm, tên", "type": "text",
            "required": true, "help": "...", "choices": ["Nam", "Nữ"],      (choice only)
            "when": {...}, "default": "Việt Nam",
            "validation": {"min_length": 2, "max_length": 100, "min": 1, "max": 10,
                           "not_future": true, "min_age_years": 18, "max_age_years": 120},
            "prefill": "identity.full_name", "editable": false,
            "pdf_label": "...", "pdf_same_line": false,         (the printed paper; a date
            "pdf_in_words": false}                              also "ghi bằng chữ")
         ]}
      ],
      "declaration": "Tôi cam đoan ...", "signer": "Người yêu cầu"            (PDF)
    }

A condition is `{"field": NAME, "equals": V}`, `{"field": NAME, "in": [...]}`,
`{"field": NAME, "filled": true|false}`, `{"all": [...]}`, `{"any": [...]}` or `{"not": {...}}`.
A field (or a whole step) with `when` is shown, and required if `required`, only while the
condition holds; a hidden field's answer is dropped.

A prefill source is a dotted key from a fixed vocabulary (`PREFILL_PATTERNS`), a list of keys
(the first one with a value wins) or `{"by": KEY, "cases": {VALUE: KEY or {"value": V}}}`: the
key chosen by a source value (the birth declaration takes the mother's block from the signed-in
person when she is a woman, from her spouse otherwise). Identity claims come from VNeID and are
never editable; other prefilled values are editable unless `"editable": false`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator

FIELD_TYPES = (
    "text",
    "textarea",
    "date",
    "citizen_id",
    "phone",
    "email",
    "choice",
    "bool",
    "integer",
    "address",
)
TYPE_LABELS = {
    "text": "văn bản",
    "textarea": "đoạn văn",
    "date": "ngày",
    "citizen_id": "số định danh cá nhân",
    "phone": "số điện thoại",
    "email": "thư điện tử",
    "choice": "lựa chọn",
    "bool": "có/không",
    "integer": "số nguyên",
    "address": "địa chỉ",
}
IDENTITY_KEYS = (
    "identity.full_name",
    "identity.citizen_id",
    "identity.birthdate",
    "identity.sex",
    "identity.address",
)
_NAME = r"[a-z][a-z0-9_]{0,59}"
PREFILL_PATTERNS = (
    re.compile(r"identity\.(full_name|citizen_id|birthdate|sex|address)"),
    re.compile(rf"registry\.(person|spouse|household)\.{_NAME}(\.{_NAME})?"),
    re.compile(rf"previous\.{_NAME}"),
    re.compile(rf"document\.{_NAME}\.{_NAME}"),
)
VALIDATION_KEYS = ("min_length", "max_length", "min", "max", "not_future")
AGE_KEYS = ("min_age_years", "max_age_years")

_condition: dict[str, Any] = {
    "type": "object",
    "minProperties": 1,
    "properties": {
        "field": {"type": "string"},
        "equals": {},
        "in": {"type": "array"},
        "filled": {"type": "boolean"},
        "all": {"type": "array", "items": {"$ref": "#/$defs/condition"}, "minItems": 1},
        "any": {"type": "array", "items": {"$ref": "#/$defs/condition"}, "minItems": 1},
        "not": {"$ref": "#/$defs/condition"},
    },
    "additionalProperties": False,
}
_prefill_case = {
    "anyOf": [
        {"type": "string"},
        {
            "type": "object",
            "required": ["value"],
            "properties": {"value": {}},
            "additionalProperties": False,
        },
    ]
}
_prefill: dict[str, Any] = {
    "anyOf": [
        {"type": "string"},
        {"type": "array", "items": {"type": "string"}, "minItems": 1},
        {
            "type": "object",
            "required": ["by", "cases"],
            "properties": {
                "by": {"type": "string"},
                "cases": {
                    "type": "object",
                    "minProperties": 1,
                    "additionalProperties": _prefill_case,
                },
            },
            "additionalProperties": False,
        },
    ]
}
_field: dict[str, Any] = {
    "type": "object",
    "required": ["name", "label", "type"],
    "properties": {
        "name": {"type": "string", "pattern": f"^{_NAME}$"},
        "label": {"type": "string", "minLength": 1, "maxLength": 300},
        "help": {"type": "string", "maxLength": 1000},
        "type": {"enum": list(FIELD_TYPES)},
        "required": {"type": "boolean"},
        "choices": {
            "type": "array",
            "items": {"type": "string", "minLength": 1},
            "minItems": 1,
            "uniqueItems": True,
        },
        "when": {"$ref": "#/$defs/condition"},
        "default": {},
        "validation": {
            "type": "object",
            "properties": {
                "min_length": {"type": "integer", "minimum": 0},
                "max_length": {"type": "integer", "minimum": 1},
                "min": {"type": "integer"},
                "max": {"type": "integer"},
                "not_future": {"type": "boolean"},
                "min_age_years": {"type": "integer", "minimum": 0, "maximum": 150},
                "max_age_years": {"type": "integer", "minimum": 0, "maximum": 150},
            },
            "additionalProperties": False,
        },
        "prefill": {"$ref": "#/$defs/prefill"},
        "editable": {"type": "boolean"},
        "pdf_label": {"type": "string", "maxLength": 300},
        "pdf_same_line": {"type": "boolean"},
        "pdf_in_words": {"type": "boolean"},
    },
    "additionalProperties": False,
}
META_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["title", "steps"],
    "properties": {
        "title": {"type": "string", "minLength": 1, "maxLength": 300},
        "intro": {"type": "string", "maxLength": 1000},
        "declaration": {"type": "string", "maxLength": 2000},
        "signer": {"type": "string", "maxLength": 200},
        "notes": {"type": "array", "items": {"type": "string"}},
        "steps": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["key", "title", "fields"],
                "properties": {
                    "key": {"type": "string", "pattern": f"^{_NAME}$"},
                    "title": {"type": "string", "minLength": 1, "maxLength": 200},
                    "help": {"type": "string", "maxLength": 1000},
                    "when": {"$ref": "#/$defs/condition"},
                    "fields": {"type": "array", "minItems": 1, "items": _field},
                },
                "additionalProperties": False,
            },
        },
    },
    "additionalProperties": False,
    "$defs": {"condition": _condition, "prefill": _prefill},
}
_VALIDATOR = Draft202012Validator(META_SCHEMA)


class SchemaError(ValueError):
    """A definition that is not a valid declaration; `errors` are Vietnamese sentences."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


def _where(path) -> str:
    """'bước 2, trường 3 (mother_name)'-like location of a JSON path, for people."""
    parts = list(path)
    words = []
    i = 0
    while i < len(parts):
        part = parts[i]
        following = parts[i + 1] if i + 1 < len(parts) else None
        if part == "steps" and isinstance(following, int):
            words.append(_("bước %(n)s") % {"n": following + 1})
            i += 2
            continue
        if part == "fields" and isinstance(following, int):
            words.append(_("trường %(n)s") % {"n": following + 1})
            i += 2
            continue
        words.append(f"«{part}»")
        i += 1
    return ", ".join(words) if words else _("tờ khai")


def _structure_message(error) -> str:
    where = _where(error.absolute_path)
    kind = error.validator
    if kind == "required":
        missing = str(error.message).split("'")[1] if "'" in error.message else ""
        return _("%(where)s: thiếu mục «%(key)s».") % {"where": where, "key": missing}
    if kind == "additionalProperties":
        return _("%(where)s: có mục không được dùng (%(detail)s).") % {
            "where": where,
            "detail": error.message.split("(")[-1].rstrip(")"),
        }
    if kind == "enum":
        return _("%(where)s: loại trường không có; chỉ dùng: %(types)s.") % {
            "where": where,
            "types": ", ".join(FIELD_TYPES),
        }
    if kind == "type":
        names = {
            "string": _("chuỗi chữ"),
            "object": _("đối tượng {…}"),
            "array": _("danh sách […]"),
            "boolean": _("true/false"),
            "integer": _("số nguyên"),
        }
        expected = error.validator_value
        label = names.get(expected, str(expected)) if isinstance(expected, str) else str(expected)
        return _("%(where)s: phải là %(kind)s.") % {"where": where, "kind": label}
    if kind == "pattern":
        return _(
            "%(where)s: tên chỉ gồm chữ thường không dấu, số và dấu gạch dưới, "
            "bắt đầu bằng chữ (ví dụ: ho_ten_me)."
        ) % {"where": where}
    if kind in ("minItems", "minLength", "minProperties"):
        return _("%(where)s: không được để trống.") % {"where": where}
    if kind == "maxLength":
        return _("%(where)s: quá dài.") % {"where": where}
    if kind == "uniqueItems":
        return _("%(where)s: có lựa chọn trùng nhau.") % {"where": where}
    if kind in ("minimum", "maximum"):
        return _("%(where)s: giá trị ngoài giới hạn cho phép.") % {"where": where}
    return _("%(where)s: không hợp lệ.") % {"where": where}


def prefill_keys(prefill: Any) -> Iterator[str]:
    """Every source key a prefill declaration may read."""
    if isinstance(prefill, str):
        yield prefill
    elif isinstance(prefill, list):
        yield from prefill
    elif isinstance(prefill, dict):
        yield prefill["by"]
        for case in prefill["cases"].values():
            if isinstance(case, str):
                yield case


def is_known_source(key: str) -> bool:
    return any(p.fullmatch(key) for p in PREFILL_PATTERNS)


def condition_fields(condition: dict | None) -> Iterator[str]:
    if not condition:
        return
    if "field" in condition:
        yield condition["field"]
    for sub in condition.get("all", []) + condition.get("any", []):
        yield from condition_fields(sub)
    if "not" in condition:
        yield from condition_fields(condition["not"])


def _condition_shape(condition: dict) -> bool:
    """A leaf names a field and exactly one test; a group has no field."""
    tests = [k for k in ("equals", "in", "filled") if k in condition]
    groups = [k for k in ("all", "any", "not") if k in condition]
    if "field" in condition:
        return len(tests) == 1 and not groups
    if tests or len(groups) != 1:
        return False
    subs = condition.get("all", []) + condition.get("any", [])
    if "not" in condition:
        subs = [condition["not"]]
    return all(_condition_shape(s) for s in subs)


def _semantic_errors(definition: dict) -> list[str]:
    errors: list[str] = []
    names: dict[str, int] = {}
    step_keys: set[str] = set()
    order = []
    for s, step in enumerate(definition["steps"]):
        if step["key"] in step_keys:
            errors.append(
                _("Bước %(n)s: mã bước «%(key)s» bị trùng.") % {"n": s + 1, "key": step["key"]}
            )
        step_keys.add(step["key"])
        for field in step["fields"]:
            if field["name"] in names:
                errors.append(
                    _("Bước %(n)s: tên trường «%(name)s» đã dùng ở bước %(m)s.")
                    % {"n": s + 1, "name": field["name"], "m": names[field["name"]] + 1}
                )
            names[field["name"]] = s
            order.append((s, step, field))
    for s, _step, field in order:
        where = _("Bước %(n)s, trường «%(name)s»") % {"n": s + 1, "name": field["name"]}
        kind = field["type"]
        if kind == "choice" and not field.get("choices"):
            errors.append(
                _("%(where)s: loại «lựa chọn» cần danh sách «choices».") % {"where": where}
            )
        if kind != "choice" and "choices" in field:
            errors.append(_("%(where)s: chỉ loại «lựa chọn» mới có «choices».") % {"where": where})
        rules = field.get("validation", {})
        allowed = {
            "text": {"min_length", "max_length"},
            "textarea": {"min_length", "max_length"},
            "address": {"min_length", "max_length"},
            "integer": {"min", "max"},
            "date": {"not_future", "min_age_years", "max_age_years"},
        }.get(kind, set())
        errors.extend(
            _("%(where)s: quy tắc «%(rule)s» không dùng được cho loại %(type)s.")
            % {"where": where, "rule": rule, "type": TYPE_LABELS[kind]}
            for rule in rules
            if rule not in allowed
        )
        for low, high in (
            ("min_length", "max_length"),
            ("min", "max"),
            ("max_age_years", "min_age_years"),
        ):
            if low in rules and high in rules and rules[low] > rules[high]:
                errors.append(
                    _("%(where)s: giới hạn dưới lớn hơn giới hạn trên.") % {"where": where}
                )
        if (
            "default" in field
            and kind == "choice"
            and field["default"] not in field.get("choices", [])
        ):
            errors.append(
                _("%(where)s: giá trị mặc định không có trong danh sách lựa chọn.")
                % {"where": where}
            )
        prefill = field.get("prefill")
        if prefill is not None:
            errors.extend(
                _(
                    "%(where)s: nguồn điền sẵn «%(key)s» không có trong danh mục "
                    "(identity.*, registry.person.*, registry.spouse.*, "
                    "registry.household.*, previous.*, document.<loại>.<trường>)."
                )
                % {"where": where, "key": key}
                for key in prefill_keys(prefill)
                if not is_known_source(key)
            )
            copied = [k for k in prefill_keys(prefill) if k != prefill_keys_by(prefill)]
            if any(k in IDENTITY_KEYS for k in copied) and field.get("editable") is True:
                errors.append(
                    _(
                        "%(where)s: thông tin định danh lấy từ VNeID không được cho sửa "
                        "(bỏ «editable»: true)."
                    )
                    % {"where": where}
                )
        elif "editable" in field:
            errors.append(
                _("%(where)s: «editable» chỉ dùng cho trường được điền sẵn.") % {"where": where}
            )
    for s, step in enumerate(definition["steps"]):
        own = {f["name"] for f in step["fields"]}
        conditions = [(_("Bước %(n)s") % {"n": s + 1}, step.get("when"), own)]
        conditions += [
            (
                _("Bước %(n)s, trường «%(name)s»") % {"n": s + 1, "name": f["name"]},
                f.get("when"),
                {f["name"]},
            )
            for f in step["fields"]
        ]
        for where, condition, forbidden in conditions:
            if not condition:
                continue
            if not _condition_shape(condition):
                errors.append(
                    _(
                        "%(where)s: điều kiện phải có «field» và đúng một phép thử "
                        "(«equals», «in» hoặc «filled»), hoặc một nhóm «all», «any», «not»."
                    )
                    % {"where": where}
                )
                continue
            for name in condition_fields(condition):
                if name not in names:
                    errors.append(
                        _("%(where)s: điều kiện dựa vào trường «%(name)s» không có trong tờ khai.")
                        % {"where": where, "name": name}
                    )
                elif name in forbidden:
                    errors.append(
                        _("%(where)s: điều kiện không được dựa vào chính nó.") % {"where": where}
                    )
    return errors


def prefill_keys_by(prefill: Any) -> str | None:
    """The selector key of a `{"by": ...}` prefill (read to choose, not copied into the field)."""
    return prefill.get("by") if isinstance(prefill, dict) else None


def check_definition(definition: Any) -> list[str]:
    """Vietnamese sentences, one per problem; an empty list when the definition is valid."""
    if not isinstance(definition, dict):
        return [_("Tờ khai phải là một đối tượng JSON {…} có «title» và «steps».")]
    errors = [
        _structure_message(e)
        for e in sorted(
            _VALIDATOR.iter_errors(definition), key=lambda e: list(map(str, e.absolute_path))
        )
    ]
    if errors:
        return list(dict.fromkeys(errors))
    return _semantic_errors(definition)


def ensure_valid(definition: Any) -> dict:
    errors = check_definition(definition)
    if errors:
        raise SchemaError(errors)
    return definition


def fields(definition: dict) -> Iterator[tuple[dict, dict]]:
    """(step, field) pairs in the declaration's order."""
    for step in definition["steps"]:
        for field in step["fields"]:
            yield step, field


def step_of(definition: dict, key: str) -> dict | None:
    return next((s for s in definition["steps"] if s["key"] == key), None)
