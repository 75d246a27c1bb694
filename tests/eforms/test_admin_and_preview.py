"""Administrators edit declarations without code, audited and scoped; others cannot."""

import json

import pytest
from django.urls import reverse

from motcua.accounts.models import Role
from motcua.core.models import AuditEvent, Unit
from motcua.eforms import services
from motcua.eforms.models import FormSchema
from tests.catalog.factories import make_admin, make_procedure, make_unit, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(birth):
    unit, other = make_unit(), make_unit()
    procedure = make_procedure(unit=unit, code="1.001193", name="Thủ tục đăng ký khai sinh")
    theirs = make_procedure(unit=other, code="1.001193", name="Thủ tục đăng ký khai sinh")
    schema = services.create_version(
        procedure=procedure,
        name="Tờ khai đăng ký khai sinh",
        definition=birth,
        actor=None,
        publish=True,
    )
    foreign = services.create_version(
        procedure=theirs, name="Tờ khai của xã khác", definition=birth, actor=None, publish=True
    )
    return {
        "unit": unit,
        "procedure": procedure,
        "schema": schema,
        "foreign": foreign,
        "admin": make_admin(unit, is_staff=True),
    }


def post_data(schema: FormSchema, **overrides) -> dict:
    data = {
        "name": schema.name,
        "form_number": schema.form_number,
        "confidence": schema.confidence,
        "source_note": schema.source_note,
        "definition": json.dumps(schema.definition, ensure_ascii=False),
    }
    data.update(overrides)
    return data


