"""The leader sees which rows cost points (the drill-down: denominator minus numerator, each with
its reason and the screen that fixes it, exportable), what fixing N of them would give (the
what-if, equal to the score recomputed after really fixing them) and the actions worth most
points, split into what can still be fixed before the period closes and what is lost."""

from decimal import Decimal as D
from io import BytesIO

import pytest
from openpyxl import load_workbook

from motcua.dossiers.models import Dossier
from motcua.kpi.index import engine
from motcua.kpi.index.export import drill_down_xlsx

from . import factories as f
from .test_worked_example import NOVEMBER, NOW, build

pytestmark = pytest.mark.django_db

MID_NOVEMBER = f.at(2026, 11, 25, 10)  # the period still runs: what is missing may be fixed


def codes(place):
    [s] = engine.score(unit_ids=[place.commune.pk], period=NOVEMBER, now=NOW)
    return s, [i.code for g in s.groups for i in g.indicators]


def test_the_drill_down_lists_denominator_minus_numerator_for_every_indicator():
    place = build()
    s, all_codes = codes(place)
    for code in all_codes:
        ind = s.indicator(code)
        items = engine.drill_down(
            indicator=code, unit_ids=[place.commune.pk], period=NOVEMBER, now=NOW
        )
        assert len(items) == ind.denominator - ind.numerator, code
        assert all(i.reason for i in items), code
        assert len({i.pk for i in items}) == len(items), code


def test_a_late_dossier_says_why_and_links_to_its_page_and_is_lost_once_the_period_closed():
    place = build()
    items = engine.drill_down(
        indicator="progress.on_time", unit_ids=[place.commune.pk], period=NOVEMBER, now=NOW
    )
    late = {i.label.split(" · ")[0]: i for i in items}
    d2 = Dossier.objects.get(timeliness="late", competent_unit=place.commune)
    item = late[d2.code]
    assert item.kind == "dossier"
    assert "quá hạn" in item.reason
    assert item.fix_url == f"/can-bo/ho-so/{d2.pk}/"
    assert not item.fixable


def test_what_can_still_be_fixed_comes_first_while_the_period_runs():
    place = build()
    items = engine.drill_down(
        indicator="publicity.synced_on_time",
        unit_ids=[place.commune.pk],
        period=NOVEMBER,
        now=MID_NOVEMBER,
    )
    # D3's message is pending (fixable: send again), D4 never synced (fixable), D2 was late
    assert [i.fixable for i in items] == [True, True, False]
    assert items[0].fix_url == "/can-bo/dong-bo-dvcqg/"


def test_the_drill_down_exports_to_a_workbook_with_diacritics():
    place = build()
    items = engine.drill_down(
        indicator="progress.on_time", unit_ids=[place.commune.pk], period=NOVEMBER, now=NOW
    )
    body = drill_down_xlsx(
        items, title="Tiến độ giải quyết - Xã An Hưng", generated_at=NOW, base_url="https://x.vn"
    )
    sheet = load_workbook(BytesIO(body)).active
    values = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    assert values[0][0] == "Tiến độ giải quyết - Xã An Hưng"
    header = values.index(
        [
            "STT",
            "Loại",
            "Mã, tên",
            "Lý do mất điểm",
            "Còn khắc phục được trong kỳ",
            "Màn hình khắc phục",
        ]
    )
    rows = values[header + 1 :]
    assert len(rows) == 2
    assert rows[0][1] == "Hồ sơ" and rows[0][4] == "Không"
    assert rows[0][5].startswith("https://x.vn/can-bo/ho-so/")


# (indicator, the real fix of one dossier)
REAL_FIXES = {
    "progress.on_time": lambda d: f.fix_on_time(d),
    "payment.dossiers_paid_online": lambda d: f.fix_paid_online(d, f.at(2026, 11, 26)),
    "publicity.synced_on_time": lambda d: f.fix_synced(d),
    "digitization.result_signed": lambda d: f.signed_result(d),
    "digitization.components_filed": lambda d: f.fix_components(d),
    "digitization.shared": lambda d: f.fix_shared(d),
    "satisfaction.dossiers_satisfied": lambda d: (f.fix_rating(d), f.fix_on_time(d)),
}


@pytest.mark.parametrize("indicator", sorted(REAL_FIXES))
@pytest.mark.parametrize("n", [1, 2])
def test_what_if_equals_the_score_recomputed_after_really_fixing_them(indicator, n):
    place = build()
    unit = [place.commune.pk]
    items = engine.drill_down(indicator=indicator, unit_ids=unit, period=NOVEMBER, now=NOW)
    predicted = engine.what_if(
        indicator=indicator, fixed=n, unit_ids=unit, period=NOVEMBER, now=NOW
    )
    for item in items[:n]:
        REAL_FIXES[indicator](Dossier.objects.get(pk=item.pk))
    [after] = engine.score(unit_ids=unit, period=NOVEMBER, now=NOW)
    assert predicted.total == after.total
    assert predicted.groups == after.groups


