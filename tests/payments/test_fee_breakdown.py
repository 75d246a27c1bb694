"""What a dossier owes (`payments.fees`): rows counted per dossier, copy or page, reliefs of the
province or the commune with their period and condition, the most favourable one applied."""

import datetime as dt

import pytest

from motcua.catalog.models import Fee
from motcua.payments import fees
from motcua.payments.models import FeeRelief

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 11, 2)
IN_PERSON = fees.Facts(online=False)


def certification(world):
    """2.000815 as the catalog has it: 2.000 đ a page, 1.000 đ from the third, 200.000 đ at
    most a copy (TT 226/2016/TT-BTC)."""
    p = world.procedure
    p.fees.all().delete()
    Fee.objects.create(
        procedure=p,
        kind=Fee.Kind.FEE,
        amount_vnd=2000,
        per=Fee.Per.PAGE,
        tier_from_page=3,
        tier_amount_vnd=1000,
        cap_per_copy_vnd=200_000,
        legal_basis="TT 226/2016/TT-BTC",
    )
    return p


def owed(world, procedure, *, copies=1, pages=1, facts=IN_PERSON, day=DAY) -> int:
    return fees.breakdown(
        procedure,
        unit=world.commune,
        day=day,
        facts=facts,
        quantities=fees.Quantities(copies=copies, pages=pages),
    ).total_vnd


@pytest.mark.parametrize(
    ("pages", "copies", "expected"),
    [
        (1, 1, 2000),
        (2, 1, 4000),  # both pages at the full price
        (5, 1, 7000),  # 2 x 2.000 + 3 x 1.000
        (5, 3, 21000),  # each copy counts its pages
        (250, 1, 200_000),  # 2 x 2.000 + 248 x 1.000 = 252.000: capped a copy
        (250, 2, 400_000),
    ],
)
def test_certification_fee_counts_pages_with_the_lower_price_from_page_three_and_a_cap(
    world, pages, copies, expected
):
    assert owed(world, certification(world), copies=copies, pages=pages) == expected


def test_a_row_per_copy_multiplies_by_copies_only(world):
    p = world.procedure
    p.fees.all().delete()
    Fee.objects.create(procedure=p, kind=Fee.Kind.FEE, amount_vnd=8000, per=Fee.Per.COPY)
    assert owed(world, p, copies=3, pages=40) == 24000


def relief(unit, **kw) -> FeeRelief:
    return FeeRelief.objects.create(
        unit=unit,
        **{
            "name": "Miễn lệ phí hộ tịch cho hộ nghèo",
            "legal_basis": "TT 85/2019/TT-BTC Điều 5",
            "condition": FeeRelief.Condition.POOR_HOUSEHOLD,
            "percent": 100,
            "valid_from": dt.date(2020, 1, 1),
            **kw,
        },
    )


def test_a_provinces_exemption_applies_in_its_communes_when_the_condition_holds(world):
    relief(world.province)
    poor = fees.Facts(online=False, conditions=frozenset({"poor_household"}))
    assert owed(world, world.procedure) == 8000
    found = fees.breakdown(world.procedure, unit=world.commune, day=DAY, facts=poor)
    assert found.total_vnd == 0
    line = found.lines[0]
    assert (line.base_vnd, line.amount_vnd) == (8000, 0)
    assert line.relief["legal_basis"] == "TT 85/2019/TT-BTC Điều 5"


def test_a_communes_relief_does_not_reach_another_commune(world):
    relief(world.other, percent=50)
    poor = fees.Facts(online=False, conditions=frozenset({"poor_household"}))
    assert fees.breakdown(world.procedure, unit=world.commune, day=DAY, facts=poor).total_vnd == (
        8000
    )
    assert fees.breakdown(world.procedure, unit=world.other, day=DAY, facts=poor).total_vnd == 4000


def test_reliefs_do_not_add_up_the_most_favourable_applies(world):
    relief(world.province, percent=30, condition=FeeRelief.Condition.VNEID_LEVEL2)
    relief(world.commune, percent=50, condition=FeeRelief.Condition.MERIT)
    both = fees.Facts(online=False, conditions=frozenset({"vneid_level2", "merit"}))
    found = fees.breakdown(world.procedure, unit=world.commune, day=DAY, facts=both)
    assert found.total_vnd == 4000  # 50%, not 80%
    assert found.lines[0].relief["percent"] == 50


def test_a_relief_counts_only_in_its_period(world):
    # TT 117/2026/TT-BTC: VNeID level 2, 15/8/2026 - 28/02/2027
    relief(
        world.province,
        condition=FeeRelief.Condition.VNEID_LEVEL2,
        valid_from=dt.date(2026, 8, 15),
        valid_to=dt.date(2027, 2, 28),
    )
    level2 = fees.Facts(online=False, conditions=frozenset({"vneid_level2"}))
    assert owed(world, world.procedure, facts=level2, day=dt.date(2026, 8, 14)) == 8000
    assert owed(world, world.procedure, facts=level2, day=dt.date(2026, 8, 15)) == 0
    assert owed(world, world.procedure, facts=level2, day=dt.date(2027, 2, 28)) == 0
    assert owed(world, world.procedure, facts=level2, day=dt.date(2027, 3, 1)) == 8000


def test_a_relief_names_its_procedures_and_kind(world):
    relief(world.province, procedure_codes="9.999999\n1.000001", percent=100)
    poor = fees.Facts(online=False, conditions=frozenset({"poor_household"}))
    assert owed(world, world.procedure, facts=poor) == 8000  # not its procedure
    relief(world.province, procedure_codes=world.procedure.code, fee_kind="phi", percent=100)
    assert owed(world, world.procedure, facts=poor) == 8000  # the row is a lệ phí
    relief(world.province, procedure_codes=world.procedure.code, fee_kind="le_phi", percent=100)
    assert owed(world, world.procedure, facts=poor) == 0


def test_an_online_reduction_applies_only_to_online_filing_and_rounds_in_the_payers_favour(
    world,
):
    p = world.procedure
    p.fees.filter(channel=Fee.Channel.ONLINE).delete()  # no 0 đ online row: the reduction counts
    p.fees.update(amount_vnd=8333)
    relief(world.province, condition=FeeRelief.Condition.ONLINE, percent=50)
    assert owed(world, p) == 8333
    assert owed(world, p, facts=fees.Facts(online=True)) == 4166  # 4166.5 -> 4166


def test_an_amount_the_catalog_does_not_know_is_shown_as_unknown(world):
    world.procedure.fees.update(amount_vnd=None)
    found = fees.breakdown(world.procedure, unit=world.commune, day=DAY, facts=IN_PERSON)
    assert found.has_unknown and found.total_vnd == 0


def test_quantities_out_of_range_are_refused():
    with pytest.raises(ValueError):
        fees.Quantities(copies=0)
    with pytest.raises(ValueError):
        fees.Quantities(pages=fees.MAX_PAGES + 1)
