"""In a real browser at 360 px: the counter officer, signed in alone, takes cash on the fee page,
opens the e-receipt (its PDF rendered to PNG and looked at) and finds the entry in their cash
book; the citizen finds the receipt under "Hồ sơ của tôi"; then the manager, signed in alone,
opens the officer's book of the day and closes it (screenshots looked at)."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Browser, expect

from motcua.catalog.models import Fee
from motcua.payments.models import CashBookDay, Receipt
from tests.citizens.myspace import LAN_ID, citizen
from tests.dossiers.factories import at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NOW = at(2026, 11, 2, 10)


def signed_in(browser: Browser, live_server, user):
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": 360, "height": 800})
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return context


def test_an_officer_takes_cash_opens_the_receipt_and_the_manager_closes_the_day(
    browser: Browser, live_server, shipped_calendar, artifacts_dir, monkeypatch
):
    from tests.dossiers.factories import applicant, make_world, receive

    monkeypatch.setattr(timezone, "now", lambda: NOW.astimezone(dt.UTC))
    w = make_world()
    Fee.objects.filter(procedure=w.procedure).update(legal_basis="NQ 12/2018/NQ-HĐND TP Hải Phòng")
    dossier = receive(w, applicant=applicant(id_number=LAN_ID, name="Nguyễn Thị Lan"))
    errors: list[str] = []

    officer = signed_in(browser, live_server, w.officer)
    page = officer.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/can-bo/thu-phi/ho-so/{dossier.pk}/")
    page.get_by_test_id("make-request").click()
    page.get_by_test_id("take-cash").click()
    expect(page.get_by_test_id("fee-paid")).to_be_visible()
    link = page.get_by_test_id("receipt-link")
    expect(link).to_have_text("Biên lai số 0000001/2026")
    page.screenshot(path=artifacts_dir / "receipt-fee-page-360.png", full_page=True)
    with page.expect_popup() as popup:
        link.click()  # opens in a new tab: the PDF itself, fetched with the officer's session
    popup.value.close()
    pdf = page.request.get(live_server.url + link.get_attribute("href"))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    pdf_path = artifacts_dir / "receipt-0000001-2026.pdf"
    pdf_path.write_bytes(pdf.body())
    subprocess.run(
        ["pdftoppm", "-png", "-r", "70", "-singlefile", str(pdf_path), str(pdf_path)[:-4]],
        check=True,
    )
    page.get_by_test_id("go-cashbook").click()
    expect(page.get_by_test_id("book-row")).to_contain_text("8.000\u00a0đ")
    page.get_by_test_id("open-book").click()
    expect(page.get_by_test_id("entry")).to_contain_text("0000001/2026")
    expect(page.get_by_test_id("close-form")).to_have_count(0)  # the officer cannot close
    page.screenshot(path=artifacts_dir / "cash-book-officer-360.png", full_page=True)
    officer.close()

    lan = signed_in(browser, live_server, citizen(LAN_ID))
    page = lan.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/cong-dan/ho-so/{dossier.code}/")
    expect(page.get_by_test_id("receipt-link")).to_have_text("Biên lai số 0000001/2026")
    mine = page.request.get(
        live_server.url + page.get_by_test_id("receipt-link").get_attribute("href")
    )
    assert mine.ok and mine.body()[:4] == b"%PDF"
    page.screenshot(path=artifacts_dir / "receipt-my-dossier-360.png", full_page=True)
    lan.close()

    manager = signed_in(browser, live_server, w.manager)
    page = manager.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/can-bo/thu-phi/so-quy/")
    expect(page.get_by_test_id("book-row")).to_contain_text("Trần Thị Một Cửa")
    page.get_by_test_id("open-book").click()
    expect(page.get_by_test_id("book-total")).to_have_text("8.000\u00a0đ")
    page.get_by_test_id("close-book").click()
    expect(page.get_by_test_id("closed")).to_contain_text("Đỗ Thị Quản")
    expect(page.get_by_test_id("close-form")).to_have_count(0)
    page.screenshot(path=artifacts_dir / "cash-book-closed-360.png", full_page=True)
    manager.close()

    assert CashBookDay.objects.get().closed_by == w.manager
    assert Receipt.objects.get().collected_by == w.officer
    assert errors == []
