"""Prefill, conditions, validation messages and the count of typed fields (pure functions)."""

from motcua.eforms import engine

from .conftest import TODAY

TYPED_BY_MOTHER = {
    "child_name": "Trần Bình An",
    "child_birthdate": "2026-11-20",
    "child_birthplace": "Trạm y tế xã An Lão, thành phố Hải Phòng",
    "child_sex": "Nam",
}


def test_a_signed_in_mother_gets_herself_as_mother_and_her_spouse_as_father(birth, mother_sources):
    values = engine.prefill(birth, mother_sources)
    assert values["requester_name"] == values["mother_name"] == "Lê Thị Hoa"
    assert values["requester_relation"] == "Mẹ"
    assert values["mother_birth_year"] == 1996  # "Năm sinh" from the birth date claim
    assert values["father_name"] == "Trần Văn Minh"
    assert values["father_citizen_id"] == "031094005678"
    assert values["child_nationality"] == "Việt Nam"  # the schema's default
    assert "child_name" not in values


def test_a_signed_in_father_gets_the_blocks_the_other_way_round(birth, mother_sources):
    sources = mother_sources
    sources["identity"] = {
        "full_name": "Trần Văn Minh",
        "sex": "Nam",
        "birthdate": "1994-06-01",
        "citizen_id": "031094005678",
        "address": "Thôn Đông",
    }
    sources["registry"]["spouse"] = {
        "full_name": "Lê Thị Hoa",
        "birthdate": "1996-04-12",
        "ethnicity": "Kinh",
    }
    values = engine.prefill(birth, sources)
    assert values["requester_relation"] == "Cha"
    assert values["father_name"] == "Trần Văn Minh" and values["mother_name"] == "Lê Thị Hoa"


def test_the_mother_types_three_fields_for_birth_registration(birth, mother_sources):
    prefilled = engine.prefill(birth, mother_sources)
    submitted = {**prefilled, **TYPED_BY_MOTHER}
    assert engine.validate(birth, submitted, prefilled=prefilled, today=TODAY) == {}
    assert engine.typed_fields(birth, prefilled, submitted) == 3
    # the child's sex is picked with one tap; counted only when asked
    assert engine.typed_fields(birth, prefilled, submitted, count_choices=True) == 4


def test_with_the_electronic_birth_certificate_she_types_nothing(birth, mother_sources):
    mother_sources["document"] = {
        "giay_chung_sinh": {
            "child_name": "Trần Bình An",
            "birth_date": "2026-11-20",
            "sex": "Nam",
            "birth_place": "Trạm y tế xã An Lão",
        }
    }
    prefilled = engine.prefill(birth, mother_sources)
    assert engine.typed_fields(birth, prefilled, dict(prefilled)) == 0


def test_when_the_registry_is_down_the_citizen_types_the_parents(birth, mother_sources):
    identity_only = {"identity": mother_sources["identity"]}
    prefilled = engine.prefill(birth, identity_only)
    assert prefilled["mother_name"] == "Lê Thị Hoa"  # still from VNeID
    assert "father_name" not in prefilled
    submitted = {
        **prefilled,
        **TYPED_BY_MOTHER,
        "child_ethnicity": "Kinh",
        "child_hometown": "xã An Lão",
        "mother_ethnicity": "Kinh",
        "father_name": "Trần Văn Minh",
        "father_birth_year": "1994",
        "father_ethnicity": "Kinh",
        "father_address": "Thôn Đông",
    }
    assert engine.validate(birth, submitted, prefilled=prefilled, today=TODAY) == {}
    assert engine.typed_fields(birth, prefilled, submitted) == 10
    assert "father_name" not in engine.locked_fields(birth, prefilled)  # nothing to lock: typed


def test_fathers_details_show_only_when_the_father_is_known(birth, mother_sources):
    prefilled = engine.prefill(birth, mother_sources)
    unknown = {**prefilled, **TYPED_BY_MOTHER, "father_name": ""}
    shown = engine.visible_fields(birth, unknown)
    assert "father_name" in shown and "father_birth_year" not in shown
    assert "father_birth_year" not in engine.validate(birth, unknown, today=TODAY)
    assert "father_birth_year" not in engine.clean(birth, unknown)
    known = {**unknown, "father_name": "Trần Văn Minh", "father_birth_year": ""}
    assert "father_birth_year" in engine.visible_fields(birth, known)
    assert engine.validate(birth, known, step="cha", today=TODAY) == {
        "father_birth_year": ["Vui lòng nhập «Năm sinh»."]
    }


