"""On a 360 px phone: Lan submitted her declaration unsigned; on her dossier page she follows
"Ký số tờ khai", types her PIN, and the remote signing service (the CSC simulator on loopback)
signs the filed declaration; she is back on her dossier page, told so (decisions/0040)."""

import pytest
from django.conf import settings as django_settings
from django.test import Client
from playwright.sync_api import expect

from motcua.catalog.models import Procedure
from motcua.documents.verification import verify_pdf
from motcua.filing import services

from .factories import LAN, make_citizen, make_filing_world
from .test_citizen_signs_declaration_browser import csc  # noqa: F401
from .test_services import walk_the_form

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_lan_signs_her_filed_declaration_from_her_dossier_page(
    live_server,
    browser,
    csc,  # noqa: F811
    artifacts_dir,
):
    make_filing_world()
    birth = Procedure.objects.get(code="1.001193")
    lan = make_citizen(LAN)
    draft = walk_the_form(services.start(citizen=lan, procedure=birth), lan)
    services.choose_case(draft_id=draft.pk, citizen=lan, case="Đúng hạn", conditions=[])
    services.choose_delivery(draft_id=draft.pk, citizen=lan, delivery="online", notify_by="")
    dossier = services.submit(draft_id=draft.pk, citizen=lan)
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
    phone.goto(f"{live_server.url}/cong-dan/ho-so/{dossier.code}/")
    offer = phone.get_by_test_id("action-sign-declaration")
    expect(offer).to_contain_text("Ký số tờ khai")
    phone.screenshot(path=str(artifacts_dir / "citizen-dossier-sign-offer-360.png"), full_page=True)
    offer.get_by_role("link").click()
    phone.wait_for_url("**/ky-to-khai/")
    phone.get_by_label("Mã PIN hoặc mã OTP của chứng thư số").fill("135790")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.screenshot(path=str(artifacts_dir / "citizen-sign-filed-360.png"), full_page=True)
    phone.get_by_test_id("sign-remote").click()
    phone.wait_for_url(f"**/cong-dan/ho-so/{dossier.code}/")
    expect(phone.locator(".messages")).to_contain_text("Đã ký số tờ khai")
    expect(phone.get_by_test_id("action-sign-declaration")).to_have_count(0)
    phone.screenshot(path=str(artifacts_dir / "citizen-sign-filed-done-360.png"), full_page=True)
    with dossier.components.order_by("id").first().file.open("rb") as fh:
        assert verify_pdf(fh.read()).valid
    context.close()
