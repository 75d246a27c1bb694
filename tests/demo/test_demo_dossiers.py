"""`load_demo` gives the demo commune six months of dossiers that look like a real commune's.

The history is loaded ONCE for this module (it takes seconds) inside a transaction that is
rolled back at the end; each test runs in its own savepoint on top. The clock is pinned to a
Tuesday morning, so the history always covers the same days.
"""

import datetime as dt
import io
import itertools
import random
from collections import Counter, defaultdict
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Q
from django.test import override_settings

from motcua.accounts.models import Role, StaffAssignment, User
from motcua.catalog.models import Procedure, StepStage
from motcua.core import calendar
from motcua.core.models import AuditEvent, Unit
from motcua.demo import certified_copies, signed_results
from motcua.demo import dossiers as demo_dossiers
from motcua.demo.management.commands import load_demo as load_demo_command
from motcua.dossiers import deadlines, selectors, services, workflow
from motcua.dossiers.models import (
    Channel,
    DailySequence,
    Dossier,
    DossierDocument,
    DossierEvent,
    DossierStep,
    Extension,
    Status,
    SupplementRequest,
    Timeliness,
    Violation,
)
from motcua.queueing import services as queue_services

pytestmark = pytest.mark.django_db

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = dt.datetime(2026, 11, 17, 9, 0, tzinfo=HCM)  # a plain Tuesday morning
DEMO_COMMUNE = "11824"  # Xã Vĩnh Bảo
SECOND_COMMUNE = "11836"  # Xã Vĩnh Thịnh


def load_demo() -> str:
    out = io.StringIO()
    call_command(load_demo_command.Command(), stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker, tmp_path_factory):
    """One load for the whole module, rolled back afterwards (nothing leaks to other tests)."""
    media = tmp_path_factory.mktemp("media")
    with (
        django_db_blocker.unblock(),
        override_settings(
            MEDIA_ROOT=media,
            MOTCUA_DEMO_DOSSIER_HISTORY=True,
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        ),
        pytest.MonkeyPatch.context() as patch,
    ):
        patch.setattr(queue_services, "now", lambda: NOW)
        patch.setattr(demo_dossiers, "now", lambda: NOW)
        # signing keeps its files with a durable transaction, which cannot nest in the one
        # rolled back below: the signed demo results are tested in test_demo_signed_results
        patch.setattr(
            signed_results, "sign_results", lambda unit: signed_results.SignedResults(unit=unit)
        )
        # the demo certified copies are signed the same way (tests/certification has them)
        patch.setattr(
            certified_copies,
            "certify_demo_copies",
            lambda unit: certified_copies.DemoCopies(unit=unit, skipped=True),
        )
        calendar.clear_cache()
        with transaction.atomic():
            output = load_demo()
            yield output
            transaction.set_rollback(True)
        calendar.clear_cache()


@pytest.fixture
def history(loaded):
    return Dossier.objects.filter(receiving_unit__code=DEMO_COMMUNE)


def lien_thong():
    """Received at the demo commune, handled by the second one."""
    return Dossier.objects.filter(
        receiving_unit__code=DEMO_COMMUNE, competent_unit__code=SECOND_COMMUNE
    )


def test_six_months_of_dossiers_in_every_state_within_the_target_ranges(loaded, history):
    total = Dossier.objects.count()
    assert 2500 <= total <= 3500
    assert Dossier.objects.filter(receiving_unit__code=SECOND_COMMUNE).count() >= 100
    first = history.order_by("submitted_at").first().submitted_at.astimezone(HCM).date()
    assert (NOW.date() - first).days >= 175

    n = history.count()
    by_status = Counter(history.values_list("status", flat=True))
    share = {s: by_status[s] / n for s in by_status}
    assert share[Status.RETURNED] >= 0.85
    assert 0.01 <= share[Status.REFUSED] <= 0.03
    assert by_status[Status.WITHDRAWN] >= 5
    assert by_status[Status.STOPPED] >= 5
    # still open on the morning of the load
    for status in (
        Status.SUBMITTED,
        Status.PROCESSING,
        Status.AWAITING_SUPPLEMENT,
        Status.AWAITING_APPROVAL,
        Status.APPROVED,
        Status.RESULT_READY,
    ):
        assert by_status[status] >= 1, Status(status).label
    with_supplement = history.filter(supplements__isnull=False).distinct().count()
    assert 0.06 <= with_supplement / n <= 0.13
    assert "Hồ sơ Xã Vĩnh Bảo: lịch sử minh họa" in loaded


