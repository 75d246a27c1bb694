"""A counter officer signs in with a password and reaches the workspace (Trang làm việc)."""

import re

import pytest
from playwright.sync_api import Page, expect

from .conftest import OFFICER, assert_clean_console, assert_fits_the_screen

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WRONG_PASSWORD = "Tên đăng nhập hoặc mật khẩu không đúng. Vui lòng kiểm tra và thử lại."


def sign_in(page: Page, username: str, password: str) -> None:
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập", exact=True).click()


def expect_workspace(page: Page, live_server) -> None:
    expect(page).to_have_url(f"{live_server.url}/can-bo/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Trang làm việc")
    who = page.locator(".who")
    expect(who.locator(".who-name")).to_have_text(OFFICER["full_name"])
    expect(who).to_contain_text("Xã Vĩnh Bảo")
    expect(who.locator(".badge.role")).to_have_text("Cán bộ một cửa")
    expect(page.get_by_role("navigation", name="Khu vực cán bộ")).to_be_visible()


def test_counter_officer_signs_in_and_sees_the_workspace(
    live_server, officer, phone, desktop, shoot
):
    # The staff area is closed to anyone not signed in: the header link leads to the form.
    phone.goto(f"{live_server.url}/can-bo/")
    expect(phone).to_have_url(re.compile(r"/can-bo/dang-nhap/\?next=/can-bo/$"))
    expect(phone.get_by_role("heading", level=1)).to_have_text("Cán bộ đăng nhập")

    sign_in(phone, OFFICER["username"], "mat-khau-sai-2026")
    expect(phone.get_by_role("alert")).to_have_text(WRONG_PASSWORD)
    expect(phone.get_by_label("Mật khẩu")).to_have_value("")  # never echoed back
    expect(phone.get_by_label("Tên đăng nhập")).to_have_value(OFFICER["username"])
    assert_fits_the_screen(phone)
    shoot(phone, "login-wrong-password")

    sign_in(phone, OFFICER["username"], OFFICER["password"])
    expect_workspace(phone, live_server)
    # The header now leads to the workspace instead of the sign-in form.
    header = phone.get_by_role("navigation", name="Liên kết chính")
    expect(header.get_by_role("link", name="Làm việc")).to_be_visible()
    expect(header.get_by_role("link", name="Cán bộ đăng nhập")).to_have_count(0)
    assert_fits_the_screen(phone)
    assert_clean_console(phone)
    shoot(phone, "workspace")

    desktop.goto(f"{live_server.url}/can-bo/dang-nhap/")
    sign_in(desktop, OFFICER["username"], OFFICER["password"])
    expect_workspace(desktop, live_server)
    assert_clean_console(desktop)
    shoot(desktop, "workspace")

    # Signing out returns to the public catalog; the staff area is closed again.
    phone.get_by_role("button", name="Đăng xuất").tap()
    expect(phone).to_have_url(f"{live_server.url}/thu-tuc/")
    expect(phone.get_by_role("link", name="Cán bộ đăng nhập")).to_be_visible()
    phone.goto(f"{live_server.url}/can-bo/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Cán bộ đăng nhập")


def test_sign_in_form_asks_for_what_is_missing(live_server, officer, phone):
    phone.goto(f"{live_server.url}/can-bo/dang-nhap/")
    phone.get_by_role("button", name="Đăng nhập", exact=True).click()

    expect(phone.get_by_text("Vui lòng nhập tên đăng nhập.")).to_be_visible()
    expect(phone.get_by_text("Vui lòng nhập mật khẩu.")).to_be_visible()
    expect(phone).to_have_url(f"{live_server.url}/can-bo/dang-nhap/")
