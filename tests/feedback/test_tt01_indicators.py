"""The nine TT 01/2018 indicators from system data (our reading: decisions/0046-tt01-indicators).

Dossiers are built by hand (no services) so each test states exactly the times, steps,
supplements and units the rules read. The period is Tuesday 17/11/2026; "due" is 18/11 17:00.
"""

import datetime as dt
from decimal import Decimal

import pytest

from motcua.catalog.models import Procedure
from motcua.core.models import Unit
from motcua.dossiers.models import Channel as DossierChannel
from motcua.dossiers.models import Dossier, DossierStep, Extension, Status, SupplementRequest
from motcua.feedback import indicators
from motcua.feedback import services as feedback
from motcua.feedback.indicators import Facts
from motcua.feedback.models import Level, Reason
from motcua.petitions.models import Petition
from tests.dossiers.factories import VN, make_procedure

DAY = dt.date(2026, 11, 17)
DUE = dt.datetime(2026, 11, 18, 17, 0, tzinfo=VN)
RETURNED = dt.datetime(2026, 11, 17, 10, 0, tzinfo=VN)
NOW = dt.datetime(2026, 11, 30, 9, 0, tzinfo=VN)
Mode = Procedure.OnlineMode


def complete_procedure(unit, **kw):
    """Published, with time, components (the factory's two), legal basis and result."""
    content = {
        "legal_basis": "Luật Hộ tịch 2014",
        "result_type": "Giấy khai sinh",
        "online_mode": Mode.FULL,
    }
    return make_procedure(unit, steps=False, **{**content, **kw})


def returned(unit, n, *, procedure=None, returned_at=RETURNED, channel=DossierChannel.ONLINE, **kw):
    procedure = procedure or complete_procedure(unit)
    return Dossier.objects.create(
        code=f"000.00.12.H42-261117-{n:04d}",
        receiving_unit=unit,
        competent_unit=kw.pop("competent_unit", unit),
        procedure=procedure,
        procedure_code=procedure.code,
        procedure_name=procedure.name,
        processing_days=Decimal("5"),
        time_unit="working_day",
        rule_version="test",
        channel=channel,
        applicant_name="Trần Thị Bình",
        applicant_id_number="001203004567",
        status=kw.pop("status", Status.RETURNED),
        submitted_at=dt.datetime(2026, 11, 10, 8, 0, tzinfo=VN),
        received_at=kw.pop("received_at", dt.datetime(2026, 11, 10, 9, 0, tzinfo=VN)),
        due_at=DUE,
        due_at_legal=DUE,
        returned_at=returned_at,
        **kw,
    )


def step(dossier, order, *, unit=None, late=False):
    due = dt.datetime(2026, 11, 12, 17, 0, tzinfo=VN)
    return DossierStep.objects.create(
        dossier=dossier,
        order=order,
        name=f"Bước {order}",
        unit=unit or dossier.competent_unit,
        days=Decimal("1"),
        due_at=due,
        finished_at=due + dt.timedelta(hours=2 if late else -2),
    )


def supplement(dossier):
    return SupplementRequest.objects.create(
        dossier=dossier,
        requested_at=dt.datetime(2026, 11, 11, 9, 0, tzinfo=VN),
        reason="Thiếu giấy chứng sinh",
        stage=SupplementRequest.Stage.RECEPTION,
        paused_status=Status.RECEIVED,
    )


def facts(**kw) -> Facts:
    base = dict(
        dossier_id=1,
        code="X",
        receiving_unit_id=1,
        competent_unit_id=1,
        channel=DossierChannel.ONLINE,
        received_at=RETURNED,
        returned_at=RETURNED,
        due_at=DUE,
        procedure_published=True,
        procedure_complete=True,
        online_mode=Mode.FULL,
    )
    return Facts(**{**base, **kw})


LATE = DUE + dt.timedelta(hours=1)


