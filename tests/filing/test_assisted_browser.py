"""Assisted filing at the centre in two browsers: the counter officer at a 1280 px office PC
starts a session for Lan, who is at the counter with her 360 px phone; she opens the code's
address, signs in through the development identity provider (a real OIDC round trip) and taps
"Đồng ý"; the officer files her birth registration through the ordinary filing pages and
submits. The dossier is online, on Lan's account, assisted by the officer and confirmed by her
sign-in; she finds it in "Hồ sơ của tôi". A screenshot of every screen is saved under
test-artifacts/."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from motcua.dossiers.models import Channel, Dossier, OnlineFiling
from motcua.filing.models import AssistSession
from tests.citizens.conftest import LAN as LAN_LOGIN

from .factories import HUNG, LAN, jpeg, make_filing_world

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
PASSWORD = "Vinh-Bao-mot-cua-2026"


def _context(browser, width, height, **more):
    context = browser.new_context(
        viewport={"width": width, "height": height}, locale="vi-VN", **more
    )
    page = context.new_page()
    page.js_errors = []
    page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
    return context, page


@pytest.fixture
def phone(browser):
    context, page = _context(browser, 360, 740, is_mobile=True, has_touch=True)
    yield page
    context.close()


@pytest.fixture
def desktop(browser):
    context, page = _context(browser, 1280, 800)
    yield page
    context.close()


def test_an_officer_files_online_for_lan_who_confirms_on_her_phone(
    rp, devidp, phone, desktop, artifacts_dir, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    fw = make_filing_world()
    fw.officer.set_password(PASSWORD)
    fw.officer.save()
    photo = tmp_path / "giay-chung-sinh.jpg"
    photo.write_bytes(jpeg())
    shots = iter(range(1, 100))

    def shot(page, name: str) -> None:
        width = page.viewport_size["width"]
        scrolled = page.evaluate("document.documentElement.scrollWidth")
        assert scrolled <= width, f"{page.url} is {scrolled} px wide"
        page.screenshot(
            path=str(artifacts_dir / f"assist-{next(shots):02d}-{name}-{width}.png"),
            full_page=True,
        )

    def narrow(page, name: str) -> None:  # the officer's screen on a 360 px phone too
        page.set_viewport_size({"width": 360, "height": 740})
        shot(page, name)
        page.set_viewport_size({"width": 1280, "height": 800})

    # the officer signs in and starts a session for Lan
    desktop.goto(f"{rp}/can-bo/dang-nhap/?next=/can-bo/")
    desktop.get_by_label("Tên đăng nhập").fill(fw.officer.username)
    desktop.get_by_label("Mật khẩu").fill(PASSWORD)
    desktop.get_by_role("button", name="Đăng nhập", exact=True).click()
    desktop.wait_for_url(f"{rp}/can-bo/")
    desktop.get_by_role("link", name="Hỗ trợ nộp trực tuyến").first.click()
    desktop.wait_for_url(f"{rp}/can-bo/ho-tro-nop/")
    desktop.get_by_label("Số định danh cá nhân của công dân").fill(LAN)
    desktop.get_by_label("Thủ tục").select_option(str(fw.birth.pk))
    shot(desktop, "officer-start")
    narrow(desktop, "officer-start")
    desktop.get_by_test_id("assist-begin").click()
    desktop.wait_for_url(f"{rp}/can-bo/ho-tro-nop/*/")
    expect(desktop.get_by_test_id("assist-qr")).to_be_visible()
    url = desktop.get_by_test_id("assist-url").inner_text()
    code = desktop.get_by_test_id("assist-code").inner_text()
    assert code.replace("-", "") in url
    shot(desktop, "officer-code")
    narrow(desktop, "officer-code")

    # Lan opens the address (what the QR holds) on her phone and signs in with VNeID
    phone.goto(url)
    phone.wait_for_url(f"{devidp.url}/dang-nhap/**")
    phone.get_by_label("Số định danh cá nhân").fill(LAN_LOGIN["citizen_id"])
    phone.get_by_label("Mật khẩu").fill(LAN_LOGIN["password"])
    phone.get_by_role("button", name="Đăng nhập").click()
    phone.wait_for_url(url)
    expect(phone.get_by_test_id("assist-helper")).to_have_text(fw.officer.full_name)
    expect(phone.get_by_test_id("assist-procedure")).to_have_text("Đăng ký khai sinh")
    shot(phone, "citizen-confirm")
    phone.get_by_test_id("assist-agree").click()
    expect(phone.get_by_test_id("assist-confirmed")).to_be_visible()
    shot(phone, "citizen-confirmed")

    # the officer's page moves on (it refreshes itself; reloaded here not to wait)
    desktop.reload()
    expect(desktop.get_by_test_id("assist-status")).to_contain_text("Công dân đã xác nhận")
    shot(desktop, "officer-confirmed")
    desktop.get_by_test_id("assist-continue").click()

    born = (timezone.localdate() - dt.timedelta(days=12)).isoformat()
    for _i in range(8):
        desktop.wait_for_load_state()
        if "/to-khai/" not in desktop.url:
            break
        expect(desktop.get_by_test_id("assist-banner")).to_contain_text("Nguyễn Thị Lan")
        step = desktop.url.rstrip("/").rsplit("/", 1)[-1]
        if step == "nguoi_duoc_khai_sinh":
            desktop.locator("#id_child_name").fill("Phạm Minh Khôi")
            desktop.locator("#id_child_birthdate").fill(born)
            desktop.get_by_test_id("field-child_sex").get_by_label("Nam").check()
            desktop.locator("#id_child_birthplace").fill("Trung tâm Y tế Vĩnh Bảo, Hải Phòng")
        shot(desktop, f"officer-step-{step}")
        desktop.get_by_test_id("save-step").click()
    if "/truong-hop/" in desktop.url:
        shot(desktop, "officer-case")
        desktop.get_by_test_id("save-case").click()
    desktop.wait_for_url("**/giay-to/")
    certificate = desktop.locator("section.paper", has_text="Giấy chứng sinh")
    certificate.locator("input[type=file]").set_input_files(str(photo))
    certificate.get_by_test_id("upload").click()
    desktop.wait_for_url("**/giay-to/**")
    shot(desktop, "officer-papers")
    desktop.get_by_test_id("papers-next").click()
    desktop.wait_for_url("**/nhan-ket-qua/")
    desktop.get_by_label("Nhận trực tuyến").check()
    shot(desktop, "officer-delivery")
    desktop.get_by_test_id("save-delivery").click()
    desktop.wait_for_url("**/xem-lai/")
    shot(desktop, "officer-review")
    desktop.get_by_test_id("submit").click()
    desktop.wait_for_url("**/da-nop/")
    code = desktop.get_by_test_id("dossier-code").inner_text()
    expect(desktop.get_by_test_id("assist-done")).to_contain_text("Nguyễn Thị Lan")
    shot(desktop, "officer-receipt")

    dossier = Dossier.objects.get(code=code)
    assert dossier.channel == Channel.ONLINE and dossier.applicant_id_number == LAN
    filing = OnlineFiling.objects.get(dossier=dossier)
    assert filing.assisted_by == fw.officer
    assert filing.confirmed_by == OnlineFiling.Confirmed.CITIZEN_SIGN_IN == "sign_in"
    assert filing.citizen is not None and filing.citizen.citizen_identity.citizen_id == LAN
    assert AssistSession.objects.get(id_number=LAN).status == AssistSession.Status.SUBMITTED

    # Lan finds it in her own space; the used code opens nothing any more
    phone.goto(f"{rp}/cong-dan/ho-so/")
    expect(phone.locator("body")).to_contain_text(code)
    shot(phone, "citizen-my-dossiers")
    phone.goto(url)
    expect(phone.get_by_test_id("assist-code-refused")).to_be_visible()
    shot(phone, "citizen-code-used")
    desktop.goto(f"{rp}/can-bo/ho-tro-nop/")
    expect(desktop.get_by_test_id("assist-row")).to_contain_text(code)
    shot(desktop, "officer-list")

    # next: Hùng, who has no phone with him; Lan's phone opening his code is refused
    desktop.get_by_label("Số định danh cá nhân của công dân").fill(HUNG)
    desktop.get_by_label("Thủ tục").select_option(str(fw.birth.pk))
    desktop.get_by_test_id("assist-begin").click()
    desktop.wait_for_url(f"{rp}/can-bo/ho-tro-nop/*/")
    phone.goto(desktop.get_by_test_id("assist-url").inner_text())
    phone.get_by_test_id("assist-agree").click()
    expect(phone.get_by_test_id("assist-wrong-citizen")).to_be_visible()
    shot(phone, "citizen-wrong-person")
    # the officer checks his ID card against the registry instead
    desktop.get_by_test_id("assist-registry-confirm").click()  # box not ticked: the browser asks
    assert "/to-khai/" not in desktop.url
    desktop.get_by_label("Tôi đã kiểm tra thẻ căn cước của công dân").check()
    desktop.get_by_test_id("assist-registry-confirm").click()
    desktop.wait_for_url("**/to-khai/**")
    expect(desktop.get_by_test_id("assist-banner")).to_contain_text("Trần Văn Hùng")
    shot(desktop, "officer-registry-confirmed")
    hung = AssistSession.objects.get(id_number=HUNG)
    assert hung.confirmed_by == "registry" and hung.citizen.citizen_identity.identity_level == 1
    assert not phone.js_errors, phone.js_errors
    assert not desktop.js_errors, desktop.js_errors
