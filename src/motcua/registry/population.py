"""The synthetic population behind the local registry: deterministic, fast, plausible.

For every village of the given communes, `SCALE` (10%) of its population figure, with the
same share of working-age people (18-59 on REFERENCE_DATE) as its `working_age_population`
figure, grouped into households: young and middle-aged families, three generations under one
roof, couples, people living alone. Ages hold together (a parent is 18-45 years older than a
child, spouses are a few years apart), children carry their father's family name and quê
quán, names follow the real frequency of Vietnamese family names, 98% are Kinh. Citizen IDs
have the real shape (province of birth registration, century-and-sex digit, year of birth,
six digits) and are invented, as are the names: docs/data-sources.md.

The people of `data/fixed_residents.json` (who sign in through the local OIDC provider and
play the demo's scenarios) are placed first and counted in their village's figures.

Same seed, same villages -> the same people, IDs and households on every machine: each
village draws from its own random stream, so adding a commune does not move anyone.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from motcua.core import audit
from motcua.core.models import Unit, Village

from .models import Household, Relation, Resident, Sex

SEED = "motcua-registry-2026"
SCALE = 0.10
REFERENCE_DATE = dt.date(2026, 12, 1)  # ages and the working-age share are counted on this day
WORKING_AGE = (18, 59)  # inclusive: what `Village.working_age_population` counts (outreach too)
PROVINCE_CODE = "031"  # Hải Phòng's code in the citizen ID
FIXED_FILE = Path(__file__).resolve().parent / "data" / "fixed_residents.json"

# Share of family names in Vietnam (rounded, the usual survey figures); in the North the
# Hoàng/Vũ spellings dominate Huỳnh/Võ.
FAMILY_NAMES = [
    ("Nguyễn", 380),
    ("Trần", 110),
    ("Lê", 95),
    ("Phạm", 70),
    ("Hoàng", 46),
    ("Huỳnh", 5),
    ("Vũ", 36),
    ("Võ", 4),
    ("Phan", 45),
    ("Đặng", 21),
    ("Bùi", 20),
    ("Đỗ", 14),
    ("Hồ", 13),
    ("Ngô", 13),
    ("Dương", 10),
    ("Lý", 5),
    ("Đinh", 6),
    ("Trịnh", 5),
    ("Đào", 5),
    ("Lương", 3),
    ("Mai", 3),
    ("Tô", 2),
    ("Cao", 2),
    ("Lưu", 2),
]
_FAMILY, _FAMILY_WEIGHTS = zip(*FAMILY_NAMES, strict=True)

MIDDLE = {
    # (older generations, born before 1985) / (younger)
    (Sex.MALE, True): [("Văn", 70), ("Đức", 8), ("Quang", 5), ("Hữu", 6), ("Xuân", 4), ("Đình", 7)],
    (Sex.MALE, False): [
        ("Văn", 30),
        ("Đức", 12),
        ("Minh", 14),
        ("Quang", 8),
        ("Hữu", 5),
        ("Thành", 6),
        ("Gia", 7),
        ("Tuấn", 4),
        ("Hoàng", 5),
        ("Trung", 4),
    ],
    (Sex.FEMALE, True): [("Thị", 85), ("Thu", 4), ("Thanh", 4), ("Ngọc", 3), ("Hồng", 4)],
    (Sex.FEMALE, False): [
        ("Thị", 40),
        ("Ngọc", 10),
        ("Thu", 8),
        ("Thanh", 7),
        ("Minh", 6),
        ("Phương", 6),
        ("Hồng", 5),
        ("Bảo", 5),
        ("Khánh", 4),
        ("Thị Mai", 3),
        ("Thị Thu", 3),
    ],
}
_MALE_GIVEN = (
    "An Anh Bảo Bình Cường Chiến Công Dũng Duy Dương Đạt Định Đông Đức Giang Hải Hiếu "
    "Hiệp Hoà Hoàng Huy Hùng Hưng Khải Khang Khánh Khoa Kiên Lâm Long Lộc Lợi Luân Mạnh "
    "Minh Nam Nghĩa Nguyên Nhân Ninh Phát Phong Phúc Phương Quân Quang Quý Sơn Tài Tâm "
    "Tân Thái Thắng Thành Thiện Thịnh Toàn Trọng Trung Tú Tuấn Tùng Việt Vinh Vũ "
)
_FEMALE_GIVEN = (
    "An Anh Ánh Bích Chi Cúc Dung Duyên Giang Hà Hạnh Hằng Hiền Hoa Hòa Hồng Huệ Hương "
    "Hường Huyền Lan Liên Liễu Linh Loan Ly Mai Minh My Nga Ngân Ngọc Nhung Oanh Phương "
    "Quyên Quỳnh Tâm Thảo Thanh Thắm Thơm Thu Thủy Thư Trang Trâm Tuyết Uyên Vân Vi Yến "
)
GIVEN = {Sex.MALE: _MALE_GIVEN.split(), Sex.FEMALE: _FEMALE_GIVEN.split()}
ETHNIC_MINORITIES = ["Tày", "Mường", "Hoa", "Nùng", "Thái", "Dao"]
# birth registered outside Hải Phòng now and then (Hà Nội, Quảng Ninh, Hưng Yên, Ninh Bình)
OTHER_PROVINCE_CODES = ["001", "022", "033", "037"]

_YEAR = 365.2425


def _days(years: float) -> int:
    return round(years * _YEAR)


def _pick(rng: random.Random, items: list):
    """One of `items`, drawing exactly one number whatever their count: the communes of the
    province (other people's quê quán) may differ between databases, and the rest of the
    village's stream must not shift with them (`random.choice` draws more bits for longer lists).
    """
    return items[min(int(rng.random() * len(items)), len(items) - 1)]


def age_on(born: dt.date, day: dt.date = REFERENCE_DATE) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def is_working_age(born: dt.date, day: dt.date = REFERENCE_DATE) -> bool:
    return WORKING_AGE[0] <= age_on(born, day) <= WORKING_AGE[1]


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text


def place(unit: Unit) -> str:
    """ "xã Vĩnh Bảo, thành phố Hải Phòng" for a commune under its province."""
    parts = [_lower_first(unit.name)]
    if unit.parent_id:
        parts.append(_lower_first(unit.parent.name))
    return ", ".join(parts)


@dataclass(eq=False, repr=False)  # spouses point at each other
class _Person:
    key: int
    sex: str
    born: dt.date
    family: str
    relation: str = ""
    name: str = ""
    father: _Person | None = None
    mother: _Person | None = None
    spouse: _Person | None = None
    hometown: str = ""
    ethnicity: str = "Kinh"
    citizen_id: str = ""


@dataclass
class _Household:
    village: Village
    members: list[_Person] = field(default_factory=list)
    address: str = ""

    def counts(self) -> tuple[int, int]:
        working = sum(1 for p in self.members if is_working_age(p.born))
        return working, len(self.members) - working


class _Draw:
    """Random choices of one village's stream."""

    def __init__(self, rng: random.Random, unit_place: str, elsewhere: list[str]):
        self.rng = rng
        self.unit_place = unit_place
        self.elsewhere = elsewhere or [unit_place]
        self.n = 0

    def person(self, sex: str, born: dt.date, family: str | None = None) -> _Person:
        self.n += 1
        family = family or self.rng.choices(_FAMILY, _FAMILY_WEIGHTS)[0]
        return _Person(key=self.n, sex=sex, born=born, family=family)

    def born_aged(self, lo: int, hi: int) -> dt.date:
        """A birthday that makes the person lo..hi years old on REFERENCE_DATE."""
        latest = REFERENCE_DATE - dt.timedelta(days=_days(lo)) - dt.timedelta(days=1)
        earliest = REFERENCE_DATE - dt.timedelta(days=_days(hi + 1)) + dt.timedelta(days=2)
        return earliest + dt.timedelta(days=self.rng.randint(0, (latest - earliest).days))

    def hometown(self, married_in: bool = False) -> str:
        if self.rng.random() < (0.30 if married_in else 0.12):
            return _pick(self.rng, self.elsewhere)
        return self.unit_place

    def name(self, p: _Person) -> str:
        older = p.born.year < 1985
        middles, weights = zip(*MIDDLE[(p.sex, older)], strict=True)
        middle = self.rng.choices(middles, weights)[0]
        given = self.rng.choice(GIVEN[p.sex])
        return f"{p.family} {middle} {given}"


def _child_of(draw: _Draw, mother: _Person, father: _Person | None) -> _Person | None:
    """A child of this couple (or mother) born when she was 20-40 and he 18-45, still a minor
    or a young adult at home (<= 30), born before the reference day; None if none fits."""
    rng = draw.rng
    for _attempt in range(6):
        born = mother.born + dt.timedelta(days=rng.randint(_days(20), _days(40)))
        if born >= REFERENCE_DATE - dt.timedelta(days=30) or age_on(born) > 30:
            continue
        if father is not None and not (_days(18) <= (born - father.born).days <= _days(45)):
            continue
        sex = rng.choice([Sex.MALE, Sex.FEMALE])
        child = draw.person(sex, born, family=father.family if father else mother.family)
        child.father, child.mother = father, mother
        return child
    return None


def _children(draw: _Draw, mother: _Person, father: _Person | None, wanted: int) -> list[_Person]:
    kids: list[_Person] = []
    for _ in range(wanted):
        child = _child_of(draw, mother, father)
        if child is None:
            continue
        if any(abs((child.born - k.born).days) < 450 for k in kids):
            continue  # siblings at least 15 months apart (no twins in this village)
        kids.append(child)
    return sorted(kids, key=lambda k: k.born)


def _couple(draw: _Draw, wife_age: tuple[int, int]) -> tuple[_Person, _Person]:
    rng = draw.rng
    wife = draw.person(Sex.FEMALE, draw.born_aged(*wife_age))
    gap = rng.randint(_days(-2), _days(6))  # the husband is a little older, usually
    husband = draw.person(Sex.MALE, wife.born - dt.timedelta(days=gap))
    wife.spouse, husband.spouse = husband, wife
    wife.hometown = draw.hometown(married_in=True)
    husband.hometown = draw.hometown()
    return husband, wife


def _family(draw: _Draw) -> list[_Person]:
    """A couple and their children, sometimes with the husband's widowed parent."""
    rng = draw.rng
    husband, wife = _couple(draw, (22, 56))
    wife_is_head = rng.random() < 0.12
    husband.relation = Relation.HUSBAND if wife_is_head else Relation.HEAD
    wife.relation = Relation.HEAD if wife_is_head else Relation.WIFE
    kids = _children(draw, wife, husband, rng.choices([1, 2, 3, 4], [30, 48, 18, 4])[0])
    for k in kids:
        k.relation = Relation.CHILD
    members = [husband, wife] if not wife_is_head else [wife, husband]
    members += kids
    if not wife_is_head and rng.random() < 0.22:
        parent_sex = rng.choices([Sex.FEMALE, Sex.MALE], [65, 35])[0]
        for _attempt in range(4):
            born = husband.born - dt.timedelta(days=rng.randint(_days(22), _days(40)))
            if 60 <= age_on(born) <= 95:
                parent = draw.person(parent_sex, born, family=husband.family)
                if parent_sex == Sex.FEMALE:
                    parent.family = rng.choices(_FAMILY, _FAMILY_WEIGHTS)[0]
                    husband.mother = parent
                    parent.relation = Relation.MOTHER
                else:
                    husband.father = parent
                    parent.relation = Relation.FATHER
                parent.hometown = husband.hometown
                members.append(parent)
                break
    return members


def _three_generations(draw: _Draw) -> list[_Person]:
    """An older couple, their married son, his wife and their children."""
    rng = draw.rng
    head, wife = _couple(draw, (52, 72))
    head.relation, wife.relation = Relation.HEAD, Relation.WIFE
    for _attempt in range(5):
        son = _child_of(draw, wife, head)
        if son is not None and age_on(son.born) >= 22:
            break
    else:
        return [head, wife]
    son.sex, son.relation = Sex.MALE, Relation.CHILD
    gap = rng.randint(_days(-1), _days(5))
    dil = draw.person(Sex.FEMALE, son.born + dt.timedelta(days=gap))
    dil.relation, dil.hometown = Relation.DAUGHTER_IN_LAW, draw.hometown(married_in=True)
    son.spouse, dil.spouse = dil, son
    grandchildren = _children(draw, dil, son, rng.choices([1, 2, 3], [40, 50, 10])[0])
    for g in grandchildren:
        g.relation = Relation.GRANDCHILD
    return [head, wife, son, dil, *grandchildren]


def _couple_alone(draw: _Draw) -> list[_Person]:
    """Newly-weds, or a couple whose children have left."""
    husband, wife = _couple(draw, draw.rng.choice([(20, 30), (50, 80)]))
    husband.relation, wife.relation = Relation.HEAD, Relation.WIFE
    return [husband, wife]


def _single_parent(draw: _Draw) -> list[_Person]:
    mother = draw.person(Sex.FEMALE, draw.born_aged(28, 58))
    mother.relation, mother.hometown = Relation.HEAD, draw.hometown()
    kids = _children(draw, mother, None, draw.rng.choice([1, 2, 3]))
    for k in kids:
        k.relation = Relation.CHILD
    return [mother, *kids]


def _alone(draw: _Draw, elderly: bool) -> list[_Person]:
    rng = draw.rng
    if elderly:
        p = draw.person(rng.choices([Sex.FEMALE, Sex.MALE], [65, 35])[0], draw.born_aged(60, 92))
    else:
        p = draw.person(rng.choice([Sex.FEMALE, Sex.MALE]), draw.born_aged(20, 59))
    p.relation, p.hometown = Relation.HEAD, draw.hometown()
    return [p]


_KINDS = [(_family, 58), (_three_generations, 15), (_couple_alone, 12), (_single_parent, 7)]
_KIND_FNS, _KIND_WEIGHTS = zip(*_KINDS, strict=True)


def _village_households(draw: _Draw, working: int, other: int) -> list[list[_Person]]:
    """Households whose people add up to exactly `working` working-age and `other` others."""
    out: list[list[_Person]] = []
    while working > 0 or other > 0:
        chosen = None
        for _attempt in range(12):
            members = draw.rng.choices(_KIND_FNS, _KIND_WEIGHTS)[0](draw)
            w = sum(1 for p in members if is_working_age(p.born))
            if w <= working and len(members) - w <= other:
                chosen = members
                break
        if chosen is None:  # top up with someone living alone
            chosen = _alone(draw, elderly=other > 0 and (working == 0 or draw.rng.random() < 0.5))
        w = sum(1 for p in chosen if is_working_age(p.born))
        working, other = working - w, other - (len(chosen) - w)
        out.append(chosen)
    return out


def _citizen_id(draw: _Draw, p: _Person, used: set[str]) -> str:
    rng = draw.rng
    province = PROVINCE_CODE if rng.random() < 0.95 else rng.choice(OTHER_PROVINCE_CODES)
    century = (p.born.year // 100) - 19  # 0 for 1900-1999, 1 for 2000-2099
    digit = century * 2 + (1 if p.sex == Sex.FEMALE else 0)
    while True:
        number = f"{province}{digit}{p.born.year % 100:02d}{rng.randint(0, 999_999):06d}"
        if number not in used:
            used.add(number)
            return number


def _finish(draw: _Draw, members: list[_Person], used: set[str]) -> None:
    """Names, IDs, ethnicity and quê quán once the household's shape is settled."""
    rng = draw.rng
    ethnicity = "Kinh" if rng.random() < 0.98 else rng.choice(ETHNIC_MINORITIES)
    for p in members:
        p.ethnicity = ethnicity
        p.name = draw.name(p)
        if not p.hometown:
            p.hometown = (p.father.hometown if p.father else "") or draw.hometown()
        p.citizen_id = _citizen_id(draw, p, used)


@dataclass
class Generated:
    unit: Unit
    households: int
    residents: int


def _fixed_spec() -> list[dict]:
    return json.loads(FIXED_FILE.read_text(encoding="utf-8"))["households"]


def _fixed_rows(spec: dict) -> list[dict]:
    by_key = {m["key"]: m for m in spec["members"]}
    rows = []
    for m in spec["members"]:
        row = {
            "citizen_id": m["citizen_id"],
            "full_name": m["full_name"],
            "date_of_birth": dt.date.fromisoformat(m["date_of_birth"]),
            "sex": m["sex"],
            "ethnicity": m["ethnicity"],
            "hometown": m["hometown"],
            "relation": m["relation"],
        }
        for role in ("father", "mother", "spouse"):
            other = by_key.get(m.get(role, ""))
            row[f"{role}_id"] = other["citizen_id"] if other else ""
            row[f"{role}_name"] = other["full_name"] if other else ""
        rows.append(row)
    return rows


def fixed_citizen_ids() -> set[str]:
    return {m["citizen_id"] for h in _fixed_spec() for m in h["members"]}


def generate(*, units: list[Unit], actor=None, scale: float = SCALE) -> list[Generated]:
    """Replace the local population of `units` by the generated one (same every time)."""
    fixed = _fixed_spec()
    with transaction.atomic():
        Resident.objects.filter(unit__in=units).delete()
        Household.objects.filter(unit__in=units).delete()
        used = set(Resident.objects.values_list("citizen_id", flat=True)) | fixed_citizen_ids()
        province_ids = {u.parent_id for u in units if u.parent_id}
        neighbours = list(
            Unit.objects.filter(parent_id__in=province_ids)
            .exclude(kind=Unit.Kind.DISTRICT)
            .select_related("parent")
            .order_by("code")
        )
        return [
            _generate_unit(unit, fixed, neighbours, used, scale, actor)
            for unit in sorted(units, key=lambda u: u.code)
        ]


def _generate_unit(unit, fixed, neighbours, used, scale, actor) -> Generated:
    unit_place = place(unit)
    elsewhere = [place(u) for u in neighbours if u.pk != unit.pk][:60]
    households: list[Household] = []
    rows: list[tuple[int, Resident]] = []  # (household index, row)
    for village in Village.objects.filter(unit=unit).order_by("name", "id"):
        address = f"{village.name}, {unit_place}"
        total = round(village.population * scale)
        working = min(total, round(village.working_age_population * scale))
        other = total - working
        for spec in (s for s in fixed if s["unit"] == unit.code and s["village"] == village.name):
            index = len(households)
            households.append(
                Household(unit=unit, village=village, code="", address=spec["address"])
            )
            for position, row in enumerate(_fixed_rows(spec)):
                if is_working_age(row["date_of_birth"]):
                    working -= 1
                else:
                    other -= 1
                rows.append(
                    (
                        index,
                        Resident(
                            **row,
                            permanent_residence=spec["address"],
                            current_residence=spec["address"],
                            unit=unit,
                            village=village,
                            position=position,
                        ),
                    )
                )
        rng = random.Random(f"{SEED}:{unit.code}:{village.name}")
        draw = _Draw(rng, unit_place, elsewhere)
        villages = [v for v in unit.villages.order_by("name") if v.pk != village.pk]
        for members in _village_households(draw, max(working, 0), max(other, 0)):
            _finish(draw, members, used)
            index = len(households)
            households.append(Household(unit=unit, village=village, code="", address=address))
            for position, p in enumerate(members):
                current = address
                if villages and rng.random() < 0.05:  # living elsewhere in the commune
                    current = f"{_pick(rng, villages).name}, {unit_place}"
                rows.append(
                    (
                        index,
                        Resident(
                            citizen_id=p.citizen_id,
                            full_name=p.name,
                            date_of_birth=p.born,
                            sex=p.sex,
                            ethnicity=p.ethnicity,
                            hometown=p.hometown,
                            permanent_residence=address,
                            current_residence=current,
                            unit=unit,
                            village=village,
                            relation=p.relation,
                            father_id=p.father.citizen_id if p.father else "",
                            father_name=p.father.name if p.father else "",
                            mother_id=p.mother.citizen_id if p.mother else "",
                            mother_name=p.mother.name if p.mother else "",
                            spouse_id=p.spouse.citizen_id if p.spouse else "",
                            spouse_name=p.spouse.name if p.spouse else "",
                            position=position,
                        ),
                    )
                )
    for n, household in enumerate(households, start=1):
        household.code = f"{unit.code}-{n:05d}"
    created = Household.objects.bulk_create(households, batch_size=500)
    if any(h.pk is None for h in created):  # a backend that does not return keys
        by_code = dict(Household.objects.filter(unit=unit).values_list("code", "pk"))
        for h in created:
            h.pk = by_code[h.code]
    for index, row in rows:
        row.household_id = created[index].pk
    Resident.objects.bulk_create([row for _i, row in rows], batch_size=500)
    audit.record(
        action="registry.population_generated",
        object_type="registry.resident",
        object_id=unit.code,
        actor=actor,
        unit=unit,
        changes={"households": len(households), "residents": len(rows), "seed": SEED},
    )
    return Generated(unit=unit, households=len(households), residents=len(rows))
