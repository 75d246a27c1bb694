"""In a real browser at 360 px: a manager opens the sync coverage screen after the simulated
portal refused one dossier's message, reads the reason, presses "Gửi lại", and once the portal
takes it sees 100 % (screenshots looked at)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Browser, expect

from motcua.portalsim.models import Behaviour
from motcua.portalsync import services as sync
from motcua.portalsync.models import PortalMessage
from tests.dossiers.factories import receive

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_reads_coverage_and_retries_a_refused_message_on_a_phone(
    browser: Browser, world, portal, artifacts_dir
):
    for _ in range(2):
        receive(world, timezone.now())
    sync.drain()
    refused = receive(world, timezone.now())
    Behaviour.objects.update_or_create(
        pk=1, defaults={"reject_code": "E09", "reject_reason": "Mã thủ tục chưa công bố trên Cổng"}
    )
    sync.drain()
    dead = PortalMessage.objects.get(dossier=refused)
    assert dead.state == "dead"

    client = Client()
    client.force_login(world.manager)
    context = browser.new_context(viewport={"width": 360, "height": 800})
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": portal.url}]
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{portal.url}/can-bo/dong-bo-dvcqg/")
    unit = page.get_by_test_id(f"sync-unit-{world.commune.pk}")
    expect(unit.get_by_test_id("coverage")).to_have_text("66,7%")
    expect(page.get_by_test_id(f"dead-{dead.pk}")).to_contain_text(
        "Cổng từ chối: E09: Mã thủ tục chưa công bố trên Cổng"
    )
    page.screenshot(path=artifacts_dir / "portal-sync-coverage-360.png", full_page=True)
    Behaviour.objects.filter(pk=1).update(reject_code="")
    page.get_by_test_id(f"dead-{dead.pk}").get_by_role("button", name="Gửi lại").click()
    expect(page.locator(".messages")).to_contain_text(f"hồ sơ {refused.code}")
    sync.drain()
    page.reload()
    expect(unit.get_by_test_id("coverage")).to_have_text("100,0%")
    expect(page.get_by_text("Không có tin nhắn nào bị lỗi.")).to_be_visible()
    page.screenshot(path=artifacts_dir / "portal-sync-coverage-done-360.png", full_page=True)
    assert errors == []
    context.close()
