"""The audit log pages: only events of the units the viewer manages, filters, pages."""

import datetime as dt

import pytest
from django.utils import timezone

from motcua.accounts.models import Role
from motcua.core.audit import record
from motcua.core.models import AuditEvent

LIST = "/can-bo/nhat-ky/"


@pytest.fixture
def manager(units, make_staff):
    return make_staff((Role.MANAGER, units["thach_ha"]), username="quanly.thachha")


@pytest.fixture
def events(units, manager):
    own = record(
        action="staff.created",
        object_type="accounts.user",
        object_id=1,
        unit=units["thach_ha"],
        actor=manager,
    )
    other = record(
        action="staff.created", object_type="accounts.user", object_id=2, unit=units["vinh"]
    )
    unitless = record(action="auth.login_failed", object_type="accounts.user")
    return {"own": own, "other": other, "unitless": unitless}


def listed(response):
    return {e.pk for e in response.context["page"].object_list}


def test_manager_sees_his_units_events_only(client, manager, events, login_as):
    login_as(manager)
    response = client.get(LIST)
    assert response.status_code == 200
    assert events["own"].pk in listed(response)
    assert events["other"].pk not in listed(response)
    assert events["unitless"].pk not in listed(response)
    assert "Tạo tài khoản cán bộ" in response.content.decode()


def test_another_units_event_detail_is_a_404(client, manager, events, login_as):
    login_as(manager)
    assert client.get(f"{LIST}{events['own'].pk}/").status_code == 200
    assert client.get(f"{LIST}{events['other'].pk}/").status_code == 404
    assert client.get(f"{LIST}{events['unitless'].pk}/").status_code == 404


def test_province_manager_sees_events_of_its_communes(client, units, make_staff, events, login_as):
    login_as(make_staff((Role.MANAGER, units["ha_tinh"])))
    response = client.get(LIST)
    assert events["own"].pk in listed(response)
    assert events["other"].pk not in listed(response)


def test_leader_and_officer_cannot_open_the_audit_log(client, units, make_staff, login_as):
    login_as(make_staff((Role.LEADER, units["thach_ha"])))
    assert client.get(LIST).status_code == 403


def test_own_login_and_logout_appear_in_the_log(client, manager, login_as):
    from .conftest import PASSWORD

    client.post("/can-bo/dang-nhap/", {"username": "quanly.thachha", "password": PASSWORD})
    html = client.get(LIST).content.decode()
    assert "Đăng nhập" in html
    assert AuditEvent.objects.filter(action="auth.login", actor=manager).exists()


def test_filter_by_action_actor_and_object_type(client, units, manager, events, login_as):
    record(
        action="catalog.procedure_published",
        object_type="catalog.procedure",
        unit=units["thach_ha"],
    )
    login_as(manager)
    by_action = client.get(LIST, {"action": "staff.created"})
    assert listed(by_action) == {events["own"].pk}
    by_type = client.get(LIST, {"object_type": "procedure"})
    assert {e.object_type for e in by_type.context["page"].object_list} == {"catalog.procedure"}
    by_actor = client.get(LIST, {"actor": "quanly"})
    assert listed(by_actor) == {events["own"].pk}


def test_filter_by_local_date_range(client, units, manager, login_as, monkeypatch):
    # 23:30 on 1/3 in Hà Nội is 16:30 UTC the same day (the log is append-only: no UPDATE)
    old_time = dt.datetime(2025, 3, 1, 16, 30, tzinfo=dt.UTC)
    with monkeypatch.context() as m:
        m.setattr("motcua.core.audit.timezone.now", lambda: old_time)
        old = record(action="staff.updated", object_type="x", unit=units["thach_ha"])
    login_as(manager)
    response = client.get(LIST, {"date_from": "2025-03-01", "date_to": "2025-03-01"})
    assert listed(response) == {old.pk}
    assert listed(client.get(LIST, {"date_from": "2025-03-02"})) != {old.pk}
    assert old.pk not in listed(client.get(LIST, {"date_from": timezone.localdate().isoformat()}))


def test_reversed_date_range_shows_a_vietnamese_error(client, manager, events, login_as):
    login_as(manager)
    response = client.get(LIST, {"date_from": "2025-03-05", "date_to": "2025-03-01"})
    assert "Ngày bắt đầu phải trước hoặc bằng ngày kết thúc." in response.content.decode()
    assert listed(response) == set()


def test_audit_list_is_paginated_newest_first(client, units, manager, login_as):
    for i in range(55):
        record(action="staff.updated", object_type="x", object_id=i, unit=units["thach_ha"])
    login_as(manager)
    first = client.get(LIST)
    page = first.context["page"]
    assert len(page.object_list) == 50
    assert page.object_list[0].pk > page.object_list[1].pk
    assert len(client.get(LIST, {"page": 2}).context["page"].object_list) >= 5
