"""The preview at 360 px: a phone-sized form, prefilled fields marked, conditions applied."""

from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from motcua.eforms import services
from tests.catalog.factories import make_admin, make_procedure, make_unit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_preview_of_the_birth_declaration_on_a_small_phone(live_server, browser, birth):
    unit = make_unit()
    procedure = make_procedure(unit=unit, code="1.001193", name="Thủ tục đăng ký khai sinh")
    schema = services.create_version(
        procedure=procedure,
        name="Tờ khai đăng ký khai sinh",
        definition=birth,
        actor=None,
        publish=True,
    )
    client = Client()
    client.force_login(make_admin(unit, is_staff=True))
    context = browser.new_context(viewport={"width": 360, "height": 800})
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    url = live_server.url + reverse("eforms:preview", args=[schema.pk])
    shots = Path("/tmp/shots-eforms")
    shots.mkdir(exist_ok=True)

    page.goto(url)
    assert page.locator("#id_requester_name").input_value() == "Lê Thị Hoa"
    assert page.locator("#id_requester_name").get_attribute("readonly") is not None
    assert page.get_by_text("Lấy từ VNeID").first.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(shots / "preview-requester-360.png"), full_page=True)

    page.goto(url + "?buoc=ban_sao")
    count = page.locator("[data-testid=field-copies_count]")
    assert not count.is_visible()  # only if copies are asked for
    page.check("#id_copies_wanted")
    assert count.is_visible()
    page.screenshot(path=str(shots / "preview-copies-360.png"), full_page=True)

    page.goto(url + "?buoc=nguoi_duoc_khai_sinh")
    page.fill("#id_child_birthdate", "2030-01-01")
    with page.expect_navigation():
        page.click("form[data-eform] button[type=submit]")
    assert (
        "Vui lòng nhập «Họ, chữ đệm, tên»."
        in page.locator("[data-testid=field-child_name]").inner_text()
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(shots / "preview-child-errors-360.png"), full_page=True)
    assert errors == []
    context.close()
