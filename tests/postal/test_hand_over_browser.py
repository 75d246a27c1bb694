"""In a real browser at 360 px: the counter officer opens a dossier whose applicant asked for the
result by post, hands it over to the (simulated) post, and the page shows the tracking number;
the post delivers and the page shows the result returned (screenshots looked at)."""

import pytest
from django.test import Client
from playwright.sync_api import Browser, expect

from motcua.postal.models import Consignment, PostalTariff
from motcua.postsim.views import send_update

from .conftest import ADDRESS, ready_by_post

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_officer_hands_a_result_over_to_the_post_on_a_phone(
    browser: Browser, post, world, artifacts_dir
):
    PostalTariff.objects.create(
        unit=world.commune, amount_vnd=22000, basis="Mức minh họa", illustrative=True
    )
    dossier = ready_by_post(world)
    client = Client()
    client.force_login(world.officer)
    context = browser.new_context(viewport={"width": 360, "height": 800})
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": post.url}]
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    page.goto(f"{post.url}/can-bo/mot-cua/ho-so/{dossier.pk}/")
    expect(page.get_by_test_id("postal-fee")).to_have_text("22.000\u00a0đ")
    expect(page.get_by_test_id("postal-address")).to_have_value(ADDRESS)
    page.get_by_test_id("postal-panel").scroll_into_view_if_needed()
    page.screenshot(path=artifacts_dir / "postal-hand-over-360.png", full_page=True)
    page.get_by_test_id("hand-over").click()
    tracking = Consignment.objects.get().tracking_number
    expect(page.locator(".messages")).to_contain_text(f"Số vận đơn: {tracking}")
    expect(page.get_by_test_id("tracking-number")).to_have_text(tracking)
    expect(page.get_by_test_id("result-delivery")).to_contain_text(tracking)
    page.get_by_test_id("postal-panel").scroll_into_view_if_needed()
    page.screenshot(path=artifacts_dir / "postal-tracking-number-360.png", full_page=True)

    assert send_update(tracking, "da-phat").status_code == 200
    page.reload()
    expect(page.get_by_test_id("status")).to_have_text("Đã trả kết quả")
    expect(page.get_by_test_id("postal-status")).to_contain_text("Đã phát cho người nhận")
    page.screenshot(path=artifacts_dir / "postal-delivered-360.png", full_page=True)
    assert errors == []
    context.close()

    public = browser.new_context(viewport={"width": 360, "height": 800})
    citizen = public.new_page()
    citizen.goto(f"{post.url}/tra-cuu/?ma={dossier.code}")
    citizen.fill("input[name=so]", dossier.applicant_id_number[-4:])
    citizen.locator("input[name=so]").press("Enter")
    expect(citizen.get_by_test_id("postal-tracking")).to_contain_text(tracking)
    expect(citizen.get_by_test_id("postal-tracking")).to_contain_text("Đã phát cho người nhận")
    citizen.screenshot(path=artifacts_dir / "postal-citizen-tracking-360.png", full_page=True)
    public.close()
