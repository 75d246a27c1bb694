"""The best match comes first: "khai sinh" + Enter at the counter opens "Đăng ký khai sinh",
not "Cấp bản sao ... Giấy khai sinh". Names are the demo catalogue's real names."""

import json
from pathlib import Path

import pytest
from django.urls import reverse

import motcua.catalog
from motcua.accounts.models import Role, StaffAssignment, User
from motcua.catalog import selectors
from motcua.catalog.models import Procedure

from .factories_public import make_procedure, make_unit

pytestmark = pytest.mark.django_db

DEMO = Path(motcua.catalog.__file__).parent / "data" / "demo_procedures.json"


def demo_rows() -> list[dict]:
    data = json.loads(DEMO.read_text(encoding="utf-8"))
    return data["procedures"] if isinstance(data, dict) else data


@pytest.fixture
def demo_catalog():
    unit = make_unit(name="Xã An Hưng")
    for row in demo_rows():
        make_procedure(name=row["name"], code=row["code"], unit=unit)
    return unit


def names(query: str) -> list[str]:
    found = selectors.search_procedures(selectors.published_procedures(), query)
    return [p.name for p in found]


def test_khai_sinh_puts_the_birth_registration_first(demo_catalog):
    found = names("khai sinh")
    assert found[0] == "Thủ tục đăng ký khai sinh"
    assert found.index("Thủ tục đăng ký khai sinh") < found.index(
        "Cấp bản sao Trích lục hộ tịch, bản sao Giấy khai sinh"
    )


@pytest.mark.parametrize(
    "query",
    ["đăng ký khai sinh", "Đăng ký khai sinh", "DANG KY KHAI SINH", "thủ tục đăng ký khai sinh"],
)
def test_exact_name_wins_ignoring_accents_case_and_leading_thu_tuc(demo_catalog, query):
    assert names(query)[0] == "Thủ tục đăng ký khai sinh"


def test_names_starting_with_the_words_come_before_names_containing_them(demo_catalog):
    found = names("đăng ký khai sinh")
    starting = [
        "Thủ tục đăng ký khai sinh",  # exact
        # starting with the words, the shorter name first
        "Thủ tục đăng ký khai sinh lưu động",
        "Thủ tục đăng ký khai sinh có yếu tố nước ngoài",
    ]
    assert found[:3] == starting
    # "... đăng ký lại khai sinh" has every word but not the phrase: after every phrase match
    assert found.index("Thủ tục đăng ký lại khai sinh") > found.index(
        "Đăng ký khai sinh, đăng ký thường trú, cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi"
    )


def test_khai_tu_and_the_code_still_find_what_they_did(demo_catalog):
    assert names("khai tu")[0] == "Thủ tục đăng ký khai tử"
    assert names("1.001193") == ["Thủ tục đăng ký khai sinh"]
    assert names("xyz không có") == []


def test_public_catalog_search_uses_the_same_order(client, demo_catalog):
    results = list(selectors.public_catalog(selectors.PublicFilters(query="khai sinh")))
    assert results[0].name == "Thủ tục đăng ký khai sinh"
    # without a query the public list stays grouped by field, then by name
    plain = list(selectors.public_catalog(selectors.PublicFilters()))
    assert plain == sorted(plain, key=lambda p: (p.field.name, p.name, p.pk))


def test_counter_search_offers_birth_registration_first(client, demo_catalog):
    officer = User.objects.create_user(username="quay", password=None, full_name="Một Cửa")
    StaffAssignment.objects.create(user=officer, unit=demo_catalog, role=Role.COUNTER_OFFICER)
    client.force_login(officer)
    html = client.get(reverse("dossiers:counter_procedure_search"), {"q": "khai sinh"}).content
    first = Procedure.objects.get(name="Thủ tục đăng ký khai sinh")
    links = html.decode().split('data-testid="procedure-result"')
    assert f"?thu_tuc={first.pk}" in links[0].rsplit("<li>", 1)[-1]
