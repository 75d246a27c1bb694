"""In a real browser at 360 px: an anonymous villager sends a petition (the page's script solves
the proof-of-work), the manager assigns it, the handler answers with names and a phone in it,
the leader publishes it, and the villager, following the code, reads the answer with the
personal data removed and rates it (screenshots looked at)."""

from __future__ import annotations

import pytest
from django.test import Client
from playwright.sync_api import Browser, expect

from motcua.petitions.models import Petition

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _staff_page(browser: Browser, live_server, user):
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": 360, "height": 800})
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return context, context.new_page()


def test_a_petition_from_the_form_to_the_published_answer(
    browser: Browser, live_server, world, settings, artifacts_dir
):
    settings.MOTCUA_PETITION_POW_BITS = 16
    errors: list[str] = []
    citizen = browser.new_context(viewport={"width": 360, "height": 800})
    page = citizen.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/phan-anh/{world.commune.code}/gui/")
    page.select_option("#category", label="Giao thông, đường sá")
    page.fill("#subject", "Ổ gà lớn trước nhà văn hóa thôn Đông")
    page.fill("#content", "Đoạn đường trước nhà văn hóa có ổ gà sâu, đã có xe máy ngã.")
    page.select_option("#village", label="Thôn Đông")
    page.get_by_test_id("anonymous").check()
    expect(page.locator("#contact")).to_be_hidden()
    expect(page.get_by_test_id("pow-status")).to_have_attribute("data-ready", "1", timeout=30_000)
    page.screenshot(path=artifacts_dir / "petition-form-360.png", full_page=True)
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("sent")).to_be_visible()
    code = page.get_by_test_id("code").inner_text().strip()
    page.screenshot(path=artifacts_dir / "petition-sent-360.png", full_page=True)
    petition = Petition.objects.get(code=code)
    assert petition.anonymous and petition.department == world.economy

    manager_ctx, manager = _staff_page(browser, live_server, world.manager)
    manager.goto(f"{live_server.url}/can-bo/phan-anh/")
    expect(manager.get_by_test_id("department-counts")).to_contain_text("Phòng Kinh tế")
    manager.screenshot(path=artifacts_dir / "petition-staff-list-360.png", full_page=True)
    manager.get_by_role("link", name="Ổ gà lớn trước nhà văn hóa thôn Đông").click()
    manager.select_option("#handler", label="Lê Văn Xử")
    manager.get_by_test_id("assign").click()
    expect(manager.get_by_test_id("handler")).to_have_text("Lê Văn Xử")
    manager.screenshot(path=artifacts_dir / "petition-staff-assigned-360.png", full_page=True)

    handler_ctx, handler = _staff_page(browser, live_server, world.handler)
    handler.goto(f"{live_server.url}/can-bo/phan-anh/{petition.pk}/")
    handler.fill(
        "#answer-text",
        "Ngày 20/11/2026 Phòng Kinh tế đã vá ổ gà. Ông Trần Văn Bình (0987 654 321), "
        "số nhà 12 ngõ 5, đã hỗ trợ rào chắn.",
    )
    handler.get_by_test_id("answer-submit").click()
    expect(handler.get_by_test_id("status")).to_have_attribute("data-status", "answered")

    manager.reload()
    manager.get_by_test_id("publish").click()
    expect(manager.get_by_test_id("published-answer")).to_contain_text("[họ tên]")
    manager.screenshot(path=artifacts_dir / "petition-staff-published-360.png", full_page=True)

    page.goto(f"{live_server.url}/phan-anh/tra-cuu/")
    page.fill("#ma", code.lower())
    page.get_by_role("button", name="Tra cứu").click()
    answer = page.get_by_test_id("answer")
    expect(answer).to_contain_text("Phòng Kinh tế đã vá ổ gà")
    for secret in ("Trần Văn Bình", "0987", "654 321", "số nhà 12"):
        expect(answer).not_to_contain_text(secret)
    page.get_by_test_id("rate-satisfied").click()
    expect(page.get_by_test_id("rated")).to_contain_text("Hài lòng")
    page.screenshot(path=artifacts_dir / "petition-answer-rated-360.png", full_page=True)

    page.goto(f"{live_server.url}/phan-anh/cong-khai/")
    expect(page.get_by_test_id(f"published-{code}")).to_contain_text("Phòng Kinh tế đã vá ổ gà")
    page.screenshot(path=artifacts_dir / "petition-public-list-360.png", full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    assert errors == []
    for context in (citizen, manager_ctx, handler_ctx):
        context.close()
