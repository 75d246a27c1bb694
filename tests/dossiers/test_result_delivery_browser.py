"""In a real browser on a 360 px phone: the delivery the applicant chose at reception (by post)
is on the dossier pages and already ticked when the officer hands the result over."""

import pytest
from playwright.sync_api import Browser, expect

from motcua.dossiers import services
from motcua.dossiers.models import Delivery, Dossier, Status

from .test_counter_browser import _fits, _signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
POST_LABEL = "Qua bưu chính công ích"


@pytest.fixture
def ready_by_post(live_server, shipped_calendar):
    from .factories import applicant, attach, complete_processing, make_world, receive

    w = make_world()
    d = receive(
        w,
        result_delivery=Delivery.POST,
        applicant=applicant(address="Thôn Đồng Bụt, xã An Hưng, thành phố Hải Phòng"),
    )
    services.start_processing(w.officer, dossier_id=d.pk, assignee=w.specialist)
    complete_processing(w, d)
    attach(w, d, "result")
    services.mark_result_ready(w.specialist, dossier_id=d.pk)
    return w, Dossier.objects.get(pk=d.pk)


def _shot(page, artifacts_dir, name: str) -> None:
    path = artifacts_dir / f"{name}-360.png"
    page.screenshot(path=str(path), full_page=True)


def test_the_chosen_post_delivery_is_shown_and_proposed_on_a_phone(
    browser: Browser, live_server, ready_by_post, artifacts_dir
):
    w, d = ready_by_post
    context, page = _signed_in(browser, live_server, w.officer, 360, 740)

    page.goto(f"{live_server.url}/can-bo/mot-cua/ho-so/{d.pk}/")
    expect(page.get_by_test_id("result-delivery")).to_have_text(POST_LABEL)
    _fits(page)
    _shot(page, artifacts_dir, "delivery-counter-dossier")

    page.goto(f"{live_server.url}/can-bo/mot-cua/tra-ket-qua/?q={d.code}")
    expect(page.get_by_test_id("asked-delivery")).to_contain_text(POST_LABEL)
    expect(page.locator('input[name="delivery"][value="post"]')).to_be_checked()
    _fits(page)
    _shot(page, artifacts_dir, "delivery-returns-list")

    page.goto(f"{live_server.url}/can-bo/mot-cua/tra-ket-qua/{d.pk}/")
    expect(page.get_by_test_id("asked-delivery")).to_contain_text(POST_LABEL)
    expect(page.locator('input[name="delivery"][value="post"]')).to_be_checked()
    page.get_by_label("Số vận đơn bưu chính").fill("EB123456789VN")
    _fits(page)
    _shot(page, artifacts_dir, "delivery-return-one")
    page.get_by_role("button", name="Trả kết quả").click()
    expect(page.get_by_text(f"Đã trả kết quả hồ sơ {d.code}.")).to_be_visible()

    d.refresh_from_db()
    assert d.status == Status.RETURNED and d.result_delivery == Delivery.POST
    assert d.postal_tracking_number == "EB123456789VN"
    assert not page.js_errors
    context.close()

    context, page = _signed_in(browser, live_server, w.specialist, 360, 740)
    page.goto(f"{live_server.url}/can-bo/ho-so/{d.pk}/")
    expect(page.get_by_test_id("result-delivery")).to_contain_text(POST_LABEL)
    expect(page.get_by_test_id("result-delivery")).to_contain_text("EB123456789VN")
    _fits(page)
    _shot(page, artifacts_dir, "delivery-worklist-dossier")
    context.close()