def test_what_if_for_a_procedure_and_a_petition():
    place = build()
    unit = [place.commune.pk]
    predicted = engine.what_if(
        indicator="publicity.announced", fixed=1, unit_ids=unit, period=NOVEMBER, now=NOW
    )
    [before] = engine.score(unit_ids=unit, period=NOVEMBER, now=NOW)
    # 3/4 announced on time: 6 x 0.75 = 4.50, 1.50 more than 3.00
    assert predicted.indicator("publicity.announced").points == D("4.50")
    assert predicted.total == before.total + D("1.50")
    predicted = engine.what_if(
        indicator="satisfaction.petitions_satisfied",
        fixed=5,
        unit_ids=unit,
        period=NOVEMBER,
        now=NOW,
    )
    # both answered petitions satisfied (N larger than what is missing: capped at 1 more)
    assert predicted.indicator("satisfaction.petitions_satisfied").points == D("6.00")
    # the late answer fixed is on time too: 3/3 on time
    assert predicted.indicator("satisfaction.petitions_on_time").points == D("6.00")


def test_actions_rank_what_gains_most_per_item_and_say_what_is_lost():
    place = build()
    unit = [place.commune.pk]
    found = engine.actions(unit_ids=unit, period=NOVEMBER, now=MID_NOVEMBER, limit=50)
    assert found
    fixable = [a for a in found if a.fixable]
    lost = [a for a in found if not a.fixable]
    assert fixable and lost
    # what can still be fixed is listed first, the most points per item first
    assert found[: len(fixable)] == fixable
    per_item = [a.per_item for a in fixable]
    assert per_item == sorted(per_item, reverse=True)
    for action in found:
        assert action.points_gained > 0
        assert str(action.items) in action.label
    # the pending and missing sync messages: 2 dossiers, 6 x 2/6 = +2.00 points
    sync = next(a for a in fixable if a.indicator == "publicity.synced_on_time")
    assert (sync.items, sync.points_gained) == (2, D("2.00"))
    assert sync.per_item == D("1.0000")
    # the late dossier D2 and the overdue D5 are lost: 20 x 2/6 = 6.67 points
    progress = next(a for a in lost if a.indicator == "progress.on_time")
    assert (progress.items, progress.points_gained) == (2, D("6.67"))
    # the dashboard's drill-down of that indicator for this unit
    assert progress.drill_url == f"/can-bo/chi-so/diem-tru/progress.on_time/?key={place.commune.pk}"


def test_the_gain_respects_a_groups_cap():
    """Payment: 6 + 2 + 2.5 = 10.5 possible, capped at 10."""
    from motcua.catalog.models import Procedure

    place = build()
    unit = [place.commune.pk]
    everything = engine.what_if(
        indicator="payment.dossiers_paid_online",
        fixed=10,
        unit_ids=unit,
        period=NOVEMBER,
        now=NOW,
    )
    # 4/4 paid online -> 6; P1 and P3 paid online -> 2/2 -> 2; fees published 1/2 -> 1.25
    assert everything.indicator("payment.dossiers_paid_online").points == D("6.00")
    assert everything.indicator("payment.procedures_paid_online").points == D("2.00")
    assert everything.group("payment").points == D("9.25")
    # P3's fees published for online payment too: 6 + 2 + 2.5 = 10.5, capped at 10
    Procedure.objects.filter(code="3.003").update(fees_payable_online=True)
    capped = engine.what_if(
        indicator="payment.dossiers_paid_online",
        fixed=10,
        unit_ids=unit,
        period=NOVEMBER,
        now=NOW,
    )
    assert capped.indicator("payment.fees_published").points == D("2.50")
    assert capped.group("payment").points == D("10.00")
    found = engine.actions(unit_ids=unit, period=NOVEMBER, now=MID_NOVEMBER, limit=50)
    paid = [a for a in found if a.indicator == "payment.dossiers_paid_online"]
    # an action counts its own indicator: 1/4 -> 4/4 is +4.50 (1.50 -> 6.00), the group
    # 5.25 -> 9.75, under the cap; its what-if above also counts P3 paid online (capped)
    assert sum((a.points_gained for a in paid), D(0)) == D("4.50")


def test_several_units_without_a_key_drill_down_into_all_of_them():
    first, second = build(), build()
    units = [first.commune.pk, second.commune.pk]
    items = engine.drill_down(
        indicator="progress.on_time", unit_ids=units, period=NOVEMBER, now=NOW
    )
    assert len(items) == 4  # D2 and D5 of each commune
    [whole] = engine.score(unit_ids=units, period=NOVEMBER, now=NOW, by="all")
    predicted = engine.what_if(
        indicator="progress.on_time", fixed=4, unit_ids=units, period=NOVEMBER, now=NOW
    )
    assert predicted.key is None
    assert predicted.indicator("progress.on_time").numerator == 12
    assert whole.indicator("progress.on_time").numerator == 8
