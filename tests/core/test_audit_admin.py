"""The administrator manages units and the calendar in the admin; every edit there is audited
and the audit log itself can be read but never added to, edited or deleted."""

import pytest
from django.urls import reverse

from motcua.core import audit
from motcua.core.models import AuditEvent, CalendarException, Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, django_user_model):
    root = django_user_model.objects.create_superuser(username="quantri", password="x")
    client.force_login(root)
    return client


@pytest.fixture
def event():
    return audit.record(action="unit.create", object_type="core.unit", object_id=1)


def test_audit_log_can_be_read(admin_client, event):
    changelist = admin_client.get(reverse("admin:core_auditevent_changelist"))
    assert changelist.status_code == 200
    assert "unit.create" in changelist.content.decode()
    detail = admin_client.get(reverse("admin:core_auditevent_change", args=[event.pk]))
    assert detail.status_code == 200
    html = detail.content.decode()
    assert event.hash in html
    assert 'name="_save"' not in html  # read-only: no save button


def test_audit_log_offers_no_add_edit_or_delete(admin_client, event):
    assert admin_client.get(reverse("admin:core_auditevent_add")).status_code == 403
    assert (
        admin_client.post(reverse("admin:core_auditevent_delete", args=[event.pk])).status_code
        == 403
    )
    forged = admin_client.post(
        reverse("admin:core_auditevent_change", args=[event.pk]), {"action": "forged"}
    )
    assert forged.status_code == 403
    bulk = admin_client.post(
        reverse("admin:core_auditevent_changelist"),
        {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
    )
    assert bulk.status_code in {200, 302}
    assert AuditEvent.objects.get(pk=event.pk).action == "unit.create"
    assert audit.verify_chain().ok


def test_changing_a_unit_in_admin_is_audited_with_the_difference(admin_client):
    unit = Unit.objects.create(code="25210", name="Xã Tân Lập", kind=Unit.Kind.COMMUNE)
    response = admin_client.post(
        reverse("admin:core_unit_change", args=[unit.pk]),
        {"code": "25210", "name": "Xã Tân Lập Mới", "kind": "commune", "is_active": "on"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(action="admin.change")
    assert event.object_type == "core.unit" and event.object_id == str(unit.pk)
    assert event.changes == {"name": ["Xã Tân Lập", "Xã Tân Lập Mới"]}
    assert event.actor_label == "quantri"
    assert event.unit_id == unit.pk


def test_adding_a_swap_day_in_admin_is_audited(admin_client):
    response = admin_client.post(
        reverse("admin:core_calendarexception_add"),
        {
            "date": "2026-04-25",
            "kind": "working_day",
            "name": "Làm bù cho ngày 30/4",
            "legal_basis": "Thông báo của Bộ Nội vụ",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    day = CalendarException.objects.get()
    event = AuditEvent.objects.get(action="admin.create")
    assert event.object_id == str(day.pk)
    assert event.changes["name"] == [None, "Làm bù cho ngày 30/4"]


def test_deleting_a_calendar_day_in_admin_is_audited(admin_client):
    day = CalendarException.objects.create(date="2026-01-02", kind="day_off", name="Nghỉ bù")
    response = admin_client.post(
        reverse("admin:core_calendarexception_delete", args=[day.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not CalendarException.objects.exists()
    event = AuditEvent.objects.get(action="admin.delete")
    assert event.object_repr.endswith("Nghỉ bù")


def test_calendar_list_shows_date_kind_and_legal_basis(admin_client):
    CalendarException.objects.create(
        date="2026-04-25", kind="working_day", name="Làm bù", legal_basis="TB 123/TB-BNV"
    )
    response = admin_client.get(reverse("admin:core_calendarexception_changelist"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "TB 123/TB-BNV" in html and "Làm bù" in html
