"""Dates at the ends of the calendar (0001-01-01, 9999-12-31) typed into a filter, a link or a
form are a Vietnamese form error, never a 500: the worklist filter, the tracking book (page
and its XLSX) and the new appointment date of an extension."""

import pytest

from motcua.dossiers.models import Status

from .factories import drive_to

pytestmark = pytest.mark.django_db

OUT_OF_RANGE = "Ngày phải trong khoảng từ 01/01/2000 đến 31/12/2100."
WORKLIST = "/can-bo/ho-so/"
BOOK = "/can-bo/mot-cua/so-theo-doi/"


@pytest.mark.parametrize(
    "query",
    [
        {"date_to": "9999-12-31"},
        {"date_from": "0001-01-01", "date_to": "9999-12-31"},
        {"date_from": "0001-01-01"},
    ],
)
def test_the_worklist_filter_explains_a_date_out_of_range(client, world, query):
    drive_to(world, Status.PROCESSING)
    client.force_login(world.specialist)
    r = client.get(WORKLIST, {"tab": "all", **query})
    assert r.status_code == 200
    html = r.content.decode()
    assert OUT_OF_RANGE in html
    assert r.context["page"].paginator.count == 0  # an invalid filter lists nothing


def test_the_worklist_filter_still_finds_by_a_sane_period(client, world):
    d = drive_to(world, Status.PROCESSING)
    client.force_login(world.specialist)
    r = client.get(WORKLIST, {"tab": "all", "date_from": "2026-11-01", "date_to": "2100-12-31"})
    assert r.status_code == 200
    assert [row.pk for row in r.context["page"].object_list] == [d.pk]


@pytest.mark.parametrize("fmt", ["", "xlsx", "pdf"])
@pytest.mark.parametrize(
    "query",
    [{"tu": "9999-12-31", "den": "9999-12-31"}, {"tu": "0001-01-01", "den": "0001-01-01"}],
)
def test_the_tracking_book_explains_a_date_out_of_range(client, world, query, fmt):
    client.force_login(world.officer)
    r = client.get(BOOK, {**query, "dinh_dang": fmt})
    assert r.status_code == 400
    assert r["Content-Type"].startswith("text/html")
    assert OUT_OF_RANGE in r.content.decode()


def test_the_tracking_book_of_a_sane_period_is_still_a_workbook(client, world):
    client.force_login(world.officer)
    r = client.get(BOOK, {"tu": "2026-11-01", "den": "2026-11-30", "dinh_dang": "xlsx"})
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "2101-01-01"])
def test_an_extension_to_a_date_out_of_range_is_refused_with_the_reason(client, world, day):
    d = drive_to(world, Status.PROCESSING)
    client.force_login(world.specialist)
    r = client.post(
        f"/can-bo/ho-so/{d.pk}/thao-tac/extend/",
        {"version": d.version, "reason": "Chờ xác minh", "new_due_date": day},
    )
    assert r.status_code == 400
    assert OUT_OF_RANGE in r.content.decode()
    assert not d.extensions.exists()
