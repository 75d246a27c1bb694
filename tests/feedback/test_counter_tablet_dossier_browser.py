"""In a real browser at 1024 px (a tablet turned towards the citizen): the officer at the
counter hands a dossier's result over, the tablet's poll brings the dossier in, the citizen taps
a face, is thanked, and the tablet goes back to waiting (screenshots looked at)."""

import pytest

from motcua.core.models import Counter
from motcua.dossiers import services as dossier_services
from motcua.feedback import views as feedback_views
from motcua.feedback.models import Rating
from motcua.queueing import services as queue_services
from tests.dossiers.test_status_notifications import ready

from .test_rating_browser import fits, signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_tablet_offers_the_dossier_just_returned_and_thanks_the_citizen(
    browser, live_server, world, clock, artifacts_dir, monkeypatch
):
    # the live server runs in this process: a quicker poll and thanks keep the test short
    monkeypatch.setattr(feedback_views, "TABLET_POLL_SECONDS", 1)
    monkeypatch.setattr(feedback_views, "TABLET_THANKS_SECONDS", 2)
    desk = Counter.objects.create(unit=world.commune, number=3, name="Một cửa")
    queue_services.open_counter(counter=desk, officer=world.officer)
    d = ready(world)
    context, page, errors = signed_in(browser, live_server, world.officer, 1024, 768)
    page.goto(f"{live_server.url}/can-bo/quay/{desk.pk}/danh-gia/")
    assert page.get_by_test_id("tablet-waiting").is_visible()

    # the officer hands the result over at the counter
    dossier_services.return_result(
        world.officer, dossier_id=d.pk, delivery="counter", at=clock.advance(minutes=1)
    )
    page.get_by_test_id("tablet-dossier").wait_for(timeout=5_000)  # the poll brings it in
    line = page.get_by_test_id("tablet-dossier").inner_text()
    assert d.code in line and "Đăng ký khai sinh" in line
    assert page.get_by_role(
        "heading", name="Mời quý khách đánh giá việc giải quyết hồ sơ"
    ).is_visible()
    fits(page, 1024)
    page.screenshot(path=str(artifacts_dir / "rating-tablet-dossier-1024.png"), full_page=True)

    page.get_by_role("button", name="Rất hài lòng").click()
    page.get_by_test_id("tablet-thanks").wait_for()
    page.screenshot(
        path=str(artifacts_dir / "rating-tablet-dossier-thanks-1024.png"), full_page=True
    )
    rating = Rating.objects.get()
    assert (rating.dossier_id, rating.channel, rating.level) == (
        d.pk,
        "counter_tablet",
        "very_satisfied",
    )
    assert (rating.officer_id, rating.counter_id) == (world.officer.pk, desk.pk)
    page.get_by_test_id("tablet-waiting").wait_for(timeout=5_000)
    assert errors == []
    context.close()
