"""Pure functions over a declaration: no database, no request, easy for the filing flow to call.

- `prefill(schema, sources)`: the values the state already knows, from a nested dict the caller
  builds (identity claims, the registry's person with spouse and household, earlier answers,
  documents), keyed as the schema's prefill sources say (`schema.PREFILL_PATTERNS`).
- `visible_fields(schema, answers)`: the fields shown for these answers (conditions applied).
- `validate(schema, answers, step=None)`: Vietnamese messages per field name.
- `typed_fields(schema, prefilled, submitted)`: how many fields the citizen typed.
- `clean(schema, answers)`: the answers as stored (types normalised, hidden ones dropped).

`schema` is a `FormSchema` or its definition dict. Answers map field names to what a form
posts (strings) or to stored values (ISO dates, ints, bools); both are accepted everywhere.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.core import identifiers
from motcua.core.forms import LATEST_DATE

from .schema import IDENTITY_KEYS, fields, prefill_keys, prefill_keys_by
from .words import date_in_words

# Birth dates of parents, of the deceased, of a ward are older than the operational dates of
# core.forms (2000-2100); the upper bound is the same.
EARLIEST_DATE = dt.date(1900, 1, 1)
TEXT_MAX = 500
TEXTAREA_MAX = 2000
_TRUE = {"true", "on", "1", "yes", "có"}
_FALSE = {"false", "off", "0", "no", "không", ""}
# Picked with one tap, not typed: not counted by `typed_fields` unless asked.
PICKED_TYPES = ("choice", "bool")


def definition_of(schema: Any) -> dict:
    return schema if isinstance(schema, dict) else schema.definition


# --- values ---------------------------------------------------------------------------------


def lookup(sources: Mapping[str, Any] | None, key: str) -> Any:
    """`sources["registry"]["person"]["ethnicity"]` for "registry.person.ethnicity"."""
    current: Any = sources or {}
    for part in key.split("."):
        if not isinstance(current, Mapping):
            return None
        current = current.get(part)
    return current


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def parse_date(value: Any) -> dt.date | None:
    """ISO "2026-01-05" (what a date input posts), "05/01/2026", or a date. None if neither."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()  # noqa: DTZ007 (a calendar day)
        except ValueError:
            continue
    return None


def _as_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = str(value if value is not None else "").strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return None


def _coerce(field: dict, value: Any) -> Any:
    """A source value in the form the field holds (a birth date becomes a year for "Năm sinh")."""
    if value is None:
        return None
    kind = field["type"]
    if kind == "integer":
        if isinstance(value, (dt.date, dt.datetime)):
            return value.year
        parsed = parse_date(value)
        if parsed is not None:
            return parsed.year
        try:
            return int(str(value).strip())
        except ValueError:
            return None
    if kind == "date":
        parsed = parse_date(value)
        return parsed.isoformat() if parsed else None
    if kind == "bool":
        return _as_bool(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value if not is_empty(v)) or None
    return str(value).strip() or None


def normalise(field: dict, value: Any) -> Any:
    """The comparable form of an answer: stripped text with single spaces, ISO date, int, bool."""
    if is_empty(value):
        return None
    kind = field["type"]
    if kind == "bool":
        return _as_bool(value)
    if kind == "integer":
        try:
            return int(str(value).strip())
        except ValueError:
            return str(value).strip()
    if kind == "date":
        parsed = parse_date(value)
        return parsed.isoformat() if parsed else str(value).strip()
    if kind == "citizen_id":
        return re.sub(r"[\s.\-]", "", str(value))
    if kind == "phone":
        try:
            return identifiers.phone(str(value), mobile=False)
        except ValidationError:
            return str(value).strip()
    return " ".join(str(value).split())


