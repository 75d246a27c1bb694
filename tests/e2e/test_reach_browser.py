"""Reach, in Debian chromium: the citizens' home page on a 360 px phone leads to every public
service; a printed receipt's QR code, read off the PDF the way a phone camera reads paper,
opens the tracking page of the address being served; a demo result signed for real verifies on
the public page, by its QR and by upload. MOTCUA_PUBLIC_BASE_URL is the live server's address,
as `make run` sets it to the address it serves. Screenshots e2e-reach-*.png are looked at.
"""

import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command
from playwright.sync_api import Browser, Page, expect

from motcua.core import calendar
from motcua.core.models import Unit
from motcua.demo import signed_results
from motcua.demo.dossiers import PLACEHOLDER
from motcua.documents import pki
from motcua.dossiers import services as dossier_services
from motcua.dossiers.models import DossierDocument, Status
from motcua.queueing import services as queue_services
from motcua.queueing.models import BookingRule, Service
from tests.clock import Clock
from tests.dossiers.factories import CITIZEN_ID, applicant, drive_to, make_world
from tests.queueing.conftest import TUESDAY_9AM

from .conftest import MARRIAGE, _page, assert_clean_console, assert_fits_the_screen

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Mot-cua-An-Hung-2026"


@pytest.fixture(autouse=True)
def _served_here(settings, live_server, tmp_path, monkeypatch):
    """Links carry the served address; own media, signing keys and cache (lookup throttles)."""
    settings.MOTCUA_PUBLIC_BASE_URL = live_server.url
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MOTCUA_PKI_DIR = str(tmp_path / "pki")
    for name in ("MOTCUA_SIGNING_P12_PATH", "MOTCUA_SIGNING_P12_PASSWORD", "MOTCUA_TRUST_ROOTS"):
        monkeypatch.delenv(name, raising=False)
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "reach"}
    }
    cache.clear()
    yield
    cache.clear()