def test_every_dossier_history_is_a_legal_path_through_the_state_machine(loaded):
    events = defaultdict(list)
    for row in (
        Dossier.objects.values_list("id", "events__id").order_by("id", "events__id").iterator()
    ):
        events[row[0]].append(row[1])
    rows = {
        e.pk: e
        for e in DossierEvent.objects.only(
            "id", "dossier_id", "from_status", "to_status", "action", "at"
        ).iterator()
    }
    paused_from: dict[int, int] = {}
    fields = ("id", "status", "version", "current_event_id", "receiving_unit", "competent_unit")
    for dossier in Dossier.objects.only(*fields).iterator():
        chain = [rows[pk] for pk in events[dossier.pk]]
        assert chain[0].action in workflow.CREATION_ACTIONS
        starts = {workflow.CREATION_ACTIONS[chain[0].action]}
        if dossier.receiving_unit_id != dossier.competent_unit_id:  # boundary-free reception
            starts = {Status.TRANSFERRING}
        assert chain[0].to_status in starts, dossier.pk
        status = chain[0].to_status
        for before, event in itertools.pairwise(chain):
            assert event.at >= before.at, dossier.pk
            sources, target = workflow.TRANSITIONS[event.action]
            assert status not in workflow.TERMINAL and status in sources, (dossier.pk, event)
            if target is None:
                target = status
            elif target == workflow.RESUME:
                target = paused_from.pop(dossier.pk)
            if event.action == "request_supplement":
                paused_from[dossier.pk] = status
            assert event.from_status == status and event.to_status == target, (dossier.pk, event)
            status = target
        assert status == dossier.status
        assert dossier.version == len(chain)
        assert dossier.current_event_id == chain[-1].pk


def test_finished_dossiers_keep_the_rules_of_the_core(history):
    # letters for refused, stopped and withdrawn; a result for every returned dossier
    for status, kind in services.LETTER_FOR.items():
        without = history.filter(status=status).exclude(documents__kind=kind)
        assert not without.exists(), status
    done = history.filter(status__in=[Status.RESULT_READY, Status.RETURNED])
    assert not done.exclude(documents__kind=DossierDocument.Kind.RESULT).exists()
    # with the result at the one-stop only its return step is open; none once returned
    assert not history.filter(status=Status.RETURNED, steps__finished_at__isnull=True).exists()
    ready = history.filter(status=Status.RESULT_READY)
    open_steps = DossierStep.objects.filter(dossier__in=ready, finished_at__isnull=True)
    assert not open_steps.exclude(stage=StepStage.RETURN).exists()
    returned = history.filter(status=Status.RETURNED)
    for d in returned.only("finished_at", "returned_at", "result_delivery"):
        assert d.returned_at >= d.finished_at and d.result_delivery
    assert not history.filter(status__in=workflow.ACTIVE, timeliness__gt="").exists()


def test_steps_are_closed_as_the_services_close_them(loaded):
    """decisions/0016 in the whole demo history (simulated and liên thông alike): reception
    closes at reception, held by a counter officer; the approval step by the leader who
    approved; the return step by the officer who returned; "finish step" only ever closes a
    processing step."""
    held = set(
        StaffAssignment.objects.filter(is_active=True).values_list("user_id", "unit_id", "role")
    )
    one_stop = {StepStage.RECEPTION: Role.COUNTER_OFFICER, StepStage.RETURN: Role.COUNTER_OFFICER}
    by_stage = {**one_stop, StepStage.APPROVAL: Role.LEADER}
    steps = defaultdict(list)
    for step in DossierStep.objects.order_by("dossier_id", "order").iterator():
        steps[step.dossier_id].append(step)
    seen = Counter()
    for pk, status, received_at in Dossier.objects.values_list("id", "status", "received_at"):
        rows = steps[pk]
        for step in rows:
            if step.stage == StepStage.RECEPTION:
                assert step.started_at == step.finished_at == received_at, pk
                assert (step.assignee_id, step.unit_id, Role.COUNTER_OFFICER) in held, pk
        reception = [s for s in rows if s.stage == StepStage.RECEPTION]
        if status in workflow.ACTIVE and reception:  # received: its reception step is closed
            assert reception[0].finished_at, pk
            seen["open"] += 1
        if status == Status.RESULT_READY:
            assert all(s.finished_at for s in rows if s.stage != StepStage.RETURN), pk
            assert all(s.started_at for s in rows), pk
            seen["ready"] += 1
        if status == Status.RETURNED:
            assert rows and all(s.finished_at and s.assignee_id for s in rows), pk
            for step in rows:
                role = by_stage.get(step.stage)
                assert role is None or (step.assignee_id, step.unit_id, role) in held, (pk, step)
            seen["returned"] += 1
            seen["approved by the leader"] += any(s.stage == StepStage.APPROVAL for s in rows)
    assert seen["open"] >= 20 and seen["ready"] >= 1 and seen["returned"] >= 2000
    assert seen["approved by the leader"] >= 300
    for event in DossierEvent.objects.filter(action="finish_step"):
        step = next(s for s in steps[event.dossier_id] if s.order == event.data["step"])
        assert step.stage == StepStage.PROCESSING, event.dossier_id


