"""On a 360 px phone with a flaky connection: records made offline are kept on the phone and
reach the server when the network is back; screenshots of the recording page and the
dashboard saved to test-artifacts/ to be looked at."""

import pytest
from django.conf import settings
from django.test import Client

from motcua.outreach.demo import load_demo_adoption
from motcua.outreach.models import AssistedAction, GuidanceSession

from .conftest import MODEL_BACKEND

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
RECORD = "/can-bo/cong-nghe-so/ghi-nhan/"


def signed_in_page(browser, live_server, user, width, height=800):
    client = Client()
    client.force_login(user, backend=MODEL_BACKEND)
    context = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN")
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return context, page, errors


def script_errors(errors):
    # "Failed to load resource" / ERR_INTERNET_DISCONNECTED are the offline fetches themselves
    return [e for e in errors if "Failed to" not in e and "ERR_INTERNET_DISCONNECTED" not in e]


def test_records_made_offline_reach_the_server_when_back_online(
    browser, live_server, team_member, villages, artifacts_dir
):
    context, page, errors = signed_in_page(browser, live_server, team_member, 360)
    page.goto(f"{live_server.url}{RECORD}")
    page.screenshot(path=artifacts_dir / "outreach-record-360.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    context.set_offline(True)
    page.get_by_label("Tạo tài khoản định danh VNeID mức 2").check()
    page.fill("#id_phone", "0912 345 678")
    page.get_by_role("button", name="Ghi nhận", exact=True).click()
    status = page.locator("#offline-status")
    status.get_by_text("Đã lưu trên máy, sẽ gửi khi có mạng (1 bản ghi)").wait_for()

    page.fill("#id_place", "Nhà văn hóa thôn 1")
    page.fill("#id_attendees", "37")
    page.get_by_role("button", name="Ghi nhận buổi hướng dẫn").click()
    status.get_by_text("Đã lưu trên máy, sẽ gửi khi có mạng (2 bản ghi)").wait_for()
    page.screenshot(path=artifacts_dir / "outreach-record-offline-360.png", full_page=True)
    assert not AssistedAction.objects.exists()
    assert page.locator("#id_phone").input_value() == ""  # ready for the next villager

    context.set_offline(False)
    status.get_by_text("Đã gửi 2 bản ghi lưu trên máy.").wait_for()

    action = AssistedAction.objects.get()
    assert (action.kind, action.village, action.recorded_by) == (
        "vneid_level2_created",
        villages["thon1"],
        team_member,
    )
    assert GuidanceSession.objects.get().attendees == 37
    assert page.evaluate("localStorage.getItem('motcua.outreach.pending')") == "[]"

    # online: the answer comes straight back, and a repeat of the same person counts once
    page.get_by_label("Tạo tài khoản định danh VNeID mức 2").check()
    page.fill("#id_phone", "0912345678")
    page.get_by_role("button", name="Ghi nhận", exact=True).click()
    page.get_by_text("đã được ghi nhận trước đó, không tính thêm").wait_for()
    assert AssistedAction.objects.count() == 1
    assert not script_errors(errors), errors
    context.close()


def test_record_left_on_the_phone_is_sent_on_next_page_load(
    browser, live_server, team_member, villages
):
    context, page, _ = signed_in_page(browser, live_server, team_member, 360)
    page.goto(f"{live_server.url}{RECORD}")
    pending = [
        {
            "url": f"{live_server.url}{RECORD}",
            "body": {
                "village": str(villages["thon1"].pk),
                "kind": "app_installed",
                "citizen_id": "001204012345",
                "phone": "",
                "age_group": "18_59",
                "client_uuid": "0b6f6c1e-8a57-4a35-9d0c-6f1e2a3b4c5d",
                "occurred_at": "2026-11-20T02:00:00.000Z",
            },
        }
    ]
    page.evaluate(
        "items => localStorage.setItem('motcua.outreach.pending', JSON.stringify(items))", pending
    )
    page.reload()
    page.get_by_text("Đã gửi 1 bản ghi lưu trên máy.").wait_for()
    assert AssistedAction.objects.get().resident.last3 == "345"
    context.close()


def test_dashboard_screens_at_phone_and_desktop_width(
    browser, live_server, manager, commune, artifacts_dir
):
    from motcua.core.models import Village

    for i, (name, pop) in enumerate([("Thôn 1", 1190), ("Thôn 2", 1060), ("Thôn 3", 1230)]):
        Village.objects.create(
            unit=commune, name=name, population=pop * 2, working_age_population=pop
        )
        del i
    load_demo_adoption(commune)
    for width in (360, 1280):
        context, page, errors = signed_in_page(browser, live_server, manager, width)
        page.goto(f"{live_server.url}/can-bo/cong-nghe-so/")
        assert page.locator(".village-card").count() == 3
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=artifacts_dir / f"outreach-dashboard-{width}.png", full_page=True)
        assert not script_errors(errors), errors
        context.close()