# --- each rule ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "changes", "expected"),
    [
        (indicators.total_time, {}, 2),
        (indicators.total_time, {"returned_at": DUE}, 2),  # on the due minute is on time
        (indicators.total_time, {"returned_at": LATE, "has_extension": True}, 1),
        (indicators.total_time, {"returned_at": LATE}, 0),
        (indicators.step_times, {"late_steps": 0}, 2),
        (indicators.step_times, {"late_steps": 1}, 1),
        (indicators.step_times, {"late_steps": 2}, 0),
        (indicators.contacts, {"supplements": 0}, 2),
        (indicators.contacts, {"supplements": 1}, 1),
        (indicators.contacts, {"supplements": 3}, 0),
        (indicators.agencies, {"step_unit_ids": {1}}, 2),
        (indicators.agencies, {"competent_unit_id": 2}, 1),
        (indicators.agencies, {"step_unit_ids": {1, 2}}, 1),
        (indicators.agencies, {"competent_unit_id": 2, "step_unit_ids": {2, 3}}, 0),
        (indicators.one_stop, {}, 2),
        (indicators.one_stop, {"received_at": None}, 0),
        (indicators.published, {}, 2),
        (indicators.published, {"procedure_complete": False}, 1),
        (indicators.published, {"procedure_published": False}, 0),
        (indicators.attitude, {}, 2),
        (indicators.attitude, {"returned_at": LATE}, 1),
        (indicators.attitude, {"attitude_complaint": True}, 0),
        (indicators.attitude, {"petition": True}, 0),
        (indicators.online, {}, 2),
        (indicators.online, {"channel": DossierChannel.COUNTER}, 1),
        (indicators.online, {"online_mode": Mode.PARTIAL, "channel": DossierChannel.ONLINE}, 1),
        (indicators.online, {"online_mode": Mode.NONE}, 0),
        (indicators.online, {"online_mode": Mode.UNKNOWN}, 0),
    ],
)
def test_each_rule(rule, changes, expected):
    assert rule(facts(**changes)) == expected


@pytest.mark.parametrize(
    ("on_time", "counted", "expected"),
    [(0, 0, 2), (10, 10, 2), (9, 10, 1), (90, 100, 1), (89, 100, 0), (17, 19, 0), (0, 3, 0)],
)
def test_complaints_on_time(on_time, counted, expected):
    assert indicators.complaints_on_time(on_time, counted) == expected


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (18, "Xuất sắc"),
        (15.01, "Xuất sắc"),
        (15, "Tốt"),  # ">15" is strict and "12–<15" stops below: 15 goes to the lower band
        (12, "Tốt"),
        (11.99, "Khá"),
        (9, "Khá"),
        (8.99, "Trung bình"),
        (6, "Trung bình"),
        (5.99, "Yếu"),
        (0, "Yếu"),
    ],
)
def test_grade_bands_at_their_edges(total, band):
    assert indicators.grade(total) == band


# --- from the database --------------------------------------------------------------------------


def test_a_dossier_done_right_scores_eighteen(commune):
    dossier = returned(commune, 1)
    step(dossier, 1)
    step(dossier, 2)

    scores = indicators.dossier_scores(dossier)
    assert scores.values == (2,) * 9
    assert (scores.total, scores.grade) == (18, "Xuất sắc")


def test_a_dossier_that_went_wrong_everywhere(commune, other_commune, officer):
    """Late with an apology letter; two steps late, in two other agencies; two supplement
    requests; no reception recorded; a published procedure with no legal basis, offered online
    only in part and filed at the counter; rated "not satisfied" for the staff's attitude."""
    third = Unit.objects.create(code="18075", name="Xã Lộc Hà", kind=Unit.Kind.COMMUNE)
    procedure = complete_procedure(commune, online_mode=Mode.PARTIAL, legal_basis="")
    dossier = returned(
        commune,
        2,
        procedure=procedure,
        returned_at=LATE,
        channel=DossierChannel.COUNTER,
        competent_unit=other_commune,
        received_at=None,
    )
    step(dossier, 1, unit=other_commune, late=True)
    step(dossier, 2, unit=third, late=True)
    supplement(dossier)
    supplement(dossier)
    Extension.objects.create(
        dossier=dossier,
        reason="Cần xác minh thêm",
        old_due_at=DUE,
        new_due_at=DUE + dt.timedelta(days=2),
        created_at=DUE - dt.timedelta(days=1),
        sent_at=DUE - dt.timedelta(days=1),
        is_timely=True,
    )
    feedback.rate_dossier(
        dossier=dossier,
        level=Level.NOT_SATISFIED,
        reason=Reason.ATTITUDE,
        channel="phone",
        officer=officer,
        at=LATE,
    )

    scores = indicators.dossier_scores(dossier, complaints=1)
    #                        1  2  3  4  5  6  7  8  9
    assert scores.values == (1, 0, 0, 0, 0, 1, 0, 1, 1)
    assert (scores.total, scores.grade) == (4, "Yếu")


