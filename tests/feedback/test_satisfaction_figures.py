"""Satisfaction figures: counts per level, share satisfied, per counter, officer and service."""

import datetime as dt

from motcua.feedback import selectors, services
from motcua.feedback.models import Level, Reason
from motcua.queueing import services as queue

DAY = dt.date(2026, 11, 17)


def test_satisfaction_counts_levels_and_shares_per_counter_officer_and_service(
    serve, make_officer, commune, open_counters, svc, clock
):
    a1 = serve("A", counter=1)
    services.rate_ticket(ticket=a1, level=Level.VERY_SATISFIED)
    a2 = serve("A", counter=1)
    services.rate_ticket(ticket=a2, level=Level.SATISFIED)
    # counter 2, another officer, not satisfied because of the wait
    second = make_officer(commune)
    queue.open_counter(counter=open_counters[2], officer=second)
    c1 = serve("C", counter=2)
    c1.served_by = second
    c1.save(update_fields=["served_by"])
    services.rate_ticket(ticket=c1, level=Level.NOT_SATISFIED, reason=Reason.LONG_WAIT)
    serve("B", counter=1)  # served, never rated

    sat = selectors.satisfaction([commune.pk], DAY, DAY)

    assert (sat.total.very_satisfied, sat.total.satisfied, sat.total.not_satisfied) == (1, 1, 1)
    assert sat.total.total == 3
    assert sat.total.satisfied_percent == 66.7
    assert sat.by_counter[open_counters[1].pk].satisfied_percent == 100.0
    assert sat.by_counter[open_counters[2].pk].not_satisfied == 1
    assert sat.by_officer[second.pk].total == 1
    assert sat.by_service[svc["A"].pk].total == 2 and svc["B"].pk not in sat.by_service
    assert sat.reasons == {"long_wait": 1}


def test_the_period_is_in_local_days_and_other_units_never_count(
    serve, commune, other_commune, clock
):
    # 23:30 in Hà Nội on 17/11 is 16:30 UTC: it belongs to the 17th, not the 18th
    ticket = serve("A")
    late = dt.datetime(2026, 11, 17, 23, 30, tzinfo=clock.current.tzinfo)
    services.rate_ticket(ticket=ticket, level=Level.SATISFIED, at=late)

    assert selectors.satisfaction([commune.pk], DAY, DAY).total.total == 1
    assert (
        selectors.satisfaction(
            [commune.pk], DAY + dt.timedelta(days=1), DAY + dt.timedelta(days=1)
        ).total.total
        == 0
    )
    assert selectors.satisfaction([other_commune.pk], DAY, DAY).total.total == 0


def test_no_ratings_means_no_percentage_rather_than_zero(commune):
    sat = selectors.satisfaction([commune.pk], DAY, DAY)
    assert sat.total.total == 0 and sat.total.satisfied_percent is None


def test_dossier_satisfaction_per_field_department_officer_and_land_construction_investment(
    commune, other_commune, officer, make_officer
):
    """Six dossiers rated in the commune on 17/11 and one the day after, one in another commune:
    by hand, land 1 of 2 satisfied (50%), construction 1 of 1, civil status 2 of 3; the land and
    construction ("demanding") group 2 of 3, the others 2 of 3; the day after and the other
    commune never count; tickets never count here."""
    from decimal import Decimal

    from motcua.catalog.models import Field
    from motcua.core.models import Department
    from motcua.dossiers.models import Dossier, Status
    from tests.dossiers.factories import make_procedure

    land = Field.objects.create(name="Đất đai", code="dat-dai")
    building = Field.objects.create(name="Xây dựng", code="xay-dung")
    justice = Department.objects.create(unit=commune, name="Văn phòng - Thống kê")
    second = make_officer(commune)
    seq = iter(range(1, 100))

    def rated(unit, field, level, *, who=officer, department=None, day=17, reason=""):
        procedure = make_procedure(unit)
        procedure.field = field or procedure.field
        procedure.department = department
        procedure.save(update_fields=["field", "department"])
        dossier = Dossier.objects.create(
            code=f"000.00.12.H42-2611{day}-{next(seq):04d}",
            receiving_unit=unit,
            competent_unit=unit,
            procedure=procedure,
            procedure_code=procedure.code,
            procedure_name=procedure.name,
            processing_days=Decimal("5"),
            time_unit="working_days",
            rule_version="test",
            channel="counter",
            applicant_name="Trần Thị Bình",
            applicant_id_number="001203004567",
            status=Status.RETURNED,
            submitted_at=dt.datetime(2026, 11, 10, 2, 0, tzinfo=dt.UTC),
        )
        services.rate_dossier(
            dossier=dossier,
            level=level,
            reason=reason,
            channel="phone",
            officer=who,
            at=dt.datetime(2026, 11, day, 9, 0, tzinfo=dt.UTC),
        )

    rated(commune, land, Level.SATISFIED, department=justice)
    rated(commune, land, Level.NOT_SATISFIED, reason=Reason.MANY_TRIPS, department=justice)
    rated(commune, building, Level.VERY_SATISFIED, who=second)
    rated(commune, None, Level.SATISFIED)
    rated(commune, None, Level.VERY_SATISFIED, who=second)
    rated(commune, None, Level.NOT_SATISFIED, reason=Reason.LONG_WAIT)
    rated(commune, land, Level.NOT_SATISFIED, reason=Reason.ATTITUDE, day=18)  # the day after
    rated(other_commune, land, Level.NOT_SATISFIED, reason=Reason.LONG_WAIT)

    sat = selectors.dossier_satisfaction([commune.pk], DAY, DAY)

    assert sat.total.total == 6 and sat.total.satisfied_percent == 66.7
    assert sat.by_field[land.pk].total == 2 and sat.by_field[land.pk].satisfied_percent == 50.0
    assert sat.by_field[building.pk].satisfied_percent == 100.0
    civil = Field.objects.get(name="Hộ tịch")
    assert (sat.by_field[civil.pk].total, sat.by_field[civil.pk].not_satisfied) == (3, 1)
    assert (sat.demanding.total, sat.demanding.satisfied_percent) == (3, 66.7)
    assert (sat.others.total, sat.others.satisfied_percent) == (3, 66.7)
    assert sat.by_department == {justice.pk: sat.by_department[justice.pk]}
    assert sat.by_department[justice.pk].total == 2
    assert sat.by_officer[officer.pk].total == 4 and sat.by_officer[second.pk].total == 2
    assert selectors.dossier_satisfaction([other_commune.pk], DAY, DAY).demanding.total == 1