def test_timeliness_matches_the_due_dates_mostly_on_time_some_late(history):
    finished = list(
        history.exclude(finished_at=None).only("finished_at", "due_at_legal", "timeliness")
    )
    for d in finished:
        assert d.timeliness == deadlines.classify(d.finished_at, d.due_at_legal), d.code
    tally = Counter(d.timeliness for d in finished)
    n = len(finished)
    assert 0.04 <= tally[Timeliness.LATE] / n <= 0.065
    assert tally[Timeliness.ON_TIME] / n >= 0.80
    assert tally[Timeliness.EARLY] > 0
    # the appointment on the receipt is the core's: working days from the reception moment
    plain = history.exclude(received_at=None).filter(supplements__isnull=True)[:300]
    for d in plain:
        expected = deadlines.statutory_due(
            d.received_at, d.processing_days, d.time_unit, d.competent_unit_id
        )
        assert d.due_at == d.due_at_legal == expected, d.code


def test_apologies_are_timely_or_recorded_as_violations(history):
    extensions = Extension.objects.filter(dossier__in=history)
    assert extensions.filter(is_timely=True).exists()
    assert extensions.filter(is_timely=False).exists()
    for e in extensions:
        assert e.new_due_at > e.old_due_at
        assert calendar.is_working_day(e.new_due_at, e.dossier.competent_unit_id)
        assert e.is_timely == deadlines.apology_is_timely(
            e.sent_at, e.old_due_at, e.dossier.competent_unit_id
        )
        late = Violation.objects.filter(dossier=e.dossier, kind=Violation.Kind.LATE_APOLOGY)
        assert late.exists() == (not e.is_timely)
    missing = Violation.objects.filter(dossier__in=history, kind=Violation.Kind.MISSING_APOLOGY)
    assert missing.exists()
    for v in missing:
        assert not Extension.objects.filter(dossier=v.dossier, old_due_at=v.due_at_ref).exists()


def test_counter_receptions_happen_on_working_days_within_office_hours(history):
    unit = Unit.objects.get(code=DEMO_COMMUNE)
    for received in history.filter(channel=Channel.COUNTER).values_list("received_at", flat=True):
        local = received.astimezone(HCM)
        assert calendar.is_working_day(local.date(), unit), local
        assert dt.time(7, 30) <= local.time() <= dt.time(17, 0), local
        assert not dt.time(11, 30) < local.time() < dt.time(13, 30), local
    # nothing was submitted today: today's numbering is free
    assert not history.filter(submitted_at__gte=NOW.replace(hour=0)).exists()


def test_online_share_grows_month_by_month_as_the_campaigns_push(history):
    months = []
    for local_month in range(5, 12):
        start = dt.datetime(2026, local_month, 1, tzinfo=HCM)
        end = dt.datetime(2026, local_month + 1, 1, tzinfo=HCM)
        stats = history.filter(submitted_at__gte=start, submitted_at__lt=end).aggregate(
            n=Count("id"), online=Count("id", filter=Q(channel=Channel.ONLINE))
        )
        if stats["n"] >= 100:
            months.append(stats["online"] / stats["n"])
    assert len(months) >= 5
    assert months == sorted(months)
    assert 0.30 <= months[0] <= 0.42
    assert 0.55 <= months[-1] <= 0.72


