"""The figures the plans set targets on (`kpi.plan_figures`), on a hand-counted commune.

The commune of `tests.dossiers.factories.make_world` (Xã An Hưng, in Hải Phòng), shown for
November 2026, the cut-off 30/11/2026 17:00. Procedures of the province:
  P1 full online, P2 partly online (field "Đất đai"), P4 full online never filed online,
  P3 not online, P5 full online but not published.  -> eligible: P1, P2, P4 = 3.
Dossiers received by the commune:
  d1 counter P1  received 2/11 09:00, result ready 6/11 09:00  (4 days)
  d2 counter P3  received 3/11 09:00
  d3 online  P1  submitted 4/11 (300 s from sign-in), received 5/11 09:00, ready 6/11 21:00
             (1.5 days)
  d4 online  P2  submitted 9/11 (420 s), received 9/11 10:00, ready 10/11 10:00 (1 day)
  d5 online  P1  submitted and received 20/10 (600 s)
  d6 online  P2  submitted 28/11 (540 s), never received
Payments in November: d1 8.000 đ in cash, d2 8.000 đ by VietQR (online fees are 0 đ).
Ratings of dossiers in November: d1 very satisfied, d3 satisfied, d4 (P2: land) not satisfied.
Queue tickets in November: waits of 10 and 20 minutes; one cancelled (60 min), one never called.
Villages: Thôn Đông 10 of working age, 20 adults; Thôn Tây no population recorded.
"""

import datetime as dt
import importlib
import io
import uuid

import pytest
from django.apps import apps
from django.urls import reverse
from openpyxl import load_workbook

from motcua.catalog.models import Field
from motcua.core.models import Village
from motcua.dossiers import deadlines, digitization, services
from motcua.dossiers.defects import Filters
from motcua.dossiers.models import DossierDocument
from motcua.feedback import selectors as feedback_selectors
from motcua.feedback.models import Rating
from motcua.kpi import plan_figures
from motcua.kpi.models import Target
from motcua.outreach.models import AssistedAction, Resident
from motcua.payments import services as payment_services
from motcua.queueing import selectors as queue_selectors
from motcua.queueing.models import Service, Ticket
from tests.clock import Clock
from tests.dossiers.conftest import shipped_calendar  # noqa: F401
from tests.dossiers.factories import (
    applicant,
    at,
    attach,
    complete_processing,
    make_procedure,
    make_world,
    receive,
)

pytestmark = pytest.mark.django_db
NOW = at(2026, 11, 30, 17)
NOV = dt.date(2026, 11, 1)


def plan_targets() -> None:
    """The default targets the data migration loads (a test database flushed by a browser test
    has lost them: loaded again, the same way)."""
    importlib.import_module("motcua.kpi.migrations.0002_plan_targets").add(apps, None)


@pytest.fixture
def world(db, shipped_calendar):  # noqa: F811
    plan_targets()
    return make_world()


@pytest.fixture
def frozen(monkeypatch):
    clock = Clock(NOW)
    monkeypatch.setattr(deadlines, "current_time", clock)
    return clock


def online(w, procedure, submitted, seconds, received=None):
    d = services.submit_online(
        None,
        procedure=procedure,
        receiving_unit=w.commune,
        applicant=applicant(),
        at=submitted,
        filing=services.FilingFacts(
            signed_in_at=submitted - dt.timedelta(seconds=seconds), typed_fields=2
        ),
    )
    if received:
        services.accept_online(w.officer, dossier_id=d.pk, at=received)
    return d


def ready(w, d, when):
    services.start_processing(w.officer, dossier_id=d.pk, assignee=w.specialist, at=when)
    complete_processing(w, d, when)
    attach(w, d, DossierDocument.Kind.RESULT, signed=True)
    return services.mark_result_ready(w.specialist, dossier_id=d.pk, at=when)


