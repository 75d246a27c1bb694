"""On a 360 px phone with JavaScript off, a citizen opens the receipt's QR link, types the
last 4 digits of their ID and reads where the dossier is."""

import pytest
from django.core.cache import cache

from motcua.dossiers import services

from .factories import at, receive

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _own_cache(settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "trk-b"}
    }
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 360, "height": 800}, java_script_enabled=False)
    yield context.new_page()
    context.close()


def test_citizen_tracks_a_dossier_from_the_receipt_qr(live_server, phone, world, artifacts_dir):
    dossier = receive(world, at(2026, 11, 2, 9))  # due Mon 9/11
    pk = dossier.pk
    services.start_processing(world.officer, dossier_id=pk, at=at(2026, 11, 2, 10))
    services.request_supplement(
        world.specialist,
        dossier_id=pk,
        items=["Giấy chứng sinh"],
        reason="Thiếu",
        at=at(2026, 11, 3, 9),
    )
    services.resubmit_supplement(None, dossier_id=pk, at=at(2026, 11, 4, 9))
    services.extend_with_apology(
        world.specialist,
        dossier_id=pk,
        reason="Cần xác minh",
        new_due_at=at(2026, 11, 20, 17),
        at=at(2026, 11, 6, 9),
    )

    phone.goto(f"{live_server.url}/tra-cuu/?ma={dossier.code}")
    assert phone.input_value("[data-testid=code-input]") == dossier.code
    phone.fill("[data-testid=digits-input]", "4567")
    with phone.expect_navigation():
        phone.click("[data-testid=lookup-submit]")

    assert phone.locator("[data-testid=dossier-code]").inner_text() == dossier.code
    assert phone.locator("[data-testid=status]").inner_text().startswith("Đang giải quyết")
    assert (
        "17 giờ 00 ngày 20/11/2026" in phone.locator("[data-testid=new-appointment]").inner_text()
    )
    timeline = phone.locator("[data-testid=timeline]").inner_text()
    assert "Yêu cầu bổ sung giấy tờ" in timeline and "Đã bổ sung giấy tờ" in timeline
    assert "Nguyễn Văn An" not in phone.content()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.screenshot(path=str(artifacts_dir / "tracking-browser-status-360.png"), full_page=True)

    phone.goto(f"{live_server.url}/tra-cuu/?ma={dossier.code}")
    phone.fill("[data-testid=digits-input]", "0000")
    with phone.expect_navigation():
        phone.click("[data-testid=lookup-submit]")
    assert phone.locator("[data-testid=not-found]").is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
