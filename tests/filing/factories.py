"""A province with the two demo communes and their synthetic population (Lan's household
among them), birth registration published for online filing with its shipped declaration, and
citizen accounts as the sign-in makes them."""

import datetime as dt
import io
from dataclasses import dataclass

from django.utils import timezone
from PIL import Image

from motcua.accounts.models import Role, User
from motcua.catalog.models import Component, Procedure
from motcua.citizens.models import CitizenIdentity
from motcua.core.models import Department, Unit
from motcua.demo import services as demo
from motcua.eforms import services as eforms
from motcua.eforms.data import read_declarations
from motcua.registry import population
from tests.dossiers.factories import make_birth_registration, make_staff

LAN = "031190012345"
HUNG = "031085067890"
ID_PAPER = "Giấy tờ tùy thân (thẻ căn cước) còn giá trị sử dụng"


@dataclass
class FilingWorld:
    province: Unit
    commune: Unit
    other: Unit
    birth: Procedure
    officer: User


def make_filing_world() -> FilingWorld:
    province = Unit.objects.create(code="31", name="Thành phố Hải Phòng", kind=Unit.Kind.PROVINCE)
    for code, name in (("11824", "Xã Vĩnh Bảo"), ("11836", "Xã Vĩnh Thịnh")):
        Unit.objects.create(code=code, name=name, kind=Unit.Kind.COMMUNE, parent=province)
    communes = [demo.load_commune(spec=c) for c in demo.read_json(demo.COMMUNES_FILE)["communes"]]
    population.generate(units=communes, scale=0.02)
    for unit in communes:
        Department.objects.get_or_create(
            unit=unit,
            code="ttpvhcc",
            defaults={"name": "Trung tâm PVHCC", "kind": "service_centre"},
        )
        Department.objects.get_or_create(
            unit=unit,
            code="vhxh",
            defaults={"name": "Phòng Văn hóa - Xã hội", "kind": "culture_society"},
        )
    birth = make_birth_registration(province)
    birth.code = "1.001193"
    birth.name = "Đăng ký khai sinh"
    birth.online_mode = Procedure.OnlineMode.FULL
    birth.save()
    Component.objects.create(procedure=birth, order=6, name=ID_PAPER, form="copy")
    records = [r for r in read_declarations() if r["procedure_code"] == "1.001193"]
    eforms.load_declarations(unit=province, records=records, actor=None)
    vinh_bao = Unit.objects.get(code="11824")
    return FilingWorld(
        province=province,
        commune=vinh_bao,
        other=Unit.objects.get(code="11836"),
        birth=birth,
        officer=make_staff((Role.COUNTER_OFFICER, vinh_bao), name="Trần Thị Một Cửa"),
    )


_PEOPLE = {
    LAN: ("Nguyễn Thị Lan", dt.date(1990, 3, 14), "female", 2),
    HUNG: ("Trần Văn Hùng", dt.date(1985, 7, 21), "male", 1),
}


def make_citizen(citizen_id: str = LAN, *, level: int | None = None, signed_in_at=None) -> User:
    name, born, sex, held = _PEOPLE[citizen_id]
    user = User.objects.create_user(
        username=f"cd-{citizen_id}", password=None, kind=User.Kind.CITIZEN, full_name=name
    )
    CitizenIdentity.objects.create(
        user=user,
        issuer="http://idp.test",
        subject=f"sub-{citizen_id}",
        citizen_id=citizen_id,
        full_name=name,
        date_of_birth=born,
        sex=sex,
        address="Tổ dân phố 1, xã Vĩnh Bảo, thành phố Hải Phòng",
        identity_level=level or held,
        last_signed_in_at=signed_in_at or timezone.now(),
    )
    return user


def jpeg(width=1200, height=1600, color=(200, 180, 160)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "JPEG", quality=70)
    return out.getvalue()


def child_answers() -> dict:
    """What a mother types (and picks) for her newborn."""
    return {
        "child_name": "Phạm Minh Khôi",
        "child_birthdate": (timezone.localdate() - dt.timedelta(days=10)).isoformat(),
        "child_sex": "Nam",
        "child_birthplace": "Trung tâm Y tế huyện Vĩnh Bảo, thành phố Hải Phòng",
    }