def pay(w, dossier, method, when):
    request = payment_services.request_fees(w.officer, dossier_id=dossier.pk, at=when)
    if method == "cash":
        return payment_services.take_at_counter(
            w.officer, request_id=request.pk, method="cash", idempotency_key="k", at=when
        )
    attempt = payment_services.start_attempt(
        w.officer, request_id=request.pk, method=method, idempotency_key="k", at=when
    )
    payment_services.record_paid(
        None,
        report=payment_services.Report(
            reference=attempt.reference, amount_vnd=attempt.amount_vnd, transaction_id="T1"
        ),
        at=when,
    )


def ticket(w, service, n, issued, waited_minutes=None, status="done"):
    return Ticket.objects.create(
        unit=w.commune,
        service=service,
        issued_service=service,
        day=issued.date(),
        number=n,
        code=f"A{n:03d}",
        source=Ticket.Source.KIOSK,
        issued_at=issued,
        called_at=issued + dt.timedelta(minutes=waited_minutes) if waited_minutes else None,
        status=status,
    )


def adopted(w, village, age, kind, when):
    resident = Resident.objects.create(unit=w.commune, village=village, age_group=age)
    act(w, resident, kind, when)
    return resident


def act(w, resident, kind, when):
    AssistedAction.objects.create(
        resident=resident,
        unit=w.commune,
        village=resident.village,
        kind=kind,
        source="team_member",
        occurred_at=when,
        client_uuid=uuid.uuid4(),
    )


@pytest.fixture
def commune(world):
    return build(world)


def build(w) -> dict:
    """The hand-counted commune of the module docstring."""
    p1 = w.procedure
    p1.online_mode = "full"
    p1.save()
    land = Field.objects.create(code="dat-dai", name="Đất đai")
    p2 = make_procedure(w.province, name="Đăng ký biến động đất đai", online_mode="partial")
    p2.field = land
    p2.save()
    p3 = make_procedure(w.province, name="Chứng thực chữ ký", online_mode="none")
    make_procedure(w.province, name="Thủ tục P4", online_mode="full")
    make_procedure(w.province, name="Thủ tục P5", online_mode="full", is_published=False)

    d1 = receive(w, at(2026, 11, 2, 9), procedure=p1)
    d2 = receive(w, at(2026, 11, 3, 9), procedure=p3)
    d3 = online(w, p1, at(2026, 11, 4, 15), 300, received=at(2026, 11, 5, 9))
    d4 = online(w, p2, at(2026, 11, 9, 9), 420, received=at(2026, 11, 9, 10))
    online(w, p1, at(2026, 10, 20, 8), 600, received=at(2026, 10, 20, 9))  # d5
    online(w, p2, at(2026, 11, 28, 9), 540)  # d6: never received
    ready(w, d1, at(2026, 11, 6, 9))
    ready(w, d3, at(2026, 11, 6, 21))
    ready(w, d4, at(2026, 11, 10, 10))
    pay(w, d1, "cash", at(2026, 11, 3, 10))
    pay(w, d2, "vietqr", at(2026, 11, 3, 11))

    for dossier, level, reason in (
        (d1, "very_satisfied", ""),
        (d3, "satisfied", ""),
        (d4, "not_satisfied", "many_trips"),
    ):
        Rating.objects.create(
            unit=w.commune,
            dossier=dossier,
            dossier_code=dossier.code,
            procedure=dossier.procedure,
            level=level,
            reason=reason,
            channel="online",
            created_at=at(2026, 11, 12, 9),
        )

    service = Service.objects.create(unit=w.commune, code="A", name="Hộ tịch")
    ticket(w, service, 1, at(2026, 11, 16, 9), 10)
    ticket(w, service, 2, at(2026, 11, 16, 9, 5), 20)
    ticket(w, service, 3, at(2026, 11, 16, 9), 60, status="cancelled")
    ticket(w, service, 4, at(2026, 11, 16, 9, 30), None, status="no_show")

    east = Village.objects.create(
        unit=w.commune,
        name="Thôn Đông",
        working_age_population=10,
        adult_population=20,
        population_source="Công an xã, báo cáo 12/2025",
        population_as_of=dt.date(2025, 12, 31),
    )
    west = Village.objects.create(unit=w.commune, name="Thôn Tây")
    adopted(w, east, "18_59", "app_installed", at(2026, 10, 15))
    r2 = adopted(w, east, "18_59", "app_registered", at(2026, 11, 3))
    act(w, r2, "first_online_dossier", at(2026, 11, 4))
    adopted(w, east, "60_plus", "first_online_payment", at(2026, 11, 5))
    adopted(w, east, "", "first_online_dossier", at(2026, 11, 5))  # age unknown
    adopted(w, west, "18_59", "app_installed", at(2026, 11, 5))  # no population recorded
    return {"d1": d1, "d2": d2, "d3": d3, "d4": d4, "service": service}


