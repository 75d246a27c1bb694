"""Load the demo commune, its staff, catalog and guides: every function is idempotent.

A second run updates reference rows in place and never touches an existing user's password,
so people who changed a demo password keep it. Demo logins are refused in secure
(production) mode.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction

from motcua.accounts import services as staff_services
from motcua.accounts.models import StaffAssignment, User
from motcua.catalog import models as catalog
from motcua.catalog.importing import RowInput
from motcua.catalog.services import import_catalog
from motcua.core import audit
from motcua.core.models import Counter, Department, Unit, Village
from motcua.payments.models import CollectionAccount
from motcua.petitions import services as petition_services
from motcua.postal.models import PostalTariff

DEMO_DIR = Path(__file__).resolve().parent / "data"
CATALOG_DATA = Path(catalog.__file__).resolve().parent / "data"
COMMUNES_FILE = DEMO_DIR / "demo_communes.json"
PROCEDURES_FILE = CATALOG_DATA / "demo_procedures.json"
GUIDES_FILE = CATALOG_DATA / "demo_guides.json"

# Demo-only: shown by `demo_logins`, set only on creation, never in secure mode.
DEMO_PASSWORD = "ThuNghiem@2026"  # noqa: S105

# The demo commune's postal fee for sending a result (bưu chính công ích): illustrative, not a
# tariff signed with the post; an administrator sets the real one in the admin.
DEMO_POSTAL_TARIFF = {
    "amount_vnd": 22000,
    "basis": "Mức minh họa cho bản trình diễn, chưa phải hợp đồng với Bưu điện tỉnh",
    "illustrative": True,
}


class DemoRefused(Exception):
    """Raised when demo logins would be created on a production (DJANGO_SECURE) install."""


@dataclass
class StaffResult:
    created: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)


def read_json(path: Path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


def demo_logins_allowed() -> bool:
    return not settings.SECURE


def load_commune(*, spec: dict, actor=None) -> Unit:
    """Give a real commune (already loaded by load_units) its demo structure."""
    with transaction.atomic():
        unit = Unit.objects.select_for_update().get(code=spec["code"])
        before = {"agency_code": unit.agency_code, "address": unit.address}
        unit.agency_code = spec["agency_code"]
        unit.address = spec["address"]
        unit.phone = spec.get("phone", "")
        unit.opens_saturday_morning = spec.get("opens_saturday_morning", False)
        unit.save()
        for v in spec["villages"]:
            Village.objects.update_or_create(
                unit=unit,
                name=v["name"],
                defaults={
                    "kind": v["kind"],
                    "population": v["population"],
                    "working_age_population": v["working_age_population"],
                },
            )
        for d in spec["departments"]:
            Department.objects.update_or_create(
                unit=unit, code=d["code"], defaults={"name": d["name"], "kind": d["kind"]}
            )
        for c in spec["counters"]:
            Counter.objects.update_or_create(
                unit=unit, number=c["number"], defaults={"name": c["name"], "is_active": True}
            )
        petition_services.ensure_categories(unit=unit, actor=actor)
        if account := spec.get("collection_account"):  # illustrative: no real account
            CollectionAccount.objects.update_or_create(unit=unit, defaults=account)
        PostalTariff.objects.update_or_create(unit=unit, defaults=DEMO_POSTAL_TARIFF)
        audit.record(
            action="demo.commune_loaded",
            obj=unit,
            actor=actor,
            unit=unit,
            changes={
                **audit.diff(before, {"agency_code": unit.agency_code, "address": unit.address}),
                "villages": len(spec["villages"]),
                "counters": len(spec["counters"]),
            },
        )
    return unit


def ensure_staff(*, specs: list[dict], actor=None) -> StaffResult:
    """Create missing demo staff with the demo password; leave existing accounts untouched.

    Goes through motcua.accounts.services so the usual checks and audit events apply.
    """
    if not demo_logins_allowed():
        raise DemoRefused("DJANGO_SECURE=1: không tạo tài khoản mẫu trên hệ thống thật.")
    result = StaffResult()
    with transaction.atomic():
        for spec in specs:
            unit = Unit.objects.get(code=spec["unit"])
            department = (
                Department.objects.get(unit=unit, code=spec["department"])
                if spec.get("department")
                else None
            )
            village = (
                Village.objects.get(unit=unit, name=spec["village"])
                if spec.get("village")
                else None
            )
            user = User.objects.filter(username=spec["username"]).first()
            if user is None:
                user = staff_services.create_staff(
                    actor=actor,
                    username=spec["username"],
                    full_name=spec["full_name"],
                    unit=unit,
                    role=spec["role"],
                    password=DEMO_PASSWORD,
                    department=department,
                    village=village,
                )
                result.created.append(user.username)
            else:
                result.existing.append(user.username)
            assignment = StaffAssignment.objects.filter(
                user=user, unit=unit, role=spec["role"], department=department
            ).first()
            if assignment is None or not assignment.is_active:
                assignment = staff_services.assign_role(
                    actor=actor,
                    user=user,
                    unit=unit,
                    role=spec["role"],
                    department=department,
                    village=village,
                )
            if spec.get("superuser") and not user.is_superuser:
                # the province's system administrator maintains units, calendar and catalog
                # in the admin site (/quan-tri/); commune administrators use the staff area.
                user.is_staff = user.is_superuser = True
                user.save(update_fields=["is_staff", "is_superuser"])
                audit.record(
                    action="demo.superuser_granted",
                    obj=user,
                    actor=actor,
                    unit=unit,
                    changes={"is_superuser": [False, True]},
                )
    return result


def demo_staff_rows() -> list[dict]:
    """username, role label, unit name of every demo login that exists (for `demo_logins`)."""
    specs = read_json(COMMUNES_FILE)["staff"]
    names = [s["username"] for s in specs]
    assignments = (
        StaffAssignment.objects.filter(user__username__in=names, is_active=True)
        .select_related("user", "unit", "department", "village")
        .order_by("user__username")
    )
    rows = []
    for a in assignments:
        where = a.unit.name
        if a.department:
            where += f" / {a.department.name}"
        if a.village:
            where += f" / {a.village}"
        rows.append(
            {
                "username": a.user.username,
                "full_name": a.user.full_name,
                "role": str(a.get_role_display()),
                "unit": where,
            }
        )
    order = {n: i for i, n in enumerate(names)}
    return sorted(rows, key=lambda r: order.get(r["username"], 999))


# --- catalog -------------------------------------------------------------------------------


def import_procedures(*, unit: Unit, records: list[dict], actor=None) -> dict:
    """Import through the catalog importer, the same path as a file uploaded by staff."""
    rows = [RowInput(row=i, record=rec) for i, rec in enumerate(records, start=1)]
    report = import_catalog(unit=unit, records=rows, actor=actor, source_name=PROCEDURES_FILE.name)
    return {
        "importer": "catalog.services.import_catalog",
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "rejected": report.rejected,
        "errors": [f"dòng {e.row} {e.column}: {e.message}" for e in report.errors],
    }


def load_guides(*, unit: Unit, guides: list[dict], actor=None) -> int:
    """Attach plain-language guides to the unit's procedures; steps are replaced, not appended."""
    count = 0
    with transaction.atomic():
        for g in guides:
            proc = catalog.Procedure.objects.filter(unit=unit, code=g["procedure_code"]).first()
            if proc is None:
                continue
            guide, _ = catalog.HowToGuide.objects.update_or_create(
                procedure=proc,
                defaults={
                    "summary": g["summary"],
                    "video_url": g.get("video_url") or "",
                    "is_published": True,
                },
            )
            guide.steps.all().delete()
            catalog.GuideStep.objects.bulk_create(
                catalog.GuideStep(guide=guide, order=i, text=text)
                for i, text in enumerate(g["steps"], start=1)
            )
            count += 1
        if count:
            audit.record(
                action="catalog.guides_loaded",
                object_type="catalog.howtoguide",
                actor=actor,
                unit=unit,
                changes={"guides": count},
            )
    return count