def source_value(prefill_spec: Any, sources: Mapping[str, Any] | None) -> Any:
    if isinstance(prefill_spec, str):
        return lookup(sources, prefill_spec)
    if isinstance(prefill_spec, list):
        for key in prefill_spec:
            value = lookup(sources, key)
            if not is_empty(value):
                return value
        return None
    if isinstance(prefill_spec, dict):
        chosen = lookup(sources, prefill_spec["by"])
        case = prefill_spec["cases"].get(str(chosen)) if chosen is not None else None
        if isinstance(case, dict):
            return case.get("value")
        if isinstance(case, str):
            return lookup(sources, case)
    return None


def is_locked(field: dict) -> bool:
    """Read-only once prefilled: identity claims always (VNeID), others when the schema says."""
    spec = field.get("prefill")
    if spec is None:
        return False
    if "editable" in field:
        return not field["editable"]
    copied = [k for k in prefill_keys(spec) if k != prefill_keys_by(spec)]
    return any(k in IDENTITY_KEYS for k in copied)


def prefill(schema: Any, sources: Mapping[str, Any] | None) -> dict[str, Any]:
    """{field name: value} for every field a source (or the schema's default) fills."""
    values: dict[str, Any] = {}
    for _step, field in fields(definition_of(schema)):
        value = None
        if "prefill" in field:
            value = _coerce(field, source_value(field["prefill"], sources))
        if is_empty(value) and "default" in field:
            value = _coerce(field, field["default"])
        if not is_empty(value):
            values[field["name"]] = value
    return values


def locked_fields(schema: Any, prefilled: Mapping[str, Any]) -> set[str]:
    """Fields shown read-only: prefilled from a source (not a default) and not editable."""
    return {
        f["name"]
        for _s, f in fields(definition_of(schema))
        if is_locked(f) and not is_empty(prefilled.get(f["name"]))
    }


# --- conditions -----------------------------------------------------------------------------


def holds(condition: dict | None, answers: Mapping[str, Any], by_name: dict[str, dict]) -> bool:
    if not condition:
        return True
    if "all" in condition:
        return all(holds(c, answers, by_name) for c in condition["all"])
    if "any" in condition:
        return any(holds(c, answers, by_name) for c in condition["any"])
    if "not" in condition:
        return not holds(condition["not"], answers, by_name)
    field = by_name.get(condition["field"], {"type": "text"})
    value = normalise(field, answers.get(condition["field"]))
    if "filled" in condition:
        return (value is not None and value is not False) == condition["filled"]
    if "equals" in condition:
        return value == normalise(field, condition["equals"])
    return value in [normalise(field, v) for v in condition["in"]]


def _visible(definition: dict, answers: Mapping[str, Any]) -> list[tuple[dict, dict]]:
    """Shown (step, field) pairs; answers of hidden fields are ignored while deciding, until
    nothing changes (a field hidden by a hidden field is hidden too)."""
    by_name = {f["name"]: f for _s, f in fields(definition)}
    current = dict(answers)
    shown: list[tuple[dict, dict]] = []
    for _round in range(len(by_name) + 1):
        shown = [
            (s, f)
            for s, f in fields(definition)
            if holds(s.get("when"), current, by_name) and holds(f.get("when"), current, by_name)
        ]
        names = {f["name"] for _s, f in shown}
        narrowed = {k: v for k, v in answers.items() if k in names}
        if narrowed == current:
            break
        current = narrowed
    return shown


def visible_fields(schema: Any, answers: Mapping[str, Any]) -> list[str]:
    return [f["name"] for _s, f in _visible(definition_of(schema), answers)]


def visible_steps(schema: Any, answers: Mapping[str, Any]) -> list[str]:
    keys = []
    for step, _f in _visible(definition_of(schema), answers):
        if step["key"] not in keys:
            keys.append(step["key"])
    return keys


# --- validation -----------------------------------------------------------------------------


