"""In a real browser at 360 px: the counter officer opens a received dossier's fees, sees each
line with its legal basis, makes the request and takes cash (screenshots looked at; a second
press of the same form is tested in test_counter_fees_page)."""

from __future__ import annotations

import pytest
from django.test import Client
from playwright.sync_api import Browser, expect

from motcua.catalog.models import Fee
from motcua.payments.models import PaymentAttempt

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_officer_takes_cash_for_a_dossiers_fees_on_a_phone(
    browser: Browser, live_server, shipped_calendar, artifacts_dir
):
    from tests.dossiers.factories import make_world, receive

    w = make_world()
    Fee.objects.filter(procedure=w.procedure).update(
        legal_basis="NQ 12/2018/NQ-HĐND TP Hải Phòng", condition="nộp trực tiếp tại UBND xã"
    )
    dossier = receive(w)
    client = Client()
    client.force_login(w.officer)
    context = browser.new_context(viewport={"width": 360, "height": 800})
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    page.goto(f"{live_server.url}/can-bo/mot-cua/ho-so/{dossier.pk}/")
    page.get_by_test_id("go-fees").click()
    expect(page.get_by_test_id("fee-lines")).to_contain_text("NQ 12/2018/NQ-HĐND TP Hải Phòng")
    expect(page.get_by_test_id("fee-total")).to_have_text("8.000\u00a0đ")
    page.screenshot(path=artifacts_dir / "counter-fees-360.png", full_page=True)
    page.get_by_test_id("make-request").click()
    expect(page.locator(".messages")).to_contain_text("Đã lập yêu cầu thu")
    page.get_by_test_id("take-cash").click()
    expect(page.get_by_test_id("fee-paid")).to_be_visible()
    expect(page.get_by_test_id("attempt")).to_contain_text("Tiền mặt tại quầy")
    page.screenshot(path=artifacts_dir / "counter-fees-paid-360.png", full_page=True)
    assert PaymentAttempt.objects.filter(status="paid").count() == 1
    assert errors == []
    context.close()
