"""The staff list: only people of units the viewer manages, with filters, search and pages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.accounts.models import Role, StaffAssignment

LIST = "/can-bo/nhan-su/"


@pytest.fixture
def people(units, make_staff):
    return {
        "manager": make_staff((Role.MANAGER, units["thach_ha"]), full_name="Trần Thị Quản Lý"),
        "an": make_staff((Role.COUNTER_OFFICER, units["thach_ha"]), full_name="Nguyễn Văn An"),
        "binh": make_staff((Role.SPECIALIST, units["thach_ha"]), full_name="Lê Thị Bình"),
        "cuong": make_staff((Role.SPECIALIST, units["cam_xuyen"]), full_name="Phạm Cường"),
        "dung": make_staff((Role.LEADER, units["vinh"]), full_name="Hoàng Dũng"),
    }


def names(response):
    return {p.full_name for p in response.context["page"].object_list}


def test_commune_manager_sees_the_staff_of_his_commune_only(client, people, login_as):
    login_as(people["manager"])
    response = client.get(LIST)
    assert response.status_code == 200
    assert names(response) == {"Trần Thị Quản Lý", "Nguyễn Văn An", "Lê Thị Bình"}
    assert "Phạm Cường" not in response.content.decode()


def test_province_administrator_sees_staff_of_all_its_communes(
    client, units, people, make_staff, login_as
):
    login_as(make_staff((Role.ADMINISTRATOR, units["ha_tinh"]), full_name="Quản Trị Tỉnh"))
    response = client.get(LIST)
    assert {"Nguyễn Văn An", "Phạm Cường"} <= names(response)
    assert "Hoàng Dũng" not in names(response)


def test_search_by_name_without_diacritics(client, people, login_as):
    login_as(people["manager"])
    assert names(client.get(LIST, {"q": "nguyen van an"})) == {"Nguyễn Văn An"}
    assert names(client.get(LIST, {"q": "BÌNH"})) == {"Lê Thị Bình"}


def test_filter_by_role_and_unit(client, units, people, make_staff, login_as):
    login_as(make_staff((Role.MANAGER, units["ha_tinh"])))
    assert names(client.get(LIST, {"role": Role.SPECIALIST})) == {"Lê Thị Bình", "Phạm Cường"}
    assert names(client.get(LIST, {"unit": units["cam_xuyen"].pk})) == {"Phạm Cường"}


def test_filter_by_a_unit_outside_the_scope_shows_no_one(client, units, people, login_as):
    login_as(people["manager"])
    response = client.get(LIST, {"unit": units["vinh"].pk})
    assert names(response) == set()


def test_revoked_assignment_is_shown_as_revoked(client, people, login_as):
    StaffAssignment.objects.filter(user=people["binh"]).update(is_active=False)
    login_as(people["manager"])
    html = client.get(LIST, {"q": "binh"}).content.decode()
    assert "đã thu hồi" in html


def test_staff_list_is_paginated(client, units, people, make_staff, login_as):
    for i in range(30):
        make_staff((Role.SPECIALIST, units["thach_ha"]), full_name=f"Cán bộ số {i:02d}")
    login_as(people["manager"])
    first = client.get(LIST)
    assert len(first.context["page"].object_list) == 25
    assert "Trang 1/2" in first.content.decode()
    second = client.get(LIST, {"page": 2})
    assert len(second.context["page"].object_list) == 8  # 33 people in Thạch Hà
    assert client.get(LIST, {"page": "abc"}).status_code == 200


def test_staff_list_query_count_does_not_grow_with_people(
    client, units, people, make_staff, login_as
):
    login_as(people["manager"])
    client.get(LIST)
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    for i in range(15):
        make_staff((Role.SPECIALIST, units["thach_ha"]), full_name=f"Thêm {i}")
    with CaptureQueriesContext(connection) as many:
        client.get(LIST)
    assert len(many) == len(few)


def test_staff_detail_shows_roles_and_units(client, people, login_as):
    login_as(people["manager"])
    response = client.get(f"{LIST}{people['an'].pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Nguyễn Văn An" in html and "Cán bộ một cửa" in html and "Xã Thạch Hà" in html


def test_staff_member_of_another_unit_is_a_404(client, people, login_as):
    login_as(people["manager"])
    assert client.get(f"{LIST}{people['cuong'].pk}/").status_code == 404
    assert client.get(f"{LIST}{people['dung'].pk}/").status_code == 404
    assert client.get(f"{LIST}999999/").status_code == 404


def test_other_unit_assignments_of_a_shared_person_are_not_shown(client, units, people, login_as):
    StaffAssignment.objects.create(user=people["an"], unit=units["vinh"], role=Role.SPECIALIST)
    login_as(people["manager"])
    html = client.get(f"{LIST}{people['an'].pk}/").content.decode()
    assert "Phường Vinh" not in html


def test_filter_by_a_unit_outside_the_scope_says_the_choice_is_invalid(
    client, units, people, login_as
):
    login_as(people["manager"])
    html = client.get(LIST, {"unit": units["vinh"].pk}).content.decode()
    assert "Lựa chọn không hợp lệ." in html
    assert "Hoàng Dũng" not in html
