"""The synthetic population: same every run, consistent ages and households, valid IDs, the
fixed demo residents present, villages filled in proportion to their figures."""

import datetime as dt
import time
from collections import Counter, defaultdict
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from motcua.core import identifiers
from motcua.core.models import Unit, Village
from motcua.core.text import fold
from motcua.registry import population
from motcua.registry.models import Household, Relation, Resident, Sex

from .conftest import HUNG, LAN, MINH

pytestmark = pytest.mark.django_db

YEAR = 365.2425


def snapshot():
    return list(
        Resident.objects.order_by("citizen_id").values_list(
            "citizen_id",
            "full_name",
            "date_of_birth",
            "sex",
            "relation",
            "village__name",
            "household__code",
            "father_id",
            "mother_id",
            "spouse_id",
            "hometown",
            "current_residence",
        )
    )


def test_the_same_seed_gives_the_same_people_on_every_run(communes):
    population.generate(units=communes)
    first = snapshot()
    population.generate(units=communes)
    assert snapshot() == first
    assert Household.objects.count() == len({row[6] for row in first})
    # one commune regenerated alone: nobody in it moves
    population.generate(units=[communes[1]])
    assert snapshot() == first


def test_the_people_do_not_change_when_more_communes_of_the_province_are_loaded(communes):
    population.generate(units=communes)
    before = [row[:10] for row in snapshot()]  # all but quê quán and current residence
    for n in range(20):
        Unit.objects.create(
            code=f"119{n:02d}",
            name=f"Xã Thử {n}",
            kind=Unit.Kind.COMMUNE,
            parent=communes[0].parent,
        )
    population.generate(units=communes)
    assert [row[:10] for row in snapshot()] == before


def test_a_few_thousand_residents_are_generated_in_well_under_five_seconds(communes):
    started = time.monotonic()
    results = population.generate(units=communes)
    assert time.monotonic() - started < 5
    total = sum(r.residents for r in results)
    assert 2000 <= total <= 4000
    assert total == Resident.objects.count()


def test_each_village_gets_a_tenth_of_its_people_with_its_share_of_working_age(people):
    for village in Village.objects.filter(unit__code__in=["11824", "11836"]):
        rows = list(
            Resident.objects.filter(village=village).values_list("date_of_birth", flat=True)
        )
        assert len(rows) == round(village.population * population.SCALE), village.name
        working = sum(1 for born in rows if population.is_working_age(born))
        assert working == round(village.working_age_population * population.SCALE), village.name


def test_citizen_ids_are_valid_unique_and_agree_with_sex_and_year_of_birth(people):
    seen = set()
    for number, sex, born in Resident.objects.values_list("citizen_id", "sex", "date_of_birth"):
        assert identifiers.citizen_id(number) == number
        assert number not in seen
        seen.add(number)
        century = born.year // 100 - 19
        assert int(number[3]) == century * 2 + (1 if sex == Sex.FEMALE else 0), number
        assert number[4:6] == f"{born.year % 100:02d}", number
    provinces = Counter(n[:3] for n in seen)
    assert provinces.most_common(1)[0][0] == "031"
    assert provinces["031"] / len(seen) > 0.9


def test_households_hold_together(people):
    rows = {r.citizen_id: r for r in Resident.objects.all()}
    by_household = defaultdict(list)
    for r in rows.values():
        by_household[r.household_id].append(r)
    for members in by_household.values():
        assert [m.relation for m in members].count(Relation.HEAD) == 1
    linked = 0
    for r in rows.values():
        for parent_id in (r.father_id, r.mother_id):
            if parent_id:
                parent = rows[parent_id]
                gap = (r.date_of_birth - parent.date_of_birth).days / YEAR
                assert 18 <= gap <= 45, (r.full_name, parent.full_name, gap)
                assert parent.household_id == r.household_id
                linked += 1
        if r.father_id:
            father = rows[r.father_id]
            assert father.sex == Sex.MALE
            assert r.full_name.split()[0] == father.full_name.split()[0]  # the father's family name
            assert r.father_name == father.full_name
        if r.mother_id:
            assert rows[r.mother_id].sex == Sex.FEMALE
        if r.spouse_id:
            spouse = rows[r.spouse_id]
            assert spouse.spouse_id == r.citizen_id and spouse.sex != r.sex
            assert abs((r.date_of_birth - spouse.date_of_birth).days) / YEAR <= 8
    assert linked > 1000


