"""In a real browser, at 360 px and 1280 px: the counter officer types the citizen ID, taps
"Tra cứu CSDL dân cư", sees the person and the form filled, and receives the dossier verified
through the population database; with the registry down the officer is told so in Vietnamese
and receives by typing (screenshots under /tmp/shots-registry, looked at)."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from playwright.sync_api import Browser, expect

from motcua.core import calendar
from motcua.dossiers.models import Dossier, IdentityVia
from tests.dossiers.factories import make_procedure

from .conftest import LAN

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots-registry")


@pytest.fixture
def procedure(live_server, people, vinh_bao, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    calendar.clear_cache()
    call_command("load_calendar", stdout=StringIO())
    yield make_procedure(vinh_bao.parent)
    calendar.clear_cache()


def _signed_in(browser: Browser, live_server, user, width: int):
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return context, page, errors


def _fits(page) -> None:
    widths = page.evaluate(
        "({scroll: document.scrollingElement.scrollWidth, inner: window.innerWidth})"
    )
    assert widths["scroll"] <= widths["inner"], widths


@pytest.mark.parametrize("width", [360, 1280])
def test_the_officer_looks_the_applicant_up_and_receives_a_verified_dossier(
    browser: Browser, live_server, procedure, officer, width
):
    SHOTS.mkdir(exist_ok=True)
    context, page, errors = _signed_in(browser, live_server, officer, width)
    page.goto(f"{live_server.url}/can-bo/mot-cua/tiep-nhan/?thu_tuc={procedure.pk}")
    page.get_by_label("Số định danh cá nhân / mã số thuế").fill("0311 9001 2345")
    page.get_by_test_id("registry-lookup").click()
    result = page.get_by_test_id("registry-result")
    expect(result).to_contain_text("Đã tìm thấy trong CSDL quốc gia về dân cư")
    expect(result).to_contain_text("14/03/1990")
    expect(page.get_by_label("Họ tên / tên tổ chức")).to_have_value("Nguyễn Thị Lan")
    expect(page.get_by_label("Địa chỉ")).to_have_value(
        "Tổ dân phố 1, xã Vĩnh Bảo, thành phố Hải Phòng"
    )
    _fits(page)
    result.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / f"reception-lookup-found-{width}.png"))
    page.get_by_test_id("submit-reception").click()
    page.wait_for_url("**/ho-so/*/?moi=1")
    dossier = Dossier.objects.get()
    assert dossier.identity_verified_via == IdentityVia.POPULATION_DB
    expect(page.locator("body")).to_contain_text("Cơ sở dữ liệu quốc gia về dân cư")
    page.screenshot(path=str(SHOTS / f"reception-verified-dossier-{width}.png"), full_page=True)
    assert errors == []
    context.close()


def test_with_the_registry_down_the_officer_is_told_and_receives_by_typing(
    browser: Browser, live_server, procedure, officer, settings
):
    SHOTS.mkdir(exist_ok=True)
    settings.MOTCUA_REGISTRY_DOWN = True
    context, page, _errors = _signed_in(browser, live_server, officer, 360)
    page.goto(f"{live_server.url}/can-bo/mot-cua/tiep-nhan/?thu_tuc={procedure.pk}")
    page.get_by_label("Số định danh cá nhân / mã số thuế").fill(LAN)
    page.get_by_test_id("registry-lookup").click()
    result = page.get_by_test_id("registry-result")
    expect(result).to_contain_text("Không kết nối được Cơ sở dữ liệu quốc gia về dân cư")
    expect(result).to_contain_text("Vẫn tiếp nhận được")
    _fits(page)
    result.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "reception-lookup-down-360.png"))
    page.get_by_label("Họ tên / tên tổ chức").fill("Nguyễn Thị Lan")
    page.get_by_test_id("submit-reception").click()
    page.wait_for_url("**/ho-so/*/?moi=1")
    dossier = Dossier.objects.get()
    assert not dossier.identity_verified
    context.close()


def test_the_lookup_log_fits_a_phone(browser: Browser, live_server, people, officer, manager):
    from motcua.registry import lookup

    SHOTS.mkdir(exist_ok=True)
    unit = officer.assignments.get().unit
    lookup(LAN, actor=officer, purpose="reception", unit=unit)
    lookup("031099000000", actor=officer, purpose="reception", unit=unit)
    context, page, errors = _signed_in(browser, live_server, manager, 360)
    page.goto(f"{live_server.url}/can-bo/dan-cu/nhat-ky/")
    expect(page.get_by_test_id("lookup-row")).to_have_count(2)
    expect(page.get_by_test_id("lookup-row").first).to_contain_text("Không tìm thấy")
    _fits(page)
    page.screenshot(path=str(SHOTS / "lookup-log-360.png"), full_page=True)
    assert errors == []
    context.close()
