"""A small commune, counted by hand: every indicator, group and total of the service index for
November 2026 matches the arithmetic written out below (formula set "dashboard-2025" v1).

The commune ("Xã An Hưng", under its province) carries out three procedures of its own that
are published, one it has not published, and one of its province (dates are of 2026):

- P1 (province's): published, fully online, fee 50,000 đ, announced 01/10 (due 05/10: on time),
  published 03/10 (due 10/10: on time), complete, fees published for online payment;
- P2: published, partly online (reason given), fee 0 đ, announced 10/10 (due 05/10: late),
  published 12/10 (no deadline: on time), complete, a paper reusable from the warehouse;
- P3: published, not online and no reason given (incomplete), fee 30,000 đ, never announced,
  published 20/10 (due 15/10: late);
- P4: not published, fully online, no fee rows, announced 01/09 (no deadline: on time).

Dossiers (competent and receiving unit: the commune):

- D1 P1 online, received 03/11, legal due 10/11, finished 09/11 (early), 50k paid by VietQR,
  synced on time, signed result, every component digitized, result shared, "rất hài lòng";
- D2 P1 counter, received 04/11, due 11/11, finished 12/11 (late), 50k paid cash, synced late
  (accepted after 24 h), paper only, no result file, "không hài lòng";
- D3 P2 counter, received 05/11, due 12/11, result ready 12/11 (on time), free, its sync
  message still pending, signed result, its paper reused from the warehouse;
- D4 P3 counter, received 20/11, due 10/12, in progress, 30k owed, never synced, paper only;
- D5 P3 counter, received 06/11, due 20/11, in progress (overdue), 30k paid cash, synced on
  time, paper only;
- D6 P1 online, received 20/10, due 02/11, finished 02/11 (on time), synced on time;
- D7 P2 counter, received 01/10, finished 05/10 (before November);
- D8 P1 online, submitted, awaiting reception.

Handled in November: D1-D6 (6). Received in November: D1-D5 (5).

Petitions received in November: PA1 answered 10/11 by 16/11, rated satisfied; PA2 answered
20/11 after its deadline 17/11; PA3 received 25/11, due 09/12, still open.
"""

from decimal import Decimal as D

import pytest

from motcua.kpi.index import engine

from .factories import (
    at,
    digitized_component,
    make_dossier,
    make_petition,
    make_place,
    make_procedure,
    paper_component,
    rate,
    request_fee,
    signed_result,
    sync_message,
)

pytestmark = pytest.mark.django_db

NOVEMBER = engine.month(2026, 11)
NOW = at(2026, 12, 1, 10)  # the period has closed: the cut-off is 01/12 00:00


def day(m, d, hour=9):
    return at(2026, m, d, hour)


