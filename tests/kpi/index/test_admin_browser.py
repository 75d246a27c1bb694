"""The operator's screens the service index added, at 360 px: the formula sets (a saved version
keeps its definition, only its end date can be set) and the procedure's announcement and
publication facts (recorded, never estimated), which the index then counts."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from motcua.accounts.models import User
from motcua.catalog.models import Procedure

from . import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def test_the_operator_records_a_procedures_announcement_and_reads_the_formula_set(
    live_server, browser, artifacts_dir
):
    from motcua.kpi.models import FormulaSet

    place = f.make_place()
    procedure = f.make_procedure(place, "1.000894", fee=10000)
    root = User.objects.create_superuser(username="vanhanh-index", password=None)
    client = Client()
    client.force_login(root, backend=MODEL_BACKEND)
    context = browser.new_context(viewport={"width": 360, "height": 800})
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()

    row = FormulaSet.objects.get(code="dashboard-2025", version=1)
    page.goto(live_server.url + reverse("admin:kpi_formulaset_change", args=[row.pk]))
    assert "dashboard-2025" in page.content()
    # the definition of a saved version is shown, not offered for editing
    assert page.locator("textarea[name=definition]").count() == 0
    assert page.locator("input[name=effective_to]").count() == 1
    assert page.get_by_text("Tiến độ giải quyết").first.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(artifacts_dir / "index-formula-set-360.png"), full_page=True)

    page.goto(live_server.url + reverse("admin:catalog_procedure_change", args=[procedure.pk]))
    page.fill("input[name=announced_on]", "2026-10-01")
    page.fill("input[name=announcement_ref]", "QĐ 1234/QĐ-UBND")
    page.fill("input[name=announce_by]", "2026-10-05")
    page.check("input[name=fees_payable_online]")
    section = page.get_by_text("Công bố, công khai (Chỉ số phục vụ)")
    section.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts_dir / "index-procedure-announcement-360.png"))
    with page.expect_navigation():
        page.click("input[name=_save]")
    procedure = Procedure.objects.get(pk=procedure.pk)
    assert procedure.announced_on == dt.date(2026, 10, 1)
    assert procedure.announce_by == dt.date(2026, 10, 5)
    assert procedure.announcement_ref == "QĐ 1234/QĐ-UBND"
    assert procedure.fees_payable_online
    # published before the date was recorded: no day is guessed for it
    assert procedure.published_on is None
    context.close()