def test_the_population_looks_vietnamese(people):
    names = list(Resident.objects.values_list("full_name", "ethnicity", "hometown"))
    family = Counter(n.split()[0] for n, _e, _h in names)
    assert family.most_common(1)[0][0] == "Nguyễn"
    assert 0.25 < family["Nguyễn"] / len(names) < 0.5
    assert {"Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ"} <= set(family)
    with_diacritics = sum(1 for n, _e, _h in names if fold(n) != n.lower())
    assert with_diacritics / len(names) > 0.95
    ethnicity = Counter(e for _n, e, _h in names)
    assert 0.94 < ethnicity["Kinh"] / len(names) < 1
    assert all(h.endswith("thành phố Hải Phòng") for _n, _e, h in names)
    addresses = set(Resident.objects.values_list("permanent_residence", flat=True))
    assert "Tổ dân phố 1, xã Vĩnh Bảo, thành phố Hải Phòng" in addresses
    assert "Thôn Đông, xã Vĩnh Thịnh, thành phố Hải Phòng" in addresses


def test_the_fixed_demo_residents_are_there_exactly(people):
    lan = Resident.objects.get(citizen_id=LAN)
    assert (lan.full_name, lan.date_of_birth, lan.sex, lan.ethnicity) == (
        "Nguyễn Thị Lan",
        dt.date(1990, 3, 14),
        Sex.FEMALE,
        "Kinh",
    )
    assert lan.permanent_residence == "Tổ dân phố 1, xã Vĩnh Bảo, thành phố Hải Phòng"
    household = list(lan.household.members.order_by("position"))
    assert [(m.full_name, m.relation) for m in household] == [
        ("Phạm Văn Minh", "Chủ hộ"),
        ("Nguyễn Thị Lan", "Vợ"),
        ("Phạm Thị Mai An", "Con"),
    ]
    minh, _lan, daughter = household
    assert (minh.citizen_id, minh.date_of_birth, minh.sex) == (
        MINH,
        dt.date(1989, 9, 5),
        Sex.MALE,
    )
    assert lan.spouse_id == MINH and minh.spouse_id == LAN
    assert daughter.date_of_birth == dt.date(2024, 2, 10) and daughter.sex == Sex.FEMALE
    assert identifiers.citizen_id(daughter.citizen_id)[3:6] == "324"  # female, born 2024
    assert (daughter.father_id, daughter.mother_id) == (MINH, LAN)

    hung = Resident.objects.get(citizen_id=HUNG)
    assert (hung.full_name, hung.date_of_birth, hung.relation) == (
        "Trần Văn Hùng",
        dt.date(1985, 7, 21),
        "Chủ hộ",
    )
    assert hung.permanent_residence == "Thôn 2, xã Vĩnh Bảo, thành phố Hải Phòng"
    relations = sorted(hung.household.members.values_list("relation", flat=True))
    assert relations == ["Chủ hộ", "Con", "Con", "Vợ"]


def test_the_command_rebuilds_the_population_and_is_refused_on_a_real_system(communes, settings):
    out = StringIO()
    call_command("generate_population", "11824", stdout=out)
    assert "Xã Vĩnh Bảo" in out.getvalue() and "không có thật" in out.getvalue()
    assert Resident.objects.filter(unit__code="11836").count() == 0
    assert Resident.objects.filter(citizen_id=LAN).exists()
    with pytest.raises(CommandError):
        call_command("generate_population", "99999", stdout=StringIO())
    settings.SECURE = True
    with pytest.raises(CommandError):
        call_command("generate_population", stdout=StringIO())
