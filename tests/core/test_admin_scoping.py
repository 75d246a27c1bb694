"""Every admin screen, walked as a commune administrator: nothing of another commune is seen,
offered or reachable, and nothing can be saved into it.

The cases come from the admin registry itself, so a screen registered tomorrow gets its case
without anyone writing one: it fails here until it is scoped (`core.admin_scope.UnitScopedAdmin`)
or closed to all but superusers (`SuperuserOnlyAdmin`), and until its rows exist in the two
communes below (`populate`).

The administrator of commune A holds the administrator role there, is a Django staff member and
has been given every Django permission: the worst case of "given admin access". Both communes,
A and B, hold a row of every model. For each screen the administrator:

- sees A's row and not B's in the list; B's change, history and delete pages are not there;
- is offered, in every foreign-key and many-to-many field (inlines and autocompletes too), no row
  of B, and the only models offered in full are the shared reference lists (`SHARED_CHOICES`);
- posts a change of A's row, and an add, with one of those fields pointed at B's row: refused
  (403, or the form's "not one of the choices" error on that very field), nothing saved;
- bulk-deletes B's row through the list action: B's row survives;
- makes a real change and a real add in A: saved, and audited with the administrator as actor.
"""

import datetime as dt
import json
import uuid
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.forms import ModelChoiceField, ModelMultipleChoiceField
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from motcua.accounts.models import Role, StaffAssignment, User
from motcua.catalog.models import Field, HowToGuide, Procedure
from motcua.core import audit
from motcua.core.admin_scope import SuperuserOnlyAdmin, UnitScopedAdmin, limit_to_units
from motcua.core.models import AuditEvent, CalendarException, Counter, Department, Unit, Village
from motcua.eforms.models import FormSchema
from motcua.feedback.models import Rating
from motcua.integrations.models import Notification
from motcua.outreach.models import AssistedAction, Campaign, GuidanceSession, Resident
from motcua.payments.models import CollectionAccount, FeeRelief, ReceiptIssuer
from motcua.petitions.models import Attachment, Category, Petition
from motcua.postal.models import PostalTariff
from motcua.queueing.models import (
    Booking,
    BookingRule,
    CounterAssignment,
    QueuePolicy,
    Service,
    Ticket,
    TicketEvent,
)
from motcua.registry.models import RegistryLookup

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
REGISTRY = admin.site._registry
LABELS = sorted(model._meta.label for model in REGISTRY)
MODELS = {model._meta.label: model for model in REGISTRY}

