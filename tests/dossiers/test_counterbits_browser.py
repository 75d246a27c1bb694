"""In a real browser at 360 px and 1280 px: scans previewed inline through signed links, the
worklist warnings with their explanation, the return screen (fee status, who collects), and the
counter's procedure search. Screenshots go to test-artifacts/ for a person to look at."""

import io
import json
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from PIL import Image, ImageDraw
from playwright.sync_api import Browser, expect

import motcua.catalog
from motcua.dossiers import services
from motcua.dossiers.models import Dossier, Status
from motcua.dossiers.papers import render, samples

from .factories import at, drive_to, make_procedure, make_world, receive
from .test_counter_browser import _fits, _signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDTHS = (360, 1280)


def _png() -> bytes:
    image = Image.new("RGB", (640, 400), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, 620, 380), outline="black", width=4)
    draw.text((40, 40), "CAN CUOC - anh chup thu", fill="black")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def world(live_server, shipped_calendar, clock):
    clock.set(at(2026, 11, 9, 9, 0))  # Monday
    return make_world()


def _open_previews(page) -> None:
    """Open every preview at once (clicking one by one races the PDF viewer's layout shift)."""
    page.evaluate(
        "document.querySelectorAll('[data-testid=file-preview]').forEach(d => { d.open = true; })"
    )


def _shot(page, artifacts_dir: Path, name: str, width: int) -> None:
    _fits(page)
    page.screenshot(path=str(artifacts_dir / f"counterbits-{name}-{width}.png"), full_page=True)


def test_scans_are_previewed_on_both_dossier_screens(
    browser: Browser, live_server, world, artifacts_dir
):
    d = receive(
        world,
        at(2026, 11, 9, 8, 55),
        components=[
            services.ComponentIn(
                name="Giấy chứng sinh",
                file=ContentFile(render.render_receipt(samples.receipt()), name="chung-sinh.pdf"),
            ),
            services.ComponentIn(name="Căn cước của mẹ", file=ContentFile(_png(), name="cccd.png")),
        ],
    )
    for width in WIDTHS:
        context, page = _signed_in(browser, live_server, world.specialist, width)
        page.goto(f"{live_server.url}/can-bo/ho-so/{d.pk}/")
        _open_previews(page)
        image = page.get_by_test_id("file-image")
        expect(image).to_be_visible()
        image.scroll_into_view_if_needed()
        page.wait_for_function(  # the signed link served the scan
            "() => { const i = document.querySelector('[data-testid=file-image]');"
            " return i && i.complete && i.naturalWidth === 640; }"
        )
        expect(page.get_by_test_id("file-frame")).to_be_visible()
        page.get_by_test_id("file-frame").scroll_into_view_if_needed()
        page.wait_for_timeout(800)
        _shot(page, artifacts_dir, "worklist-dossier-scans", width)
        assert page.js_errors == []
        context.close()

        context, page = _signed_in(browser, live_server, world.officer, width)
        page.goto(f"{live_server.url}/can-bo/mot-cua/ho-so/{d.pk}/")
        _open_previews(page)
        expect(page.get_by_test_id("file-image")).to_be_visible()
        page.get_by_test_id("file-frame").scroll_into_view_if_needed()
        page.wait_for_timeout(1500)  # the PDF viewer draws the page
        _shot(page, artifacts_dir, "counter-dossier-scans", width)
        link = page.get_by_test_id("file-link").first.get_attribute("href")
        page.goto(f"{live_server.url}{link[:-6]}xxxxx/")  # a damaged link
        expect(page.get_by_test_id("file-unavailable")).to_contain_text("không hợp lệ")
        _shot(page, artifacts_dir, "file-link-refused", width)
        context.close()