def test_identity_digitization_and_signatures_grow_and_fees_are_paid_online(history):
    early = history.filter(submitted_at__lt=dt.datetime(2026, 7, 1, tzinfo=HCM))
    late = history.filter(submitted_at__gte=dt.datetime(2026, 10, 1, tzinfo=HCM))

    def share(qs, **flag):
        return qs.filter(**flag).count() / qs.count()

    counter_early, counter_late = early.exclude(channel="online"), late.exclude(channel="online")
    assert share(counter_late, identity_verified=True) > share(
        counter_early, identity_verified=True
    )
    assert share(late, all_components_digitized=True) > share(early, all_components_digitized=True)
    returned = Q(status=Status.RETURNED)
    assert share(late.filter(returned), result_signed=True) >= 0.9
    assert share(history.filter(returned), result_signed=True) >= 0.85
    assert not history.filter(channel="online", identity_verified=False).exists()
    fee_online = history.filter(channel="online", fee_total_vnd__gt=0)
    assert share(fee_online, paid_online=True) >= 0.5
    assert not history.filter(fee_total_vnd=0, paid_online=True).exists()


def test_demo_specialist_sees_due_soon_and_overdue_dossiers_in_the_worklists(loaded):
    specialist = User.objects.get(username="vb.tuphap")
    leader = User.objects.get(username="vb.lanhdao")
    assert selectors.mine(specialist).exists()
    assert selectors.due_soon(specialist, now=NOW).exists()
    assert 1 <= selectors.overdue(specialist, now=NOW).count() <= 15
    assert selectors.awaiting_supplement(specialist).exists()
    assert selectors.awaiting_signature(leader).exists()
    assert selectors.at_risk(specialist, now=NOW).exists()
    # another commune's history stays out of sight
    other = User.objects.get(username="vt.tuphap")
    assert not selectors.for_staff(other).filter(competent_unit__code=DEMO_COMMUNE).exists()


@pytest.mark.parametrize("hours", [0, 20, 50, 120, 300])
def test_the_badges_count_what_the_tabs_list_whoever_and_whenever(loaded, hours):
    """The worklist assesses every open dossier once for its badges and its two warned tabs;
    each tab alone assesses only the dossiers that can qualify: both must agree."""
    now = NOW + dt.timedelta(hours=hours)
    for username in ("vb.tuphap", "vb.lanhdao", "vb.quanly", "vb.motcua1", "vt.tuphap"):
        user = User.objects.get(username=username)
        found = selectors.deadline_warnings(user, now=now)
        counts = selectors.worklist_counts(user, now=now, found=found)
        soon, risk = selectors.due_soon(user, now=now), selectors.at_risk(user, now=now)
        assert counts["due_soon"] == soon.count(), (username, hours)
        assert counts["at_risk"] == risk.count(), (username, hours)
        assert set(selectors.due_soon(user, now=now, found=found)) == set(soon)
        assert set(selectors.at_risk(user, now=now, found=found)) == set(risk)


def test_todays_first_reception_after_the_demo_gets_number_0001(loaded):
    unit = Unit.objects.get(code=DEMO_COMMUNE)
    yesterday = calendar.previous_working_day(NOW.date(), unit)
    seq = DailySequence.objects.get(unit=unit, day=yesterday)
    day_start = dt.datetime.combine(yesterday, dt.time(0), HCM)
    on_that_day = Dossier.objects.filter(
        receiving_unit=unit,
        submitted_at__gte=day_start,
        submitted_at__lt=day_start + dt.timedelta(days=1),
    )
    assert seq.last_value == on_that_day.count() > 0

    dossier = services.receive_at_counter(
        User.objects.get(username="vb.motcua1"),
        procedure=Procedure.objects.get(unit=unit, code="1.001193"),
        receiving_unit=unit,
        applicant=services.Applicant(name="Nguyễn Văn An", id_number="031090123456"),
        at=NOW,
        case="Đúng hạn hoặc được miễn lệ phí",
    )
    assert dossier.code == f"DEMO.31.11824-{NOW:%y%m%d}-0001"
    assert dossier.fee_total_vnd == 0