def build():
    import datetime as dt

    place = make_place()
    p1 = make_procedure(
        place,
        "1.001",
        unit=place.province,
        online="full",
        fee=50000,
        announced_on=dt.date(2026, 10, 1),
        announce_by=dt.date(2026, 10, 5),
        published_on=dt.date(2026, 10, 3),
        publish_by=dt.date(2026, 10, 10),
        fees_payable_online=True,
    )
    p2 = make_procedure(
        place,
        "2.002",
        online="partial",
        online_reason="Cần đối chiếu bản chính",
        fee=0,
        reusable=True,
        announced_on=dt.date(2026, 10, 10),
        announce_by=dt.date(2026, 10, 5),
        published_on=dt.date(2026, 10, 12),
    )
    p3 = make_procedure(
        place,
        "3.003",
        online="none",
        fee=30000,
        published_on=dt.date(2026, 10, 20),
        publish_by=dt.date(2026, 10, 15),
    )
    make_procedure(
        place,
        "4.004",
        published=False,
        online="full",
        fee_rows=False,
        announced_on=dt.date(2026, 9, 1),
    )

    d1 = make_dossier(
        place,
        p1,
        received=day(11, 3),
        due=day(11, 10, 17),
        finished=day(11, 9),
        timeliness="early",
        channel="online",
        fee=50000,
    )
    request_fee(d1, 50000, paid_by="vietqr", paid_at=day(11, 3, 10))
    sync_message(d1, changed=day(11, 3), state="sent", accepted=day(11, 3, 10))
    signed_result(d1)
    digitized_component(d1)
    sync_message(d1, changed=day(11, 9), state="sent", accepted=day(11, 9, 10), kind="result")
    rate(d1, "very_satisfied")

    d2 = make_dossier(
        place,
        p1,
        received=day(11, 4),
        due=day(11, 11, 17),
        finished=day(11, 12),
        timeliness="late",
        fee=50000,
    )
    request_fee(d2, 50000, paid_by="cash", paid_at=day(11, 4, 10))
    sync_message(d2, changed=day(11, 4), state="sent", accepted=day(11, 6))
    paper_component(d2)
    rate(d2, "not_satisfied")

    d3 = make_dossier(
        place,
        p2,
        received=day(11, 5),
        due=day(11, 12, 17),
        finished=day(11, 12, 10),
        timeliness="on_time",
        status=9,
    )
    sync_message(d3, changed=day(11, 5), state="pending")
    signed_result(d3)
    digitized_component(d3, reused=True)

    d4 = make_dossier(place, p3, received=day(11, 20), due=day(12, 10, 17), fee=30000)
    request_fee(d4, 30000)
    paper_component(d4)

    d5 = make_dossier(place, p3, received=day(11, 6), due=day(11, 20, 17), fee=30000)
    request_fee(d5, 30000, paid_by="cash", paid_at=day(11, 6, 10))
    sync_message(d5, changed=day(11, 6), state="sent", accepted=day(11, 6, 11))
    paper_component(d5)

    d6 = make_dossier(
        place,
        p1,
        received=day(10, 20),
        due=day(11, 2, 17),
        finished=day(11, 2),
        timeliness="on_time",
        channel="online",
    )
    sync_message(d6, changed=day(10, 20), state="sent", accepted=day(10, 20, 10))

    make_dossier(
        place, p2, received=day(10, 1), due=day(10, 8, 17), finished=day(10, 5), timeliness="early"
    )
    make_dossier(place, p1, received=None, channel="online")

    make_petition(
        place, received=day(11, 2), due=day(11, 16, 17), answered=day(11, 10), rating="satisfied"
    )
    make_petition(place, received=day(11, 3), due=day(11, 17, 17), answered=day(11, 20))
    make_petition(place, received=day(11, 25), due=day(12, 9, 17))
    return place


