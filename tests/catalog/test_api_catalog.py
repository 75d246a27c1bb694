"""Public read-only API: published procedures only, accent-insensitive search, no writes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from motcua.catalog.models import Procedure

from .factories import add_parts, make_procedure, make_unit

pytestmark = pytest.mark.django_db
LIST = "/api/v1/procedures/"


@pytest.fixture
def catalog():
    unit, other = make_unit(code="99101"), make_unit(code="99102")
    marriage = add_parts(
        make_procedure(unit=unit, name="Thủ tục đăng ký kết hôn", code="1.000894", complete=True)
    )
    make_procedure(unit=unit, name="Đăng ký khai sinh", code="1.001193")
    make_procedure(unit=other, name="Chứng thực bản sao", code="2.000815", field="Chứng thực")
    make_procedure(unit=unit, name="Bản nháp bí mật", code="9.9", is_published=False)
    return marriage


def names(response):
    return [p["name"] for p in response.json()["results"]]


def test_list_shows_published_procedures_only(client, catalog):
    response = client.get(LIST)
    assert response.status_code == 200
    assert response.json()["count"] == 3
    assert "Bản nháp bí mật" not in names(response)


def test_search_without_accents_finds_the_procedure(client, catalog):
    assert names(client.get(LIST, {"search": "dang ky ket hon"})) == ["Thủ tục đăng ký kết hôn"]
    assert names(client.get(LIST, {"search": "1.001193"})) == ["Đăng ký khai sinh"]


def test_filter_by_field_code_and_unit_code(client, catalog):
    field_code = Procedure.objects.get(code="2.000815").field.code
    assert names(client.get(LIST, {"field": field_code})) == ["Chứng thực bản sao"]
    assert set(names(client.get(LIST, {"unit": "99101"}))) == {
        "Thủ tục đăng ký kết hôn",
        "Đăng ký khai sinh",
    }


def test_detail_has_fees_components_steps_and_legal_basis_list(client, catalog):
    data = client.get(f"{LIST}{catalog.pk}/").json()
    assert data["code"] == "1.000894"
    assert data["legal_basis"] == ["Luật Hộ tịch 2014"]
    assert {f["amount_vnd"] for f in data["fees"]} == {0, 8000}
    assert data["fees"][0]["kind_display"] in {"Phí", "Lệ phí"}
    assert data["components"][0]["name"] == "Tờ khai đăng ký kết hôn"
    assert [s["name"] for s in data["steps"]] == ["Tiếp nhận", "Thẩm định"]
    assert data["unit"] == {"code": "99101", "name": catalog.unit.name}


def test_a_draft_is_not_found_by_id(client, catalog):
    draft = Procedure.objects.get(code="9.9")
    assert client.get(f"{LIST}{draft.pk}/").status_code == 404


def test_the_api_is_read_only(client, catalog):
    assert client.post(LIST, {"code": "x"}).status_code in (403, 405)
    assert client.delete(f"{LIST}{catalog.pk}/").status_code in (403, 405)
    assert Procedure.objects.count() == 4


def test_fields_list_counts_published_procedures(client, catalog):
    rows = client.get("/api/v1/fields/").json()["results"]
    assert {r["name"]: r["published_count"] for r in rows} == {"Hộ tịch": 2, "Chứng thực": 1}


def catalog_queries(client) -> list[str]:
    """SQL of one list request, without the rate limiter's cache queries."""
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(LIST).status_code == 200
    sql = [q["sql"] for q in ctx.captured_queries]
    return [s for s in sql if "motcua_cache" not in s and "SAVEPOINT" not in s]


def test_list_queries_do_not_grow_with_the_number_of_procedures(
    client, catalog, django_assert_max_num_queries
):
    few = catalog_queries(client)
    for i in range(30):
        add_parts(make_procedure(unit=catalog.unit, name=f"Thủ tục số {i}", code=f"5.{i}"))
    many = catalog_queries(client)
    assert len(few) == len(many) <= 2  # a count and one page of rows with field and unit
    with django_assert_max_num_queries(10):  # the same, cache/throttle included
        assert client.get(LIST).json()["count"] == 33


def test_openapi_schema_and_docs_answer(client):
    schema = client.get(reverse("api-schema"))
    assert schema.status_code == 200
    assert "/api/v1/procedures/" in schema.content.decode()
    assert client.get(reverse("api-docs")).status_code == 200