# Screens for superusers only, and why a unit administrator has no business there.
SUPERUSER_ONLY = {
    "auth.Group": "Django groups grant permissions across every unit.",
    "otp_totp.TOTPDevice": "second-factor secrets of people of every unit; a lost phone is "
    "reset by the operator (decisions/0004).",
    "axes.AccessAttempt": "sign-in attempts of every unit, with addresses.",
    "axes.AccessLog": "sign-ins of every unit, with addresses.",
    "axes.AccessFailureLog": "failed sign-ins of every unit, with addresses.",
    "dossiers.Dossier": "the operator's evidence browser; who reads a dossier is decided by the "
    "dossier rules, and an administrator holds no dossier role.",
    "dossiers.DossierEvent": "as dossiers.Dossier.",
    "dossiers.Extension": "as dossiers.Dossier.",
    "dossiers.SupplementRequest": "as dossiers.Dossier.",
    "dossiers.Violation": "as dossiers.Dossier.",
    "citizens.CitizenIdentity": "citizens' identities (citizen ID, date of birth, address) "
    "belong to no unit; read-only, for the operator.",
    "integrations.PushSubscription": "a browser's push subscription belongs to no unit.",
    "kpi.FormulaSet": "the service index's formula sets are national (QĐ 766): one version "
    "scores every unit, and a past period is scored with the version in force then.",
    "catalog.FollowUp": "national reference by national code (proactive services), loaded from "
    "catalog/data/proactive.json with its sources.",
    "catalog.ResultValidity": "as catalog.FollowUp: how long a result is valid is national law.",
    "payments.PaymentRequest": "payment evidence, as dossiers.Dossier; the unit's staff see it "
    "on their own screens.",
    "payments.PaymentAttempt": "as payments.PaymentRequest.",
    "payments.PaymentEvent": "as payments.PaymentRequest.",
    "payments.ReconciliationRun": "as payments.PaymentRequest; the unit's managers work through "
    "runs on the reconciliation screen.",
    "payments.ReconciliationLine": "as payments.ReconciliationRun.",
    "payments.Receipt": "as payments.PaymentRequest; issued and voided through "
    "payments.receipts only, read by the unit's staff on the fee page.",
    "payments.CashBookDay": "as payments.PaymentRequest; the unit's managers close days on the "
    "cash book screen.",
    "postal.Consignment": "postal evidence, as dossiers.Dossier; the unit's staff see it on "
    "the dossier page.",
    "postal.ConsignmentEvent": "as postal.Consignment.",
    "portalsync.PortalMessage": "the outbox to the national portal, as dossiers.Dossier; the "
    "unit's leaders and managers read it on the sync coverage screen.",
    "postal.RefusedUpdate": "status updates the post sent that were refused: no unit is known "
    "for a forged or unknown one; for the operator.",
    "petitions.SpentChallenge": "proof-of-work ids already used, of anonymous visitors of no "
    "unit; read-only.",
}
# Reference lists every unit shares: read by administrators, edited by superusers only.
GLOBAL = {
    "catalog.Field": "the national list of fields (lĩnh vực) every procedure is filed under.",
}
# Models a scoped form may offer in full: they belong to no unit.
SHARED_CHOICES = {Field, Permission}
# Django's own models (groups, permissions) may be offered through a superuser-only field.
SHARED_CHOICES_LABELS = {"auth.Group", "auth.Permission", "contenttypes.ContentType"}

HANOI = dt.timezone(dt.timedelta(hours=7))
SLOT = dt.datetime(2026, 11, 18, 9, 0, tzinfo=HANOI)


# --- the two communes ------------------------------------------------------------------------


MINIMAL_FORM = {
    "title": "TỜ KHAI",
    "steps": [
        {
            "key": "a",
            "title": "Người yêu cầu",
            "fields": [{"name": "ho_ten", "label": "Họ tên", "type": "text"}],
        }
    ],
}