def test_worklist_badges_and_their_explanation(browser: Browser, live_server, world, artifacts_dir):
    soon = receive(world, at(2026, 11, 2, 9))
    services.start_processing(world.officer, dossier_id=soon.pk, at=at(2026, 11, 2, 9, 30))
    services.submit_for_approval(world.specialist, dossier_id=soon.pk, at=at(2026, 11, 6, 10))
    # ten working days; its examination step was due Friday 17:00
    risky = receive(world, at(2026, 11, 2, 9), procedure=make_procedure(world.province, days="10"))
    fresh = receive(world, at(2026, 11, 9, 8, 55))
    late = receive(world, at(2026, 10, 1, 9))
    expected = {
        soon.code: "Sắp đến hạn",
        risky.code: "Có nguy cơ trễ: bước xử lý quá hạn",
        fresh.code: "Trong hạn",
        late.code: "Quá hạn",
    }
    for width in WIDTHS:
        context, page = _signed_in(browser, live_server, world.leader, width)
        page.goto(f"{live_server.url}/can-bo/ho-so/?tab=all")
        for code, label in expected.items():
            row = page.locator("li", has_text=code).last
            expect(row).to_contain_text(label)
        expect(page.get_by_test_id("tab-due_soon")).to_contain_text("1")
        expect(page.get_by_test_id("tab-at_risk")).to_contain_text("1")
        page.get_by_test_id("warnings-help").locator("summary").click()
        expect(page.get_by_test_id("warnings-help")).to_contain_text("không quá một ngày làm việc")
        _shot(page, artifacts_dir, "worklist-warnings", width)
        assert page.js_errors == []
        context.close()


def test_return_screen_with_fee_status_and_authorised_collector(
    browser: Browser, live_server, world, artifacts_dir
):
    for width in WIDTHS:
        d = drive_to(world, Status.RESULT_READY, at(2026, 11, 2, 9))
        context, page = _signed_in(browser, live_server, world.officer, width)
        page.goto(f"{live_server.url}/can-bo/mot-cua/tra-ket-qua/?q={d.code}")
        expect(page.get_by_test_id("open-return")).to_be_visible()
        _shot(page, artifacts_dir, "counter-returns-list", width)
        page.get_by_test_id("open-return").click()
        expect(page.get_by_test_id("fee-status")).to_contain_text("8.000")
        expect(page.get_by_test_id("fee-status")).to_contain_text("Chưa ghi nhận đã nộp")
        page.get_by_label("Người được ủy quyền").check()
        page.get_by_label("Họ tên người nhận").fill("Trần Văn Bình")
        page.get_by_label("Giấy ủy quyền (số, ngày, người ủy quyền)").fill(
            "Giấy ủy quyền số 12/UQ ngày 10/11/2026"
        )
        page.get_by_role("button", name="Trả kết quả").click()
        expect(page.get_by_test_id("collector-id-error")).to_contain_text(
            "Phải ghi số định danh cá nhân của người được ủy quyền."
        )
        _shot(page, artifacts_dir, "counter-return-error", width)
        page.js_errors.clear()  # the 400 answer of the refused form is logged by the browser
        page.get_by_label("Số định danh cá nhân người nhận").fill("037199001234")
        page.get_by_role("button", name="Trả kết quả").click()
        expect(page.get_by_text(f"Đã trả kết quả hồ sơ {d.code}.")).to_be_visible()
        done = Dossier.objects.get(pk=d.pk)
        assert done.collected_by_kind == "authorised" and done.collector_id_number
        page.goto(f"{live_server.url}/can-bo/mot-cua/ho-so/{d.pk}/")
        expect(page.get_by_test_id("result-collector")).to_contain_text("Trần Văn Bình")
        _shot(page, artifacts_dir, "counter-dossier-returned", width)
        assert page.js_errors == []
        context.close()


def test_counter_search_khai_sinh_then_enter_opens_birth_registration(
    browser: Browser, live_server, world, artifacts_dir
):
    data = json.loads(
        (Path(motcua.catalog.__file__).parent / "data" / "demo_procedures.json").read_text()
    )
    rows = data["procedures"] if isinstance(data, dict) else data
    world.procedure.is_published = False  # only the demo's real names are offered
    world.procedure.save()
    for row in rows:
        if "sinh" in row["name"] or "tử" in row["name"]:
            make_procedure(world.province, name=row["name"])  # the names are what is searched
    for width in WIDTHS:
        context, page = _signed_in(browser, live_server, world.officer, width)
        page.goto(f"{live_server.url}/can-bo/mot-cua/tiep-nhan/")
        page.get_by_test_id("procedure-search").fill("khai sinh")
        first = page.get_by_test_id("procedure-result").first
        expect(first).to_contain_text("Thủ tục đăng ký khai sinh")
        _shot(page, artifacts_dir, "counter-search-khai-sinh", width)
        page.get_by_test_id("procedure-search").press("Enter")
        expect(page.get_by_test_id("reception-form")).to_be_visible()
        expect(page.locator("body")).to_contain_text("Thủ tục đăng ký khai sinh")
        assert page.js_errors == []
        context.close()