def petition(unit, n, *, on_time: bool):
    received = dt.datetime(2026, 11, 17, 8, 0, tzinfo=VN)
    due = received + dt.timedelta(days=5)
    return Petition.objects.create(
        unit=unit,
        code=f"PA-TEST-{n:04d}",
        subject="Đèn đường hỏng",
        content="Đèn đường thôn 3 hỏng đã lâu.",
        status=Petition.Status.ANSWERED,
        received_at=received,
        days=5,
        due_at=due,
        answered_at=due + dt.timedelta(hours=-1 if on_time else 1),
    )


def test_a_petition_about_a_dossier_takes_its_attitude_score_to_zero(
    commune, other_commune, django_assert_num_queries
):
    """(7) reads the petitions linked to a dossier ("Mã hồ sơ" on the petition form) as well
    as the "thái độ" ratings: on time, no rating, but a petition about it -> 0. Its neighbour
    without one keeps 2, and a petition about another dossier changes nothing here."""
    about = returned(commune, 1)
    neighbour = returned(commune, 2)
    elsewhere = returned(other_commune, 3)
    p = petition(commune, 1, on_time=True)
    p.dossier = about
    p.save(update_fields=["dossier"])
    q = petition(other_commune, 2, on_time=True)
    q.dossier = elsewhere
    q.save(update_fields=["dossier"])

    assert indicators.dossier_scores(about).values[6] == 0
    assert indicators.dossier_scores(neighbour).values[6] == 2
    with django_assert_num_queries(5):  # still 1 petitions + 4 dossiers
        unit = indicators.unit_indicators([commune.pk], DAY, DAY, now=NOW)
    assert unit.dossiers == 2
    assert unit.means[6] == 1  # (0 + 2) / 2


def test_the_unit_roll_up_averages_the_dossiers_returned_in_the_period(
    commune, other_commune, django_assert_num_queries
):
    """Four dossiers returned on 17/11 in the commune:
      A: all 2 except (8)                      -> 2,2,2,2,2,2,2,1,2
      B: one supplement, filed at the counter  -> 2,2,1,2,2,2,2,1,1
      C: late without a letter, 2 late steps   -> 0,0,2,2,2,2,1,1,2
      D: procedure not published, not online   -> 2,2,2,2,2,0,2,1,0
    Petitions: 9 of 10 handled on time (90%) -> (8) = 1 for every dossier.
    Means: 1.5, 1.5, 1.75, 2, 2, 1.5, 1.75, 1, 1.25 -> total 14.25, "Tốt".
    Not counted: a dossier returned the day before, one still processing, one of another
    commune."""
    returned(commune, 1)
    b = returned(commune, 2, channel=DossierChannel.COUNTER)
    supplement(b)
    c = returned(commune, 3, returned_at=LATE.replace(day=17, hour=23))
    c.due_at_legal = c.due_at = dt.datetime(2026, 11, 17, 17, 0, tzinfo=VN)
    c.save(update_fields=["due_at", "due_at_legal"])
    step(c, 1, late=True)
    step(c, 2, late=True)
    unpublished = complete_procedure(commune, is_published=False, online_mode=Mode.NONE)
    returned(commune, 4, procedure=unpublished)
    returned(commune, 5, returned_at=RETURNED - dt.timedelta(days=1))
    returned(commune, 6, status=Status.PROCESSING, returned_at=None)
    returned(other_commune, 7, channel=DossierChannel.COUNTER)
    for n in range(10):
        petition(commune, n, on_time=n != 0)

    with django_assert_num_queries(5):  # 1 petitions + 4 dossiers, whatever their number
        unit = indicators.unit_indicators([commune.pk], DAY, DAY, now=NOW)

    assert unit.dossiers == 4
    assert (unit.complaints_handled, unit.complaints_counted) == (9, 10)
    assert unit.means == (1.5, 1.5, 1.75, 2, 2, 1.5, 1.75, 1, 1.25)
    assert (unit.total, unit.grade) == (14.25, "Tốt")
    assert unit.rows[0] == (1, "Tổng thời gian giải quyết so với thời gian quy định", 1.5)


def test_a_unit_without_returned_dossiers_has_no_grade(commune):
    unit = indicators.unit_indicators([commune.pk], DAY, DAY, now=NOW)
    assert (unit.dossiers, unit.means, unit.total, unit.grade) == (0, (), None, "")