def _age(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _field_errors(field: dict, value: Any, today: dt.date) -> list[str]:
    label = field["label"]
    kind = field["type"]
    rules = field.get("validation", {})
    if is_empty(value) or (kind == "bool" and _as_bool(value) is False):
        if field.get("required"):
            if kind in PICKED_TYPES:
                return [_("Vui lòng chọn «%(label)s».") % {"label": label}]
            return [_("Vui lòng nhập «%(label)s».") % {"label": label}]
        return []
    if kind in ("text", "textarea", "address"):
        text = " ".join(str(value).split())
        longest = rules.get("max_length", TEXTAREA_MAX if kind == "textarea" else TEXT_MAX)
        if len(text) < rules.get("min_length", 0):
            return [
                _("«%(label)s» cần ít nhất %(n)s ký tự.")
                % {"label": label, "n": rules["min_length"]}
            ]
        if len(text) > longest:
            return [_("«%(label)s» dài quá %(n)s ký tự.") % {"label": label, "n": longest}]
        return []
    if kind == "date":
        day = parse_date(value)
        if day is None:
            return [_("«%(label)s»: ngày không hợp lệ (ví dụ 05/01/2026).") % {"label": label}]
        if not EARLIEST_DATE <= day <= LATEST_DATE:
            return [
                _("«%(label)s»: ngày phải trong khoảng từ %(earliest)s đến %(latest)s.")
                % {
                    "label": label,
                    "earliest": EARLIEST_DATE.strftime("%d/%m/%Y"),
                    "latest": LATEST_DATE.strftime("%d/%m/%Y"),
                }
            ]
        if rules.get("not_future") and day > today:
            return [_("«%(label)s» không được sau ngày hôm nay.") % {"label": label}]
        if "min_age_years" in rules and _age(day, today) < rules["min_age_years"]:
            return [
                _("«%(label)s»: người này phải đủ %(n)s tuổi.")
                % {"label": label, "n": rules["min_age_years"]}
            ]
        if "max_age_years" in rules and _age(day, today) > rules["max_age_years"]:
            return [
                _("«%(label)s»: không được quá %(n)s tuổi.")
                % {"label": label, "n": rules["max_age_years"]}
            ]
        return []
    if kind == "citizen_id":
        try:
            identifiers.citizen_id(str(value))
        except ValidationError as exc:
            return [f"«{label}»: {exc.messages[0]}"]
        return []
    if kind == "phone":
        try:
            identifiers.phone(str(value), mobile=False)
        except ValidationError as exc:
            return [f"«{label}»: {exc.messages[0]}"]
        return []
    if kind == "email":
        try:
            validate_email(str(value).strip())
        except ValidationError:
            return [
                _("«%(label)s»: địa chỉ thư điện tử không hợp lệ (ví dụ ten@example.vn).")
                % {"label": label}
            ]
        return []
    if kind == "choice":
        if str(value) not in field["choices"]:
            return [_("«%(label)s»: lựa chọn không có trong danh sách.") % {"label": label}]
        return []
    if kind == "bool":
        if _as_bool(value) is None:
            return [_("«%(label)s»: chỉ chọn có hoặc không.") % {"label": label}]
        return []
    if kind == "integer":
        try:
            number = int(str(value).strip())
        except ValueError:
            return [_("«%(label)s» phải là số nguyên.") % {"label": label}]
        low, high = rules.get("min"), rules.get("max")
        if (low is not None and number < low) or (high is not None and number > high):
            if low is not None and high is not None:
                return [
                    _("«%(label)s» phải từ %(low)s đến %(high)s.")
                    % {"label": label, "low": low, "high": high}
                ]
            if low is not None:
                return [_("«%(label)s» không được nhỏ hơn %(low)s.") % {"label": label, "low": low}]
            return [_("«%(label)s» không được lớn hơn %(high)s.") % {"label": label, "high": high}]
    return []


def validate(
    schema: Any,
    answers: Mapping[str, Any],
    step: str | None = None,
    *,
    prefilled: Mapping[str, Any] | None = None,
    today: dt.date | None = None,
) -> dict[str, list[str]]:
    """{field name: [Vietnamese messages]} for the shown fields (of `step` only, if given).

    With `prefilled`, a read-only field (identity from VNeID, ...) whose answer differs from
    the prefilled value is refused: the page does not offer to change it.
    """
    definition = definition_of(schema)
    today = today or timezone.localdate()
    locked = locked_fields(definition, prefilled) if prefilled is not None else set()
    errors: dict[str, list[str]] = {}
    for s, field in _visible(definition, answers):
        if step is not None and s["key"] != step:
            continue
        name = field["name"]
        value = answers.get(name)
        problems = _field_errors(field, value, today)
        if name in locked and normalise(field, value) != normalise(field, prefilled[name]):  # type: ignore[index]
            problems = [
                _("«%(label)s» lấy từ CSDL dân cư / VNeID, không sửa được ở đây.")
                % {"label": field["label"]}
            ]
        if problems:
            errors[name] = problems
    return errors


def clean(schema: Any, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Shown, non-empty answers in their stored form (ISO dates, ints, bools, spaced text);
    call after `validate` found nothing."""
    definition = definition_of(schema)
    out: dict[str, Any] = {}
    for _s, field in _visible(definition, answers):
        value = normalise(field, answers.get(field["name"]))
        if field["type"] == "citizen_id" and value is not None:
            value = str(value)
        if value is not None and not (field["type"] == "bool" and value is False):
            out[field["name"]] = value
        elif field["type"] == "bool" and value is False:
            out[field["name"]] = False
    return out


def typed_fields(
    schema: Any,
    prefilled: Mapping[str, Any],
    submitted: Mapping[str, Any],
    *,
    count_choices: bool = False,
) -> int:
    """How many shown fields the citizen typed: submitted, not empty, not what was prefilled.

    Choices and yes/no boxes are picked with one tap, not typed: counted only with
    `count_choices=True` (decisions/0028).
    """
    definition = definition_of(schema)
    count = 0
    for _s, field in _visible(definition, submitted):
        if field["type"] in PICKED_TYPES and not count_choices:
            continue
        value = normalise(field, submitted.get(field["name"]))
        if value is None or value is False:
            continue
        if value != normalise(field, prefilled.get(field["name"])):
            count += 1
    return count


# --- display --------------------------------------------------------------------------------


def display_value(field: dict, value: Any) -> str:
    if is_empty(value):
        return ""
    if field["type"] == "date":
        day = parse_date(value)
        return day.strftime("%d/%m/%Y") if day else str(value)
    if field["type"] == "bool":
        flag = _as_bool(value)
        return _("Có") if flag else _("Không")
    return str(value)


def filled_steps(schema: Any, answers: Mapping[str, Any]) -> list[dict]:
    """[{"title", "key", "rows": [{"label", "value", "name"}], "lines": [[row, ...]]}] of the
    shown fields, for the PDF and a review page; a field marked `pdf_same_line` is printed on the
    line of the field before it ("Giới tính: Nam   Dân tộc: Kinh   Quốc tịch: Việt Nam")."""
    definition = definition_of(schema)
    steps: list[dict] = []
    for step, field in _visible(definition, answers):
        if not steps or steps[-1]["key"] != step["key"]:
            steps.append({"key": step["key"], "title": step["title"], "rows": [], "lines": []})
        row = {
            "name": field["name"],
            "label": field.get("pdf_label", field["label"]),
            "value": display_value(field, answers.get(field["name"])),
        }
        day = parse_date(answers.get(field["name"])) if field["type"] == "date" else None
        if field.get("pdf_in_words") and day is not None:
            row["value"] += f" ({_('ghi bằng chữ')}: {date_in_words(day)})"
        steps[-1]["rows"].append(row)
        if field.get("pdf_same_line") and steps[-1]["lines"]:
            steps[-1]["lines"][-1].append(row)
        else:
            steps[-1]["lines"].append([row])
    return steps
