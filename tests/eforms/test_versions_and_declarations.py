"""Versions: a published declaration never changes, a draft pinned to it keeps working; the
shipped declarations load through the administrator's service and fill realistic examples."""

import pytest

from motcua.core.models import AuditEvent
from motcua.eforms import engine, selectors, services
from motcua.eforms.data import read_declarations
from motcua.eforms.forms import StepForm
from motcua.eforms.models import FormSchema
from tests.catalog.factories import make_procedure, make_unit

from .conftest import TODAY

pytestmark = pytest.mark.django_db


def test_a_draft_pinned_to_an_old_version_still_renders_and_validates(birth, mother_sources):
    procedure = make_procedure(unit=make_unit(), code="1.001193", name="Thủ tục đăng ký khai sinh")
    v1 = services.create_version(
        procedure=procedure,
        name="Tờ khai đăng ký khai sinh",
        definition=birth,
        actor=None,
        publish=True,
    )
    pinned = v1.pk  # what a citizen's draft stores
    changed = engine.definition_of(v1)
    changed = {**changed, "steps": [dict(s) for s in changed["steps"]]}
    changed["steps"][1] = {
        **changed["steps"][1],
        "fields": [
            *changed["steps"][1]["fields"],
            {
                "name": "child_weight",
                "label": "Cân nặng (gam)",
                "type": "integer",
                "required": True,
            },
        ],
    }
    v2 = services.revise(schema=v1, actor=None, publish=True, definition=changed)

    assert v2.version == 2 and selectors.current_for(procedure) == v2
    old = selectors.version(pinned)
    assert old.status == FormSchema.Status.RETIRED and old.definition == birth
    prefilled = engine.prefill(old, mother_sources)
    answers = {
        **prefilled,
        "child_name": "Trần Bình An",
        "child_birthdate": "2026-11-20",
        "child_sex": "Nữ",
        "child_birthplace": "Trạm y tế xã An Lão",
    }
    assert engine.validate(old, answers, prefilled=prefilled, today=TODAY) == {}
    assert "child_weight" in engine.validate(v2, answers, prefilled=prefilled, today=TODAY)
    form = StepForm(old, "nguoi_duoc_khai_sinh", prefilled=prefilled, answers=answers)
    assert "child_weight" not in form.fields
    actions = list(
        AuditEvent.objects.filter(object_type="eforms.formschema").values_list("action", flat=True)
    )
    assert actions == ["eforms.schema.published", "eforms.schema.published"]


def test_a_published_version_is_never_edited(birth):
    procedure = make_procedure(unit=make_unit(), code="1.001193")
    v1 = services.create_version(
        procedure=procedure, name="Tờ khai", definition=birth, actor=None, publish=True
    )
    with pytest.raises(services.SchemaChangeRefused):
        services.update_draft(schema=v1, actor=None, name="Đổi tên")
    with pytest.raises(services.SchemaChangeRefused):
        services.publish(schema=v1, actor=None)
    v1.definition = {"title": "khác", "steps": []}
    with pytest.raises(ValueError, match="never changes"):
        v1.save()


def test_drafts_are_edited_in_place_then_published(birth):
    procedure = make_procedure(unit=make_unit(), code="1.001193")
    draft = services.create_version(
        procedure=procedure, name="Tờ khai", definition=birth, actor=None
    )
    assert selectors.current_for(procedure) is None
    draft = services.update_draft(schema=draft, actor=None, form_number="Mẫu mới")
    published = services.publish(schema=draft, actor=None)
    assert selectors.current_for(procedure) == published and published.version == 1
    assert published.published_at is not None


def test_an_invalid_definition_is_refused_by_the_service():
    procedure = make_procedure(unit=make_unit(), code="1.001193")
    with pytest.raises(services.SchemaError):
        services.create_version(
            procedure=procedure, name="x", definition={"title": "x", "steps": []}, actor=None
        )
    assert not FormSchema.objects.exists()


def test_the_shipped_declarations_load_by_national_code_and_fill_their_examples():
    unit = make_unit()
    records = read_declarations()
    assert len(records) >= 10
    for record in records:
        make_procedure(unit=unit, code=record["procedure_code"], name=record["name"])
    make_procedure(unit=unit, code="9.999999", name="Không có tờ khai")
    assert services.load_declarations(unit=unit, records=records, actor=None) == {
        "published": len(records),
        "unchanged": 0,
        "missing": 0,
    }
    assert services.load_declarations(unit=unit, records=records, actor=None)["unchanged"] == len(
        records
    )
    for record in records:
        schema = selectors.current_for(unit.procedures.get(code=record["procedure_code"]))
        assert schema.name == record["name"]
        assert schema.source_note, record["procedure_code"]
        example = record["example"]
        assert engine.validate(schema, example, today=TODAY) == {}, record["procedure_code"]
        for step in schema.definition["steps"]:
            form = StepForm(schema, step["key"], answers=example, data={**example})
            assert form.is_valid(), (record["procedure_code"], step["key"], form.errors)