def scope(w, unit=None, month=NOV):
    if unit is None or unit == w.commune:
        return plan_figures.Scope((w.commune.pk,), w.commune, month, NOW)
    return plan_figures.Scope((w.province.pk, w.commune.pk, w.other.pk), unit, month, NOW)


def by_code(results):
    return {r.code: r for r in results}


def point(result, month):
    return next(p for p in result.points if p.month == month)


OCT = dt.date(2026, 10, 1)


def test_online_dossiers_and_procedures_received_online(world, commune):
    figures = by_code(plan_figures.figures(scope(world)))
    share = figures["dossiers_online_share"]
    # November: received d1, d2, d3, d4 (d6 was never received); online d3, d4 -> 2/4
    assert (point(share, NOV).numerator, point(share, NOV).denominator) == (2, 4)
    assert point(share, NOV).value == 50.0
    assert point(share, OCT).value == 100.0  # d5 alone
    # the year to date: 3 online of 5 received = 60%, below the 70% target
    assert (share.numerator, share.denominator, share.value) == (3, 5, 60.0)
    assert share.target.value == 70 and share.met is False
    procedures = figures["procedures_online_share"]
    # eligible P1, P2, P4; November: P1 (d3) and P2 (d4) -> 2/3; October P1 -> 1/3
    assert (point(procedures, NOV).numerator, point(procedures, NOV).denominator) == (2, 3)
    assert point(procedures, NOV).value == 66.67
    assert point(procedures, OCT).value == 33.33
    assert (procedures.numerator, procedures.value, procedures.met) == (2, 66.67, True)
    assert len(share.points) == 12 and share.points[0].month == dt.date(2025, 12, 1)
    assert share.points[0].value is None  # nothing received: no data, not 0%


def test_payments_reuse_the_payment_figures(world, commune):
    figures = by_code(plan_figures.figures(scope(world)))
    transactions = figures["payments_online_transactions"]
    # d1 in cash, d2 by VietQR -> 1 of 2 transactions online
    assert (transactions.numerator, transactions.denominator, transactions.value) == (1, 2, 50.0)
    assert transactions.met is False  # target > 95%
    dossiers = figures["payments_online_dossiers"]
    # owing money: d1, d2 (8.000 đ at the counter; online fees are 0 đ); paid online: d2
    assert (dossiers.numerator, dossiers.denominator, dossiers.value) == (1, 2, 50.0)
    from motcua.payments import figures as payment_figures

    same = payment_figures.figures(
        payment_figures.Scope((world.commune.pk,), NOV, dt.date(2026, 11, 30))
    )
    assert (point(transactions, NOV).numerator, point(transactions, NOV).denominator) == (
        same.transactions.numerator,
        same.transactions.denominator,
    )
    assert (point(dossiers, NOV).numerator, point(dossiers, NOV).denominator) == (
        same.dossiers.numerator,
        same.dossiers.denominator,
    )


def test_digitization_figures_are_the_digitization_screens(world, commune):
    figures = by_code(plan_figures.figures(scope(world)))
    screen = {
        f.key: f
        for f in digitization.figures(
            world.manager, Filters(start=at(2026, 11, 1, 0), end=at(2026, 12, 1, 0))
        )
    }
    for code, key in plan_figures.DIGITIZATION.items():
        nov = point(figures[code], NOV)
        assert (nov.numerator, nov.denominator) == (screen[key].numerator, screen[key].denominator)
    # submitted in November and received: d1, d2, d3, d4; with a result: d1, d3, d4, all signed
    assert point(figures["digitization_components"], NOV).denominator == 4
    signed = figures["results_signed"]
    assert (point(signed, NOV).numerator, point(signed, NOV).denominator) == (3, 3)
    assert signed.value == 100.0 and signed.met is True  # target >= 97%


