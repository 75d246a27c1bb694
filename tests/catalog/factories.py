"""Small builders for the catalog import/export/API/staff tests (no factory library)."""

import itertools
import os
from decimal import Decimal
from pathlib import Path

from motcua.accounts.models import Role, StaffAssignment, User
from motcua.catalog.models import Component, Fee, Field, Procedure, ProcessStep
from motcua.core.models import Unit

# shared/ sits beside the checkout (CI clones main next to it)
SHARED_DIR = Path(
    os.environ.get("MOTCUA_SHARED_DIR", Path(__file__).resolve().parents[3] / "shared")
)
SHARED_FILE = SHARED_DIR / "data" / "procedures-commune.json"
_seq = itertools.count(1)


def make_unit(*, name: str | None = None, code: str | None = None, **kw) -> Unit:
    n = next(_seq)
    return Unit.objects.create(
        code=code or f"{31000 + n}",
        name=name or f"Xã Thử Nghiệm {n}",
        kind=kw.pop("kind", Unit.Kind.COMMUNE),
        **kw,
    )


def make_user(*roles_in_units: tuple[str, Unit], username: str | None = None, **kw) -> User:
    """A staff member holding each (role, unit) given (no password: tests use force_login)."""
    user = User.objects.create_user(
        username=username or f"canbo{next(_seq)}", password=None, **{"kind": User.Kind.STAFF, **kw}
    )
    for role, unit in roles_in_units:
        StaffAssignment.objects.create(user=user, unit=unit, role=role)
    return user


def make_admin(unit: Unit, **kw) -> User:
    return make_user((Role.ADMINISTRATOR, unit), **kw)


def make_field(name: str = "Hộ tịch") -> Field:
    field, _ = Field.objects.get_or_create(name=name, defaults={"code": f"f-{next(_seq)}"})
    return field


def make_procedure(
    *,
    unit: Unit,
    name: str = "Thủ tục đăng ký kết hôn",
    code: str | None = None,
    field: str = "Hộ tịch",
    is_published: bool = True,
    complete: bool = False,
    **kw,
) -> Procedure:
    """A procedure; `complete=True` gives it everything the publicity check looks for."""
    if complete:
        kw.setdefault("processing_days", Decimal("3"))
        kw.setdefault("legal_basis", "Luật Hộ tịch 2014")
        kw.setdefault("result_type", "Giấy chứng nhận kết hôn")
        kw.setdefault("online_mode", Procedure.OnlineMode.FULL)
    procedure = Procedure.objects.create(
        unit=unit,
        code=code or f"1.{next(_seq):06d}",
        name=name,
        field=make_field(field),
        is_published=is_published,
        **kw,
    )
    if complete:
        Fee.objects.create(procedure=procedure, amount_vnd=0, condition="miễn lệ phí")
        Component.objects.create(procedure=procedure, order=1, name="Tờ khai đăng ký kết hôn")
    return procedure


def add_parts(procedure: Procedure) -> Procedure:
    """Fees on both channels with dates, two papers, two steps: every column exercised."""
    Fee.objects.create(
        procedure=procedure,
        kind=Fee.Kind.FEE,
        amount_vnd=8000,
        channel=Fee.Channel.IN_PERSON,
        condition="nộp trực tiếp",
        legal_basis="NQ 12/2018/NQ-HĐND",
        valid_from="2026-01-01",
        valid_to="2026-12-31",
    )
    Fee.objects.create(procedure=procedure, amount_vnd=0, channel=Fee.Channel.ONLINE)
    Component.objects.create(
        procedure=procedure, order=1, name="Tờ khai", form="original", count=1, note="theo mẫu"
    )
    Component.objects.create(
        procedure=procedure,
        order=2,
        name="Giấy tờ tùy thân",
        form="present",
        count=1,
        from_state_data=True,
        from_warehouse=True,
    )
    ProcessStep.objects.create(
        procedure=procedure, order=1, name="Tiếp nhận", department_kind="service_centre", days=0.5
    )
    ProcessStep.objects.create(procedure=procedure, order=2, name="Thẩm định", days=Decimal("2"))
    return procedure


def record(**overrides) -> dict:
    """A valid exchange record (JSON shape) to vary in tests."""
    base = {
        "code": "1.000894",
        "name": "Thủ tục đăng ký kết hôn",
        "field": "Hộ tịch",
        "level": "Cấp xã",
        "processing_time": {"value": 3, "unit": "working_day", "note": ""},
        "online_mode": "partial",
        "online_mode_reason": "Hai bên phải có mặt khi nhận kết quả",
        "fees": [{"kind": "lệ phí", "amount_vnd": 0, "condition": "", "basis": "TT 85/2019"}],
        "components": [
            {
                "name": "Tờ khai đăng ký kết hôn",
                "original_or_copy": "original",
                "count": 1,
                "note": "",
            }
        ],
        "result": "Giấy chứng nhận kết hôn",
        "legal_basis": ["Luật Hộ tịch 2014"],
        "sources": [],
        "confidence": "partial",
        "notes": "",
    }
    base.update(overrides)
    return base
