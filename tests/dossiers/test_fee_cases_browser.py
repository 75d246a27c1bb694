"""In a real browser: the reception screen asks for the case; ticking a condition ticks the
paper asked for in that case; the fee shown is the chosen case's. Screenshot at 1280 px."""

import datetime as dt

import pytest
from playwright.sync_api import Browser, expect

from motcua.dossiers.models import Dossier

from .factories import ABANDONED, LATE, VN, make_birth_registration, make_world
from .test_counter_browser import _fits, _signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NOW = dt.datetime(2026, 11, 2, 9, 30, tzinfo=VN)


@pytest.fixture
def clock(monkeypatch):
    """The live server runs in this process: its "now" is frozen too."""
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: NOW.astimezone(dt.UTC))
    return NOW


def test_officer_chooses_the_case_and_only_the_papers_that_apply_are_ticked(
    browser: Browser, live_server, shipped_calendar, clock, artifacts_dir
):
    w = make_world()
    birth = make_birth_registration(w.province)
    context, page = _signed_in(browser, live_server, w.officer, 1280)
    page.goto(f"{live_server.url}/can-bo/mot-cua/tiep-nhan/?thu_tuc={birth.pk}")

    cases = page.get_by_test_id("fee-case")
    expect(cases).to_have_count(2)
    expect(cases.nth(1)).to_contain_text("8.000")
    boxes = page.get_by_test_id("component-received")
    expect(boxes.nth(0)).to_be_checked()
    expect(boxes.nth(2)).not_to_be_checked()  # the abandoned-child record
    expect(page.get_by_test_id("component-condition").first).to_contain_text(ABANDONED)

    condition = page.get_by_test_id("condition").filter(has_text=ABANDONED).locator("input")
    condition.check()
    expect(boxes.nth(2)).to_be_checked()  # ticking the case ticks its paper
    condition.uncheck()
    expect(boxes.nth(2)).not_to_be_checked()
    page.get_by_text(LATE, exact=True).click()
    _fits(page)
    page.screenshot(path=str(artifacts_dir / "counter-reception-cases-1280.png"), full_page=True)

    page.get_by_label("Họ tên / tên tổ chức").fill("Nguyễn Thị Hoa")
    page.get_by_label("Số định danh cá nhân / mã số thuế").fill("001203004567")
    page.keyboard.press("Alt+s")
    expect(page.get_by_text("Hẹn trả kết quả").first).to_be_visible()
    d = Dossier.objects.get()
    assert d.fee_total_vnd == 8000
    assert d.components.count() == 2
    assert page.js_errors == []
    context.close()