def test_sign_in_to_submission_is_the_mean_in_minutes(world, commune):
    result = by_code(plan_figures.figures(scope(world)))["login_to_submit_minutes"]
    # November: d3 300 s, d4 420 s, d6 540 s (submitted, even if not received): 1260/3 = 420 s
    assert point(result, NOV).value == 7.0
    assert point(result, OCT).value == 10.0  # d5: 600 s
    # the year: (300 + 420 + 540 + 600) / 4 = 465 s = 7.75 min, target for 2026: under 5 min
    assert (result.value, result.denominator) == (7.75, 4)
    assert (result.target.comparison, result.target.value, result.met) == ("<", 5, False)


def test_online_dossiers_are_processed_shorter_in_elapsed_time(world, commune):
    result = by_code(plan_figures.figures(scope(world)))["online_processing_shorter"]
    # in person: d1 4 days; online: d3 1.5 days, d4 1 day -> mean 1.25 days
    # (4 - 1.25) / 4 = 68.75% shorter; target for 2026: at least 30%
    assert (result.numerator, result.denominator) == (1.25, 4.0)
    assert result.value == 68.75 and result.met is True
    assert point(result, OCT).value is None  # nothing finished in October


def test_satisfaction_and_land_construction_investment_apart(world, commune):
    figures = by_code(plan_figures.figures(scope(world)))
    everything = figures["satisfaction"]
    # d1 very satisfied, d3 satisfied, d4 not satisfied -> 2/3 = 66.67%, target 95% (2026)
    assert (everything.numerator, everything.denominator, everything.value) == (2, 3, 66.67)
    assert everything.target.value == 95 and everything.met is False
    land = figures["satisfaction_demanding"]
    assert (land.numerator, land.denominator, land.value, land.target.value) == (0, 1, 0.0, 85)
    same = feedback_selectors.dossier_satisfaction([world.commune.pk], NOV, dt.date(2026, 11, 30))
    assert everything.denominator == same.total.total
    assert land.denominator == same.demanding.total


def test_queue_wait_is_the_mean_wait_of_called_tickets_and_has_no_target(world, commune):
    result = by_code(plan_figures.figures(scope(world)))["queue_wait_minutes"]
    # called and not cancelled: 10 and 20 minutes -> 15 minutes
    assert (point(result, NOV).value, result.value, result.denominator) == (15.0, 15.0, 2)
    stats = queue_selectors.queue_statistics(
        unit_ids=[world.commune.pk], date_from=NOV, date_to=dt.date(2026, 11, 30)
    )
    assert result.value == round(stats.total.mean_wait_seconds / 60, 2)
    assert result.target is None and result.met is None  # no plan sets a number


def test_villages_count_recorded_residents_over_the_recorded_population(world, commune):
    figures = by_code(plan_figures.figures(scope(world)))
    app = figures["village_queue_app"]
    # Thôn Đông: 10 of working age; installed by the end of October 1, of November 2
    # (Thôn Tây has no population recorded: its resident is left out)
    assert (point(app, OCT).numerator, point(app, OCT).value) == (1, 10.0)
    assert (app.numerator, app.denominator, app.value) == (2, 10, 20.0)
    assert app.cumulative and app.met is False  # target >= 45%
    assert dict((str(k), v) for k, v in app.details) == {
        "Thôn có số dân được ghi nhận": "1/2",
        "Thôn đạt chỉ tiêu": "0/1",
    }
    adults = figures["village_online_adults"]
    # adults with a first online dossier or payment: the 18-59 one and the 60+ one (the one of
    # unknown age is not counted) -> 2 of 20 adults
    assert (adults.numerator, adults.denominator, adults.value) == (2, 20, 10.0)
    assert point(adults, OCT).value == 0.0