def test_a_whole_step_shows_only_when_its_condition_holds(declarations):
    marital = declarations["1.004873"]["definition"]
    assert "subject_name" not in engine.visible_fields(marital, {"requester_relation": "Bản thân"})
    assert "subject_name" in engine.visible_fields(
        marital, {"requester_relation": "Người được ủy quyền"}
    )


def test_validation_messages_are_vietnamese_and_name_the_field(birth, mother_sources, declarations):
    prefilled = engine.prefill(birth, mother_sources)
    answers = {
        **prefilled,
        "child_name": "",
        "child_birthdate": "2027-01-01",
        "child_birthplace": "X",
        "child_sex": "Khác",
        "father_citizen_id": "0310-94",
    }
    errors = engine.validate(birth, answers, today=TODAY)
    assert errors["child_name"] == ["Vui lòng nhập «Họ, chữ đệm, tên»."]
    assert errors["child_birthdate"] == ["«Ngày, tháng, năm sinh» không được sau ngày hôm nay."]
    assert errors["child_birthplace"] == ["«Nơi sinh» cần ít nhất 3 ký tự."]
    assert errors["child_sex"] == ["«Giới tính»: lựa chọn không có trong danh sách."]
    assert errors["father_citizen_id"] == [
        "«Số định danh cá nhân»: Số định danh cá nhân phải gồm đúng 12 chữ số."
    ]
    bad_dates = engine.validate(
        birth,
        {**answers, "child_birthdate": "31/02/2026"},
        step="nguoi_duoc_khai_sinh",
        today=TODAY,
    )
    assert bad_dates["child_birthdate"] == [
        "«Ngày, tháng, năm sinh»: ngày không hợp lệ (ví dụ 05/01/2026)."
    ]
    old = engine.validate(
        birth,
        {**answers, "child_birthdate": "1850-01-01"},
        step="nguoi_duoc_khai_sinh",
        today=TODAY,
    )
    assert "từ 01/01/1900 đến 31/12/2100" in old["child_birthdate"][0]
    copies = engine.validate(
        birth, {**answers, "copies_wanted": "on", "copies_count": "99"}, step="ban_sao", today=TODAY
    )
    assert copies["copies_count"] == ["«Số lượng bản sao» phải từ 1 đến 20."]
    marriage = declarations["1.000894"]["definition"]
    young = engine.validate(
        marriage, {"groom_birthdate": "2008-01-01"}, step="ben_nam", today=TODAY
    )
    assert young["groom_birthdate"] == ["«Ngày, tháng, năm sinh»: người này phải đủ 20 tuổi."]


def test_phone_and_email_fields_use_the_project_rules():
    definition = {
        "title": "T",
        "steps": [
            {
                "key": "a",
                "title": "Liên hệ",
                "fields": [
                    {"name": "phone", "label": "Số điện thoại", "type": "phone"},
                    {"name": "email", "label": "Thư điện tử", "type": "email"},
                ],
            }
        ],
    }
    errors = engine.validate(definition, {"phone": "0123", "email": "a@"}, today=TODAY)
    assert errors["phone"][0].startswith("«Số điện thoại»: Số điện thoại không hợp lệ")
    assert "thư điện tử không hợp lệ" in errors["email"][0]
    assert (
        engine.validate(definition, {"phone": "0912 345 678", "email": "a@b.vn"}, today=TODAY) == {}
    )


def test_a_locked_identity_value_cannot_be_changed(birth, mother_sources):
    prefilled = engine.prefill(birth, mother_sources)
    answers = {**prefilled, **TYPED_BY_MOTHER, "requester_citizen_id": "031196009999"}
    errors = engine.validate(birth, answers, prefilled=prefilled, today=TODAY)
    assert errors == {
        "requester_citizen_id": [
            "«Số định danh cá nhân» lấy từ CSDL dân cư / VNeID, không sửa được ở đây."
        ]
    }
    # spaces typed between groups are the same number
    same = {**answers, "requester_citizen_id": "0311 9600 1234"}
    assert engine.validate(birth, same, prefilled=prefilled, today=TODAY) == {}


def test_typed_fields_ignores_empty_and_unchanged_answers(birth, mother_sources):
    prefilled = engine.prefill(birth, mother_sources)
    submitted = {
        **prefilled,
        "child_name": "  ",
        "child_ethnicity": "Kinh",
        "child_hometown": "xã An Tiến",
    }
    assert engine.typed_fields(birth, prefilled, submitted) == 1  # only the changed hometown
