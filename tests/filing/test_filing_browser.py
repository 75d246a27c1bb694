"""On a 360 px phone: Lan opens birth registration, taps "Nộp trực tuyến", signs in through the
development identity provider (a real OIDC round trip), finds everything the state knows
prefilled, types her newborn's name, date and place of birth, reuses the ID paper of an earlier
dossier, photographs the birth certificate, chooses to get the result online and submits. The
dossier waits as "Mới đăng ký", filed online, with at most 3 typed fields and under 2 minutes
from sign-in to submission. A screenshot of every step is saved under test-artifacts/."""

import datetime as dt
import time

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from playwright.sync_api import expect

from motcua.dossiers import services as dossiers
from motcua.dossiers.models import Dossier, OnlineFiling
from tests.citizens.conftest import LAN as LAN_LOGIN

from .factories import ID_PAPER, LAN, jpeg, make_filing_world

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN")
    page = context.new_page()
    page.js_errors = []
    page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
    yield page
    context.close()


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"{page.url} is {width} px wide"


def test_lan_files_a_birth_registration_on_her_phone(
    rp, devidp, phone, artifacts_dir, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    fw = make_filing_world()
    earlier = dossiers.receive_at_counter(  # her marriage registration last year, ID card scanned
        fw.officer,
        procedure=fw.birth,
        receiving_unit=fw.commune,
        applicant=dossiers.Applicant(name="Nguyễn Thị Lan", id_number=LAN),
        case="Đúng hạn",
        components=[
            dossiers.ComponentIn(name=ID_PAPER, file=ContentFile(b"%PDF-1.4\n% cccd\n", "c.pdf"))
        ],
    )
    photo = tmp_path / "giay-chung-sinh.jpg"
    photo.write_bytes(jpeg())
    shots = iter(range(1, 100))

    def shot(name: str) -> None:
        _fits(phone)
        phone.screenshot(
            path=str(artifacts_dir / f"filing-{next(shots):02d}-{name}-360.png"), full_page=True
        )

    phone.goto(f"{rp}/thu-tuc/{fw.birth.pk}/")
    shot("procedure")
    phone.get_by_test_id("action-online").click()
    phone.wait_for_url(f"{devidp.url}/dang-nhap/**")
    phone.get_by_label("Số định danh cá nhân").fill(LAN_LOGIN["citizen_id"])
    phone.get_by_label("Mật khẩu").fill(LAN_LOGIN["password"])
    clicked = time.monotonic()
    phone.get_by_role("button", name="Đăng nhập").click()
    phone.wait_for_url(f"{rp}/nop-truc-tuyen/thu-tuc/{fw.birth.pk}/")
    shot("start")
    phone.get_by_test_id("start-filing").click()

    # the declaration, one topic per step
    born = (timezone.localdate() - dt.timedelta(days=12)).isoformat()
    for _i in range(8):
        phone.wait_for_load_state()
        if "/to-khai/" not in phone.url:
            break
        step = phone.url.rstrip("/").rsplit("/", 1)[-1]
        if step == "nguoi_yeu_cau":
            expect(phone.locator("#id_requester_name")).to_have_value("Nguyễn Thị Lan")
            expect(phone.locator("text=Lấy từ VNeID").first).to_be_visible()
        if step == "nguoi_duoc_khai_sinh":
            phone.locator("#id_child_name").fill("Phạm Minh Khôi")
            phone.locator("#id_child_birthdate").fill(born)
            phone.get_by_test_id("field-child_sex").get_by_label("Nam").check()
            phone.locator("#id_child_birthplace").fill("Trung tâm Y tế Vĩnh Bảo, Hải Phòng")
        if step == "cha":
            expect(phone.locator("#id_father_name")).to_have_value("Phạm Văn Minh")
        shot(f"step-{step}")
        phone.get_by_test_id("save-step").click()

    if "/truong-hop/" in phone.url:
        shot("case")
        phone.get_by_test_id("save-case").click()

    phone.wait_for_url("**/giay-to/")
    shot("papers")
    id_paper = phone.locator("section.paper", has_text=ID_PAPER)
    expect(id_paper).to_contain_text(earlier.code)
    id_paper.get_by_test_id("reuse").click()
    phone.wait_for_url("**/giay-to/**")
    certificate = phone.locator("section.paper", has_text="Giấy chứng sinh")
    certificate.locator("input[type=file]").set_input_files(str(photo))
    certificate.get_by_test_id("upload").click()
    phone.wait_for_url("**/giay-to/**")
    expect(phone.get_by_test_id("paper-done")).to_have_count(2)
    shot("papers-done")
    phone.get_by_test_id("papers-next").click()

    phone.wait_for_url("**/nhan-ket-qua/")
    expect(phone.get_by_test_id("fee-total")).to_have_text("0 đ")
    phone.get_by_label("Nhận trực tuyến").check()
    shot("delivery")
    phone.get_by_test_id("save-delivery").click()

    phone.wait_for_url("**/xem-lai/")
    expect(phone.locator(".eform-answers")).to_contain_text("Phạm Minh Khôi")
    expect(phone.locator(".eform-answers")).to_contain_text("Phạm Văn Minh")
    shot("review")
    phone.get_by_test_id("submit").click()

    phone.wait_for_url("**/da-nop/")
    elapsed = time.monotonic() - clicked
    code = phone.get_by_test_id("dossier-code").inner_text()
    expect(phone.get_by_test_id("dossier-status")).to_have_text("Mới đăng ký")
    shot("receipt")
    assert not phone.js_errors, phone.js_errors

    dossier = Dossier.objects.get(code=code)
    assert dossier.status == 1 and dossier.channel == "online"
    assert dossier.applicant_id_number == LAN
    filing = OnlineFiling.objects.get(dossier=dossier)
    assert filing.typed_fields <= 3, filing.typed_fields
    assert filing.reused_documents == 1
    assert filing.seconds_to_submit is not None and filing.seconds_to_submit < 120
    assert filing.seconds_to_submit <= elapsed + 2  # measured from her sign-in
    assert dossier.components.filter(reused_from_warehouse=True, name=ID_PAPER).exists()