def test_online_service_volume_is_counted_for_a_province_only(world, commune):
    commune_level = by_code(plan_figures.figures(scope(world)))["online_service_volume"]
    assert commune_level.applies is False and commune_level.met is None
    result = by_code(plan_figures.figures(scope(world, world.province)))["online_service_volume"]
    # 12 months to November: d3, d4, d5 online over the province's 3 online procedures -> 1.0
    assert (result.numerator, result.denominator, result.value) == (3, 3, 1.0)
    assert result.met is False and result.target.value == 1000
    assert dict((str(k), v) for k, v in result.details) == {
        "Dịch vụ đạt 1.000 hồ sơ/12 tháng": "0/3"
    }


def test_a_units_own_target_wins_over_its_provinces_and_the_default(world):
    day = dt.date(2026, 11, 30)
    assert plan_figures.targets_in_force(world.commune, day)["dossiers_online_share"].value == 70
    Target.objects.create(
        code="dossiers_online_share",
        unit=world.province,
        period_start=dt.date(2026, 1, 1),
        value=80,
        source="KH tỉnh",
    )
    assert plan_figures.targets_in_force(world.commune, day)["dossiers_online_share"].value == 80
    Target.objects.create(
        code="dossiers_online_share",
        unit=world.commune,
        period_start=dt.date(2026, 9, 1),
        period_end=dt.date(2026, 10, 31),
        value=90,
        source="Chiến dịch",
    )
    # the commune's campaign target is over by 30/11: the province's applies again
    assert plan_figures.targets_in_force(world.commune, day)["dossiers_online_share"].value == 80
    assert (
        plan_figures.targets_in_force(world.commune, dt.date(2026, 10, 1))[
            "dossiers_online_share"
        ].value
        == 90
    )
    # the province plan's yearly figures: 2025's and 2026's
    in_2025 = plan_figures.targets_in_force(world.commune, dt.date(2025, 10, 1))
    assert (in_2025["login_to_submit_minutes"].value, in_2025["satisfaction"].value) == (8, 90)
    assert "KH 47/KH-UBND" in in_2025["satisfaction"].source


def page(client, user, **query):
    client.force_login(user)
    return client.get(reverse("reports:plan_figures"), query)


def test_the_page_shows_each_figure_with_target_and_trend(client, world, commune, frozen):
    response = page(client, world.manager, thang="2026-11")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<svg") == len(plan_figures.FIGURES) - 1  # volume: province only
    assert "KH 17/KH-UBND xã Hợp Minh" in html
    assert 'data-testid="met-dossiers_online_share">' in html


def test_the_workbook_says_what_the_page_says(client, world, commune, frozen):
    client.force_login(world.leader)
    response = client.get(reverse("reports:plan_figures_export"), {"thang": "2026-11"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(response.content))
    rows = {r[0]: r for r in wb.worksheets[0].iter_rows(min_row=6, values_only=True) if r[0]}
    share = rows["Hồ sơ nộp trực tuyến"]
    assert share[1:4] == (60.0, 3, 5)
    trend = {r[0]: r for r in wb.worksheets[1].iter_rows(min_row=2, values_only=True)}
    assert trend["Hồ sơ nộp trực tuyến"][-2:] == (100.0, 50.0)


def test_another_communes_staff_and_other_roles_are_refused(client, world, commune, frozen):
    assert page(client, world.other_leader, don_vi=world.commune.pk).status_code == 404
    assert page(client, world.officer).status_code == 403
    assert page(client, world.manager, thang="2101-01").status_code == 400


def test_the_figures_cost_a_fixed_number_of_queries(world, commune, django_assert_num_queries):
    """One or two GROUP BY queries per figure, whatever the number of dossiers or months."""
    plan_figures.figures(scope(world, world.province))  # warm: the content types, the fields
    with django_assert_num_queries(28):
        plan_figures.figures(scope(world, world.province))
