"""One dossier's whole life in real browsers, each person in their own window: the counter
officer receives it and prints the receipt, the specialist examines it and attaches the result,
the leader approves and e-signs it, the officer hands the result back at the counter, and the
citizen follows it on a phone without signing in. Screenshots e2e-chain-*.png are looked at."""

import re
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command
from playwright.sync_api import Browser, Page, expect
from weasyprint import HTML

from motcua.core import calendar
from motcua.dossiers.models import Dossier, Status
from tests.dossiers.factories import ON_TIME, add_routing, make_birth_registration, make_world

from .conftest import _page, assert_clean_console, assert_fits_the_screen

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

APPLICANT = "Nguyễn Thị Hồng Nhung"
CITIZEN_ID = "079203014567"  # 12 digits, ending 4567
PASSWORD = "Mot-cua-An-Hung-2026"
RESULT_HTML = """<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"></head>
<body style="font-family: 'DejaVu Sans'"><h1>GIẤY KHAI SINH</h1>
<p>Họ và tên người được khai sinh: Nguyễn Hồng Ngọc.</p></body></html>"""


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    """Own media folder, development signing keys and a private cache (sign-in and lookup
    throttles must not carry over from other tests or parallel workers)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MOTCUA_PKI_DIR = str(tmp_path / "pki")
    for name in ("MOTCUA_SIGNING_P12_PATH", "MOTCUA_SIGNING_P12_PASSWORD", "MOTCUA_TRUST_ROOTS"):
        setattr(settings, name, "")
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "chain"}
    }
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(live_server):
    """A commune with its counter officer, specialist and leader, who sign in with passwords."""
    calendar.clear_cache()
    call_command("load_calendar", stdout=StringIO())
    w = make_world()
    # the real neighbour of the birth registration in a search for "khai sinh"
    w.procedure.name = "Cấp bản sao Trích lục hộ tịch, bản sao Giấy khai sinh"
    w.procedure.save()
    # with its cases and conditional papers, and its four steps
    w.procedure = add_routing(make_birth_registration(w.province))
    for user in (w.officer, w.specialist, w.leader):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    return w


def _sign_in(browser: Browser, live_server, user, width: int) -> tuple:
    """A fresh window, signed in through the real staff sign-in form."""
    context, page = _page(browser, viewport={"width": width, "height": 900}, locale="vi-VN")
    page.goto(f"{live_server.url}/can-bo/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(user.username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/can-bo/")
    expect(page.locator(".who .who-name")).to_have_text(user.full_name)
    return context, page


def _open(page: Page, action: str) -> None:
    """Unfold an action's form, unless the page already shows it open (its primary action)."""
    details = page.locator(f"[data-testid=action-{action}]")
    if details.get_attribute("open") is None:
        details.locator("summary").click()


def _pdf_text(content: bytes, stem: Path) -> str:
    """The PDF's text in reading order (pdftotext), its first page kept as PNG beside the
    screenshots."""
    stem.with_suffix(".pdf").write_bytes(content)
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile",
                    str(stem.with_suffix(".pdf")), str(stem)], check=True)  # fmt: skip
    out = subprocess.run(
        ["pdftotext", "-raw", str(stem.with_suffix(".pdf")), "-"],
        check=True,
        capture_output=True,
    )
    return " ".join(out.stdout.decode().split())  # a name wrapped in its cell reads whole


def _offered(page: Page) -> set[str]:
    found = page.locator("[data-testid^=action-]:not([data-testid=action-error])")
    return {
        t.removeprefix("action-") for t in found.evaluate_all("n => n.map(e => e.dataset.testid)")
    }


def _act(page: Page, action: str, message: str) -> None:
    """Press an action's button on the dossier page and see the app confirm it."""
    with page.expect_navigation():
        page.click(f"[data-testid=submit-{action}]")
    expect(page.locator("[data-testid=action-error]")).to_have_count(0)
    expect(page.locator(".messages")).to_contain_text(message)


def _attach_result_and_submit(specialist: Page, result_pdf: Path) -> None:
    """The specialist, on the dossier page, attaches the draft result and submits it for the
    leader's signature."""
    _open(specialist, "attach_result")
    specialist.set_input_files(
        "[data-testid=action-attach_result] input[type=file]", str(result_pdf)
    )
    _act(specialist, "attach_result", "Đã đính kèm văn bản kết quả.")
    _open(specialist, "submit_for_approval")
    specialist.fill("[data-testid=action-submit_for_approval] textarea", "Hồ sơ đủ điều kiện")
    _act(specialist, "submit_for_approval", "Đã trình lãnh đạo phê duyệt.")
    expect(specialist.locator("[data-testid=status]")).to_contain_text("Chờ lãnh đạo phê duyệt")


