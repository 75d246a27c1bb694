"""The per-step Django form: what a phone keyboard and a screen reader need, and refusals."""

from django.template.loader import render_to_string

from motcua.eforms import engine
from motcua.eforms.forms import StepForm


def render(form) -> str:
    return render_to_string("eforms/_step.html", {"form": form})


def test_inputs_carry_keyboard_autocomplete_and_source_marks(birth, mother_sources):
    prefilled = engine.prefill(birth, mother_sources)
    html = render(StepForm(birth, "nguoi_yeu_cau", prefilled=prefilled))
    assert 'autocomplete="name"' in html and 'autocomplete="bday"' in html
    assert 'inputmode="numeric"' in html  # the citizen ID
    assert html.count("readonly") >= 4 and "Lấy từ VNeID" in html
    assert 'type="radio"' in html and 'value="Mẹ"' in html
    child = render(StepForm(birth, "nguoi_duoc_khai_sinh", prefilled=prefilled))
    assert 'name="child_name"' in child and 'autocomplete="off"' in child  # not the mother's name
    assert 'type="date"' in child and 'min="1900-01-01"' in child
    assert "Lấy từ CSDL dân cư" in child  # ethnicity and hometown, editable
    copies = render(StepForm(birth, "ban_sao", prefilled=prefilled))
    assert (
        'data-when="{&quot;field&quot;: &quot;copies_wanted&quot;, &quot;equals&quot;: true}"'
        in copies
    )
    assert 'hidden data-testid="field-copies_count"' in copies


def test_a_posted_step_is_validated_by_the_engine_and_locked_values_hold(birth, mother_sources):
    prefilled = engine.prefill(birth, mother_sources)
    form = StepForm(
        birth,
        "nguoi_yeu_cau",
        prefilled=prefilled,
        data={"requester_name": "Người Khác", "requester_relation": "Bà"},
    )
    assert not form.is_valid()
    assert form.errors["requester_name"] == [
        "«Họ, chữ đệm, tên người yêu cầu» lấy từ CSDL dân cư / VNeID, không sửa được ở đây."
    ]
    ok = StepForm(
        birth,
        "nguoi_yeu_cau",
        prefilled=prefilled,
        data={**{k: str(v) for k, v in prefilled.items()}, "requester_relation": "Bà"},
    )
    assert ok.is_valid(), ok.errors
    assert ok.step_answers()["requester_relation"] == "Bà"
    assert ok.step_answers()["requester_citizen_id"] == "031196001234"


def test_a_phone_field_gets_the_phone_keyboard():
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
    html = render(StepForm(definition, "a"))
    assert 'type="tel"' in html and 'inputmode="tel"' in html and 'autocomplete="tel"' in html
    assert 'type="email"' in html and 'autocomplete="email"' in html
