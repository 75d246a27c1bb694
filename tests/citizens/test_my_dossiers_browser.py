"""On a 360 px phone: Lan signs in through the identity provider, opens "Hồ sơ của tôi", answers
a supplement request with a photo (the clock resumes), downloads the e-signed result of her
other dossier through its expiring link (the file verifies) and rates that dossier."""

from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from motcua.core import calendar
from motcua.documents.verification import verify_pdf
from motcua.dossiers.models import Dossier, Status
from motcua.feedback.models import Rating
from tests.dossiers.factories import make_world

from .conftest import LAN
from .myspace import LAN_ID, drive, photo, returned_with_signed_result

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def seeded(settings, tmp_path, tmp_path_factory):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MOTCUA_PKI_DIR = str(tmp_path_factory.mktemp("pki"))
    for name in ("MOTCUA_SIGNING_P12_PATH", "MOTCUA_SIGNING_P12_PASSWORD", "MOTCUA_TRUST_ROOTS"):
        setattr(settings, name, "")
    calendar.clear_cache()
    call_command("load_calendar", stdout=StringIO())
    world = make_world()
    supplement = drive(world, Status.AWAITING_SUPPLEMENT, LAN_ID)
    returned = returned_with_signed_result(world, LAN_ID)
    yield {"supplement": supplement, "returned": returned}
    calendar.clear_cache()


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="vi-VN", accept_downloads=True
    )
    page = context.new_page()
    yield page
    context.close()


def fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_lan_answers_a_supplement_downloads_her_signed_result_and_rates_it(
    rp, devidp, phone, seeded, artifacts_dir, tmp_path
):
    shots = artifacts_dir
    supplement, returned = seeded["supplement"], seeded["returned"]

    phone.goto(f"{rp}/cong-dan/ho-so/")  # not signed in: off to the provider and back
    phone.wait_for_url(f"{devidp.url}/dang-nhap/**")
    phone.get_by_label("Số định danh cá nhân").fill(LAN["citizen_id"])
    phone.get_by_label("Mật khẩu").fill(LAN["password"])
    phone.get_by_role("button", name="Đăng nhập").click()
    phone.wait_for_url(f"{rp}/cong-dan/ho-so/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Hồ sơ của tôi")
    items = phone.get_by_test_id("my-dossier")
    expect(items).to_have_count(2)
    expect(phone.get_by_test_id("to-do")).to_have_count(2)
    expect(phone.get_by_test_id("citizen-my-dossiers")).to_be_visible()  # the header link
    fits(phone)
    phone.screenshot(path=str(shots / "my-dossiers-list-360.png"), full_page=True)

    # the supplement: what is asked, answered with a photo
    phone.locator(f'[data-code="{supplement.code}"]').click()
    expect(phone.get_by_test_id("supplement")).to_contain_text("Bản sao giấy chứng sinh")
    fits(phone)
    phone.screenshot(path=str(shots / "my-dossier-supplement-360.png"), full_page=True)
    picture = tmp_path / "giay-chung-sinh.jpg"
    picture.write_bytes(photo())
    phone.locator("#giay").set_input_files(str(picture))
    phone.locator("#ghi_chu").fill("Gửi bản sao giấy chứng sinh của cháu")
    phone.get_by_test_id("send-supplement").click()
    expect(phone.locator(".messages")).to_contain_text("Đã gửi giấy tờ bổ sung")
    expect(phone.get_by_test_id("status")).to_contain_text("Đang giải quyết")
    expect(phone.get_by_test_id("timeline")).to_contain_text("Đã bổ sung giấy tờ")
    fits(phone)
    phone.screenshot(path=str(shots / "my-dossier-supplement-sent-360.png"), full_page=True)
    supplement = Dossier.objects.get(pk=supplement.pk)
    assert supplement.status == Status.PROCESSING
    assert supplement.supplements.get().resubmitted_at is not None

    # the other dossier: the signed result, then the rating
    phone.get_by_role("link", name="← Hồ sơ của tôi").click()
    phone.locator(f'[data-code="{returned.code}"]').click()
    expect(phone.get_by_test_id("status")).to_contain_text("Đã trả kết quả")
    fits(phone)
    phone.screenshot(path=str(shots / "my-dossier-result-360.png"), full_page=True)
    with phone.expect_download() as download_info:
        phone.get_by_test_id("download-result").click()
    download = download_info.value
    saved = artifacts_dir / "my-dossier-signed-result.pdf"
    download.save_as(str(saved))
    verdict = verify_pdf(saved.read_bytes())
    assert verdict.valid and verdict.issued_here
    assert verdict.document.object_id == str(returned.pk)

    phone.get_by_test_id("rate").get_by_role("button", name="Hài lòng", exact=True).click()
    expect(phone.locator(".messages")).to_contain_text("Cảm ơn bạn đã đánh giá.")
    expect(phone.get_by_test_id("rated")).to_contain_text("Hài lòng")
    fits(phone)
    phone.screenshot(path=str(shots / "my-dossier-rated-360.png"), full_page=True)
    rating = Rating.objects.get(dossier_id=returned.pk)
    assert (rating.level, rating.channel) == ("satisfied", "online")

    phone.get_by_role("link", name="← Hồ sơ của tôi").click()
    expect(phone.get_by_test_id("to-do")).to_have_count(0)
    phone.screenshot(path=str(shots / "my-dossiers-done-360.png"), full_page=True)