def _leader_signs(leader: Page, url: str, code: str, shoot, prefix: str) -> None:
    """The leader finds the dossier awaiting signature, sees what will be signed in a second
    step (screenshot `<prefix>-confirm`), confirms, and the result is e-signed."""
    leader.goto(f"{url}/can-bo/ho-so/?tab=awaiting_signature")
    with leader.expect_navigation():
        leader.click(f"text={code}")
    assert "approve_sign" in _offered(leader)
    with leader.expect_navigation():
        leader.click("[data-testid=submit-approve_sign]")
    expect(leader.get_by_test_id("sign-code")).to_have_text(code)
    shoot(leader, f"{prefix}-confirm")
    leader.get_by_label("Tôi đã xem dự thảo kết quả và đồng ý phê duyệt, ký số").check()
    with leader.expect_navigation():
        leader.click("[data-testid=confirm-sign]")
    expect(leader.locator(".messages")).to_contain_text("Đã phê duyệt và ký số")
    expect(leader.locator("[data-testid=signed-badge]")).to_be_visible()


def test_dossier_goes_from_counter_to_signature_to_return_and_the_citizen_tracks_it(
    browser: Browser, live_server, world, phone, shoot, tmp_path, artifacts_dir
):
    w = world
    url = live_server.url

    # 1. The counter officer receives the dossier with the keyboard and prints the receipt.
    officer_ctx, officer = _sign_in(browser, live_server, w.officer, 1280)
    officer.goto(f"{url}/can-bo/mot-cua/tiep-nhan/")
    expect(officer.get_by_test_id("procedure-search")).to_be_focused()
    officer.keyboard.type("khai sinh")
    expect(officer.get_by_test_id("procedure-result").first).to_contain_text(
        "Thủ tục đăng ký khai sinh"
    )
    officer.keyboard.press("Enter")
    expect(officer.get_by_test_id("procedure-name")).to_have_text("Thủ tục đăng ký khai sinh")
    expect(officer.get_by_label("Họ tên / tên tổ chức")).to_be_focused()
    officer.keyboard.type(APPLICANT)
    officer.keyboard.press("Enter")
    officer.keyboard.type(CITIZEN_ID)
    officer.keyboard.press("Enter")
    expect(officer.get_by_label("Điện thoại")).to_be_focused()
    officer.keyboard.type("0912345678")
    # on time: no fee; only the papers every case needs are ticked, the birth certificate scanned
    officer.get_by_text(ON_TIME, exact=True).click()
    received = officer.get_by_test_id("component-received")
    expect(received).to_have_count(5)
    for i in range(5):  # the declaration and the birth certificate; not the three cases
        checked = expect(received.nth(i))
        checked.to_be_checked() if i < 2 else checked.not_to_be_checked()
    scan = tmp_path / "giay-chung-sinh.pdf"
    scan.write_bytes(HTML(string="<h1>GIẤY CHỨNG SINH</h1><p>Nguyễn Hồng Ngọc</p>").write_pdf())
    officer.get_by_test_id("component-file").nth(1).set_input_files(str(scan))
    shoot(officer, "chain-1-reception")
    officer.keyboard.press("Alt+s")
    expect(officer.get_by_test_id("reception-done")).to_be_visible()
    code = officer.get_by_test_id("dossier-code").inner_text()
    assert re.fullmatch(r"[\d.]+H23-\d{6}-\d{4}", code)
    dossier = Dossier.objects.get(code=code)
    assert dossier.status == Status.RECEIVED and dossier.applicant_name == APPLICANT
    assert dossier.fee_total_vnd == 0
    assert list(dossier.components.values_list("name", "digitized")) == [
        ("Tờ khai đăng ký khai sinh", False),
        ("Giấy chứng sinh", True),
    ]
    shoot(officer, "chain-1-received")
    receipt = officer_ctx.request.get(
        url + officer.get_by_test_id("print-receipt").get_attribute("href")
    )
    assert receipt.status == 200
    assert receipt.headers["content-type"] == "application/pdf"
    assert receipt.body().startswith(b"%PDF")

    # The reception step closed itself with the officer's name; the officer hands the
    # dossier to the specialist (the only department button the counter gets).
    officer.goto(f"{url}/can-bo/ho-so/{dossier.pk}/")
    assert _offered(officer) == {"start_processing", "request_supplement", "transfer"}
    _open(officer, "start_processing")
    officer.select_option(
        "[data-testid=action-start_processing] select", label=w.specialist.full_name
    )
    with officer.expect_navigation():
        officer.click("[data-testid=submit-start_processing]")
    expect(officer.locator("[data-testid=status]")).to_contain_text("Đang xử lý")

    # 2. The specialist finds it in the worklist, examines it and attaches the signed-to-be result.
    result_pdf = tmp_path / "giay-khai-sinh.pdf"
    result_pdf.write_bytes(HTML(string=RESULT_HTML).write_pdf())
    specialist_ctx, specialist = _sign_in(browser, live_server, w.specialist, 1280)
    specialist.goto(f"{url}/can-bo/ho-so/")
    expect(specialist.locator("[data-testid=dossier-row]")).to_contain_text(code)
    shoot(specialist, "chain-2-worklist")
    with specialist.expect_navigation():
        specialist.click(f"text={code}")
    # the birth certificate scanned at the counter opens here, through its signed link
    specialist.evaluate(
        "document.querySelectorAll('[data-testid=file-preview]').forEach(d => { d.open = true; })"
    )
    expect(specialist.get_by_test_id("file-frame")).to_be_visible()
    link = specialist.get_by_test_id("file-link").first.get_attribute("href")
    scan_response = specialist_ctx.request.get(url + link)
    assert scan_response.status == 200 and scan_response.body() == scan.read_bytes()
    _attach_result_and_submit(specialist, result_pdf)
    shoot(specialist, "chain-2-submitted")
    assert_clean_console(specialist)

    # 3. The leader approves and e-signs; the verification link says the signature is valid.
    leader_ctx, leader = _sign_in(browser, live_server, w.leader, 1280)
    _leader_signs(leader, url, code, shoot, "chain-3")
    link = leader.locator("[data-testid=verification] a").first.get_attribute("href")
    assert re.fullmatch(r"/xac-thuc/[^/]+/", link), link
    shoot(leader, "chain-3-signed")
    leader.goto(url + link)
    expect(leader.locator(".verdict-title")).to_contain_text("Chữ ký số hợp lệ")
    shoot(leader, "chain-3-verified")
    assert_clean_console(leader)
    leader_ctx.close()

    # 4. The specialist sends the signed result to the one-stop; the officer hands it back.
    specialist.goto(f"{url}/can-bo/ho-so/{dossier.pk}/")
    _act(specialist, "mark_result_ready", "Hồ sơ đã có kết quả")
    expect(specialist.locator("[data-testid=status]")).to_contain_text("Đã xử lý xong")
    specialist_ctx.close()
    officer.goto(f"{url}/can-bo/mot-cua/tra-ket-qua/?q={code}")
    row = officer.get_by_test_id("return-rows").locator("li", has_text=code)
    expect(row).to_contain_text("kết quả đã ký số")
    shoot(officer, "chain-4-return")
    with officer.expect_navigation():
        row.get_by_role("button", name="Trả kết quả").click()
    dossier.refresh_from_db()
    assert dossier.status == Status.RETURNED
    shoot(officer, "chain-4-returned")
    # the control sheet (Mẫu 06) names who really held each step, with its times
    sheet = officer_ctx.request.get(f"{url}/can-bo/mot-cua/ho-so/{dossier.pk}/giay/control.pdf")
    assert sheet.status == 200 and sheet.body().startswith(b"%PDF")
    text = _pdf_text(sheet.body(), artifacts_dir / "e2e-chain-4-control-sheet")
    for person in (APPLICANT, w.officer.full_name, w.specialist.full_name, w.leader.full_name):
        assert person in text, person
    assert text.count("Xong:") == 4  # reception, examination, signature, return: each once
    assert_clean_console(officer)
    officer_ctx.close()

    # 5. The citizen, not signed in, follows the receipt's link on a 360 px phone.
    phone.goto(f"{url}/tra-cuu/?ma={code}")
    expect(phone.get_by_test_id("code-input")).to_have_value(code)
    phone.get_by_test_id("digits-input").fill("4567")
    with phone.expect_navigation():
        phone.get_by_test_id("lookup-submit").click()
    expect(phone.get_by_test_id("dossier-code")).to_have_text(code)
    expect(phone.get_by_test_id("status")).to_contain_text("Đã trả kết quả")
    assert APPLICANT not in phone.content()
    assert CITIZEN_ID not in phone.content()
    assert_fits_the_screen(phone)
    assert_clean_console(phone)
    shoot(phone, "chain-5-tracked")
