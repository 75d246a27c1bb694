"""The audit log's period filter with a date at the ends of the calendar: a Vietnamese form
error on the page (200, nothing listed), never a 500."""

import pytest

from motcua.accounts.models import Role
from motcua.core.audit import record

LIST = "/can-bo/nhat-ky/"
OUT_OF_RANGE = "Ngày phải trong khoảng từ 01/01/2000 đến 31/12/2100."


@pytest.fixture
def manager(units, make_staff):
    manager = make_staff((Role.MANAGER, units["thach_ha"]), username="quanly.thachha")
    record(action="staff.created", object_type="accounts.user", unit=units["thach_ha"])
    return manager


@pytest.mark.parametrize(
    "query",
    [
        {"date_to": "9999-12-31"},
        {"date_from": "0001-01-01"},
        {"date_from": "0001-01-01", "date_to": "9999-12-31"},
    ],
)
def test_a_date_out_of_range_is_explained_on_the_page(client, manager, login_as, query):
    login_as(manager)
    response = client.get(LIST, query)
    assert response.status_code == 200
    assert OUT_OF_RANGE in response.content.decode()
    assert list(response.context["page"].object_list) == []


def test_the_widest_accepted_period_lists_the_events(client, manager, login_as):
    login_as(manager)
    response = client.get(LIST, {"date_from": "2000-01-01", "date_to": "2100-12-31"})
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 1
