"""In a real browser at 360 px: a citizen sends a petition about their dossier; a wrong
"Mã hồ sơ" comes back with one clear message and everything they typed kept, the right one
goes through and the manager sees the dossier on the petition page (screenshots looked at)."""

from __future__ import annotations

import pytest
from django.test import Client
from playwright.sync_api import Browser, expect

from motcua.petitions.models import Petition

from .conftest import make_dossier

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SUBJECT = "Hồ sơ đất đai chậm trả kết quả"
CONTENT = "Hồ sơ của tôi đã quá hẹn hai tuần mà chưa được trả, không ai báo lý do chậm."


def test_a_petition_about_a_dossier_wrong_code_then_right_code(
    browser: Browser, live_server, world, artifacts_dir
):
    dossier = make_dossier(world.commune, 21)
    make_dossier(world.other, 22)  # another commune's: refused like an unknown code
    errors: list[str] = []
    context = browser.new_context(viewport={"width": 360, "height": 800})
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/phan-anh/{world.commune.code}/gui/")
    page.select_option("#category", label="Đất đai, xây dựng")
    page.fill("#subject", SUBJECT)
    page.fill("#content", CONTENT)
    page.select_option("#village", label="Thôn Đông")
    page.fill("#name", "Nguyễn Văn An")
    page.fill("#phone", "0912 345 678")
    page.get_by_test_id("dossier").fill("000.00.12.H42-261110-0022")
    expect(page.get_by_test_id("pow-status")).to_have_attribute("data-ready", "1", timeout=30_000)
    page.screenshot(path=artifacts_dir / "petition-dossier-typed-360.png", full_page=True)
    page.get_by_test_id("submit").click()

    expect(page.get_by_test_id("dossier-error")).to_contain_text(
        "Không tìm thấy hồ sơ có mã này do đơn vị tiếp nhận hoặc giải quyết"
    )
    expect(page.locator("#subject")).to_have_value(SUBJECT)
    expect(page.locator("#content")).to_have_value(CONTENT)
    expect(page.locator("#category")).to_have_value(str(world.land.pk))
    expect(page.locator("#phone")).to_have_value("0912 345 678")
    expect(page.get_by_test_id("dossier")).to_have_value("000.00.12.H42-261110-0022")
    page.get_by_test_id("dossier-error").scroll_into_view_if_needed()
    page.screenshot(path=artifacts_dir / "petition-dossier-invalid-360.png", full_page=True)
    assert not Petition.objects.exists()

    page.get_by_test_id("dossier").fill(" 000.00.12.h42-261110-0021 ")
    expect(page.get_by_test_id("pow-status")).to_have_attribute("data-ready", "1", timeout=30_000)
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("sent")).to_be_visible()
    page.screenshot(path=artifacts_dir / "petition-dossier-sent-360.png", full_page=True)
    petition = Petition.objects.get()
    assert petition.dossier == dossier

    client = Client()
    client.force_login(world.manager)
    staff = browser.new_context(viewport={"width": 360, "height": 800})
    staff.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    manager = staff.new_page()
    manager.goto(f"{live_server.url}/can-bo/phan-anh/{petition.pk}/")
    expect(manager.get_by_test_id("dossier")).to_have_text(dossier.code)
    expect(manager.locator("#dossier-code")).to_have_value(dossier.code)
    manager.get_by_test_id("dossier-form").scroll_into_view_if_needed()
    manager.screenshot(path=artifacts_dir / "petition-dossier-staff-360.png", full_page=True)
    assert errors == []
    staff.close()
    context.close()
