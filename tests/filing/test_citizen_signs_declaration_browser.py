"""On a 360 px phone: Lan, her declaration filled in, opens "Ký tờ khai", types a wrong PIN
(told so in Vietnamese), then the right one; the remote signing service (the CSC simulator on
loopback) signs, and the review page shows her signature checked valid (decisions/0038)."""

import pytest
from django.conf import settings as django_settings
from django.test import Client
from playwright.sync_api import expect

from motcua.catalog.models import Procedure
from motcua.documents.csc_simulator import CSCSimulator, serve
from motcua.filing import services
from motcua.filing.models import DeclarationSignature

from .factories import LAN, make_citizen, make_filing_world
from .test_services import walk_the_form

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def csc(settings, tmp_path_factory):
    served = serve(CSCSimulator(client_id="motcua-test", client_secret="s3cret"))
    settings.MOTCUA_PKI_DIR = str(tmp_path_factory.mktemp("pki"))
    settings.MOTCUA_CSC_BASE_URL = served.url
    settings.MOTCUA_CSC_CLIENT_ID, settings.MOTCUA_CSC_CLIENT_SECRET = "motcua-test", "s3cret"
    for name in ("MOTCUA_SIGNING_P12_PATH", "MOTCUA_SIGNING_P12_PASSWORD", "MOTCUA_TRUST_ROOTS"):
        setattr(settings, name, "")
    served.simulator.enrol(LAN, "Nguyễn Thị Lan", "135790")
    yield served
    served.stop()


def test_lan_signs_her_declaration_remotely_on_her_phone(live_server, browser, csc, artifacts_dir):
    make_filing_world()
    birth = Procedure.objects.get(code="1.001193")
    lan = make_citizen(LAN)
    draft = walk_the_form(services.start(citizen=lan, procedure=birth), lan)
    client = Client()
    client.force_login(lan)
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN")
    context.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    phone = context.new_page()
    phone.goto(f"{live_server.url}/nop-truc-tuyen/{draft.pk}/xem-lai/")
    phone.get_by_test_id("sign-link").click()
    phone.wait_for_url("**/ky-to-khai/")
    phone.get_by_label("Mã PIN hoặc mã OTP của chứng thư số").fill("000000")
    phone.get_by_test_id("sign-remote").click()
    expect(phone.get_by_test_id("sign-error")).to_have_text(
        "Mã PIN/OTP không đúng. Vui lòng nhập lại."
    )
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.screenshot(path=str(artifacts_dir / "citizen-sign-wrong-pin-360.png"), full_page=True)

    phone.get_by_label("Mã PIN hoặc mã OTP của chứng thư số").fill("135790")
    phone.get_by_test_id("sign-remote").click()
    phone.wait_for_url("**/xem-lai/")
    expect(phone.get_by_test_id("signature-check")).to_have_text(
        "Chữ ký hợp lệ, tờ khai không bị sửa sau khi ký"
    )
    expect(phone.get_by_test_id("signature-state")).to_contain_text("Nguyễn Thị Lan")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.get_by_test_id("signature").screenshot(
        path=str(artifacts_dir / "citizen-signed-declaration-360.png")
    )
    signature = DeclarationSignature.objects.get(draft=draft)
    assert signature.method == "remote"
    with signature.file.open("rb") as fh:  # its stamp, looked at on the rendered last page
        (artifacts_dir / "citizen-signed-declaration.pdf").write_bytes(fh.read())
    context.close()
