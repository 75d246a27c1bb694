"""Creating staff, giving and taking roles, setting passwords: checked and audited."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from motcua.accounts import services
from motcua.accounts.models import Role, StaffAssignment, User
from motcua.accounts.scoping import visible_unit_ids
from motcua.core.models import AuditEvent

from .conftest import PASSWORD


@pytest.fixture
def admin_thach_ha(units, make_staff):
    return make_staff((Role.ADMINISTRATOR, units["thach_ha"]))


def test_administrator_creates_an_officer_in_his_commune(units, admin_thach_ha):
    user = services.create_staff(
        actor=admin_thach_ha,
        username="motcua.an",
        full_name="Nguyễn Văn An",
        unit=units["thach_ha"],
        role=Role.COUNTER_OFFICER,
        password=PASSWORD,
    )
    assert user.kind == User.Kind.STAFF and user.check_password(PASSWORD)
    event = AuditEvent.objects.get(action="staff.created")
    assert event.unit_id == units["thach_ha"].pk and event.actor_id == admin_thach_ha.pk
    assert PASSWORD not in str(event.changes)


def test_administrator_cannot_create_staff_in_another_commune(units, admin_thach_ha):
    with pytest.raises(PermissionDenied):
        services.create_staff(
            actor=admin_thach_ha,
            username="x",
            full_name="X",
            unit=units["cam_xuyen"],
            role=Role.SPECIALIST,
        )
    assert not User.objects.filter(username="x").exists()


def test_duplicate_username_and_weak_password_are_refused_in_vietnamese(units, admin_thach_ha):
    with pytest.raises(ValidationError) as weak:
        services.create_staff(
            actor=admin_thach_ha,
            username="yeu",
            full_name="Mật Khẩu Yếu",
            unit=units["thach_ha"],
            role=Role.SPECIALIST,
            password="123",
        )
    assert weak.value.messages
    services.create_staff(
        actor=None, username="trung", full_name="A", unit=units["thach_ha"], role=Role.LEADER
    )
    with pytest.raises(ValidationError) as dup:
        services.create_staff(
            actor=None, username="TRUNG", full_name="B", unit=units["thach_ha"], role=Role.LEADER
        )
    assert "Tên đăng nhập đã được sử dụng." in str(dup.value)


def test_assign_and_revoke_a_role_changes_what_the_person_sees(units, admin_thach_ha, make_staff):
    officer = make_staff()
    assignment = services.assign_role(
        actor=admin_thach_ha, user=officer, unit=units["thach_ha"], role=Role.SPECIALIST
    )
    assert visible_unit_ids(officer) == {units["thach_ha"].pk}
    with pytest.raises(ValidationError):
        services.assign_role(
            actor=admin_thach_ha, user=officer, unit=units["thach_ha"], role=Role.SPECIALIST
        )
    services.revoke_role(actor=admin_thach_ha, assignment=assignment)
    assert visible_unit_ids(officer) == set()
    assert StaffAssignment.objects.get(pk=assignment.pk).is_active is False
    # re-assigning re-activates the same row
    again = services.assign_role(
        actor=admin_thach_ha, user=officer, unit=units["thach_ha"], role=Role.SPECIALIST
    )
    assert again.pk == assignment.pk and again.is_active
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert actions == ["staff.role_assigned", "staff.role_revoked", "staff.role_assigned"]


def test_citizen_cannot_be_given_a_staff_role(units, admin_thach_ha, make_staff):
    citizen = make_staff(kind=User.Kind.CITIZEN)
    with pytest.raises(ValidationError):
        services.assign_role(
            actor=admin_thach_ha, user=citizen, unit=units["thach_ha"], role=Role.MANAGER
        )


def test_set_password_is_audited_without_the_password(units, admin_thach_ha, make_staff):
    officer = make_staff((Role.SPECIALIST, units["thach_ha"]))
    services.set_password(actor=admin_thach_ha, user=officer, password="Hoa-Sen-Vang-2025")
    officer.refresh_from_db()
    assert officer.check_password("Hoa-Sen-Vang-2025")
    event = AuditEvent.objects.get(action="staff.password_set")
    assert "Hoa-Sen" not in str(event.changes) and event.unit_id == units["thach_ha"].pk


def test_manager_of_another_commune_cannot_reset_a_password(units, make_staff):
    officer = make_staff((Role.SPECIALIST, units["thach_ha"]))
    other_admin = make_staff((Role.ADMINISTRATOR, units["vinh"]))
    with pytest.raises(PermissionDenied):
        services.set_password(actor=other_admin, user=officer, password="Hoa-Sen-Vang-2025")


def test_update_staff_records_old_and_new_values(units, admin_thach_ha, make_staff):
    officer = make_staff((Role.SPECIALIST, units["thach_ha"]), full_name="Lê Văn Cũ")
    services.update_staff(actor=admin_thach_ha, user=officer, full_name="Lê Văn Mới")
    event = AuditEvent.objects.get(action="staff.updated")
    assert event.changes == {"full_name": ["Lê Văn Cũ", "Lê Văn Mới"]}
    officer.refresh_from_db()
    assert officer.search_name.startswith("le van moi")


def test_admin_is_closed_to_officers_and_open_to_administrators(
    client, units, admin_thach_ha, make_staff, login_as
):
    officer = make_staff((Role.SPECIALIST, units["thach_ha"]), is_staff=True)
    login_as(officer)
    assert client.get("/quan-tri/accounts/user/").status_code in {302, 403}
    admin_thach_ha.is_staff = True
    admin_thach_ha.save()
    login_as(admin_thach_ha)
    response = client.get("/quan-tri/accounts/user/")
    assert response.status_code == 200
    html = response.content.decode()
    assert officer.username in html
    outsider = make_staff((Role.SPECIALIST, units["vinh"]))
    assert outsider.username not in html
