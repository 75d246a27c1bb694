"""In a real browser: a specialist finishes the examination step, attaches the result and
submits it; the leader finds it under "Chờ ký", approves and e-signs it. Screenshots at
1280 px and 360 px go to test-artifacts/."""

import pytest
from django.test import Client
from django.utils import timezone
from weasyprint import HTML

from motcua.dossiers import services

from .factories import receive

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RESULT_HTML = """<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"></head>
<body style="font-family: 'DejaVu Sans'"><h1>GIẤY KHAI SINH</h1>
<p>Họ và tên: Nguyễn Văn Bình.</p></body></html>"""


@pytest.fixture(autouse=True)
def dev_pki(tmp_path, settings):
    settings.MOTCUA_PKI_DIR = str(tmp_path / "pki")
    for name in ("MOTCUA_SIGNING_P12_PATH", "MOTCUA_SIGNING_P12_PASSWORD", "MOTCUA_TRUST_ROOTS"):
        setattr(settings, name, "")


def signed_in(browser, live_server, user, width):
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="vi-VN")
    host = live_server.url.split("//", 1)[1].split(":")[0]
    cookie = client.cookies["sessionid"]
    context.add_cookies([{"name": "sessionid", "value": cookie.value, "domain": host, "path": "/"}])
    return context


def test_specialist_submits_and_leader_signs(browser, live_server, world, artifacts_dir, tmp_path):
    d = receive(world, timezone.now())
    services.start_processing(world.officer, dossier_id=d.pk, assignee=world.specialist)
    pdf = tmp_path / "ket-qua.pdf"
    pdf.write_bytes(HTML(string=RESULT_HTML).write_pdf())

    ctx = signed_in(browser, live_server, world.specialist, 1280)
    page = ctx.new_page()
    page.goto(f"{live_server.url}/can-bo/ho-so/")
    page.screenshot(path=str(artifacts_dir / "worklist-mine-1280.png"), full_page=True)
    with page.expect_navigation():
        page.click(f"text={d.code}")
    page.click("[data-testid=action-attach_result] summary")
    page.set_input_files("[data-testid=action-attach_result] input[type=file]", str(pdf))
    with page.expect_navigation():
        page.click("[data-testid=submit-attach_result]")
    assert "Đã đính kèm văn bản kết quả." in page.inner_text(".messages")
    page.fill("[data-testid=action-submit_for_approval] textarea", "Hồ sơ đủ điều kiện")
    with page.expect_navigation():
        page.click("[data-testid=submit-submit_for_approval]")
    assert "Đã trình lãnh đạo phê duyệt." in page.inner_text(".messages")
    assert "Chờ lãnh đạo phê duyệt" in page.inner_text("[data-testid=status]")
    page.screenshot(path=str(artifacts_dir / "dossier-page-submitted-1280.png"), full_page=True)
    ctx.close()

    ctx = signed_in(browser, live_server, world.leader, 1280)
    page = ctx.new_page()
    page.goto(f"{live_server.url}/can-bo/ho-so/?tab=awaiting_signature")
    assert page.locator("[data-testid=dossier-row]").count() == 1
    page.screenshot(path=str(artifacts_dir / "worklist-awaiting-signature-1280.png"))
    with page.expect_navigation():
        page.click(f"text={d.code}")
    with page.expect_navigation():
        page.click("[data-testid=submit-approve_sign]")
    page.screenshot(path=str(artifacts_dir / "dossier-sign-confirm-1280.png"), full_page=True)
    page.check("input[name=confirm]")
    with page.expect_navigation():
        page.click("[data-testid=confirm-sign]")
    assert "Đã phê duyệt và ký số" in page.inner_text(".messages")
    assert page.locator("[data-testid=signed-badge]").count() == 1
    link = page.locator("[data-testid=verification] a").first.get_attribute("href")
    assert link.startswith("/xac-thuc/")
    page.screenshot(path=str(artifacts_dir / "dossier-page-signed-1280.png"), full_page=True)
    ctx.close()

    ctx = signed_in(browser, live_server, world.leader, 360)
    page = ctx.new_page()
    page.goto(f"{live_server.url}/can-bo/ho-so/{d.pk}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(artifacts_dir / "dossier-page-signed-360.png"), full_page=True)
    page.goto(f"{live_server.url}/can-bo/ho-so/?tab=all")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(artifacts_dir / "worklist-all-360.png"), full_page=True)
    page.goto(f"{live_server.url}{link}")
    page.screenshot(path=str(artifacts_dir / "dossier-verification-360.png"), full_page=True)
    ctx.close()
