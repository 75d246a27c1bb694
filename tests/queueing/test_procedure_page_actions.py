"""A procedure's public page offers "Đặt lịch hẹn" and "Lấy số thứ tự" where the commune's queue
serves it, and those buttons open the booking and the queue app with its service chosen."""

import re

import pytest
from django.urls import reverse

from motcua.catalog.models import Field, Procedure
from motcua.core.models import Unit
from motcua.queueing.models import BookingRule, Service

pytestmark = pytest.mark.django_db


def procedure(unit: Unit, name: str = "Thủ tục đăng ký khai sinh") -> Procedure:
    field, _ = Field.objects.get_or_create(name="Hộ tịch", defaults={"code": "ho-tich"})
    return Procedure.objects.create(
        unit=unit,
        code=f"1.{Procedure.objects.count() + 1:06d}",
        name=name,
        field=field,
        is_published=True,
    )


def actions(client, p: Procedure) -> list[tuple[str, str, str]]:
    """(kind, href, visible text) of each next-step button on the page."""
    html = client.get(reverse("catalog:procedure_detail", args=[p.pk])).content.decode()
    return [
        (kind, href.replace("&amp;", "&"), " ".join(re.sub(r"<[^>]+>", " ", text).split()))
        for href, kind, text in re.findall(
            r'<a class="button[^"]*" href="([^"]+)" data-testid="action-(\w+)">(.*?)</a>', html
        )
    ]


def test_a_served_procedure_offers_booking_and_a_ticket_for_its_service(client, commune, svc):
    birth = procedure(commune)
    svc["A"].procedures.add(birth)
    BookingRule.objects.create(service=svc["A"])

    assert actions(client, birth) == [
        ("book", f"/hang-doi/dat-hen/18073/?dich-vu={svc['A'].pk}", "Đặt lịch hẹn"),
        ("ticket", f"/hang-doi/18073/?dich-vu={svc['A'].pk}", "Lấy số thứ tự"),
    ]


def test_without_an_active_booking_rule_only_the_ticket_is_offered(client, commune, svc):
    birth = procedure(commune)
    svc["A"].procedures.add(birth)
    BookingRule.objects.create(service=svc["A"], is_active=False)

    assert [a[0] for a in actions(client, birth)] == ["ticket"]


def test_a_procedure_no_service_names_gets_its_communes_queue_to_choose_in(client, commune, svc):
    land = procedure(commune, "Đăng ký đất đai")
    BookingRule.objects.create(service=svc["C"])
    svc["A"].procedures.add(land)
    svc["A"].is_active = False  # the only service naming it stopped giving numbers
    svc["A"].save()

    assert actions(client, land) == [
        ("book", "/hang-doi/dat-hen/18073/", "Đặt lịch hẹn"),
        ("ticket", "/hang-doi/18073/", "Lấy số thứ tự"),
    ]


def test_a_commune_without_a_queue_shows_no_buttons(client, db):
    unit = Unit.objects.create(code="18099", name="Xã Không Xếp Hàng", kind=Unit.Kind.COMMUNE)
    html = client.get(reverse("catalog:procedure_detail", args=[procedure(unit).pk])).content
    assert b'data-testid="procedure-actions"' not in html


def test_a_procedure_served_in_two_communes_names_each(client, commune, other_commune, svc):
    shared = procedure(commune.parent, "Chứng thực bản sao từ bản chính")
    svc["B"].procedures.add(shared)
    theirs = Service.objects.create(unit=other_commune, code="A", name="Chứng thực")
    theirs.procedures.add(shared)

    assert actions(client, shared) == [
        ("ticket", f"/hang-doi/18074/?dich-vu={theirs.pk}", "Lấy số thứ tự (Xã Cẩm Xuyên)"),
        ("ticket", f"/hang-doi/18073/?dich-vu={svc['B'].pk}", "Lấy số thứ tự (Xã Thạch Hà)"),
    ]


def test_the_ticket_button_opens_the_queue_app_with_the_service_chosen(client, commune, svc, clock):
    birth = procedure(commune)
    svc["B"].procedures.add(birth)
    (_kind, href, _text) = actions(client, birth)[0]

    html = client.get(href).content.decode()

    checked = re.findall(r'<input type="radio" name="service" value="(\d+)" checked>', html)
    assert checked == [str(svc["B"].pk)]


def test_another_communes_service_in_the_link_chooses_nothing(
    client, commune, other_commune, svc, clock
):
    theirs = Service.objects.create(unit=other_commune, code="A", name="Hộ tịch")

    for value in (theirs.pk, "abc", "", "9" * 30, "-1"):
        html = client.get(f"/hang-doi/18073/?dich-vu={value}").content.decode()
        assert " checked>" not in html


def test_the_booking_button_opens_the_days_of_that_service(client, commune, svc, clock):
    birth = procedure(commune)
    svc["A"].procedures.add(birth)
    BookingRule.objects.create(service=svc["A"])
    (_kind, href, _text) = actions(client, birth)[0]

    html = client.get(href).content.decode()

    assert "Dịch vụ: <strong>Hộ tịch</strong>" in html  # step 2: pick a day


def test_the_procedure_page_stays_within_its_query_budget(
    client, commune, svc, django_assert_max_num_queries, settings
):
    birth = procedure(commune)
    svc["A"].procedures.add(birth)
    BookingRule.objects.create(service=svc["A"])

    settings.MOTCUA_PAGE_CACHE = False  # the page's own queries, not the cache's
    with django_assert_max_num_queries(6):
        assert client.get(reverse("catalog:procedure_detail", args=[birth.pk])).status_code == 200
