"""On a 360 px phone: Lan, who got a marriage certificate (signed result) from an earlier
dossier, opens "Giấy tờ của tôi", taps "Dùng cho hồ sơ mới" on it, files a birth registration
reusing that certificate with one tap, and on the delivery step chooses how to be told: push
on this phone (refused with a plain message where the browser cannot subscribe), then SMS with
a landline (refused), then SMS with her mobile. The dossier carries the SMS choice and the
certificate as a reused paper. Screenshots of each screen under test-artifacts/."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from motcua.catalog.models import Component
from motcua.dossiers.models import Dossier, OnlineFiling
from tests.citizens.conftest import LAN as LAN_LOGIN
from tests.dossiers.factories import make_procedure

from . import test_filing_browser
from .factories import make_filing_world
from .test_reuse_and_notify import MARRIAGE_PAPER, issued

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


phone = test_filing_browser.phone  # 360 px, Vietnamese, JavaScript errors collected


def test_lan_reuses_her_marriage_certificate_and_chooses_sms(
    rp, devidp, phone, artifacts_dir, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    fw = make_filing_world()
    marriage = make_procedure(fw.province, name="Thủ tục đăng ký kết hôn")
    marriage.result_type = "Giấy chứng nhận kết hôn (mỗi bên 01 bản chính)"
    marriage.save()
    Component.objects.create(procedure=fw.birth, order=7, name=MARRIAGE_PAPER, form="copy")
    earlier = issued(fw, marriage)

    def shot(name: str) -> None:
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{phone.url} is {width} px wide"
        phone.screenshot(path=str(artifacts_dir / f"mydocs-{name}-360.png"), full_page=True)

    phone.goto(f"{rp}/cong-dan/giay-to/")
    phone.wait_for_url(f"{devidp.url}/dang-nhap/**")
    phone.get_by_label("Số định danh cá nhân").fill(LAN_LOGIN["citizen_id"])
    phone.get_by_label("Mật khẩu").fill(LAN_LOGIN["password"])
    phone.get_by_role("button", name="Đăng nhập").click()
    phone.wait_for_url(f"{rp}/cong-dan/giay-to/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Giấy tờ của tôi")
    expect(phone.get_by_test_id("citizen-my-papers")).to_be_visible()  # the header link
    result = phone.locator('[data-testid="my-paper"][data-kind="result"]')
    expect(result).to_contain_text(earlier.code)
    expect(result).to_contain_text("Giấy chứng nhận kết hôn")
    shot("01-my-papers")
    phone.goto(f"{rp}/cong-dan/")
    expect(phone.get_by_test_id("my-papers-link")).to_be_visible()
    shot("02-account")
    phone.goto(f"{rp}/cong-dan/giay-to/")
    result.get_by_test_id("reuse-offer").first.click()
    phone.wait_for_url(f"{rp}/nop-truc-tuyen/thu-tuc/{fw.birth.pk}/")
    phone.get_by_test_id("start-filing").click()

    born = (timezone.localdate() - dt.timedelta(days=12)).isoformat()
    for _i in range(8):
        phone.wait_for_load_state()
        if "/to-khai/" not in phone.url:
            break
        if phone.url.rstrip("/").endswith("nguoi_duoc_khai_sinh"):
            phone.locator("#id_child_name").fill("Phạm Minh Khôi")
            phone.locator("#id_child_birthdate").fill(born)
            phone.get_by_test_id("field-child_sex").get_by_label("Nam").check()
            phone.locator("#id_child_birthplace").fill("Trung tâm Y tế Vĩnh Bảo, Hải Phòng")
        phone.get_by_test_id("save-step").click()
    if "/truong-hop/" in phone.url:
        phone.get_by_test_id("save-case").click()

    phone.wait_for_url("**/giay-to/")
    certificate = phone.locator("section.paper", has_text=MARRIAGE_PAPER)
    expect(certificate.get_by_test_id("reuse-result")).to_contain_text(earlier.code)
    shot("03-papers-offer-result")
    certificate.get_by_test_id("reuse").click()
    phone.wait_for_url("**/giay-to/**")
    certificate = phone.locator("section.paper", has_text=MARRIAGE_PAPER)
    expect(certificate.get_by_test_id("paper-done")).to_contain_text("Dùng lại kết quả đã cấp")
    shot("04-papers-result-reused")
    phone.get_by_test_id("papers-next").click()

    phone.wait_for_url("**/nhan-ket-qua/")
    phone.get_by_label("Nhận trực tuyến").check()
    expect(phone.locator("#push-box")).to_be_hidden()
    phone.get_by_test_id("notify-push").check()
    expect(phone.locator("#push-box")).to_be_visible()
    shot("05-delivery-push-chosen")
    # headless Chromium has no push service: the page says so in plain words and stays
    phone.get_by_test_id("save-delivery").click()
    expect(phone.get_by_test_id("push-status")).not_to_have_text("")
    expect(phone.get_by_test_id("push-status")).not_to_have_text("Đang bật thông báo...")
    assert "/nhan-ket-qua/" in phone.url
    shot("06-delivery-push-refused")
    phone.get_by_test_id("notify-sms").check()
    phone.locator("#dien-thoai").fill("024 3765 4321")
    phone.get_by_test_id("save-delivery").click()
    expect(phone.locator("#phone-error")).to_contain_text("cần số di động")
    shot("07-delivery-landline-refused")
    phone.locator("#dien-thoai").fill("0912 345 678")
    phone.get_by_test_id("save-delivery").click()

    phone.wait_for_url("**/xem-lai/")
    expect(phone.get_by_test_id("notify-label")).to_contain_text("Tin nhắn SMS (0912345678)")
    shot("08-review")
    phone.get_by_test_id("submit").click()
    phone.wait_for_url("**/da-nop/")
    code = phone.get_by_test_id("dossier-code").inner_text()
    assert not phone.js_errors, phone.js_errors

    dossier = Dossier.objects.get(code=code)
    assert dossier.notify_by == "sms" and dossier.applicant_phone == "0912345678"
    assert dossier.components.filter(name=MARRIAGE_PAPER, reused_from_warehouse=True).exists()
    assert OnlineFiling.objects.get(dossier=dossier).reused_documents == 1
