"""The schema language refuses what would break a form, in Vietnamese, before it is saved."""

import pytest

from motcua.eforms.schema import SchemaError, check_definition, ensure_valid


def one_field(**field) -> dict:
    base = {"name": "ho_ten", "label": "Họ, chữ đệm, tên", "type": "text"}
    return {
        "title": "TỜ KHAI",
        "steps": [{"key": "a", "title": "Người yêu cầu", "fields": [{**base, **field}]}],
    }


def test_every_shipped_declaration_is_valid(declarations):
    for code, record in declarations.items():
        assert check_definition(record["definition"]) == [], code


@pytest.mark.parametrize(
    ("definition", "expected"),
    [
        ("không phải JSON đối tượng", "phải là một đối tượng JSON"),
        ({"steps": []}, "thiếu mục «title»"),
        (one_field(type="ngay"), "loại trường không có"),
        (one_field(name="Họ tên"), "tên chỉ gồm chữ thường không dấu"),
        (one_field(type="choice"), "cần danh sách «choices»"),
        (one_field(choices=["a"]), "chỉ loại «lựa chọn» mới có «choices»"),
        (one_field(prefill="vneid.ten"), "không có trong danh mục"),
        (one_field(prefill="identity.full_name", editable=True), "không được cho sửa"),
        (one_field(editable=False), "chỉ dùng cho trường được điền sẵn"),
        (one_field(when={"field": "khong_co", "filled": True}), "không có trong tờ khai"),
        (one_field(when={"field": "ho_ten", "filled": True}), "không được dựa vào chính nó"),
        (one_field(when={"field": "ho_ten"}), "đúng một phép thử"),
        (one_field(validation={"not_future": True}), "không dùng được cho loại văn bản"),
        (one_field(validation={"min_length": 9, "max_length": 2}), "giới hạn dưới lớn hơn"),
        (one_field(extra=1), "có mục không được dùng"),
    ],
)
def test_invalid_definitions_are_refused_with_vietnamese_reasons(definition, expected):
    errors = check_definition(definition)
    assert errors, definition
    assert any(expected in e for e in errors), errors


def test_duplicate_field_names_across_steps_are_refused():
    definition = one_field()
    definition["steps"].append(
        {
            "key": "b",
            "title": "Mẹ",
            "fields": [{"name": "ho_ten", "label": "Họ tên mẹ", "type": "text"}],
        }
    )
    with pytest.raises(SchemaError) as caught:
        ensure_valid(definition)
    assert "đã dùng ở bước 1" in caught.value.errors[0]


def test_prefill_vocabulary_accepts_the_documented_keys():
    for key in (
        "identity.citizen_id",
        "registry.person.ethnicity",
        "registry.spouse.full_name",
        "registry.household.address",
        "previous.phone",
        "document.giay_chung_sinh.child_name",
    ):
        assert check_definition(one_field(prefill=key)) == [], key
    by_sex = {
        "by": "identity.sex",
        "cases": {"Nữ": "registry.person.ethnicity", "Nam": {"value": "x"}},
    }
    assert check_definition(one_field(prefill=by_sex)) == []