def test_editing_a_published_schema_in_admin_creates_the_next_version(client, world):
    client.force_login(world["admin"])
    schema = world["schema"]
    definition = dict(schema.definition, title="TỜ KHAI ĐĂNG KÝ KHAI SINH (sửa)")
    response = client.post(
        reverse("admin:eforms_formschema_change", args=[schema.pk]),
        post_data(schema, definition=json.dumps(definition, ensure_ascii=False), publish_now="on"),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    schema.refresh_from_db()
    assert (
        schema.status == FormSchema.Status.RETIRED
        and schema.definition["title"] == "TỜ KHAI ĐĂNG KÝ KHAI SINH"
    )
    new = FormSchema.objects.get(procedure=world["procedure"], version=2)
    assert new.status == FormSchema.Status.PUBLISHED and new.created_by == world["admin"]
    event = AuditEvent.objects.filter(action="eforms.schema.published").latest("id")
    assert event.actor == world["admin"] and event.changes["replaces"] == 1


def test_applying_a_retired_version_again_makes_it_the_next_version(client, world):
    client.force_login(world["admin"])
    v1 = world["schema"]
    services.revise(schema=v1, actor=None, publish=True, name="Tờ khai v2")
    v1.refresh_from_db()
    assert v1.status == FormSchema.Status.RETIRED
    response = client.post(
        reverse("admin:eforms_formschema_change", args=[v1.pk]), post_data(v1, publish_now="on")
    )
    assert response.status_code == 302
    current = FormSchema.objects.get(
        procedure=world["procedure"], status=FormSchema.Status.PUBLISHED
    )
    assert current.version == 3 and current.name == "Tờ khai đăng ký khai sinh"
    assert current.definition == v1.definition


def test_adding_a_schema_with_bad_json_or_rules_shows_vietnamese_errors(client, world):
    client.force_login(world["admin"])
    url = reverse("admin:eforms_formschema_add")
    bad = {
        "procedure": world["procedure"].pk,
        "name": "Tờ khai",
        "confidence": "partial",
        "definition": "{",
    }
    page = client.post(url, bad).content.decode()
    assert "JSON không hợp lệ" in page
    wrong = {
        **bad,
        "definition": json.dumps(
            {
                "title": "T",
                "steps": [
                    {
                        "key": "a",
                        "title": "A",
                        "fields": [{"name": "x", "label": "X", "type": "ngay"}],
                    }
                ],
            }
        ),
    }
    page = client.post(url, wrong).content.decode()
    assert "loại trường không có" in page
    assert FormSchema.objects.count() == 2
    good = {**bad, "definition": json.dumps(world["schema"].definition, ensure_ascii=False)}
    assert client.post(url, good).status_code == 302
    assert FormSchema.objects.filter(
        procedure=world["procedure"], status="draft", version=2
    ).exists()


def test_another_units_schema_is_neither_listed_nor_editable(client, world):
    client.force_login(world["admin"])
    page = client.get(reverse("admin:eforms_formschema_changelist")).content.decode()
    assert "Tờ khai đăng ký khai sinh" in page and "Tờ khai của xã khác" not in page
    foreign = world["foreign"]
    response = client.post(
        reverse("admin:eforms_formschema_change", args=[foreign.pk]), post_data(foreign)
    )
    assert response.status_code in (302, 404)
    assert FormSchema.objects.filter(procedure=foreign.procedure).count() == 1
    add = client.post(
        reverse("admin:eforms_formschema_add"),
        {**post_data(foreign), "procedure": foreign.procedure.pk},
    )
    assert add.status_code == 200  # the form refuses a procedure of another unit as a choice
    assert FormSchema.objects.filter(procedure=foreign.procedure).count() == 1


def test_a_commune_administrator_cannot_edit_the_provinces_schema(client, birth):
    province = make_unit(kind=Unit.Kind.PROVINCE, name="Thành phố Thử Nghiệm")
    commune = make_unit(parent=province)
    provincial = services.create_version(
        procedure=make_procedure(unit=province, code="1.001193", name="Thủ tục đăng ký khai sinh"),
        name="Tờ khai của tỉnh",
        definition=birth,
        actor=None,
        publish=True,
    )
    client.force_login(make_admin(commune, is_staff=True))
    assert (
        "Tờ khai của tỉnh"
        not in client.get(reverse("admin:eforms_formschema_changelist")).content.decode()
    )
    response = client.post(
        reverse("admin:eforms_formschema_change", args=[provincial.pk]),
        post_data(provincial, name="Sửa của tỉnh"),
    )
    assert response.status_code in (302, 404)
    assert client.get(reverse("eforms:preview", args=[provincial.pk])).status_code == 404
    assert FormSchema.objects.get().name == "Tờ khai của tỉnh"
    # the province's administrator reaches it (and the communes under it)
    client.force_login(make_admin(province, is_staff=True))
    assert client.get(reverse("eforms:preview", args=[provincial.pk])).status_code == 200


def test_a_non_administrator_cannot_edit_or_preview(client, world):
    specialist = make_user((Role.SPECIALIST, world["unit"]), is_staff=True)
    client.force_login(specialist)
    schema = world["schema"]
    response = client.post(
        reverse("admin:eforms_formschema_change", args=[schema.pk]), post_data(schema, name="Đổi")
    )
    assert response.status_code in (302, 403)
    assert FormSchema.objects.filter(procedure=world["procedure"]).count() == 1
    assert client.get(reverse("eforms:preview", args=[schema.pk])).status_code == 403


def test_versions_cannot_be_deleted(client, world):
    client.force_login(world["admin"])
    response = client.post(
        reverse("admin:eforms_formschema_delete", args=[world["schema"].pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert FormSchema.objects.filter(pk=world["schema"].pk).exists()


def test_preview_renders_each_step_prefilled_and_checks_a_post(client, world):
    client.force_login(world["admin"])
    schema = world["schema"]
    url = reverse("eforms:preview", args=[schema.pk])
    page = client.get(url).content.decode()
    assert "Lê Thị Hoa" in page and "Lấy từ VNeID" in page and "readonly" in page
    assert (
        "Xem lại cả tờ khai" in page
        and "<dt>Họ, chữ đệm, tên người cha</dt><dd>Trần Văn Minh</dd>" in page
    )
    assert 'aria-describedby="id_requester_citizen_id_help id_requester_citizen_id_source"' in page
    child = client.get(url + "?buoc=nguoi_duoc_khai_sinh").content.decode()
    assert 'inputmode="numeric"' not in child.split("child_name")[1][:200]
    response = client.post(
        url + "?buoc=nguoi_duoc_khai_sinh", {"child_name": "", "child_birthdate": "2030-01-01"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Vui lòng nhập «Họ, chữ đệm, tên»." in body and 'aria-invalid="true"' in body
    changed_id = client.post(url, {"requester_citizen_id": "031196009999"})
    assert "không sửa được ở đây" in changed_id.content.decode()
    ok = client.post(
        url + "?buoc=nguoi_duoc_khai_sinh",
        {
            "child_name": "Trần Bình An",
            "child_birthdate": "2026-11-20",
            "child_sex": "Nam",
            "child_ethnicity": "Kinh",
            "child_nationality": "Việt Nam",
            "child_birthplace": "Trạm y tế xã An Lão",
            "child_hometown": "xã An Lão, thành phố Hải Phòng",
        },
    )
    assert ok.status_code == 200 and "Bước này hợp lệ" in ok.content.decode()
    pdf = client.get(reverse("eforms:preview_pdf", args=[schema.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert client.get(reverse("eforms:preview", args=[world["foreign"].pk])).status_code == 404
    assert client.get(url + "?buoc=%00khong-co").status_code in (200, 400)


def test_preview_marks_a_step_hidden_for_the_sample_answers(client, world, declarations):
    client.force_login(world["admin"])
    marital = services.create_version(
        procedure=make_procedure(unit=world["unit"], code="1.004873"),
        name="Tờ khai cấp Giấy xác nhận tình trạng hôn nhân",
        definition=declarations["1.004873"]["definition"],
        actor=None,
        publish=True,
    )
    page = client.get(reverse("eforms:preview", args=[marital.pk])).content.decode()
    assert '2. Người được xác nhận <span class="small">(ẩn với dữ liệu này)</span>' in page


def test_the_admin_change_page_links_to_the_preview(client, world):
    client.force_login(world["admin"])
    page = client.get(
        reverse("admin:eforms_formschema_change", args=[world["schema"].pk])
    ).content.decode()
    assert reverse("eforms:preview", args=[world["schema"].pk]) in page
