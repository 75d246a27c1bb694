"""Properties of the service index over generated communes (hypothesis): no score above its
maximum or below 0; improving any single dossier's facts (on time, paid online, synced,
digitized, result signed, not rated "không hài lòng") never lowers the total; the drill-down's
count is the denominator minus the numerator; the what-if for N items equals the score
recomputed after really fixing them. The clock is the test's (`NOW`), never the wall's."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motcua.dossiers.models import Dossier
from motcua.kpi.index import engine

from . import factories as f

pytestmark = pytest.mark.django_db

NOVEMBER = engine.month(2026, 11)
NOW = f.at(2026, 11, 27, 10)  # the period still runs: some facts can change

DOSSIER = st.fixed_dictionaries(
    {
        "day": st.integers(1, 22),
        "finished": st.booleans(),
        "late": st.booleans(),
        "online": st.booleans(),
        "owes": st.booleans(),
        "paid_online": st.booleans(),
        "sync": st.sampled_from(["none", "pending", "on_time", "late"]),
        "signed": st.booleans(),
        "digitized": st.booleans(),
        "rating": st.sampled_from(["", "satisfied", "not_satisfied"]),
        "procedure": st.integers(0, 2),
    }
)
PETITION = st.fixed_dictionaries(
    {
        "day": st.integers(1, 22),
        "answered": st.sampled_from(["no", "on_time", "late"]),
        "rating": st.sampled_from(["", "satisfied", "not_satisfied"]),
    }
)
FIXES = ["on_time", "paid_online", "synced", "components", "signed", "rating"]
HYPOTHESIS = settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def make_commune(dossiers, petitions):
    place = f.make_place()
    procedures = [
        f.make_procedure(place, "p.1", unit=place.province, fee=20000, fees_payable_online=True),
        f.make_procedure(place, "p.2", online="partial", online_reason="Cần bản chính", fee=0),
        f.make_procedure(place, "p.3", online="none", fee=10000, reusable=True),
    ]
    made = []
    for facts in dossiers:
        received = f.at(2026, 11, facts["day"])
        due = f.at(2026, 11, facts["day"] + 3, 17)
        finished = None
        if facts["finished"]:
            finished = f.at(2026, 11, facts["day"] + (4 if facts["late"] else 2))
        d = f.make_dossier(
            place,
            procedures[facts["procedure"]],
            received=received,
            due=due if not (facts["late"] and not facts["finished"]) else f.at(2026, 11, 1, 17),
            finished=finished,
            timeliness=("late" if facts["late"] else "on_time") if finished else "",
            channel="online" if facts["online"] else "counter",
            fee=10000 if facts["owes"] else 0,
        )
        if facts["owes"]:
            f.request_fee(
                d, 10000, paid_by="vietqr" if facts["paid_online"] else "cash", paid_at=received
            )
        if facts["sync"] != "none":
            accepted = {
                "pending": None,
                "on_time": received + dt.timedelta(hours=2),
                "late": received + dt.timedelta(days=3),
            }[facts["sync"]]
            f.sync_message(
                d,
                changed=received,
                state="pending" if facts["sync"] == "pending" else "sent",
                accepted=accepted,
            )
        if facts["digitized"]:
            f.digitized_component(d)
        else:
            f.paper_component(d)
        if facts["signed"] and finished:
            f.signed_result(d)
        if facts["rating"]:
            f.rate(d, facts["rating"])
        made.append(d)
    for facts in petitions:
        received = f.at(2026, 11, facts["day"])
        due = f.at(2026, 11, facts["day"] + 1, 17)
        answered = {
            "no": None,
            "on_time": due - dt.timedelta(hours=2),
            "late": due + dt.timedelta(days=1),
        }[facts["answered"]]
        f.make_petition(
            place,
            received=received,
            due=due,
            answered=answered,
            rating=facts["rating"] if answered else "",
        )
    return place, made


def apply_fix(dossier: Dossier, fix: str) -> None:
    dossier.refresh_from_db()
    if fix == "on_time":
        f.fix_on_time(dossier)
    elif fix == "paid_online" and dossier.fee_total_vnd:
        f.fix_paid_online(dossier, f.at(2026, 11, 27, 8))
    elif fix == "synced":
        f.fix_synced(dossier)
    elif fix == "components":
        f.fix_components(dossier)
    elif fix == "signed" and dossier.finished_at and not dossier.result_signed:
        f.signed_result(dossier)
    elif fix == "rating":
        f.fix_rating(dossier)


def total(place) -> engine.Score:
    [s] = engine.score(unit_ids=[place.commune.pk], period=NOVEMBER, now=NOW)
    return s


def rolled_back(fn):
    """Run one example inside a transaction that is undone afterwards."""
    with transaction.atomic():
        try:
            return fn()
        finally:
            transaction.set_rollback(True)


@HYPOTHESIS
@given(
    dossiers=st.lists(DOSSIER, max_size=6),
    petitions=st.lists(PETITION, max_size=3),
)
def test_no_score_above_its_maximum_or_below_zero(dossiers, petitions):
    def check():
        place, _ = make_commune(dossiers, petitions)
        s = total(place)
        for group in s.groups:
            assert D(0) <= group.points <= group.max_points, group.code
            for ind in group.indicators:
                assert D(0) <= ind.points <= ind.max_points, ind.code
                assert 0 <= ind.numerator <= max(ind.denominator, 0), ind.code
                if ind.ratio is not None:
                    assert D(0) <= ind.ratio <= D(1)
        assert D(0) <= s.total <= D(100)
        assert s.total == sum((g.points for g in s.groups), D(0))

    rolled_back(check)


@HYPOTHESIS
@given(
    dossiers=st.lists(DOSSIER, min_size=1, max_size=6),
    which=st.integers(0, 5),
    fix=st.sampled_from(FIXES),
)
def test_improving_one_dossiers_facts_never_lowers_the_total(dossiers, which, fix):
    def check():
        place, made = make_commune(dossiers, [])
        before = total(place)
        apply_fix(made[which % len(made)], fix)
        after = total(place)
        assert after.total >= before.total, (fix, before.total, after.total)

    rolled_back(check)


@HYPOTHESIS
@given(dossiers=st.lists(DOSSIER, max_size=6), petitions=st.lists(PETITION, max_size=3))
def test_the_drill_down_counts_denominator_minus_numerator(dossiers, petitions):
    def check():
        place, _ = make_commune(dossiers, petitions)
        s = total(place)
        for group in s.groups:
            for ind in group.indicators:
                items = engine.drill_down(
                    indicator=ind.code, unit_ids=[place.commune.pk], period=NOVEMBER, now=NOW
                )
                assert len(items) == ind.denominator - ind.numerator, ind.code

    rolled_back(check)


REAL = {
    "progress.on_time": "on_time",
    "payment.dossiers_paid_online": "paid_online",
    "publicity.synced_on_time": "synced",
    "digitization.components_filed": "components",
    "digitization.result_signed": "signed",
}


@HYPOTHESIS
@given(
    dossiers=st.lists(DOSSIER, min_size=1, max_size=6),
    indicator=st.sampled_from(sorted(REAL)),
    n=st.integers(0, 4),
)
def test_what_if_for_n_equals_the_score_after_fixing_them(dossiers, indicator, n):
    def check():
        place, _ = make_commune(dossiers, [])
        unit = [place.commune.pk]
        items = engine.drill_down(indicator=indicator, unit_ids=unit, period=NOVEMBER, now=NOW)
        predicted = engine.what_if(
            indicator=indicator, fixed=n, unit_ids=unit, period=NOVEMBER, now=NOW
        )
        for item in items[:n]:
            apply_fix(Dossier.objects.get(pk=item.pk), REAL[indicator])
        after = total(place)
        assert predicted.groups == after.groups
        assert predicted.total == after.total

    rolled_back(check)
