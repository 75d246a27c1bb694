"""In a real browser at 360 px: the leader voids a certified copy with a reason; the book shows
the number marked void, and the copy's public verification page says it was voided and why."""

import pytest

from motcua.certification import services
from motcua.documents.uploads import Upload

from .conftest import AT
from .test_certified_copy_browser import shot, signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
REASON = "Ghi sai tên giấy tờ: bản chính là Bằng tốt nghiệp THCS"


def test_leader_voids_a_copy_and_the_public_page_says_so(
    browser, live_server, haiphong, original_pdf, artifacts_dir
):
    entry = services.certify_copy(
        haiphong.leader,
        unit_id=haiphong.commune.pk,
        citizen_id="031190012345",
        citizen_name="Nguyễn Thị Lan",
        title="Bằng tốt nghiệp trung học phổ thông",
        pages=2,
        files=[Upload("bang.pdf", original_pdf)],
        at=AT,
    )
    ctx = signed_in(browser, live_server, haiphong.leader, 360)
    page = ctx.new_page()
    page.goto(f"{live_server.url}/can-bo/chung-thuc/")
    page.click("[data-testid=book-void-open]")
    page.fill(f"#ly-do-{entry.pk}", REASON)
    shot(page, artifacts_dir, "certification-void-form-360.png")
    with page.expect_navigation():
        page.click("[data-testid=book-void]")
    assert "Đã hủy bỏ bản sao số 1" in page.inner_text(".messages")
    assert page.inner_text("[data-testid=book-voided]") == "Đã hủy bỏ"
    assert REASON in page.inner_text("[data-testid=book-void-reason]")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, artifacts_dir, "certification-book-voided-360.png")
    with page.expect_navigation():
        page.click("[data-testid=book-verify]")
    revoked = page.inner_text("[data-testid=revoked]")
    assert "Văn bản này đã bị hủy bỏ" in revoked and REASON in revoked
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, artifacts_dir, "certified-copy-voided-verification-360.png")
    ctx.close()
