"""Catalog admin: edits go through the services and are audited with a diff."""

import pytest
from django.urls import reverse

from motcua.catalog import services
from motcua.catalog.models import Procedure
from motcua.core.models import AuditEvent

from .factories import make_admin, make_procedure, make_unit

pytestmark = pytest.mark.django_db

INLINES = ("fees", "components", "steps", "forms")


def change_data(procedure: Procedure, **overrides) -> dict:
    data = {
        "unit": procedure.unit_id,
        "code": procedure.code,
        "name": procedure.name,
        "field": procedure.field_id,
        "level": procedure.level,
        "online_mode": procedure.online_mode,
        "time_unit": procedure.time_unit,
        "confidence": procedure.confidence,
        "processing_days": "3",
    }
    for prefix in INLINES:
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    data.update(overrides)
    return data


@pytest.fixture
def unit_admin(client):
    unit = make_unit()
    admin = make_admin(unit, is_staff=True)
    client.force_login(admin)
    return unit, admin


def test_admin_edit_of_name_and_a_new_fee_writes_one_audit_event_with_the_diff(client, unit_admin):
    unit, admin = unit_admin
    procedure = make_procedure(unit=unit, name="Tên cũ")
    url = reverse("admin:catalog_procedure_change", args=[procedure.pk])
    before = AuditEvent.objects.count()
    response = client.post(
        url,
        change_data(
            procedure,
            name="Tên mới",
            **{"fees-TOTAL_FORMS": "1", "fees-0-kind": "le_phi", "fees-0-amount_vnd": "8000",
               "fees-0-channel": "any"},
        ),
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    procedure.refresh_from_db()
    assert procedure.name == "Tên mới"
    assert procedure.fees.get().amount_vnd == 8000
    events = AuditEvent.objects.filter(action__startswith="catalog.")[before:]
    event = AuditEvent.objects.filter(action="catalog.procedure.updated").get()
    assert event.actor == admin
    assert event.changes["name"] == ["Tên cũ", "Tên mới"]
    assert event.changes["fees"][1][0]["amount_vnd"] == 8000
    assert len(list(events)) == 1


def test_admin_delete_is_audited_with_the_last_record(client, unit_admin):
    unit, _admin = unit_admin
    procedure = make_procedure(unit=unit, name="Sẽ xóa")
    url = reverse("admin:catalog_procedure_delete", args=[procedure.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Procedure.objects.exists()
    event = AuditEvent.objects.get(action="catalog.procedure.deleted")
    assert event.changes["before"]["name"] == "Sẽ xóa"


def test_unit_administrator_sees_only_own_units_procedures_in_admin(client, unit_admin):
    unit, _admin = unit_admin
    make_procedure(unit=unit, name="Của xã mình")
    theirs = make_procedure(unit=make_unit(), name="Bản nháp xã khác", is_published=False)
    page = client.get(reverse("admin:catalog_procedure_changelist")).content.decode()
    assert "Của xã mình" in page and "Bản nháp xã khác" not in page
    response = client.get(reverse("admin:catalog_procedure_change", args=[theirs.pk]))
    assert response.status_code in (302, 404)


def test_save_procedure_service_records_creation():
    unit = make_unit()
    procedure = make_procedure(unit=unit)
    procedure.name = "Đổi tên"
    services.save_procedure(procedure=procedure, actor=None)
    event = AuditEvent.objects.get(action="catalog.procedure.updated")
    assert event.changes == {"name": ["Thủ tục đăng ký kết hôn", "Đổi tên"]}
    assert event.unit_id == unit.pk