def populate(unit: Unit, tag: str, field: Field) -> dict:
    """One row of every model registered in the admin, in `unit` (plus spares for adds)."""
    village = Village.objects.create(unit=unit, name=f"Thôn {tag}")
    department = Department.objects.create(unit=unit, code="vp", name=f"Văn phòng {tag}")
    counter = Counter.objects.create(unit=unit, number=1, name=f"Quầy {tag}")
    spare_counter = Counter.objects.create(unit=unit, number=2, name=f"Quầy phụ {tag}")
    CalendarException.objects.create(
        unit=unit, date=dt.date(2026, 12, 24), kind="day_off", name=f"Nghỉ {tag}"
    )
    procedure = Procedure.objects.create(
        unit=unit, code=f"1.{tag}", name=f"Đăng ký khai sinh {tag}", field=field
    )
    spare_procedure = Procedure.objects.create(
        unit=unit, code=f"2.{tag}", name=f"Đăng ký kết hôn {tag}", field=field
    )
    HowToGuide.objects.create(procedure=procedure, summary=f"Hướng dẫn {tag}")
    FormSchema.objects.create(
        procedure=procedure,
        name=f"Tờ khai {tag}",
        version=1,
        definition=MINIMAL_FORM,
    )
    service = Service.objects.create(unit=unit, code="A", name=f"Hộ tịch {tag}")
    service.procedures.add(procedure)
    spare_service = Service.objects.create(unit=unit, code="B", name=f"Đất đai {tag}")
    QueuePolicy.objects.create(unit=unit)
    assignment = CounterAssignment.objects.create(counter=counter)
    assignment.services.add(service)
    BookingRule.objects.create(service=service)
    now = timezone.now()
    ticket = Ticket.objects.create(
        unit=unit,
        service=service,
        issued_service=service,
        day=SLOT.date(),
        number=1,
        code="A001",
        source=Ticket.Source.KIOSK,
        issued_at=SLOT,
    )
    TicketEvent.objects.create(ticket=ticket, to_status="waiting", action="issue", at=SLOT)
    Booking.objects.create(
        unit=unit,
        service=service,
        slot_start=SLOT,
        held_until=SLOT,
        code=f"BK{tag}2345"[:8],
        citizen_name=f"Nguyễn Văn {tag}",
        phone="0912345678",
        created_at=now,
    )
    Rating.objects.create(
        unit=unit, ticket=ticket, level="satisfied", channel="phone", created_at=now
    )
    Notification.objects.create(
        unit=unit,
        channel="sms",
        to_address="0912345678",
        purpose="booking_reminder",
        body=f"Nhắc lịch {tag}",
        idempotency_key=f"test:{tag}",
    )
    Campaign.objects.create(
        unit=unit, name=f"Cao điểm {tag}", start=dt.date(2026, 9, 1), end=dt.date(2026, 12, 31)
    )
    resident = Resident.objects.create(unit=unit, village=village)
    RegistryLookup.objects.create(
        at=now,
        unit=unit,
        purpose="reception",
        citizen_id="031190012345",
        outcome="found",
        backend="local",
    )
    AssistedAction.objects.create(
        resident=resident,
        unit=unit,
        village=village,
        kind="app_installed",
        source="team_member",
        occurred_at=now,
        client_uuid=uuid.uuid4(),
    )
    GuidanceSession.objects.create(
        unit=unit,
        village=village,
        date=dt.date(2026, 11, 10),
        place=f"Nhà văn hoá {tag}",
        attendees=12,
        client_uuid=uuid.uuid4(),
    )
    PostalTariff.objects.create(unit=unit, amount_vnd=22000, basis=f"Hợp đồng {tag}")
    CollectionAccount.objects.create(
        unit=unit,
        bank_bin="970415",
        bank_code="icb",
        bank_name="VietinBank",
        account_number=f"1133666{len(tag)}",
        account_name=f"UBND {tag}",
    )
    ReceiptIssuer.objects.create(unit=unit, tax_code="0201234567", symbol="BL-26E")
    FeeRelief.objects.create(
        unit=unit,
        name=f"Miễn lệ phí {tag}",
        legal_basis="TT 85/2019/TT-BTC",
        condition="poor_household",
        percent=100,
        valid_from=dt.date(2026, 1, 1),
    )
    category = Category.objects.create(
        unit=unit, code="giao-thong", name=f"Giao thông {tag}", department=department
    )
    petition = Petition.objects.create(
        unit=unit,
        code=f"PA-{tag}AAA-AAAA"[:12],
        category=category,
        department=department,
        subject=f"Đèn đường {tag}",
        content="Đèn đường hỏng đã một tuần.",
        received_at=now,
        days=10,
        due_at=now,
    )
    Attachment.objects.create(petition=petition, name="anh.jpg", file="phan-anh/x.pdf", sha256="0")
    officer = User.objects.create_user(username=f"canbo_{tag.lower()}", full_name=f"Cán bộ {tag}")
    StaffAssignment.objects.create(user=officer, unit=unit, role=Role.SPECIALIST)
    audit.record(action="test.seed", object_type="core.unit", object_id=unit.pk, unit=unit)
    return {
        "unit": unit,
        "village": village,
        "department": department,
        "spare_counter": spare_counter,
        "procedure": procedure,
        "spare_procedure": spare_procedure,
        "service": service,
        "spare_service": spare_service,
    }