def test_second_load_adds_nothing_and_the_audit_log_still_verifies(loaded):
    counts = {
        "dossiers": Dossier.objects.count(),
        "supplements": SupplementRequest.objects.count(),
        "sequences": DailySequence.objects.count(),
        "summaries": AuditEvent.objects.filter(action="demo.dossiers_loaded").count(),
    }
    assert counts["summaries"] == 2
    # the simulated past was not done by anyone: only the liên thông dossiers, played through
    # the services, have audit events of dossier actions (and the deadline job, run at load
    # time, found no missing apology the simulation had not recorded already)
    transfers = set(lien_thong().values_list("pk", flat=True))
    audited = AuditEvent.objects.filter(action__startswith="dossier.")
    assert {int(pk) for pk in audited.values_list("object_id", flat=True)} == transfers

    with override_settings(MOTCUA_DEMO_DOSSIER_HISTORY=True):
        results = demo_dossiers.load_dossier_history(at=NOW + dt.timedelta(days=1))
    assert all(r.skipped for r in results)
    assert "lịch sử đã có, giữ nguyên" in demo_dossiers.summary_line(results[0])
    assert counts == {
        "dossiers": Dossier.objects.count(),
        "supplements": SupplementRequest.objects.count(),
        "sequences": DailySequence.objects.count(),
        "summaries": AuditEvent.objects.filter(action="demo.dossiers_loaded").count(),
    }
    out = io.StringIO()
    call_command("audit_verify", stdout=out)
    assert "Audit log intact" in out.getvalue()


def test_history_is_deterministic(history):
    """Planning again with the same seed gives the same first weeks, dossier for dossier."""
    unit = Unit.objects.get(code=DEMO_COMMUNE)
    spec = demo_dossiers.COMMUNES[DEMO_COMMUNE]
    start = NOW.date() - dt.timedelta(days=demo_dossiers.HISTORY_DAYS)
    rng = random.Random(f"motcua-demo-dossiers:{unit.code}:{start.isoformat()}")
    planner = demo_dossiers._Planner(
        unit=unit, staff=demo_dossiers._staff(unit, spec), now=NOW, start=start, rng=rng
    )
    planned = []
    for offset in range(14):
        planned += planner.plan_day(start + dt.timedelta(days=offset), spec["per_day"])
    planned.sort(key=lambda life: life.d.submitted_at)
    stored = (
        history.filter(
            submitted_at__lt=dt.datetime.combine(start + dt.timedelta(days=14), dt.time(0), HCM)
        )
        .order_by("submitted_at", "id")
        .prefetch_related("steps")
    )
    assert [(d.submitted_at, d.procedure_code, d.applicant_name, d.status) for d in stored] == [
        (p.d.submitted_at, p.d.procedure_code, p.d.applicant_name, p.status) for p in planned
    ]

    def steps(rows):
        return [
            (s.order, s.stage, s.assignee_id, s.started_at, s.finished_at, s.result) for s in rows
        ]

    assert [steps(d.steps.all()) for d in stored] == [steps(p.steps) for p in planned]


def test_no_invented_history_in_secure_mode(loaded):
    with override_settings(SECURE=True, MOTCUA_DEMO_DOSSIER_HISTORY=True):
        results = demo_dossiers.load_dossier_history(at=NOW)
    assert results and all(r.refused for r in results)
    assert "DJANGO_SECURE=1" in demo_dossiers.summary_line(results[0])


def test_some_dossiers_received_here_are_handled_by_the_second_commune(loaded):
    """Liên thông: received at Vĩnh Bảo's counter, acknowledged and processed by Vĩnh Thịnh's
    staff, through the same services the screens use."""
    dossiers = {d.applicant_name: d for d in lien_thong()}
    assert len(dossiers) == len(demo_dossiers.TRANSFERS)
    stage = {t[4]: dossiers[t[2]] for t in demo_dossiers.TRANSFERS}
    assert stage["transferring"].status == Status.TRANSFERRING
    assert stage["acknowledged"].status == Status.RECEIVED
    assert stage["processing"].status == Status.PROCESSING
    assert stage["returned"].status == Status.RETURNED

    their_officer = User.objects.get(username="vt.motcua")
    their_specialist = User.objects.get(username="vt.tuphap")
    for d in lien_thong().exclude(status=Status.TRANSFERRING):
        ack = d.events.get(action="acknowledge_transfer")
        assert ack.actor == their_officer and ack.at > d.received_at
        assert d.competent_received_at == ack.at
        # the department's and the leader's steps moved to the competent commune; reception
        # and return stay with the one-stop where the applicant came (decisions/0016)
        assert (
            not d.steps.filter(stage__in=["processing", "approval"])
            .exclude(unit=d.competent_unit)
            .exists()
        )
        assert (
            not d.steps.filter(stage__in=["reception", "return"])
            .exclude(unit=d.receiving_unit)
            .exists()
        )
    # the competent commune's worklists show them; the receiving commune's staff still see them
    assert selectors.mine(their_specialist).filter(pk=stage["processing"].pk).exists()
    waiting = selectors.awaiting_reception(their_officer)
    assert waiting.filter(pk=stage["transferring"].pk).exists()
    officer = User.objects.get(username="vb.motcua1")
    assert selectors.for_staff(officer).filter(pk=stage["transferring"].pk).exists()

    returned = stage["returned"]
    assert returned.events.get(action="receive").actor == officer
    assert returned.events.get(action="approve").actor.username == "vt.lanhdao"
    assert returned.events.get(action="return_result").actor == officer
    assert returned.result_delivery == "post" and returned.postal_tracking_number
    assert returned.timeliness
    for d in lien_thong():
        assert d.events.count() == d.version
        assert d.received_at < NOW and d.events.order_by("-at").first().at < NOW


