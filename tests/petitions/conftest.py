"""Petition tests: a commune with villages, departments, categories and its staff; files in a
temporary media folder; the shipped calendar (Tết swaps) loaded."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from motcua.accounts.models import Role, StaffAssignment, User
from motcua.core.models import Department, Unit, Village
from motcua.petitions import challenge, services
from motcua.petitions.models import Category
from tests.dossiers.conftest import _media_in_tmp, shipped_calendar  # noqa: F401

VN = ZoneInfo("Asia/Ho_Chi_Minh")
_seq = itertools.count(1)


def at(y, m, d, hour=9, minute=0) -> dt.datetime:
    return dt.datetime(y, m, d, hour, minute, tzinfo=VN)


@dataclass
class World:
    province: Unit
    commune: Unit
    other: Unit
    economy: Department
    culture: Department
    roads: Category
    land: Category
    village: Village
    manager: User
    leader: User
    handler: User
    culture_handler: User
    other_manager: User
    officer: User


def staff(name: str, *roles) -> User:
    user = User.objects.create_user(
        username=f"u{next(_seq)}", password="x", full_name=name, kind=User.Kind.STAFF
    )
    for role, unit, department in roles:
        StaffAssignment.objects.create(user=user, unit=unit, role=role, department=department)
    return user


def make_world() -> World:
    n = next(_seq)
    province = Unit.objects.create(code=f"6{n:03d}", name="Thành phố Hải Phòng", kind="province")
    commune = Unit.objects.create(
        code=f"5{n:04d}", name="Xã An Hưng", kind="commune", parent=province
    )
    other = Unit.objects.create(
        code=f"4{n:04d}", name="Xã Kiến Thụy", kind="commune", parent=province
    )
    deps = {}
    for unit in (commune, other):
        deps[unit.pk, "kt"] = Department.objects.create(
            unit=unit, code="kt", name="Phòng Kinh tế", kind="economy"
        )
        deps[unit.pk, "vhxh"] = Department.objects.create(
            unit=unit, code="vhxh", name="Phòng Văn hóa - Xã hội", kind="culture_society"
        )
        Category.objects.create(
            unit=unit,
            code="giao-thong",
            name="Giao thông, đường sá",
            department=deps[unit.pk, "kt"],
        )
    roads = Category.objects.get(unit=commune, code="giao-thong")
    land = Category.objects.create(
        unit=commune,
        code="dat-dai",
        name="Đất đai, xây dựng",
        department=deps[commune.pk, "kt"],
        days=Decimal(15),
    )
    Category.objects.create(
        unit=commune,
        code="van-hoa",
        name="Văn hóa, xã hội",
        department=deps[commune.pk, "vhxh"],
    )
    village = Village.objects.create(unit=commune, name="Thôn Đông")
    economy, culture = deps[commune.pk, "kt"], deps[commune.pk, "vhxh"]
    return World(
        province=province,
        commune=commune,
        other=other,
        economy=economy,
        culture=culture,
        roads=roads,
        land=land,
        village=village,
        manager=staff("Đỗ Thị Quản", (Role.MANAGER, commune, None)),
        leader=staff("Phạm Văn Lãnh", (Role.LEADER, commune, None)),
        handler=staff("Lê Văn Xử", (Role.SPECIALIST, commune, economy)),
        culture_handler=staff("Vũ Thị Hóa", (Role.SPECIALIST, commune, culture)),
        other_manager=staff("Ngô Văn Khác", (Role.MANAGER, other, None)),
        officer=staff("Trần Thị Một Cửa", (Role.COUNTER_OFFICER, commune, None)),
    )


@pytest.fixture
def world(db, shipped_calendar, settings):  # noqa: F811
    settings.MOTCUA_PETITION_POW_BITS = 8  # tests solve in Python; the browser test uses 16
    return make_world()


def solved(now: dt.datetime | None = None) -> dict:
    token = challenge.issue(now=now)
    return {"challenge_token": token, "nonce": challenge.solve(token)}


def petition_in(w: World, **kw) -> services.PetitionIn:
    base = {
        "category": w.roads.pk,
        "subject": "Đèn đường thôn Đông hỏng",
        "content": "Ba cột đèn đầu thôn Đông không sáng từ tuần trước, tối đi lại rất nguy hiểm.",
        "village": w.village.pk,
        "name": "Nguyễn Văn An",
        "phone": "0912 345 678",
    }
    return services.PetitionIn(**{**base, **kw})


def submit(w: World, when: dt.datetime | None = None, **kw):
    when = when or at(2026, 11, 17)
    return services.submit(unit=w.commune, data=petition_in(w, **kw), now=when, **solved(when))


def make_dossier(receiving: Unit, n: int, *, competent: Unit | None = None):
    """A dossier built by hand (the petition only needs its code and its units)."""
    from motcua.dossiers.models import Dossier, Status
    from tests.dossiers.factories import make_procedure

    procedure = make_procedure(receiving, steps=False)
    return Dossier.objects.create(
        code=f"000.00.12.H42-261110-{n:04d}",
        receiving_unit=receiving,
        competent_unit=competent or receiving,
        procedure=procedure,
        procedure_code=procedure.code,
        procedure_name=procedure.name,
        processing_days=Decimal("5"),
        time_unit="working_day",
        rule_version="test",
        applicant_name="Trần Thị Bình",
        applicant_id_number="001203004567",
        status=Status.PROCESSING,
        submitted_at=at(2026, 11, 10, 8),
        received_at=at(2026, 11, 10, 9),
        due_at=at(2026, 11, 17, 17),
    )