@pytest.fixture
def world(db):
    province = Unit.objects.create(code="42", name="Tỉnh Hà Tĩnh", kind=Unit.Kind.PROVINCE)
    a = Unit.objects.create(code="18073", name="Xã Thạch Hà", kind="commune", parent=province)
    b = Unit.objects.create(code="18074", name="Xã Cẩm Xuyên", kind="commune", parent=province)
    field = Field.objects.create(code="ho-tich", name="Hộ tịch")
    administrator = User.objects.create_user(
        username="quantri_thachha", full_name="Quản trị Thạch Hà", is_staff=True
    )
    StaffAssignment.objects.create(user=administrator, unit=a, role=Role.ADMINISTRATOR)
    administrator.user_permissions.set(Permission.objects.all())  # every Django permission
    return {
        "A": populate(a, "A", field),
        "B": populate(b, "B", field),
        "field": field,
        "admin": administrator,
        "root": User.objects.create_superuser(username="vanhanh", password=None),
    }


@pytest.fixture
def as_admin(world):
    client = Client()
    client.force_login(world["admin"], backend=MODEL_BACKEND)
    return client


def row_in(model, unit: Unit):
    row = limit_to_units(model._default_manager.order_by("pk"), [unit.pk]).first()
    assert row is not None, f"no {model._meta.label} row in {unit}: add one to populate()"
    return row


def url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


# --- what a browser would post ------------------------------------------------------------------


