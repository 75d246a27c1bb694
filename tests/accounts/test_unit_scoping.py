"""Who sees which unit's rows: commune officers their commune, province staff their communes."""

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from motcua.accounts.models import Role, StaffAssignment, User
from motcua.accounts.scoping import (
    get_scoped_or_404,
    has_role,
    roles_of,
    scoped,
    visible_unit_ids,
)
from motcua.core.models import Unit


def ids(*units):
    return {u.pk for u in units}


def test_commune_officer_sees_only_his_commune(units, make_staff):
    officer = make_staff((Role.COUNTER_OFFICER, units["thach_ha"]))
    assert visible_unit_ids(officer) == ids(units["thach_ha"])
    visible = scoped(Unit.objects.all(), officer, field="pk")
    assert list(visible) == [units["thach_ha"]]


def test_province_manager_sees_every_commune_of_the_province_but_not_another_province(
    units, make_staff
):
    manager = make_staff((Role.MANAGER, units["ha_tinh"]))
    assert visible_unit_ids(manager) == ids(units["ha_tinh"], units["thach_ha"], units["cam_xuyen"])
    assert units["vinh"].pk not in visible_unit_ids(manager)
    assert units["nghe_an"].pk not in visible_unit_ids(manager)


def test_legacy_district_level_still_reaches_its_communes(units, make_staff):
    district = Unit.objects.create(
        code="436", name="Huyện Can Lộc (cũ)", kind=Unit.Kind.DISTRICT, parent=units["ha_tinh"]
    )
    old_commune = Unit.objects.create(
        code="18400", name="Xã Tùng Lộc (cũ)", kind=Unit.Kind.COMMUNE, parent=district
    )
    manager = make_staff((Role.MANAGER, units["ha_tinh"]))
    assert {district.pk, old_commune.pk} <= visible_unit_ids(manager)


def test_citizen_sees_nothing_even_with_an_assignment_row(units, make_staff):
    citizen = make_staff((Role.MANAGER, units["ha_tinh"]), kind=User.Kind.CITIZEN)
    assert visible_unit_ids(citizen) == set()
    assert roles_of(citizen) == set()
    assert not scoped(Unit.objects.all(), citizen, field="pk").exists()


def test_inactive_assignment_gives_nothing(units, make_staff):
    officer = make_staff((Role.SPECIALIST, units["thach_ha"]))
    StaffAssignment.objects.filter(user=officer).update(is_active=False)
    assert visible_unit_ids(officer) == set()
    assert not has_role(officer, Role.SPECIALIST)


def test_deactivated_account_sees_nothing(units, make_staff):
    officer = make_staff((Role.SPECIALIST, units["thach_ha"]), is_active=False)
    assert visible_unit_ids(officer) == set()


def test_anonymous_visitor_sees_nothing(db):
    from django.contrib.auth.models import AnonymousUser

    assert visible_unit_ids(AnonymousUser()) == set()
    assert roles_of(AnonymousUser()) == set()


def test_roles_filter_limits_the_units_to_where_that_role_is_held(units, make_staff):
    person = make_staff(
        (Role.COUNTER_OFFICER, units["thach_ha"]), (Role.MANAGER, units["cam_xuyen"])
    )
    assert visible_unit_ids(person) == ids(units["thach_ha"], units["cam_xuyen"])
    assert visible_unit_ids(person, [Role.MANAGER]) == ids(units["cam_xuyen"])
    assert visible_unit_ids(person, [Role.LEADER]) == set()


def test_role_held_in_a_province_reaches_its_communes_but_not_the_other_way(units, make_staff):
    leader = make_staff((Role.LEADER, units["ha_tinh"]))
    assert has_role(leader, Role.LEADER, unit=units["thach_ha"])
    assert not has_role(leader, Role.LEADER, unit=units["vinh"])
    officer = make_staff((Role.COUNTER_OFFICER, units["thach_ha"]))
    assert not has_role(officer, Role.COUNTER_OFFICER, unit=units["ha_tinh"])
    assert roles_of(officer, units["thach_ha"].pk) == {Role.COUNTER_OFFICER}
    assert roles_of(officer, units["cam_xuyen"]) == set()


def test_get_scoped_or_404_hides_another_units_row(units, make_staff):
    officer = make_staff((Role.COUNTER_OFFICER, units["thach_ha"]))
    own = get_scoped_or_404(Unit.objects.all(), officer, scope_field="pk", pk=units["thach_ha"].pk)
    assert own == units["thach_ha"]
    with pytest.raises(Http404):
        get_scoped_or_404(Unit.objects.all(), officer, scope_field="pk", pk=units["vinh"].pk)
    with pytest.raises(Http404):
        get_scoped_or_404(Unit.objects.all(), officer, scope_field="pk", pk=999_999)


def test_scope_is_computed_with_two_queries_and_then_cached_on_the_user(units, make_staff):
    manager = make_staff((Role.MANAGER, units["ha_tinh"]), (Role.LEADER, units["vinh"]))
    manager = User.objects.get(pk=manager.pk)
    with CaptureQueriesContext(connection) as queries:
        visible_unit_ids(manager)
        visible_unit_ids(manager, [Role.MANAGER])
        roles_of(manager, units["thach_ha"])
        has_role(manager, Role.LEADER, unit=units["vinh"])
    assert len(queries) == 2