def read_qr(pdf: bytes, stem: Path) -> str:
    """The QR code on the PDF's first page, decoded from a 200 dpi rendering by zbarimg (what a
    phone camera does with the paper). The page is kept as PNG beside the screenshots."""
    stem.with_suffix(".pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "200", "-f", "1", "-l", "1", "-singlefile",
         str(stem.with_suffix(".pdf")), str(stem)],
        check=True,
    )  # fmt: skip
    out = subprocess.run(
        ["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(stem) + ".png"],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


def back_home(page: Page, url: str) -> None:
    page.goto(f"{url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dịch vụ công cho người dân")


# --- the home page --------------------------------------------------------------------------


def test_the_home_page_on_a_phone_leads_to_every_public_service(
    live_server, phone: Page, commune, catalog, shoot, monkeypatch
):
    monkeypatch.setattr(queue_services, "now", Clock(TUESDAY_9AM))  # the queue gives numbers
    civil = Service.objects.create(unit=commune, code="A", name="Hộ tịch")
    civil.procedures.add(catalog[MARRIAGE])
    BookingRule.objects.create(service=civil)
    url = live_server.url

    phone.goto(f"{url}/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Dịch vụ công cho người dân")
    expect(phone.get_by_test_id("home-unit")).to_contain_text("Xã Vĩnh Bảo")
    assert_fits_the_screen(phone)
    shoot(phone, "reach-home")

    # Search the catalog without accents, straight from the home page.
    phone.get_by_test_id("home-search").fill("dang ky ket hon")
    with phone.expect_navigation():
        phone.get_by_test_id("home-search").press("Enter")
    expect(phone).to_have_url(f"{url}/thu-tuc/?q=dang+ky+ket+hon")
    expect(phone.get_by_role("link", name="Thủ tục đăng ký kết hôn", exact=True)).to_be_visible()

    for testid, path, heading in (
        ("go-ticket", "/hang-doi/11824/", "Lấy số thứ tự"),
        ("go-booking", "/hang-doi/dat-hen/11824/", "Đặt lịch hẹn"),
        ("go-tracking", "/tra-cuu/", None),
        ("go-verify", "/xac-thuc/", None),
        ("go-catalog", "/thu-tuc/", "Tra cứu thủ tục hành chính"),
    ):
        back_home(phone, url)
        with phone.expect_navigation():
            phone.get_by_test_id(testid).click()
        expect(phone).to_have_url(f"{url}{path}")
        if heading:
            expect(phone.get_by_role("heading", level=1)).to_contain_text(heading)
        assert_fits_the_screen(phone)
    expect(phone.get_by_role("heading", level=1)).to_be_visible()

    # The procedure page offers booking and a ticket; the ticket opens with its service chosen.
    phone.goto(f"{url}/thu-tuc/{catalog[MARRIAGE].pk}/")
    actions = phone.get_by_test_id("procedure-actions")
    expect(actions.get_by_test_id("action-book")).to_have_text("Đặt lịch hẹn")
    expect(actions.get_by_test_id("action-ticket")).to_have_text("Lấy số thứ tự")
    assert_fits_the_screen(phone)
    shoot(phone, "reach-procedure")
    with phone.expect_navigation():
        actions.get_by_test_id("action-ticket").click()
    expect(phone).to_have_url(f"{url}/hang-doi/11824/?dich-vu={civil.pk}")
    expect(phone.locator(f'input[name=service][value="{civil.pk}"]')).to_be_checked()
    shoot(phone, "reach-ticket-chosen")
    phone.goto(f"{url}/thu-tuc/{catalog[MARRIAGE].pk}/")
    with phone.expect_navigation():
        phone.get_by_test_id("action-book").click()
    expect(phone.locator(".bk-picked")).to_contain_text("Hộ tịch")

    # Where several communes run a queue (the demo has two), the citizen picks hers first.
    neighbour = Unit.objects.create(code="11836", name="Xã Vĩnh Thịnh", kind=Unit.Kind.COMMUNE)
    BookingRule.objects.create(
        service=Service.objects.create(unit=neighbour, code="A", name="Hộ tịch")
    )
    back_home(phone, url)
    expect(phone.get_by_test_id("go-ticket")).to_have_count(0)
    assert_fits_the_screen(phone)
    shoot(phone, "reach-home-choose")
    for button, path in (
        ("pick-ticket", "/hang-doi/11836/"),
        ("pick-booking", "/hang-doi/dat-hen/11836/"),
    ):
        back_home(phone, url)
        phone.get_by_label("Lấy số, đặt lịch hẹn tại xã, phường").select_option(
            label="Xã Vĩnh Thịnh"
        )
        with phone.expect_navigation():
            phone.get_by_test_id(button).click()
        expect(phone).to_have_url(f"{url}{path}")
        expect(phone.get_by_text("Xã Vĩnh Thịnh").first).to_be_visible()
    assert_clean_console(phone)


# --- the receipt's QR -----------------------------------------------------------------------


@pytest.fixture
def world(live_server):
    calendar.clear_cache()
    call_command("load_calendar", stdout=StringIO())
    w = make_world()
    w.officer.set_password(PASSWORD)
    w.officer.save(update_fields=["password"])
    return w


def test_a_printed_receipts_qr_opens_the_tracking_page_of_the_served_address(
    browser: Browser, live_server, world, phone: Page, shoot, artifacts_dir
):
    url = live_server.url
    dossier = dossier_services.receive_at_counter(
        world.officer, procedure=world.procedure, receiving_unit=world.commune,
        applicant=applicant(),
    )  # fmt: skip

    # The counter officer prints the receipt from the dossier's counter page.
    context, officer = _page(browser, viewport={"width": 1280, "height": 900})
    officer.goto(f"{url}/can-bo/dang-nhap/")
    officer.get_by_label("Tên đăng nhập").fill(world.officer.username)
    officer.get_by_label("Mật khẩu").fill(PASSWORD)
    officer.get_by_role("button", name="Đăng nhập", exact=True).click()
    expect(officer).to_have_url(f"{url}/can-bo/")
    officer.goto(f"{url}/can-bo/mot-cua/ho-so/{dossier.pk}/?moi=1")  # as after reception
    receipt = context.request.get(
        url + officer.get_by_test_id("print-receipt").get_attribute("href")
    )
    pdf = receipt.body()
    assert receipt.status == 200 and pdf.startswith(b"%PDF")
    context.close()

    scanned = read_qr(pdf, artifacts_dir / "e2e-reach-receipt")
    assert scanned == f"{url}/tra-cuu/?ma={dossier.code}"

    # The citizen's phone opens what it scanned: the code is filled in, 4 digits open it.
    phone.goto(scanned)
    expect(phone.get_by_test_id("code-input")).to_have_value(dossier.code)
    phone.get_by_test_id("digits-input").fill(CITIZEN_ID[-4:])
    with phone.expect_navigation():
        phone.get_by_test_id("lookup-submit").click()
    expect(phone.get_by_test_id("dossier-code")).to_have_text(dossier.code)
    expect(phone.get_by_test_id("status")).to_contain_text("Đã tiếp nhận")
    assert_fits_the_screen(phone)
    shoot(phone, "reach-tracked")
    assert_clean_console(phone)


# --- a demo signed result -------------------------------------------------------------------


def test_a_demo_signed_result_verifies_on_the_public_page(
    live_server, world, phone: Page, shoot, artifacts_dir, tmp_path
):
    url = live_server.url
    pki.setup_dev_pki()  # what load_demo runs first
    returned = drive_to(world, Status.RETURNED)
    DossierDocument.objects.filter(dossier=returned, kind=DossierDocument.Kind.RESULT).update(
        file=PLACEHOLDER  # as the demo history leaves it
    )
    (document,) = signed_results.sign_results(unit=world.commune, count=1).documents
    code = document.verification_code

    # The QR on the signed paper opens this server's verification page of that document.
    phone.goto(f"{url}/xac-thuc/{code}/")
    download = phone.request.get(f"{url}/xac-thuc/{code}/tai-ve/")
    assert download.status == 200
    signed = download.body()
    assert read_qr(signed, artifacts_dir / "e2e-reach-signed-result") == f"{url}/xac-thuc/{code}/"
    expect(phone.get_by_test_id("verdict")).to_have_attribute("data-valid", "true")
    expect(phone.get_by_test_id("verdict")).to_contain_text("Chữ ký số hợp lệ")
    expect(phone.locator(".issued-here")).to_contain_text(world.commune.name)
    assert_fits_the_screen(phone)
    shoot(phone, "reach-verified-by-qr")

    # Someone handed the PDF uploads it on the public page: valid, and issued here.
    phone.goto(f"{url}/xac-thuc/")
    pdf = tmp_path / "ket-qua.pdf"
    pdf.write_bytes(signed)
    phone.locator("input[type=file]").set_input_files(str(pdf))
    with phone.expect_navigation():
        phone.get_by_test_id("upload-submit").click()
    expect(phone.get_by_test_id("verdict")).to_have_attribute("data-valid", "true")
    expect(phone.get_by_test_id("issued")).to_contain_text(world.commune.name)
    assert_fits_the_screen(phone)
    shoot(phone, "reach-verified-by-upload")
    assert_clean_console(phone)