class _FormReader(HTMLParser):
    """The fields a browser would submit from the admin's change form (no JavaScript)."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self.in_form = False
        self.select: tuple[str, bool] | None = None
        self.select_values: list[str] = []
        self.select_first: str | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id", "").endswith("_form"):
            self.in_form = True
        if not self.in_form or "disabled" in a:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in {"submit", "button", "file", "image", "reset"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in a:
                return
            default = "on" if kind in {"checkbox", "radio"} else ""
            self.data.setdefault(name, []).append(a.get("value") or default)
        elif tag == "select" and name:
            self.select = (name, "multiple" in a)
            self.select_values, self.select_first = [], None
        elif tag == "option" and self.select:
            value = a.get("value", "")
            if self.select_first is None:
                self.select_first = value
            if "selected" in a:
                self.select_values.append(value)
        elif tag == "textarea" and name:
            self.textarea = name
            self.data.setdefault(name, []).append("")

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False
        elif tag == "select" and self.select:
            name, multiple = self.select
            values = self.select_values
            if not values and not multiple and self.select_first is not None:
                values = [self.select_first]
            self.data[name] = values
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea:
            self.data[self.textarea][-1] += data


def read_form(html: str) -> dict[str, list[str]]:
    reader = _FormReader()
    reader.feed(html)
    data = {k: v for k, v in reader.data.items() if "__prefix__" not in k}
    data["_save"] = ["Lưu"]
    return data


def choice_fields(context) -> list[tuple[str, object]]:
    """(posted name, form field) of every relation choice on the page, inlines included."""
    found = []
    form = context["adminform"].form
    for name, field in form.fields.items():
        if isinstance(field, ModelChoiceField):
            found.append((form.add_prefix(name), field))
    for inline in context.get("inline_admin_formsets", []):
        formset = inline.formset
        sample = formset.forms[0] if formset.forms else formset.empty_form
        # The row's own id is looked up by the formset in the inline's (scoped) rows, and an id
        # outside them is dropped by Django: not a choice offered to anyone.
        skip = {formset.fk.name, formset.model._meta.pk.name}
        for name, field in sample.fields.items():
            if isinstance(field, ModelChoiceField) and name not in skip:
                # the first row (an add posts its own first row: see ADDS)
                found.append((f"{formset.prefix}-0-{name}", field))
    return found


def refused_for(response, posted: str) -> bool:
    """403, or the page again with "not one of the choices" on that very field."""
    if response.status_code == 403:
        return True
    if response.status_code != 200:
        return False
    errors = []
    form = response.context["adminform"].form
    for name, items in form.errors.as_data().items():
        errors += [(form.add_prefix(name), e.code) for e in items]
    for inline in response.context.get("inline_admin_formsets", []):
        for subform in inline.formset.forms:
            for name, items in subform.errors.as_data().items():
                errors += [(subform.add_prefix(name), e.code) for e in items]
    return (posted, "invalid_choice") in errors


def pointed_at(data: dict, posted: str, field, b_row) -> dict:
    forged = {k: list(v) for k, v in data.items()}
    forged[posted] = [str(b_row.pk)]
    if not isinstance(field, ModelMultipleChoiceField):
        forged[posted] = forged[posted][:1]
    return forged


# --- the real change and the real add each screen must allow in A ------------------------------

# model label -> (field, new value): a change the administrator makes to A's row
CHANGES = {
    "core.Unit": ("address", "Số 1 đường Trần Phú"),
    "core.Village": ("name", "Thôn Đông"),
    "core.Department": ("name", "Văn phòng HĐND và UBND"),
    "core.Counter": ("name", "Quầy hộ tịch"),
    "core.CalendarException": ("name", "Nghỉ lễ địa phương"),
    "accounts.User": ("full_name", "Trần Thị Mới"),
    "catalog.Procedure": ("name", "Đăng ký khai sinh (sửa)"),
    "catalog.HowToGuide": ("summary", "Các bước mới"),
    "eforms.FormSchema": ("name", "Tờ khai (sửa)"),
    "queueing.QueuePolicy": ("priority_streak_limit", "4"),
    "queueing.Service": ("name", "Hộ tịch - chứng thực"),
    "queueing.CounterAssignment": ("services", []),
    "queueing.BookingRule": ("capacity", "5"),
    "outreach.Campaign": ("name", "Cao điểm 60 ngày"),
    "payments.FeeRelief": ("percent", "50"),
    "payments.CollectionAccount": ("account_name", "UBND XA THACH HA"),
    "payments.ReceiptIssuer": ("symbol", "BL-27E"),
    "postal.PostalTariff": ("amount_vnd", "25000"),
    "petitions.Category": ("days", "12"),
}


def _procedure_fields(a: dict) -> dict:
    p = a["procedure"]
    return {
        "unit": a["unit"].pk,
        "code": "9.999",
        "name": "Thủ tục mới",
        "field": p.field_id,
        "level": p.level,
        "online_mode": p.online_mode,
        "time_unit": p.time_unit,
        "confidence": p.confidence,
    }


# model label -> fields of a new row in the administrator's unit (over the add page's defaults)
ADDS = {
    "core.Village": lambda a: {"unit": a["unit"].pk, "name": "Thôn Mới", "kind": "thon"},
    "core.Department": lambda a: {"unit": a["unit"].pk, "code": "ktxh", "name": "Phòng mới"},
    "core.Counter": lambda a: {"unit": a["unit"].pk, "number": 7, "name": "Quầy mới"},
    "core.CalendarException": lambda a: {
        "unit": a["unit"].pk,
        "date": "2027-01-05",
        "kind": "day_off",
        "name": "Nghỉ bù",
    },
    "accounts.User": lambda a: {
        "username": "canbo_moi",
        "full_name": "Cán bộ mới",
        "kind": "staff",
        "usable_password": "true",
        "password1": "Hoa-Sen-Vang-2025",
        "password2": "Hoa-Sen-Vang-2025",
        "assignments-TOTAL_FORMS": "1",
        "assignments-0-role": Role.SPECIALIST,
        "assignments-0-unit": a["unit"].pk,
        "assignments-0-is_active": "on",
    },
    "catalog.Procedure": _procedure_fields,
    "catalog.HowToGuide": lambda a: {"procedure": a["spare_procedure"].pk, "summary": "Mới"},
    "eforms.FormSchema": lambda a: {
        "procedure": a["spare_procedure"].pk,
        "name": "Tờ khai mới",
        "confidence": "partial",
        "definition": json.dumps(MINIMAL_FORM),
    },
    "queueing.QueuePolicy": lambda a: {
        "unit": a["unit"].pk,
        "priority_streak_limit": 2,
        "calls_before_no_show": 3,
    },
    "queueing.Service": lambda a: {
        "unit": a["unit"].pk,
        "code": "Z",
        "name": "Dịch vụ mới",
        "procedures": [a["procedure"].pk],
    },
    "queueing.CounterAssignment": lambda a: {
        "counter": a["spare_counter"].pk,
        "services": [a["service"].pk],
    },
    "queueing.BookingRule": lambda a: {
        "service": a["spare_service"].pk,
        "slot_minutes": 30,
        "capacity": 3,
        "days_ahead": 14,
    },
    "outreach.Campaign": lambda a: {
        "unit": a["unit"].pk,
        "name": "Chiến dịch mới",
        "start": "2027-01-01",
        "end": "2027-03-01",
        "target_percent": 45,
        "stretch_percent": 50,
        "milestones": "[]",
    },
    "payments.FeeRelief": lambda a: {
        "unit": a["unit"].pk,
        "name": "Giảm 50% khi nộp trực tuyến",
        "legal_basis": "NQ 78/2026/NQ-HĐND",
        "condition": "online",
        "percent": 50,
        "valid_from": "2027-01-01",
    },
    "payments.CollectionAccount": lambda a: {
        "unit": a["unit"].pk,
        "bank_bin": "970436",
        "bank_code": "vcb",
        "bank_name": "Vietcombank",
        "account_number": "0011000999",
        "account_name": "UBND XA",
    },
    "payments.ReceiptIssuer": lambda a: {
        "unit": a["unit"].pk,
        "tax_code": "0209999999",
        "symbol": "BL-NEW",
    },
    "postal.PostalTariff": lambda a: {
        "unit": a["unit"].pk,
        "amount_vnd": 30000,
        "basis": "Hợp đồng mới với bưu điện",
    },
}
ADDS["petitions.Category"] = lambda a: {
    "unit": a["unit"].pk,
    "code": "moi-truong",
    "name": "Môi trường",
    "department": a["department"].pk,
    "days": "10",
    "position": "0",
    "is_active": "on",
}
# an add in A that would collide with A's own row: make room first (one policy per unit)
MAKE_ROOM = {
    "queueing.QueuePolicy": lambda a: QueuePolicy.objects.filter(unit=a["unit"]).delete(),
    "payments.CollectionAccount": lambda a: CollectionAccount.objects.filter(
        unit=a["unit"]
    ).delete(),
    "payments.ReceiptIssuer": lambda a: ReceiptIssuer.objects.filter(unit=a["unit"]).delete(),
    "postal.PostalTariff": lambda a: PostalTariff.objects.filter(unit=a["unit"]).delete(),
}


def _with(data: dict, values: dict) -> dict:
    merged = {k: list(v) for k, v in data.items()}
    for key, value in values.items():
        if isinstance(value, list):
            merged[key] = [str(v) for v in value]  # [] posts nothing, as an empty list box
        else:
            merged[key] = [str(value)]
    return merged


# --- the cases ---------------------------------------------------------------------------------


def test_every_admin_screen_is_scoped_or_for_superusers_only():
    for model, model_admin in REGISTRY.items():
        label = model._meta.label
        assert isinstance(model_admin, UnitScopedAdmin | SuperuserOnlyAdmin), (
            f"{label}: {type(model_admin).__name__} is neither UnitScopedAdmin nor "
            "SuperuserOnlyAdmin (motcua.core.admin_scope)"
        )
        if isinstance(model_admin, UnitScopedAdmin):
            for inline in model_admin.inlines:
                assert issubclass(inline, UnitScopedAdmin), f"{label}: inline {inline.__name__}"
            if model_admin.scope_lookup() is None and not model_admin.global_rows:
                assert label in SUPERUSER_ONLY, f"{label} has no unit: say why in SUPERUSER_ONLY"
        if label in SUPERUSER_ONLY or label in GLOBAL:
            continue
        assert isinstance(model_admin, UnitScopedAdmin), label


@pytest.mark.parametrize("label", LABELS)
def test_a_commune_administrator_stays_inside_the_commune(label, world, as_admin):
    model = MODELS[label]
    model_admin = REGISTRY[model]
    if label in SUPERUSER_ONLY:
        _superuser_only(model, world, as_admin)
    elif label in GLOBAL:
        _shared_list(model, world, as_admin)
    else:
        _scoped(label, model, model_admin, world, as_admin)


def _superuser_only(model, world, as_admin):
    assert as_admin.get(url(model, "changelist")).status_code == 403
    assert as_admin.get(url(model, "add")).status_code == 403
    root = Client()
    root.force_login(world["root"], backend=MODEL_BACKEND)
    assert root.get(url(model, "changelist")).status_code == 200


def _shared_list(model, world, as_admin):
    row = model._default_manager.first()
    listing = as_admin.get(url(model, "changelist"))
    assert listing.status_code == 200 and url(model, "change", row.pk) in listing.content.decode()
    assert as_admin.get(url(model, "add")).status_code == 403
    assert as_admin.post(url(model, "change", row.pk), {"name": "Đổi"}).status_code == 403
    assert as_admin.post(url(model, "delete", row.pk), {"post": "yes"}).status_code == 403
    assert model._default_manager.filter(pk=row.pk).exists()


def _scoped(label, model, model_admin, world, as_admin):
    a_unit, b_unit = world["A"]["unit"], world["B"]["unit"]
    ours, theirs = row_in(model, a_unit), row_in(model, b_unit)

    # the list: A's row, not B's (nor B's name among the filters)
    listing = as_admin.get(url(model, "changelist"))
    assert listing.status_code == 200
    page = listing.content.decode()
    assert url(model, "change", ours.pk) in page
    assert url(model, "change", theirs.pk) not in page
    assert b_unit.name not in page
    # (the operator, a superuser, sees both)
    root = Client()
    root.force_login(world["root"], backend=MODEL_BACKEND)
    everything = root.get(url(model, "changelist")).content.decode()
    assert url(model, "change", ours.pk) in everything
    assert url(model, "change", theirs.pk) in everything
    # B's pages are not there
    for view in ("change", "history", "delete"):
        assert as_admin.get(url(model, view, theirs.pk)).status_code in {302, 403, 404}, view

    # what the forms offer: nothing of B, and in full only the shared reference lists
    may_add = model_admin.has_add_permission(_request(world["admin"]))
    pages = [as_admin.get(url(model, "change", ours.pk))]
    if may_add:
        pages.append(as_admin.get(url(model, "add")))
    for response in pages:
        assert response.status_code == 200
        for posted, field in choice_fields(response.context):
            target = field.queryset.model
            if target in SHARED_CHOICES or target._meta.label in SHARED_CHOICES_LABELS:
                continue
            offered_b = limit_to_units(field.queryset, [b_unit.pk]).exists()
            assert not offered_b, f"{label}: {posted} offers rows of {b_unit}"
            assert limit_to_units(target._default_manager.all(), [b_unit.pk]).exists(), (
                f"{label}: {posted}: no {target._meta.label} row in {b_unit} to check against"
            )
    for name in model_admin.get_autocomplete_fields(_request(world["admin"])):
        target = model._meta.get_field(name).related_model
        found = as_admin.get(
            reverse("admin:autocomplete"),
            {"app_label": model._meta.app_label, "model_name": model._meta.model_name,
             "field_name": name, "term": ""},
        )  # fmt: skip
        ids = {r["id"] for r in found.json()["results"]}
        assert str(row_in(target, a_unit).pk) in ids
        assert str(row_in(target, b_unit).pk) not in ids, f"{label}: autocomplete {name}"

    may_change = model_admin.has_change_permission(_request(world["admin"]), ours)
    change_page = as_admin.get(url(model, "change", ours.pk))
    if may_change:
        data = read_form(change_page.content.decode())
        before = _state(ours)
        for posted, field in choice_fields(change_page.context):
            target = field.queryset.model
            if target in SHARED_CHOICES or target._meta.label in SHARED_CHOICES_LABELS:
                continue
            forged = pointed_at(data, posted, field, row_in(target, b_unit))
            response = as_admin.post(url(model, "change", ours.pk), forged)
            assert refused_for(response, posted), (
                f"{label}: a change pointing {posted} at B was not refused as outside the commune"
            )
            assert _state(ours) == before, f"{label}: {posted}"
        # the administrator's own work goes through, audited
        assert label in CHANGES, f"{label}: say in CHANGES which change an administrator makes"
        name, value = CHANGES[label]
        events = AuditEvent.objects.count()
        response = as_admin.post(url(model, "change", ours.pk), _with(data, {name: value}))
        assert response.status_code == 302, _errors(response)
        assert _state(ours) != before, f"{label}: the change of {name} was not saved"
        _assert_audited(model, ours.pk, world, a_unit, events)
    else:
        assert as_admin.post(url(model, "change", ours.pk), {}).status_code == 403
        assert label not in CHANGES

    if may_add:
        assert label in ADDS, f"{label}: say in ADDS what a new row of commune A looks like"
        add_page = as_admin.get(url(model, "add"))
        data = _with(read_form(add_page.content.decode()), ADDS[label](world["A"]))
        count = model._default_manager.count()
        for posted, field in choice_fields(add_page.context):
            target = field.queryset.model
            if target in SHARED_CHOICES or target._meta.label in SHARED_CHOICES_LABELS:
                continue
            forged = pointed_at(data, posted, field, row_in(target, b_unit))
            response = as_admin.post(url(model, "add"), forged)
            assert refused_for(response, posted), (
                f"{label}: an add pointing {posted} at B was not refused as outside the commune"
            )
            assert model._default_manager.count() == count, f"{label}: {posted}"
        if label in MAKE_ROOM:
            MAKE_ROOM[label](world["A"])
            count = model._default_manager.count()
        events = AuditEvent.objects.count()
        response = as_admin.post(url(model, "add"), data)
        assert response.status_code == 302, _errors(response)
        assert model._default_manager.count() == count + 1
        new = model._default_manager.order_by("-pk").first()
        assert limit_to_units(model._default_manager.filter(pk=new.pk), [a_unit.pk]).exists()
        _assert_audited(model, new.pk, world, a_unit, events)
    else:
        assert as_admin.get(url(model, "add")).status_code == 403
        assert label not in ADDS

    # the list's bulk delete cannot reach B's row
    as_admin.post(
        url(model, "changelist"),
        {"action": "delete_selected", "_selected_action": [theirs.pk], "post": "yes"},
    )
    assert model._default_manager.filter(pk=theirs.pk).exists()


def _request(user):
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = user
    return request


def _state(row) -> dict:
    from motcua.core.admin_scope import snapshot

    fresh = type(row)._default_manager.get(pk=row.pk)
    return snapshot(fresh)


def _errors(response) -> str:
    if response.status_code != 200 or not response.context:
        return f"HTTP {response.status_code}"
    parts = [str(response.context["adminform"].form.errors)]
    parts.extend(
        str(inline.formset.errors) + str(inline.formset.non_form_errors())
        for inline in response.context.get("inline_admin_formsets", [])
    )
    return " ".join(parts)


def _assert_audited(model, pk, world, unit, events_before):
    new_events = AuditEvent.objects.order_by("id")[events_before:]
    mine = [
        e for e in new_events if e.object_type == model._meta.label_lower and e.object_id == str(pk)
    ]
    assert mine, f"{model._meta.label}: the admin change was not audited"
    assert mine[-1].actor_id == world["admin"].pk
    assert mine[-1].unit_id == unit.pk