def test_lien_thong_dossiers_keep_todays_numbering_and_the_daily_sequences_gap_free(loaded):
    unit = Unit.objects.get(code=DEMO_COMMUNE)
    for d in lien_thong():
        day = d.submitted_at.astimezone(HCM).date()
        start = dt.datetime.combine(day, dt.time(0), HCM)
        that_day = Dossier.objects.filter(
            receiving_unit=unit, submitted_at__gte=start, submitted_at__lt=start + dt.timedelta(1)
        )
        numbers = sorted(
            int(code.rsplit("-", 1)[1]) for code in that_day.values_list("code", flat=True)
        )
        assert numbers == list(range(1, len(numbers) + 1))
        assert DailySequence.objects.get(unit=unit, day=day).last_value == len(numbers)
    assert "4 hồ sơ liên thông" in loaded


def test_the_residents_who_can_sign_in_find_dossiers_of_their_own(loaded):
    """Lan (031190012345) a returned result (the newest of those signed for real next) and a
    dossier awaiting her supplement; Hùng (031085067890) one in processing."""
    from motcua.demo import residents

    lan = Dossier.objects.filter(applicant_id_number="031190012345")
    assert sorted(lan.values_list("status", flat=True)) == [
        Status.AWAITING_SUPPLEMENT,
        Status.RETURNED,
    ]
    assert set(lan.values_list("applicant_name", flat=True)) == {"Nguyễn Thị Lan"}
    returned = lan.get(status=Status.RETURNED)
    first = next(iter(signed_results.candidates(returned.receiving_unit, 1)))
    assert first.dossier_id == returned.pk  # so her downloaded result verifies after make run
    assert returned.documents.filter(kind=DossierDocument.Kind.RESULT, signed=True).exists()
    hung = Dossier.objects.get(applicant_id_number="031085067890")
    assert hung.status == Status.PROCESSING and "Thôn 2" in hung.applicant_address
    assert "Cư dân mẫu đăng nhập được: 3 hồ sơ" in loaded
    # loaded again: nothing more is handed over
    assert residents.give_dossiers(unit=returned.receiving_unit) == 0


def test_every_demo_dossier_waits_in_the_national_portal_outbox_in_its_own_order(loaded):
    """The history is written row by row, not through the dossier core: `load_demo` backfills
    its messages (portalsync.services.backfill), so every dossier counts as synced once the
    worker drains. One STATUS message per creation, status change and new appointment, in the
    order of the events; a second run writes nothing."""
    from motcua.portalsync import outbox
    from motcua.portalsync import services as portalsync
    from motcua.portalsync.models import PortalMessage

    wanted: dict[int, list[int]] = defaultdict(list)
    for dossier_id, event_id, action, before, after in DossierEvent.objects.order_by(
        "dossier_id", "id"
    ).values_list("dossier_id", "id", "action", "from_status", "to_status"):
        info = services.TransitionInfo(dossier_id, action, before, after, event_id)
        if outbox.wanted(info):
            wanted[dossier_id].append(event_id * 2)
    sent: dict[int, list[int]] = defaultdict(list)
    first: dict[int, str] = {}
    for dossier_id, seq, action in (
        PortalMessage.objects.filter(kind="status")
        .order_by("dossier_id", "seq")
        .values_list("dossier_id", "seq", "payload__action")
    ):
        sent[dossier_id].append(seq)
        first.setdefault(dossier_id, action)
    assert set(sent) == set(Dossier.objects.values_list("pk", flat=True))
    assert sent == wanted
    assert set(first.values()) == set(workflow.CREATION_ACTIONS)  # the creation goes first
    assert "tin nhắn mới chờ gửi" in loaded
    assert portalsync.backfill().messages == 0
