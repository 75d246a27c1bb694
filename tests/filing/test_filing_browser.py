"""On a 360 px phone: Lan opens birth registration, taps "Nộp trực tuyến", signs in through the
development identity provider (a real OIDC round trip), finds everything the state knows
prefilled, types her newborn's name, date and place of birth, reuses the ID paper of an earlier
dossier, photographs the birth certificate, chooses to get the result online and submits. The
dossier waits as "Mới đăng ký", filed online, with at most 3 typed fields and under 2 minutes
from sign-in to submission. A screenshot of every step is saved under test-artifacts/."""

import pytest

from motcua.dossiers.models import Dossier, OnlineFiling

from .factories import ID_PAPER, LAN, make_filing_world
from .walk import file_birth_registration

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
    shots = iter(range(1, 100))

    def shot(name: str) -> None:
        _fits(phone)
        phone.screenshot(
            path=str(artifacts_dir / f"filing-{next(shots):02d}-{name}-360.png"), full_page=True
        )

    filed = file_birth_registration(
        phone, rp=rp, devidp_url=devidp.url, fw=fw, shot=shot, tmp_path=tmp_path
    )
    assert not phone.js_errors, phone.js_errors

    dossier = Dossier.objects.get(code=filed.code)
    assert dossier.status == 1 and dossier.channel == "online"
    assert dossier.applicant_id_number == LAN
    filing = OnlineFiling.objects.get(dossier=dossier)
    assert filing.typed_fields <= 3, filing.typed_fields
    assert filing.reused_documents == 1
    assert filing.seconds_to_submit is not None and filing.seconds_to_submit < 120
    assert filing.seconds_to_submit <= filed.elapsed + 2  # measured from her sign-in
    assert dossier.components.filter(reused_from_warehouse=True, name=ID_PAPER).exists()