def test_every_indicator_group_and_total_match_the_hand_count():
    place = build()
    [s] = engine.score(unit_ids=[place.commune.pk], period=NOVEMBER, now=NOW)

    def ind(code):
        i = s.indicator(code)
        return i.numerator, i.denominator, i.points

    # Publicity (18). Catalog of the commune: P1 (province's) + P2, P3, P4 = 4 procedures.
    # announced on time: P1 (01/10 <= 05/10), P4 (no deadline) = 2/4 -> 6 x 0.5 = 3.00
    assert ind("publicity.announced") == (2, 4, D("3.00"))
    # published on time: P1, P2 (no deadline); P3 late, P4 unpublished = 2/4 -> 4 x 0.5 = 2.00
    assert ind("publicity.published_on_time") == (2, 4, D("2.00"))
    # complete content, of the 3 published: P1, P2; P3 lacks its reason = 2/3 -> 2 x 2/3 = 1.33
    assert ind("publicity.complete") == (2, 3, D("1.33"))
    # synced on time, of the 6 handled: D1, D5, D6 (D2 late, D3 pending, D4 none) = 3/6 -> 3.00
    assert ind("publicity.synced_on_time") == (3, 6, D("3.00"))
    # 3.00 + 2.00 + 1.33 + 3.00 = 9.33; tile = 9.33 / 18 = 51.83%
    assert s.group("publicity").points == D("9.33")
    assert s.group("publicity").tile_ratio == D("51.83")

    # Progress (20): D1 early, D3 on time, D6 on time, D4 in progress due 10/12 (not overdue at
    # the cut-off 01/12); D2 late, D5 overdue = 4/6 -> 20 x 0.6667 = 13.33; tile 66.67%
    assert ind("progress.on_time") == (4, 6, D("13.33"))
    assert s.group("progress").points == D("13.33")
    assert s.group("progress").tile_ratio == D("66.67")

    # Online (12). Published: P1, P2, P3; online: P1 (full), P2 (partial) = 2/3, full at 80%
    # -> 2 x 0.6667 / 0.8 = 1.67
    assert ind("online.procedures_online") == (2, 3, D("1.67"))
    # online services with an online dossier received in November: P1 (D1) of P1, P2 = 1/2 -> 2.00
    assert ind("online.services_used") == (1, 2, D("2.00"))
    # dossiers filed online of the 5 received: D1 = 1/5, full at 50% -> 6 x 0.2 / 0.5 = 2.40
    assert ind("online.dossiers_online") == (1, 5, D("2.40"))
    # 1.67 + 2.00 + 2.40 = 6.07; tile: share filed online = 20.00%
    assert s.group("online").points == D("6.07")
    assert s.group("online").tile_ratio == D("20.00")

    # Payment (10). Owing, of the received: D1, D2, D4, D5 (D3 is free); paid online: D1 = 1/4
    # -> 6 x 0.25 = 1.50
    assert ind("payment.dossiers_paid_online") == (1, 4, D("1.50"))
    # fee-bearing procedures: P1, P3; paid online in November: P1 = 1/2, full at 80%
    # -> 2 x 0.5 / 0.8 = 1.25
    assert ind("payment.procedures_paid_online") == (1, 2, D("1.25"))
    # fees published for online payment: P1 of P1, P3 = 1/2 -> 2.5 x 0.5 = 1.25
    assert ind("payment.fees_published") == (1, 2, D("1.25"))
    # 1.50 + 1.25 + 1.25 = 4.00 (under the cap of 10); tile: paid online 25.00%
    assert s.group("payment").points == D("4.00")
    assert s.group("payment").tile_ratio == D("25.00")

    # Satisfaction (18). Petitions on time: PA1, PA3 (open, due 09/12) of 3 -> 6 x 2/3 = 4.00
    assert ind("satisfaction.petitions_on_time") == (2, 3, D("4.00"))
    # answered: PA1, PA2; satisfied: PA1 (PA2 answered late) = 1/2 -> 3.00
    assert ind("satisfaction.petitions_satisfied") == (1, 2, D("3.00"))
    # dossiers not rated "không hài lòng" and not late, of the 6 handled: D1, D3, D4, D6 = 4/6,
    # full at 90% -> 6 x 0.6667 / 0.9 = 4.44
    assert ind("satisfaction.dossiers_satisfied") == (4, 6, D("4.44"))
    # 4.00 + 3.00 + 4.44 = 11.44; tile 11.44 / 18 = 63.56%
    assert s.group("satisfaction").points == D("11.44")
    assert s.group("satisfaction").tile_ratio == D("63.56")

    # Digitization (22). Results out (D1, D2, D3), signed with their file: D1, D3 = 2/3 -> 4.00
    assert ind("digitization.result_signed") == (2, 3, D("4.00"))
    # every component digitized and filed to the citizen's documents: D1, D3 of 5 -> 4 x 0.4
    assert ind("digitization.components_filed") == (2, 5, D("1.60"))
    # no certified copy in November: no data, 0 points
    assert ind("digitization.certified_copies") == (0, 0, D("0.00"))
    assert s.indicator("digitization.certified_copies").ratio is None
    # dossiers of procedures with a reusable paper (P2: D3), reusing it: 1/1, full at 80% -> 2
    assert ind("digitization.reuse") == (1, 1, D("2.00"))
    # results out (D1, D2, D3) whose signed result was shared into the citizen's data store:
    # D1 = 1/3 -> 4 x 0.3333 = 1.33
    assert ind("digitization.shared") == (1, 3, D("1.33"))
    # province-only: a commune is given 2 + 2
    assert s.indicator("digitization.population_identity").points == D("2")
    assert s.indicator("digitization.population_identity").given
    assert s.indicator("digitization.population_data").points == D("2")
    # 4.00 + 1.60 + 0 + 2.00 + 1.33 + 2 + 2 = 12.93; tile 12.93 / 22 = 58.77%
    assert s.group("digitization").points == D("12.93")
    assert s.group("digitization").tile_ratio == D("58.77")

    # Total: 9.33 + 13.33 + 6.07 + 4.00 + 11.44 + 12.93 = 57.10
    assert s.total == D("57.10")
    assert s.formula_set == "dashboard-2025 v1"
    assert s.label == "Xã An Hưng"
    assert s.cut_off == NOW


