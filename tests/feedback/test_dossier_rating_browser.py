"""In a real browser at 360 px: the SMS sent when a dossier's result is returned carries a link;
the villager opens it on a cheap phone (no account), says why she is not satisfied, and the
same link later shows her rating instead of asking again (screenshots looked at)."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Browser

from motcua.dossiers import services as dossier_services
from motcua.dossiers.models import Dossier
from motcua.feedback import services as feedback_services
from motcua.feedback.models import Rating
from tests.clock import Clock
from tests.dossiers.factories import at
from tests.dossiers.test_status_notifications import ready

from .test_rating_browser import fits, new_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
RETURNED_AT = at(2026, 11, 20, 10)


def test_a_villager_rates_her_dossier_from_the_sms_link(
    browser: Browser, live_server, world, notify_outbox, artifacts_dir, monkeypatch
):
    monkeypatch.setattr(feedback_services, "now", Clock(at(2026, 11, 21, 19)))
    settings.MOTCUA_PUBLIC_BASE_URL = live_server.url
    d = ready(world)
    Dossier.objects.filter(pk=d.pk).update(applicant_email="", notify_by="sms")
    dossier_services.return_result(
        world.officer, dossier_id=d.pk, delivery="counter", at=RETURNED_AT
    )
    sms = [
        json.loads(line)
        for line in (Path(settings.VAR_DIR) / "dev-sms-outbox.jsonl").read_text().splitlines()
    ]
    invite = next(m for m in sms if "danh gia" in m["message"])  # the SMS is plain GSM text
    link = re.search(r"https?://\S+", invite["message"]).group(0)
    assert link.startswith(f"{live_server.url}/danh-gia/ho-so/")

    context, page, errors = new_page(
        browser, 360, 740, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    page.goto(link)
    assert page.get_by_role("heading", name="Đánh giá việc giải quyết hồ sơ").is_visible()
    assert d.code in page.content()
    fits(page, 360)
    page.screenshot(path=str(artifacts_dir / "rating-dossier-link-360.png"), full_page=True)

    page.get_by_role("button", name="Không hài lòng").tap()
    page.get_by_label("Phải đi lại nhiều lần").check()
    page.get_by_label("Ý kiến của bạn").fill("Phải lên xã ba lần mới đủ giấy tờ")
    with page.expect_navigation():
        page.get_by_role("button", name="Gửi đánh giá").tap()
    assert page.get_by_role("heading", name="Cảm ơn ông/bà đã đánh giá!").is_visible()
    fits(page, 360)
    page.screenshot(path=str(artifacts_dir / "rating-dossier-thanks-360.png"), full_page=True)
    rating = Rating.objects.get(dossier=d)
    assert (rating.level, rating.reason, rating.officer_id) == (
        "not_satisfied",
        "many_trips",
        world.officer.pk,
    )

    page.goto(link)  # the same SMS link again
    assert page.get_by_role("heading", name="Hồ sơ đã được đánh giá").is_visible()
    page.screenshot(path=str(artifacts_dir / "rating-dossier-again-360.png"), full_page=True)
    assert Rating.objects.filter(dossier=d).count() == 1
    assert errors == []
    context.close()
