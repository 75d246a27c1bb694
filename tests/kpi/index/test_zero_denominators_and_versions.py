"""What the index scores when there is nothing to count (one example per rule of the formula
set), which version of the formula set a period is scored with, and that the cost of a score
does not grow with the number of units or dossiers."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.kpi.index import engine, formulas
from motcua.kpi.models import FormulaSet

from . import factories as f
from .test_worked_example import NOVEMBER, NOW, build

pytestmark = pytest.mark.django_db


def only(place, **kw):
    [s] = engine.score(unit_ids=[place.commune.pk], period=NOVEMBER, now=NOW, **kw)
    return s


def test_a_unit_with_nothing_to_count_scores_only_the_petitions_and_the_province_only_points():
    place = f.make_place("Xã Trống")
    s = only(place)
    for group in s.groups:
        for ind in group.indicators:
            if ind.given:
                continue
            # no data: no ratio ("chưa có dữ liệu"), not a failure
            assert (ind.numerator, ind.denominator, ind.ratio) == (0, 0, None), ind.code
    # the rule "zero": 0 points (progress, online, payment, digitization ...)
    assert s.indicator("progress.on_time").points == D("0")
    assert s.group("progress").tile_ratio is None
    assert s.indicator("payment.dossiers_paid_online").points == D("0")
    # the rule "full": 6 + 6 when there are no petitions
    assert s.indicator("satisfaction.petitions_on_time").points == D("6")
    assert s.indicator("satisfaction.petitions_satisfied").points == D("6")
    # a commune is given the two province-only indicators (2 + 2)
    assert s.indicator("digitization.population_identity").given
    assert s.total == D("16.00")


def test_no_answered_petition_gives_the_second_petition_indicator_its_six_points():
    place = f.make_place()
    f.make_petition(place, received=f.at(2026, 11, 20), due=f.at(2026, 12, 4, 17))
    s = only(place)
    # the open petition is within its deadline at the cut-off: 1/1 on time
    assert s.indicator("satisfaction.petitions_on_time").points == D("6.00")
    satisfied = s.indicator("satisfaction.petitions_satisfied")
    assert (satisfied.denominator, satisfied.points) == (0, D("6"))


def test_a_petition_answered_late_costs_both_petition_indicators():
    place = f.make_place()
    f.make_petition(
        place, received=f.at(2026, 11, 2), due=f.at(2026, 11, 6, 17), answered=f.at(2026, 11, 9)
    )
    s = only(place)
    assert s.indicator("satisfaction.petitions_on_time").points == D("0.00")
    assert s.indicator("satisfaction.petitions_satisfied").points == D("0.00")


def test_the_province_only_points_are_measured_when_the_setting_is_off(settings):
    settings.MOTCUA_INDEX_COMMUNE_PROVINCE_POINTS = False
    place = build()
    s = only(place)
    identity = s.indicator("digitization.population_identity")
    assert not identity.given
    # none of the 5 received dossiers had the identity checked against the population data
    assert (identity.numerator, identity.denominator, identity.points) == (0, 5, D("0.00"))
    # no procedure of theirs takes data from the population database: no data, 0
    data = s.indicator("digitization.population_data")
    assert (data.denominator, data.points) == (0, D("0"))
    assert s.total == D("57.10") - D("4")


def test_a_province_is_measured_on_its_own_dossiers():
    place = f.make_place()
    [s] = engine.score(unit_ids=[place.province.pk], period=NOVEMBER, now=NOW)
    assert not s.indicator("digitization.population_identity").given
    assert s.indicator("digitization.population_identity").points == D("0")


def test_a_past_period_is_scored_with_the_version_in_force_then():
    place = build()
    v1 = FormulaSet.objects.get(code="dashboard-2025", version=1)
    definition = formulas.shipped_definition()
    for ind in definition["indicators"]:
        if ind["code"] == "progress.on_time":
            ind["full_at"] = "0.5"  # a newer decision: full marks at half on time
    v1.effective_to = dt.date(2026, 11, 30)
    v1.save()
    FormulaSet.objects.create(
        code="dashboard-2025",
        version=2,
        name="Phiên bản thử",
        legal_source="Quyết định giả định",
        effective_from=dt.date(2026, 12, 1),
        definition=definition,
    )
    november = only(place)
    assert november.formula_set == "dashboard-2025 v1"
    assert november.indicator("progress.on_time").points == D("13.33")
    [december] = engine.score(
        unit_ids=[place.commune.pk], period=engine.month(2026, 12), now=f.at(2026, 12, 5)
    )
    assert december.formula_set == "dashboard-2025 v2"
    # on 05/12 D4 is open and due 10/12, D5 overdue: 1/2 on time, full at 50% -> 20
    assert december.indicator("progress.on_time").points == D("20.00")


def test_the_number_of_queries_does_not_grow_with_units_or_dossiers():
    one = build()

    def queries(unit_ids):
        with CaptureQueriesContext(connection) as ctx:
            engine.score(unit_ids=unit_ids, period=NOVEMBER, now=NOW)
        return len(ctx.captured_queries)

    few = queries([one.commune.pk])
    more = [build() for _ in range(2)]
    many = queries([one.commune.pk, *[p.commune.pk for p in more]])
    assert many == few
    assert few <= 30


def test_periods():
    assert engine.month(2026, 2) == engine.Period(dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert engine.quarter(2026, 4) == engine.Period(dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert engine.year(2026).date_to == dt.date(2026, 12, 31)
    assert engine.month(2026, 11).end == f.at(2026, 12, 1, 0)
    with pytest.raises(ValueError):
        engine.Period(dt.date(2026, 2, 2), dt.date(2026, 2, 1))


@pytest.mark.parametrize("by", ["unit", "department", "field", "officer", "all"])
@pytest.mark.parametrize("counting", ["handled", "received"])
def test_one_query_for_all_dossier_measures_equals_each_measures_own(by, counting):
    from motcua.kpi.index import measures

    place = build()
    ctx = engine._ctx([place.commune.pk], NOVEMBER, NOW)
    dossier_measures = [
        m for m in measures.MEASURES.values() if isinstance(m, measures.DossierMeasure)
    ]
    together = measures.dossier_counts(ctx, counting, by, dossier_measures)
    for m in dossier_measures:
        assert together[m.code] == m.counts(ctx, counting, by), m.code