def test_the_whole_scope_and_the_department_and_field_agree_with_the_unit():
    place = build()
    [unit] = engine.score(unit_ids=[place.commune.pk], period=NOVEMBER, now=NOW)
    [whole] = engine.score(unit_ids=[place.commune.pk], period=NOVEMBER, now=NOW, by="all")
    # the procedure indicators of "all" count the commune's reach (its own + the province's)
    assert whole.total == unit.total
    by_field = engine.score(unit_ids=[place.commune.pk], period=NOVEMBER, now=NOW, by="field")
    assert [s.key for s in by_field] == [place.field.pk]
    assert by_field[0].total == unit.total


def test_by_officer_handled_dossiers_count_for_the_processor_received_ones_for_the_receiver():
    from motcua.accounts.models import User
    from motcua.dossiers.models import DossierStep

    place = make_place()
    p1 = make_procedure(place, "1.101", online="full", fee=0)
    receiver = User.objects.create_user(username="tiepnhan-idx", password=None, kind="staff")
    handler = User.objects.create_user(username="xuly-idx", password=None, kind="staff")
    on_time = make_dossier(
        place,
        p1,
        received=day(11, 3),
        due=day(11, 10, 17),
        finished=day(11, 9),
        timeliness="early",
        officer=receiver,
    )
    late = make_dossier(
        place,
        p1,
        received=day(11, 4),
        due=day(11, 6, 17),
        finished=day(11, 12),
        timeliness="late",
        channel="online",
        officer=receiver,
    )
    for d in (on_time, late):
        DossierStep.objects.create(
            dossier=d,
            order=2,
            name="Xử lý",
            unit=place.commune,
            assignee=handler,
            days=3,
            stage="processing",
        )
    scores = {
        s.key: s
        for s in engine.score(unit_ids=[place.commune.pk], period=NOVEMBER, now=NOW, by="officer")
    }
    assert set(scores) == {receiver.pk, handler.pk}
    # progress counts handled dossiers: both were processed by `handler` (1 of 2 on time)
    assert scores[handler.pk].indicator("progress.on_time").numerator == 1
    assert scores[handler.pk].indicator("progress.on_time").denominator == 2
    assert scores[receiver.pk].indicator("progress.on_time").denominator == 0
    # the online share counts received dossiers: both were received by `receiver`
    online = scores[receiver.pk].indicator("online.dossiers_online")
    assert (online.numerator, online.denominator) == (1, 2)
    # procedures have no officer: every officer carries the unit's catalog figures
    assert (
        scores[receiver.pk].indicator("online.procedures_online").denominator
        == scores[handler.pk].indicator("online.procedures_online").denominator
        == 1
    )
    items = engine.drill_down(
        indicator="progress.on_time",
        unit_ids=[place.commune.pk],
        period=NOVEMBER,
        now=NOW,
        by="officer",
        key=handler.pk,
    )
    assert [i.pk for i in items] == [late.pk]
