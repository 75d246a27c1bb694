"""Lan's birth registration on her phone, step by step as the pages offer it: shared by the
filing test and the whole-chain test (tests/e2e/test_citizen_files_online_chain_browser.py).

The walk: the procedure page's "Nộp trực tuyến", sign-in at the development identity provider
(a real OIDC round trip), the declaration with everything the state knows prefilled (she types
her newborn's name, date and place of birth and picks the sex), the ID paper of an earlier
dossier reused, the birth certificate photographed, the result online, review, submit."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.core.files.base import ContentFile
from django.utils import timezone
from playwright.sync_api import Page, expect

from motcua.dossiers import services as dossiers
from motcua.dossiers.models import Dossier
from tests.citizens.conftest import LAN as LAN_LOGIN

from .factories import ID_PAPER, LAN, FilingWorld, jpeg


@dataclass
class Filed:
    code: str
    elapsed: float  # seconds from the click on "Đăng nhập" to the receipt, as she lived it
    earlier: Dossier  # the dossier whose ID paper she reused


def earlier_dossier(fw: FilingWorld, *, with_file: bool = True) -> Dossier:
    """Her dossier of last year at the counter, with her ID card scanned (`with_file`): the
    paper to reuse."""
    scan = ContentFile(b"%PDF-1.4\n% cccd\n", name="cccd.pdf") if with_file else None
    return dossiers.receive_at_counter(
        fw.officer,
        procedure=fw.birth,
        receiving_unit=fw.commune,
        applicant=dossiers.Applicant(name="Nguyễn Thị Lan", id_number=LAN),
        case="Đúng hạn",
        components=[dossiers.ComponentIn(name=ID_PAPER, file=scan)],
    )


def file_birth_registration(
    phone: Page,
    *,
    rp: str,
    devidp_url: str,
    fw: FilingWorld,
    shot: Callable[[str], None],
    tmp_path: Path,
    phone_number: str = "",
) -> Filed:
    """Walk the filing from the procedure page to the receipt; `shot(name)` after each step.
    `phone_number`: typed at the delivery step to be told of each status change by SMS."""
    earlier = earlier_dossier(fw)
    photo = tmp_path / "giay-chung-sinh.jpg"
    photo.write_bytes(jpeg())

    phone.goto(f"{rp}/thu-tuc/{fw.birth.pk}/")
    shot("procedure")
    phone.get_by_test_id("action-online").click()
    phone.wait_for_url(f"{devidp_url}/dang-nhap/**")
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
    if phone_number:  # told of every change by SMS ("Nhận thông báo qua")
        phone.get_by_test_id("notify-sms").check()
        phone.get_by_label("Số điện thoại di động").fill(phone_number)
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
    return Filed(code=code, elapsed=elapsed, earlier=earlier)
