"""Dossier demo history: six months of illustrative dossiers for the demo communes.

WHY bulk rows and not the services: `motcua.dossiers.services` does accept `at=`, but each
dossier would take ~10 transactions (row lock, event, hash-chained audit row, result files on
disk), i.e. ~30,000 audited transactions and minutes on SQLite; and the audit log would then
claim that named officers did things nobody did (the few liên thông dossiers below are the
deliberate exception). So the past is SIMULATED here with the same
rules (the `workflow.check` table for every move, `deadlines` / `core.calendar` for every due
date, the supplement pause, the apology rule, the step deadlines, and the step changes of each
verb as decisions/0016 has them: reception closed at reception by the officer, the processing
step closed by the submission, the approval step by the approving leader, the return step
opened by "có kết quả" and closed by the officer who returns) and bulk-written with explicit
timestamps: Dossier, DossierComponent, DossierStep, DossierEvent, SupplementRequest, Extension,
Violation, DossierDocument and the DailySequence rows of those days. No AuditEvent per dossier
is written (audit rows are never forged); one summary event `demo.dossiers_loaded` per commune
goes through `audit.record()`, so `manage.py audit_verify` keeps passing.

Each dossier's life is planned in full (reception -> ... -> return), then cut at `now`: every
event after `now` is dropped and the dossier stays in the status it had then. That is how the
recent dossiers end up received, in processing, awaiting a supplement, awaiting signature,
ready, or overdue, exactly as a real commune looks on a Monday morning. The deadline job
(`dossiers.tasks.watch_deadlines`) then runs once at the moment of loading and raises the at-risk
flags it finds; the simulation already recorded the missing apologies, so it adds none.

The exception is a handful of liên thông dossiers (`TRANSFERS`): received at the demo
commune's counter for the second commune's competence (boundary-free reception), acknowledged
and handled there. They are played through `motcua.dossiers.services` itself, at past moments:
the cross-unit path (both units' roles, steps handed to the competent unit, the result returned
at the receiving counter) is what we want shown exactly as the app does it, and a dozen audited
transactions cost nothing. Their applicants give no phone or e-mail, so nobody is notified.

Deterministic: one `random.Random` per commune seeded with its code and the first day of the
history; the liên thông dossiers are fixed relative to the day of the load. Written once: a
commune with any dossier submitted before today is left alone, and nothing is submitted today,
so today's first reception gets `-0001`. Never written when `DJANGO_SECURE=1`. Every simulated
document row points to one shared placeholder PDF. All figures are illustrative
(docs/data-sources.md, "Dossier demo history: illustrative").
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from motcua.accounts.models import User
from motcua.catalog import cases as catalog_cases
from motcua.catalog.models import Procedure, StepStage
from motcua.core import audit, calendar
from motcua.core.calendar import LOCAL_TZ
from motcua.core.models import Department, Unit, Village
from motcua.core.text import fold
from motcua.demo.services import demo_logins_allowed
from motcua.dossiers import deadlines, workflow
from motcua.dossiers import services as dossier_services
from motcua.dossiers.codes import code_prefix
from motcua.dossiers.models import (
    Channel,
    DailySequence,
    Delivery,
    Dossier,
    DossierComponent,
    DossierDocument,
    DossierEvent,
    DossierStep,
    Extension,
    IdentityVia,
    Status,
    SupplementRequest,
    Violation,
    component_digitized,
)
from motcua.dossiers.tasks import watch_deadlines

S = Status
Doc = DossierDocument.Kind
BATCH_SIZE = 500
HISTORY_DAYS = 183  # about six months of calendar days before today
PLACEHOLDER = "demo/ho-so-minh-hoa.pdf"


def _placeholder_pdf() -> bytes:
    """A valid one-page PDF saying "illustrative document" (ASCII: no embedded font needed)."""
    text = b"BT /F1 16 Tf 72 770 Td (Van ban minh hoa - du lieu mau, khong co gia tri) Tj ET"
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R"
        b"/Resources<</Font<</F1 5 0 R>>>>>>",
        b"<</Length %d>>stream\n%s\nendstream" % (len(text) + 1, text),
        b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


# Per commune: dossiers per working day (a range, drawn per day) and who does what.
COMMUNES = {
    "11824": {
        "per_day": (17, 28),
        "transfers_to": "11836",  # liên thông: received here, handled there (TRANSFERS)
        "officers": ["vb.motcua1", "vb.motcua2"],
        "specialists": {"social": "vb.vhxh", "other": "vb.tuphap"},
        "leader": "vb.lanhdao",
    },
    "11836": {
        "per_day": (1, 4),
        "officers": ["vt.motcua"],
        "specialists": {"social": "vt.tuphap", "other": "vt.tuphap"},
        "leader": "vt.lanhdao",
    },
}
SOCIAL_FIELDS = {"Bảo trợ xã hội", "Người có công", "Giảm nghèo", "Văn hóa", "Việc làm"}
# Share of all dossiers by field (civil status and certification are most of a commune's day).
FIELD_WEIGHTS = {
    "Hộ tịch": 36,
    "Chứng thực": 30,
    "Bảo trợ xã hội": 9,
    "Đăng ký hộ kinh doanh": 7,
    "Đất đai": 7,
    "Người có công": 5,
    "Liên thông điện tử": 3,
    "Giảm nghèo": 2,
    "Văn hóa": 1,
}
# Within a field, these procedures weigh more than the default 3.
PROCEDURE_WEIGHTS = {
    "1.001193": 30,  # khai sinh
    "1.000656": 14,  # khai tử
    "1.000894": 14,  # kết hôn
    "1.004873": 22,  # xác nhận tình trạng hôn nhân
    "2.000635": 18,  # bản sao trích lục hộ tịch
    "2.000815": 60,  # chứng thực bản sao từ bản chính
    "2.000884": 30,  # chứng thực chữ ký
    "1.013978": 60,  # đăng ký đất đai, cấp giấy chứng nhận
    "1.001776": 30,  # trợ cấp xã hội hằng tháng
    "1.001612": 20,  # đăng ký thành lập hộ kinh doanh
    "2.000720": 12,  # thay đổi nội dung đăng ký hộ kinh doanh
}
NO_APPROVAL_FIELDS = {"Chứng thực"}  # signed on the spot by the person who certifies
FINANCIAL_OBLIGATION = {"1.013978": 1_250_000}  # land: registration fee and levies (VND)

# Rates (fractions). Time-dependent ones go linearly from the first to the second value.
ONLINE_SHARE = (0.35, 0.68)
POSTAL_SHARE = 0.01
LATE = 0.05
EARLY = 0.08
SUPPLEMENT = 0.08
SUPPLEMENT_GIVE_UP = 0.12  # of supplement requests: never completed -> stopped
ONLINE_RECEPTION_SUPPLEMENT = 0.03
ONLINE_REFUSAL = 0.035
COUNTER_REFUSAL = 0.003
WITHDRAWAL = 0.01
STOP = 0.004
SEND_BACK = 0.03
APOLOGY = {"timely": 0.5, "late": 0.25, "none": 0.25}  # for dossiers that will be late
NEAR_NOW_LATE = 0.25  # due within 3 working days of the load
NEAR_NOW_APOLOGY = {"timely": 0.3, "late": 0.2, "none": 0.5}
COUNTER_IDENTITY = (0.40, 0.90)
COUNTER_DIGITIZED = (0.45, 0.92)
WAREHOUSE_REUSE = (0.10, 0.50)
RESULT_SIGNED = (0.85, 0.99)
PAID_ONLINE = (0.55, 0.92)  # online dossiers with fees
COUNTER_QR_PAYMENT = (0.05, 0.30)  # counter dossiers paying by bank QR at the counter
POSTAL_RESULT = 0.03
RESULT_ASKED = {Channel.ONLINE: Delivery.ONLINE, Channel.POSTAL: Delivery.POST}
INCOMPLETE = "Hồ sơ chưa đầy đủ theo quy định (dữ liệu minh họa)"

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đỗ", "Bùi", "Đặng", "Ngô", "Đào"]
FAMILY_WEIGHTS = [38, 12, 10, 7, 5, 6, 4, 4, 3, 3, 3]
MIDDLE = {"m": ["Văn", "Đức", "Quang", "Minh", "Hữu", "Công"], "f": ["Thị", "Thu", "Ngọc", "Thanh"]}
GIVEN = {
    "m": ["Hùng", "Dũng", "Nam", "Tuấn", "Long", "Khánh", "Phúc", "Thắng", "Hải", "Sơn", "Toàn"],
    "f": ["Hoa", "Lan", "Hương", "Mai", "Hạnh", "Linh", "Trang", "Yến", "Nga", "Thảo", "Huyền"],
}


# Liên thông dossiers received at a commune with "transfers_to": (working days before the
# load, procedure code of the competent commune, applicant name, citizen ID, how far the
# competent commune got, how the applicant wants the result).
TRANSFERS = (
    (12, "1.004873", "Nguyễn Thị Thu Hà", "031191004512", "returned", Delivery.POST),
    (3, "1.004873", "Trần Văn Khải", "031088007731", "processing", Delivery.COUNTER),
    (2, "1.001193", "Lê Thị Ngọc Ánh", "031196002248", "acknowledged", Delivery.COUNTER),
    (1, "2.000635", "Phạm Quốc Bảo", "031079005517", "transferring", Delivery.COUNTER),
)
TRANSFER_NOTE = (
    "Tiếp nhận không phụ thuộc địa giới hành chính, chuyển %(unit)s giải quyết (dữ liệu minh họa)"
)


@dataclass
class DossierHistoryResult:
    unit: Unit
    dossiers: int = 0
    events: int = 0
    transfers: int = 0
    skipped: bool = False
    refused: bool = False
    disabled: bool = False
    by_status: dict[int, int] = field(default_factory=dict)


# --- time helpers ----------------------------------------------------------------------------


def _local(day: dt.date, hour: int, minute: int) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=LOCAL_TZ)


def _ramp(pair: tuple[float, float], f: float) -> float:
    return pair[0] + (pair[1] - pair[0]) * f


_SLOTS: dict[dt.date, list[tuple[dt.datetime, dt.datetime]]] = {}


def _office_slots(day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
    """Morning and afternoon office hours of `day` (cached for the length of one load)."""
    found = _SLOTS.get(day)
    if found is None:
        (am_open, am_close), (pm_open, pm_close) = calendar.office_hours()
        found = _SLOTS[day] = [
            (
                dt.datetime.combine(day, am_open, LOCAL_TZ),
                dt.datetime.combine(day, am_close, LOCAL_TZ),
            ),
            (
                dt.datetime.combine(day, pm_open, LOCAL_TZ),
                dt.datetime.combine(day, pm_close, LOCAL_TZ),
            ),
        ]
    return found


def _office_time_between(
    start: dt.datetime, end: dt.datetime, unit: int
) -> list[tuple[dt.datetime, dt.datetime]]:
    """Office-hour intervals of working days inside (start, end), in order."""
    out = []
    day = start.astimezone(LOCAL_TZ).date()
    last = end.astimezone(LOCAL_TZ).date()
    while day <= last:
        if calendar.is_working_day(day, unit):
            for a, b in _office_slots(day):
                a, b = max(a, start), min(b, end)
                if a < b:
                    out.append((a, b))
        day += dt.timedelta(days=1)
    return out


def _spread(
    rng: random.Random, start: dt.datetime, end: dt.datetime, k: int, unit: int
) -> list[dt.datetime]:
    """k increasing moments strictly between start and end, inside office hours if possible."""
    if k <= 0:
        return []
    slots = _office_time_between(start, end, unit)
    total = sum((b - a).total_seconds() for a, b in slots)
    if total < 60 * (k + 1):  # no office time left: squeeze them in, a minute apart at least
        step = max((end - start) / (k + 1), dt.timedelta(seconds=1))
        return [start + step * (i + 1) for i in range(k)]
    points = sorted(rng.uniform(0.02, 0.98) * total for _ in range(k))
    out, acc, index = [], 0.0, 0
    for p in points:
        while acc + (slots[index][1] - slots[index][0]).total_seconds() < p:
            acc += (slots[index][1] - slots[index][0]).total_seconds()
            index += 1
        moment = slots[index][0] + dt.timedelta(seconds=p - acc)
        if out and moment <= out[-1]:
            moment = out[-1] + dt.timedelta(seconds=30)
        out.append(moment.replace(microsecond=0))
    return out


def _office_moment(rng: random.Random, day: dt.date, *, after=None, before=None):
    """A moment in the office hours of `day`, after/before the given bounds, or None."""
    lo = _local(day, 0, 0) if after is None else after
    hi = _local(day, 23, 59) if before is None else before
    slots = [(max(a, lo), min(b, hi)) for a, b in _office_slots(day)]
    slots = [(a, b) for a, b in slots if (b - a).total_seconds() > 120]
    if not slots:
        return None
    a, b = rng.choice(slots)
    return (a + dt.timedelta(seconds=rng.uniform(60, (b - a).total_seconds() - 60))).replace(
        microsecond=0
    )


def _working_day_after(day: dt.date, n: int, unit: int) -> dt.date:
    for _ in range(n):
        day = calendar.next_working_day(day, unit)
    return day


def _next_office_moment(rng: random.Random, after: dt.datetime, unit: int, hours: float = 3):
    """Some office time after `after` (a few working hours later at most)."""
    day = after.astimezone(LOCAL_TZ).date()
    for _ in range(10):
        if calendar.is_working_day(day, unit):
            found = _office_moment(
                rng, day, after=after, before=after + dt.timedelta(hours=hours) + _gap(after, day)
            )
            if found:
                return found
        day += dt.timedelta(days=1)
    return after + dt.timedelta(minutes=30)


def _gap(after: dt.datetime, day: dt.date) -> dt.timedelta:
    return max(dt.timedelta(0), _local(day, 7, 30) - after)


# --- one dossier -----------------------------------------------------------------------------


@dataclass
class _Who:
    """Who acts on one dossier."""

    officer: User
    specialist: User
    leader: User


@dataclass
class _Staff:
    officers: list[User]
    specialists: dict[str, User]
    leader: User
    departments: dict[str, Department]


_MOVES: dict[tuple[str, int | None, int | None], workflow.Move] = {}


def _check(action: str, status: int | None, resume_to: int | None) -> workflow.Move:
    """`workflow.check` (raises on an illegal move), remembered: the table does not change."""
    key = (action, status, resume_to)
    if key not in _MOVES:
        _MOVES[key] = workflow.check(action, status, resume_to=resume_to)
    return _MOVES[key]


class _Life:
    """The rows of one dossier while its life is played; every move checked by the workflow."""

    def __init__(self, dossier: Dossier, now: dt.datetime):
        self.d = dossier
        self.now = now
        self.status: int | None = None
        self.cut = False
        self.events: list[DossierEvent] = []
        self.steps: list[DossierStep] = []
        self.components: list[DossierComponent] = []
        self.supplements: list[SupplementRequest] = []
        self.extensions: list[Extension] = []
        self.violations: list[Violation] = []
        self.documents: list[DossierDocument] = []
        self.holder: dict[int, User] = {}  # step order -> who will be assigned to it

    def act(self, action: str, at: dt.datetime, actor=None, note="", data=None) -> bool:
        """Record `action` at `at` unless `at` is after now (then the life stops here)."""
        if self.cut or at > self.now:
            self.cut = True
            return False
        if self.events and at < self.events[-1].at:
            at = self.events[-1].at + dt.timedelta(seconds=1)
        if action in workflow.CREATION_ACTIONS:
            from_status, to_status = None, int(workflow.CREATION_ACTIONS[action])
        else:
            resume_to = next(
                (s.paused_status for s in self.supplements if s.resubmitted_at is None), None
            )
            move = _check(action, self.status, resume_to)
            from_status, to_status = move.from_status, move.to_status
        self.events.append(
            DossierEvent(
                from_status=from_status,
                to_status=to_status,
                action=action,
                actor=actor,
                at=at,
                note=note,
                data=data or {},
            )
        )
        self.status = to_status
        return True

    def document(self, kind: str, at: dt.datetime, actor=None, signed=False, note=""):
        if at <= self.now:
            self.documents.append(
                DossierDocument(
                    kind=kind,
                    file=PLACEHOLDER,
                    created_at=at,
                    created_by=actor,
                    signed=signed,
                    note=note,
                )
            )

    @property
    def at(self) -> dt.datetime:
        """When the last recorded move happened (`act` may have nudged it after the one before)."""
        return self.events[-1].at

    def open_steps(self, stage: str | None = None) -> list[DossierStep]:
        return [
            s for s in self.steps if s.finished_at is None and (stage is None or s.stage == stage)
        ]

    def open_step(self) -> DossierStep | None:
        return next(iter(self.open_steps()), None)

    # The step changes of the dossier services' verbs (decisions/0016), on the rows in memory.

    def close_step(self, step: DossierStep, at: dt.datetime, holder=None) -> None:
        """`services._close_step`: judged against the step's own deadline; `holder` (who did
        it) replaces the assignee, else the assignee stays."""
        step.started_at = step.started_at or at
        step.finished_at = at
        step.result = deadlines.classify(at, step.due_at) if step.due_at else ""
        if holder is not None:
            step.assignee = holder

    def start_steps(self, stage: str, at: dt.datetime) -> None:
        for step in self.open_steps(stage):
            step.started_at = step.started_at or at

    def check_steps(self) -> None:
        """`services._check_invariants`: with the result at the one-stop only its return step
        may still be open, and none once it is returned (a planner bug otherwise)."""
        if self.status in (S.RESULT_READY, S.RETURNED):
            still = [
                s.name
                for s in self.open_steps()
                if self.status == S.RETURNED or s.stage != StepStage.RETURN
            ]
            if still:
                raise RuntimeError(f"{self.d.procedure_code}: open steps {still} at {self.status}")


def _applicant(rng: random.Random, villages: list[Village], commune_name: str) -> dict:
    sex = rng.choice("mf")
    name = " ".join(
        [
            rng.choices(FAMILY, FAMILY_WEIGHTS)[0],
            rng.choice(MIDDLE[sex]),
            rng.choice(GIVEN[sex]),
        ]
    )
    born = rng.randint(1950, 2006)
    century = (0 if born < 2000 else 2) + (0 if sex == "m" else 1)
    id_number = f"031{century}{born % 100:02d}{rng.randint(0, 999999):06d}"
    village = rng.choices(villages, [v.population for v in villages])[0] if villages else None
    address = f"{village.name}, {commune_name}" if village else commune_name
    return {
        "applicant_name": name,
        "applicant_id_number": id_number,
        "applicant_phone": f"09{rng.randint(10_000_000, 99_999_999)}",
        "applicant_address": address,
    }


class _Planner:
    """Plans and plays the lives of a commune's dossiers (see the module docstring)."""

    def __init__(self, *, unit: Unit, staff: _Staff, now: dt.datetime, start: dt.date, rng):
        self.unit = unit
        self.uid = unit.pk
        self.staff = staff
        self.now = now
        self.start = start
        self.today = now.astimezone(LOCAL_TZ).date()
        self.rng = rng
        self.villages = list(Village.objects.filter(unit=unit).order_by("name"))
        self.rule_version = settings.MOTCUA_RULE_VERSION
        procedures = list(
            Procedure.objects.filter(unit=unit, is_published=True)
            .select_related("field", "department")
            .prefetch_related("fees", "components", "steps")
            .order_by("code")
        )
        procedures = [
            p for p in procedures if p.processing_days is not None and p.field.name in FIELD_WEIGHTS
        ]
        by_field: dict[str, list[Procedure]] = {}
        for p in procedures:
            by_field.setdefault(p.field.name, []).append(p)
        self.procedures, self.weights = [], []
        for name, group in by_field.items():
            inner = [PROCEDURE_WEIGHTS.get(p.code, 3) for p in group]
            for p, w in zip(group, inner, strict=True):
                self.procedures.append(p)
                self.weights.append(FIELD_WEIGHTS[name] * w / sum(inner))
        self.officer_turn = 0
        self.online_credit = 0.0

    # -- the reception -------------------------------------------------------------------------

    def plan_day(self, day: dt.date, per_day: tuple[int, int]) -> list[_Life]:
        rng = self.rng
        f = (day - self.start).days / max(1, (self.today - self.start).days)
        lives = []
        if not self.procedures:
            return lives
        working = calendar.is_working_day(day, self.uid)
        # at the weekend and on holidays only a few online filings come in
        count = rng.randint(*per_day) if working else rng.randint(0, max(1, per_day[0] // 6))
        target = _ramp(ONLINE_SHARE, f)
        for _ in range(count):
            procedure = rng.choices(self.procedures, self.weights)[0]
            online_ok = procedure.online_mode != Procedure.OnlineMode.NONE
            if not working and not online_ok:
                continue
            # error diffusion, not a coin per dossier: the month's online share follows the
            # campaign target closely instead of wobbling by a few points
            self.online_credit += target
            if not working or (online_ok and self.online_credit >= 0.5):
                channel = Channel.ONLINE
                self.online_credit -= 1
            elif rng.random() < POSTAL_SHARE:
                channel = Channel.POSTAL
            else:
                channel = Channel.COUNTER
            life = self._life(procedure, channel, day, f)
            if life is not None:
                lives.append(life)
        return lives

    def _submitted_at(self, day: dt.date, channel: str) -> dt.datetime:
        rng = self.rng
        if channel == Channel.ONLINE:  # any hour, mostly daytime and evening
            hour = rng.choices(range(24), [1] * 6 + [3, 5, 7, 8, 8, 7, 5, 6, 7, 7, 6, 5] + [6] * 6)[
                0
            ]
            return _local(day, hour, rng.randint(0, 59)).replace(second=rng.randint(0, 59))
        hour = rng.choices([7, 8, 9, 10, 11, 13, 14, 15, 16], [4, 10, 10, 8, 2, 3, 8, 6, 4])[0]
        minute = {7: (30, 59), 11: (0, 20), 13: (30, 59), 16: (0, 45)}.get(hour, (0, 59))
        return _local(day, hour, rng.randint(*minute)).replace(second=rng.randint(0, 59))

    def _officer(self) -> User:
        self.officer_turn += 1
        return self.staff.officers[self.officer_turn % len(self.staff.officers)]

    def _specialist(self, procedure: Procedure) -> User:
        kind = "social" if procedure.field.name in SOCIAL_FIELDS else "other"
        return self.staff.specialists[kind]

    def _life(self, procedure: Procedure, channel: str, day: dt.date, f: float) -> _Life | None:
        rng = self.rng
        online = channel == Channel.ONLINE
        submitted = self._submitted_at(day, channel)
        # a procedure with alternative fee cases: the first listed (on time, not exempt, the
        # usual copy) is taken as the common one, four times out of five
        options = catalog_cases.fee_choice(procedure.fees.all(), online=online, day=day).cases
        case = rng.choices(options, [4] + [1] * (len(options) - 1))[0] if options else ""
        fees = dossier_services.fees_in_force(procedure, online=online, day=day, case=case)
        fee_total = sum(x["amount_vnd"] or 0 for x in fees)
        if online:
            via = IdentityVia.VNEID
        elif rng.random() < _ramp(COUNTER_IDENTITY, f):
            via = rng.choice(
                [IdentityVia.CHIP_CARD, IdentityVia.CHIP_CARD, IdentityVia.POPULATION_DB]
            )
        else:
            via = IdentityVia.NONE
        dossier = Dossier(
            receiving_unit=self.unit,
            competent_unit=self.unit,
            procedure=procedure,
            procedure_code=procedure.code,
            procedure_name=procedure.name,
            processing_days=procedure.days_for(online),
            time_unit=procedure.time_unit,
            fee_total_vnd=fee_total,
            fees=fees,
            rule_version=self.rule_version,
            channel=channel,
            identity_verified=via != IdentityVia.NONE,
            identity_verified_via=via,
            # what the applicant asked for at reception; the return records what was done
            result_delivery=RESULT_ASKED.get(channel, Delivery.COUNTER),
            submitted_at=submitted,
            **_applicant(rng, self.villages, self.unit.name),
        )
        if online:
            dossier.applicant_email = f"congdan{rng.randint(1000, 99999)}@example.vn"
        life = _Life(dossier, self.now)
        digitized_p = 1.0 if online else _ramp(COUNTER_DIGITIZED, f)
        for c in catalog_cases.required(procedure.components.all(), case=case):
            scanned = rng.random() < digitized_p
            life.components.append(
                DossierComponent(
                    name=c.name,
                    form=c.form,
                    count=c.count,
                    from_state_data=c.from_state_data,
                    reused_from_warehouse=online
                    and c.from_warehouse
                    and rng.random() < _ramp(WAREHOUSE_REUSE, f),
                    digitized=scanned,
                    file=PLACEHOLDER if scanned else "",
                )
            )
        dossier.all_components_digitized = all(component_digitized(c) for c in life.components)
        if fee_total and (
            (online and rng.random() < _ramp(PAID_ONLINE, f))
            or (not online and rng.random() < _ramp(COUNTER_QR_PAYMENT, f))
        ):
            dossier.paid_online = True
        self._play(life, procedure, f)
        return life

    # -- the life --------------------------------------------------------------------------------

    def _open_clock(self, life: _Life, procedure: Procedure, at: dt.datetime, officer) -> None:
        """`services._open_clock`: due dates set, the reception step closed by the officer who
        received, the first step after it started."""
        d = life.d
        d.received_at = d.competent_received_at = at
        due = deadlines.statutory_due(at, d.processing_days, d.time_unit, self.uid)
        d.due_at = d.due_at_legal = d.due_at_current = due
        templates = list(procedure.steps.all()) or [None]
        days = [t.days if t else d.processing_days for t in templates]
        dues = deadlines.step_due_dates(at, days, self.uid)
        specialist = self._specialist(procedure)
        own = procedure.department if procedure.department_id else None
        if own is not None and own.unit_id != self.uid:
            own = None
        opening = True  # the first step that is not reception starts now
        for i, (t, n, step_due) in enumerate(zip(templates, days, dues, strict=True)):
            kind = t.department_kind if t else ""
            stage = t.stage if t else StepStage.PROCESSING
            step = DossierStep(
                order=i + 1,
                name=t.name if t else "Giải quyết hồ sơ",
                stage=stage,
                unit=self.unit,
                department=self.staff.departments.get(kind) if kind else own,
                days=n,
                due_at=min(step_due, due) if d.time_unit == "working_day" else step_due,
            )
            if stage == StepStage.RECEPTION:
                life.close_step(step, at, holder=officer)
            elif opening:
                step.started_at = at
                opening = False
            life.steps.append(step)
            if stage == StepStage.PROCESSING:  # who will hold it once it is assigned
                life.holder[i + 1] = specialist

    def _finish_step(self, life: _Life, at: dt.datetime) -> bool:
        """`services.finish_step`: the processing step in hand closes and the next processing
        step opens, which the leader then assigns. Reception, approval and return steps close
        with their own verbs, never here."""
        step = life.open_step()
        if step is None or step.stage != StepStage.PROCESSING:
            raise RuntimeError(f"{life.d.procedure_code}: no processing step to finish")
        actor = step.assignee or life.holder.get(step.order)
        if not life.act("finish_step", at, actor):
            return False
        life.close_step(step, life.at, holder=None if step.assignee else actor)
        life.events[-1].data = {"step": step.order, "result": step.result}
        following = life.open_step()
        if following is not None and following.stage == StepStage.PROCESSING:
            following.started_at = life.at
            holder = life.holder.get(following.order)
            assign_at = life.at + dt.timedelta(minutes=self.rng.randint(1, 20))
            if not life.act(
                "assign_step",
                assign_at,
                self.staff.leader,
                data={"step": following.order, "assignee": holder.pk},
            ):
                return False
            following.assignee = holder
        return True

    def _play(self, life: _Life, procedure: Procedure, f: float) -> None:
        self._live(life, procedure, f)
        self._missing_apology(life)

    def _missing_apology(self, life: _Life) -> None:
        """What the watch job (every 30 min) records: overdue while open, no apology for it."""
        d = life.d
        if d.due_at_current is None:
            return
        end = d.finished_at or (self.now if life.status in workflow.ACTIVE else None)
        noticed = d.due_at_current + dt.timedelta(minutes=30)
        apologised = any(e.old_due_at == d.due_at_current for e in life.extensions)
        if end is not None and end > noticed and noticed <= self.now and not apologised:
            life.violations.append(
                Violation(
                    kind=Violation.Kind.MISSING_APOLOGY,
                    due_at_ref=d.due_at_current,
                    detected_at=noticed,
                    details={"overdue_since": d.due_at_current.isoformat()},
                )
            )

    def _live(self, life: _Life, procedure: Procedure, f: float) -> None:
        who = _Who(self._officer(), self._specialist(procedure), self.staff.leader)
        received = self._reception(life, procedure, who)
        if received is None:
            return
        cursor = self._forward(life, received, who)
        if cursor is None or self._withdrawn_or_stopped(life, cursor, who):
            return
        cursor = self._supplement(life, cursor, who)
        if cursor is None:
            return
        finish, extension = self._finish_plan(life, cursor)
        result_at = self._examine(life, procedure, cursor, finish, extension, who)
        if result_at is not None:
            self._conclude(life, procedure, f, finish, result_at, who)

    def _reception(self, life: _Life, procedure: Procedure, who: _Who) -> dt.datetime | None:
        """Received at the counter, or filed online and accepted (or refused): the clock starts."""
        rng, d, uid = self.rng, life.d, self.uid
        online, officer = d.channel == Channel.ONLINE, who.officer
        if online:
            life.act("submit_online", d.submitted_at, None, data={"channel": d.channel})
            accept_at = _next_office_moment(rng, d.submitted_at, uid, hours=4)
            if rng.random() < ONLINE_RECEPTION_SUPPLEMENT:
                if not life.act("request_supplement", accept_at, officer, note=INCOMPLETE):
                    return None
                request = SupplementRequest(
                    requested_at=accept_at,
                    requested_by=officer,
                    items=["Bản chụp giấy tờ tùy thân rõ nét"],
                    reason=INCOMPLETE,
                    stage=SupplementRequest.Stage.RECEPTION,
                    paused_status=S.SUBMITTED,
                )
                life.supplements.append(request)
                life.document(Doc.SUPPLEMENT_REQUEST, accept_at, officer)
                back = accept_at + dt.timedelta(hours=rng.randint(3, 60))
                if not life.act("resubmit_supplement", back, None):
                    return None
                request.resubmitted_at = back
                accept_at = _next_office_moment(rng, back, uid, hours=4)
            if rng.random() < ONLINE_REFUSAL:
                life.document(Doc.REFUSAL_LETTER, accept_at - dt.timedelta(minutes=3), officer)
                life.act(
                    "refuse",
                    accept_at,
                    officer,
                    note="Hồ sơ không thuộc thẩm quyền giải quyết của xã (dữ liệu minh họa)",
                )
                return None
            if not life.act("accept", accept_at, officer):
                return None
            self._open_clock(life, procedure, accept_at, officer)
            life.events[-1].data = {"due_at": d.due_at.isoformat()}
            received = accept_at
        else:
            received = d.submitted_at
            life.act("receive", received, officer, data={"channel": d.channel})
            self._open_clock(life, procedure, received, officer)
            if rng.random() < COUNTER_REFUSAL:
                at = received + dt.timedelta(minutes=rng.randint(5, 40))
                life.document(Doc.REFUSAL_LETTER, at - dt.timedelta(minutes=2), officer)
                life.act("refuse", at, officer, note="Giấy tờ không hợp lệ (dữ liệu minh họa)")
                return None
        life.document(Doc.RECEIPT, received, officer)
        return received

    def _forward(self, life: _Life, received: dt.datetime, who: _Who) -> dt.datetime | None:
        """The one-stop hands the dossier to the department: its first processing step opens, held
        by the specialist."""
        rng, uid = self.rng, self.uid
        officer = who.officer
        if rng.random() < 0.9:
            start = received + dt.timedelta(minutes=rng.randint(5, 60))
        else:  # forwarded at the next sorting round, sometimes the next morning
            start = _next_office_moment(rng, received + dt.timedelta(hours=2), uid, hours=3)
        # `services.start_processing`: the first open processing step, to its specialist
        first = next(iter(life.open_steps(StepStage.PROCESSING)), None)
        holder = life.holder.get(first.order) if first else None
        data = {"assignee": getattr(holder, "pk", None), "step": getattr(first, "order", None)}
        if not life.act("start_processing", start, officer, data=data):
            return None
        if first is not None:
            first.assignee = holder
            first.started_at = first.started_at or life.at
        return life.at

    def _withdrawn_or_stopped(self, life: _Life, cursor: dt.datetime, who: _Who) -> bool:
        """Rarely the applicant withdraws or the commune stops the case (with its letter)."""
        rng, uid = self.rng, self.uid
        specialist = who.specialist
        fate = rng.random()
        if fate < WITHDRAWAL + STOP:
            at = _next_office_moment(rng, cursor + dt.timedelta(hours=rng.randint(2, 30)), uid)
            if fate < WITHDRAWAL:
                life.document(Doc.WITHDRAWAL_REQUEST, at - dt.timedelta(minutes=5), None)
                life.act("withdraw", at, None, note="Công dân xin rút hồ sơ (dữ liệu minh họa)")
            else:
                life.document(Doc.STOP_LETTER, at - dt.timedelta(minutes=5), specialist)
                life.act(
                    "stop",
                    at,
                    specialist,
                    note="Người yêu cầu không đủ điều kiện theo quy định (dữ liệu minh họa)",
                )
            return True

        return False

    def _supplement(self, life: _Life, cursor: dt.datetime, who: _Who) -> dt.datetime | None:
        """Sometimes a supplement is asked during examination: the clock pauses, then resumes."""
        rng, d, uid = self.rng, life.d, self.uid
        specialist = who.specialist
        if rng.random() < SUPPLEMENT:
            ask = _next_office_moment(rng, cursor, uid, hours=6)
            if ask >= d.due_at_current:
                ask = cursor + dt.timedelta(minutes=10)
            items = ["Bản sao giấy tờ chứng minh nơi cư trú", "Tờ khai ghi đầy đủ thông tin"]
            if not life.act("request_supplement", ask, specialist, note=INCOMPLETE):
                return None
            request = SupplementRequest(
                requested_at=ask,
                requested_by=specialist,
                items=items[: rng.randint(1, 2)],
                reason=INCOMPLETE,
                stage=SupplementRequest.Stage.EXAMINATION,
                paused_status=life.events[-1].from_status,
                remaining_working_days=deadlines.remaining_working_days(ask, d.due_at_current, uid),
                remaining_legal_days=deadlines.remaining_working_days(ask, d.due_at_legal, uid),
                due_at_before=d.due_at_current,
            )
            life.supplements.append(request)
            life.document(Doc.SUPPLEMENT_REQUEST, ask, specialist)
            life.events[-1].data = {"items": request.items}
            if rng.random() < SUPPLEMENT_GIVE_UP:
                at = _next_office_moment(
                    rng,
                    _local(_working_day_after(ask.astimezone(LOCAL_TZ).date(), 20, uid), 7, 30),
                    uid,
                )
                life.document(Doc.STOP_LETTER, at - dt.timedelta(minutes=5), specialist)
                life.act(
                    "stop",
                    at,
                    specialist,
                    note="Quá thời hạn bổ sung hồ sơ mà công dân không bổ sung (dữ liệu minh họa)",
                )
                return None
            back_day = _working_day_after(ask.astimezone(LOCAL_TZ).date(), rng.randint(1, 8), uid)
            back = _office_moment(rng, back_day) or _local(back_day, 9, 0)
            if not life.act("resubmit_supplement", back, None):
                return None
            request.resubmitted_at = back
            d.due_at_current = deadlines.resumed_due(back, request.remaining_working_days, uid)
            d.due_at_legal = deadlines.resumed_due(back, request.remaining_legal_days, uid)
            request.due_at_after = d.due_at_current
            shift = max(0, calendar.working_days_between(ask, back, uid))
            for step in life.steps:
                if step.finished_at is None and step.due_at is not None and shift:
                    local = step.due_at.astimezone(LOCAL_TZ)
                    new_day = calendar.add_working_days(local.date(), shift, uid)
                    step.due_at = dt.datetime.combine(new_day, local.timetz())
            life.events[-1].data = {"due_at_current": d.due_at_current.isoformat()}
            cursor = back

        return cursor

    def _finish_plan(self, life: _Life, cursor: dt.datetime):
        """When the result will be ready (early, on the due day or late) and any apology."""
        rng, d, uid = self.rng, life.d, self.uid
        legal = d.due_at_legal.astimezone(LOCAL_TZ)
        near_now = abs(calendar.working_days_between(legal, self.now, uid)) <= 3
        roll = rng.random()
        # around today a few more run late (and fewer apologise), so the worklists show
        # overdue and at-risk dossiers; the share over six months stays about LATE
        late_p = NEAR_NOW_LATE if near_now else LATE
        earliest = cursor + dt.timedelta(minutes=30)
        finish = None
        extension = None
        if roll < late_p:
            odds = NEAR_NOW_APOLOGY if near_now else APOLOGY
            apology = rng.choices(list(odds), list(odds.values()))[0]
            late_days = rng.choice([1, 1, 1, 2, 2, 3, 4])
            late_day = _working_day_after(legal.date(), late_days, uid)
            if apology != "none":
                sent = None
                if apology == "timely":
                    latest = calendar.previous_working_day(legal.date(), uid)
                    if latest >= earliest.astimezone(LOCAL_TZ).date():
                        sent = _office_moment(rng, latest, after=earliest)
                if sent is None:  # too late for a timely letter: sent on the due day itself
                    sent = _office_moment(rng, legal.date(), after=earliest, before=legal)
                if sent is not None:
                    new_due = _local(_working_day_after(legal.date(), late_days + 1, uid), 17, 0)
                    extension = (sent, new_due)
            finish = _office_moment(rng, late_day)
        elif roll < late_p + EARLY:
            day = earliest.astimezone(LOCAL_TZ).date()
            if day < legal.date() and calendar.is_working_day(day, uid):
                finish = _office_moment(rng, day, after=earliest)
        if finish is None:  # on time: on the due day, before the due hour
            finish = _office_moment(rng, legal.date(), after=earliest, before=legal)
        if finish is None:
            finish = max(earliest, legal - dt.timedelta(minutes=20))

        return finish, extension

    def _examine(self, life, procedure, cursor, finish, extension, who) -> dt.datetime | None:
        """Examination, approval, financial obligation and the apology, each at its moment."""
        rng, d, uid = self.rng, life.d, self.uid
        officer, specialist, leader = who.officer, who.specialist, who.leader
        approval = self._approval(life, procedure)
        plan: list[str] = []
        if procedure.code in FINANCIAL_OBLIGATION:
            plan += ["request_financial_obligation", "confirm_payment"]
        # every processing step but the last is finished by hand; the last one closes with the
        # submission to the leader, or with the result where nobody approves (decisions/0016)
        plan += ["finish_step"] * max(0, len(life.open_steps(StepStage.PROCESSING)) - 1)
        if approval:
            plan.append("submit_for_approval")
            if rng.random() < SEND_BACK:
                plan += ["send_back", "submit_for_approval"]
            plan.append("approve")
        result_at = max(finish - dt.timedelta(minutes=rng.randint(3, 40)), cursor)
        result_at += dt.timedelta(seconds=1)
        moments = _spread(rng, cursor, result_at, len(plan), uid)
        timeline = list(zip(moments, plan, strict=True))
        if extension is not None:
            timeline.append((extension[0], "extend"))
            timeline.sort(key=lambda x: x[0])
        for at, action in timeline:
            if action == "finish_step":
                if not self._finish_step(life, at):
                    return None
            elif action == "extend":
                sent, new_due = extension
                timely = deadlines.apology_is_timely(sent, d.due_at_current, uid)
                reason = (
                    "Hồ sơ cần xác minh thêm thông tin với cơ quan liên quan (dữ liệu minh họa)"
                )
                life.document(Doc.APOLOGY_LETTER, sent, specialist)
                if not life.act(
                    "extend",
                    sent,
                    specialist,
                    note=reason,
                    data={
                        "old_due_at": d.due_at_current.isoformat(),
                        "new_due_at": new_due.isoformat(),
                        "is_timely": timely,
                    },
                ):
                    return None
                life.extensions.append(
                    Extension(
                        reason=reason,
                        old_due_at=d.due_at_current,
                        new_due_at=new_due,
                        created_at=sent,
                        created_by=specialist,
                        approved_by=leader,
                        sent_at=sent,
                        is_timely=timely,
                        letter_file=PLACEHOLDER,
                    )
                )
                if not timely:
                    life.violations.append(
                        Violation(
                            kind=Violation.Kind.LATE_APOLOGY,
                            due_at_ref=d.due_at_current,
                            detected_at=sent,
                            details={"sent_at": sent.isoformat()},
                        )
                    )
                d.due_at_current = new_due
            elif action == "request_financial_obligation":
                if not life.act(
                    action,
                    at,
                    specialist,
                    note="Nộp lệ phí trước bạ và tiền sử dụng đất (dữ liệu minh họa)",
                    data={"amount_vnd": FINANCIAL_OBLIGATION[procedure.code]},
                ):
                    return None
            elif action == "confirm_payment":
                if not life.act(action, at, officer, data={"paid_online": d.paid_online}):
                    return None
            elif action == "submit_for_approval":
                if not life.act(action, at, specialist):
                    return None
                self._submitted(life, specialist)
            elif action == "send_back":
                note = "Đề nghị kiểm tra lại nội dung (dữ liệu minh họa)"
                if not life.act(action, at, leader, note=note):
                    return None
                self._sent_back(life)
            elif action == "approve":
                if not life.act(action, at, leader):
                    return None
                steps = life.open_steps(StepStage.APPROVAL)
                for step in steps:
                    life.close_step(step, life.at, holder=leader)
                life.events[-1].data = {"steps": [s.order for s in steps]}
            else:
                raise RuntimeError(f"unplanned action {action}")
        if life.cut:
            return None

        return result_at

    @staticmethod
    def _approval(life: _Life, procedure: Procedure) -> bool:
        """A leader approves, unless the field signs on the spot and no approval step exists."""
        return procedure.field.name not in NO_APPROVAL_FIELDS or bool(
            life.open_steps(StepStage.APPROVAL)
        )

    @staticmethod
    def _submitted(life: _Life, specialist: User) -> None:
        """`services.submit_for_approval`: the processing step in hand closes (the draft is its
        output, its holder kept) and the approval step opens."""
        in_hand = life.open_steps(StepStage.PROCESSING)
        if len(in_hand) > 1:
            raise RuntimeError(f"{life.d.procedure_code}: submitted with steps still open")
        for step in in_hand:
            life.close_step(step, life.at, holder=None if step.assignee else specialist)
        life.start_steps(StepStage.APPROVAL, life.at)
        life.events[-1].data = {"step": in_hand[0].order if in_hand else None}

    @staticmethod
    def _sent_back(life: _Life) -> None:
        """`services.send_back`: the last processing step opens again (same holder), the
        approval step waits for the next submission."""
        done = [s for s in life.steps if s.stage == StepStage.PROCESSING and s.finished_at]
        if done:
            done[-1].finished_at, done[-1].result = None, ""
        for step in life.open_steps(StepStage.APPROVAL):
            step.started_at = None
        life.events[-1].data = {"step": done[-1].order if done else None}

    @staticmethod
    def _result_ready(life: _Life, specialist: User) -> None:
        """`services.mark_result_ready`: the one processing step still open (no approval)
        closes with it, the return step opens."""
        if life.open_steps(StepStage.APPROVAL):
            raise RuntimeError(f"{life.d.procedure_code}: result ready before approval")
        in_hand = life.open_steps(StepStage.PROCESSING)
        if len(in_hand) == 1:
            step = in_hand[0]
            life.close_step(step, life.at, holder=None if step.assignee else specialist)
        life.start_steps(StepStage.RETURN, life.at)
        life.check_steps()

    def _conclude(self, life, procedure, f, finish, result_at, who) -> None:
        """The signed result, "processed", then returned at the counter, by post or online."""
        rng, d, uid = self.rng, life.d, self.uid
        officer, specialist, leader = who.officer, who.specialist, who.leader
        online = d.channel == Channel.ONLINE
        approval = self._approval(life, procedure)
        signed = rng.random() < _ramp(RESULT_SIGNED, f)
        life.document(Doc.RESULT, result_at, leader if approval else specialist, signed=signed)
        finished = max(finish, result_at + dt.timedelta(minutes=1))
        timeliness = deadlines.classify(finished, d.due_at_legal)
        if not life.act("mark_result_ready", finished, specialist, data={"timeliness": timeliness}):
            return
        self._result_ready(life, specialist)
        d.result_signed = signed
        d.finished_at = finished
        d.timeliness = timeliness
        if online:
            delivery, returned = (
                Delivery.ONLINE,
                finished + dt.timedelta(minutes=rng.randint(1, 30)),
            )
        elif rng.random() < POSTAL_RESULT or d.channel == Channel.POSTAL:
            delivery = Delivery.POST
            returned = _next_office_moment(rng, finished, uid, hours=8)
        else:
            delivery = Delivery.COUNTER
            pickup = (
                _working_day_after(
                    finished.astimezone(LOCAL_TZ).date(), rng.choice([0, 0, 0, 1, 1, 2, 3]), uid
                )
                if rng.random() < 0.7
                else finished.astimezone(LOCAL_TZ).date()
            )
            returned = _office_moment(rng, pickup, after=finished) or _next_office_moment(
                rng, finished, uid
            )
        tracking = (
            f"EB{rng.randint(100_000_000, 999_999_999)}VN" if delivery == Delivery.POST else ""
        )
        # `services.return_result`: the return step closes, held by whoever returned (for an
        # online result, the officer who accepted the dossier sends it)
        returner = self._officer() if delivery != Delivery.ONLINE else officer
        if not life.act(
            "return_result",
            returned,
            returner,
            data={"delivery": delivery, "tracking_number": tracking},
        ):
            return
        for step in life.open_steps(StepStage.RETURN):
            life.close_step(step, life.at, holder=returner)
        life.check_steps()
        d.returned_at = returned
        d.result_delivery = delivery
        d.postal_tracking_number = tracking


# --- writing ---------------------------------------------------------------------------------


def _ensure_placeholder() -> None:
    if not default_storage.exists(PLACEHOLDER):
        default_storage.save(PLACEHOLDER, ContentFile(_placeholder_pdf()))


def has_history(*, unit: Unit, today: dt.date) -> bool:
    """Any dossier submitted at this unit before today means the past is already there."""
    start_of_today = _local(today, 0, 0)
    return Dossier.objects.filter(receiving_unit=unit, submitted_at__lt=start_of_today).exists()


def _staff(unit: Unit, spec: dict) -> _Staff | None:
    names = [*spec["officers"], *spec["specialists"].values(), spec["leader"]]
    users = {u.username: u for u in User.objects.filter(username__in=names)}
    if any(n not in users for n in names):
        return None
    return _Staff(
        officers=[users[n] for n in spec["officers"]],
        specialists={k: users[v] for k, v in spec["specialists"].items()},
        leader=users[spec["leader"]],
        departments={d.kind: d for d in Department.objects.filter(unit=unit).order_by("-id")},
    )


def write_history(*, unit: Unit, spec: dict, now: dt.datetime) -> list[_Life]:
    """Plan, play and bulk-write the commune's past; returns the lives written."""
    _SLOTS.clear()  # office hours come from settings, which a test may have changed
    staff = _staff(unit, spec)
    if staff is None:
        return []
    today = now.astimezone(LOCAL_TZ).date()
    start = today - dt.timedelta(days=HISTORY_DAYS)
    rng = random.Random(f"motcua-demo-dossiers:{unit.code}:{start.isoformat()}")
    planner = _Planner(unit=unit, staff=staff, now=now, start=start, rng=rng)
    lives: list[_Life] = []
    day = start
    while day < today:
        lives += planner.plan_day(day, spec["per_day"])
        day += dt.timedelta(days=1)
    lives.sort(key=lambda life: life.d.submitted_at)

    # codes: the daily sequence of the receiving unit, in submission order
    prefix = code_prefix(unit)
    last: dict[dt.date, int] = {}
    for life in lives:
        local_day = life.d.submitted_at.astimezone(LOCAL_TZ).date()
        last[local_day] = last.get(local_day, 0) + 1
        life.d.code = f"{prefix}-{local_day:%y%m%d}-{last[local_day]:04d}"
    for life in lives:
        d = life.d
        d.status = life.status
        d.version = len(life.events)
        d.last_activity_at = life.events[-1].at
        d.search_text = fold(f"{d.code} {d.applicant_name} {d.procedure_name}")[:400]
        if d.finished_at is None:
            d.timeliness = ""
    _ensure_placeholder()
    Dossier.objects.bulk_create([life.d for life in lives], batch_size=BATCH_SIZE)
    children: dict[type, list] = {}
    for life in lives:
        for rows in (
            life.events,
            life.steps,
            life.components,
            life.supplements,
            life.extensions,
            life.violations,
            life.documents,
        ):
            for row in rows:
                row.dossier = life.d
                children.setdefault(type(row), []).append(row)
    for model, rows in children.items():
        model.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    for life in lives:
        life.d.current_event = life.events[-1]
    Dossier.objects.bulk_update(
        [life.d for life in lives], ["current_event"], batch_size=BATCH_SIZE
    )
    DailySequence.objects.bulk_create(
        [DailySequence(unit=unit, day=day, last_value=value) for day, value in last.items()],
        batch_size=BATCH_SIZE,
        update_conflicts=True,
        unique_fields=["unit", "day"],
        update_fields=["last_value"],
    )
    return lives


class _Clock:
    """Past office moments for the liên thông dossiers: each step some minutes after the last,
    rolling over to the next working day of the acting unit at closing time."""

    def __init__(self, start: dt.datetime):
        self.at = start

    def after(self, minutes: int, unit: Unit) -> dt.datetime:
        moment = self.at + dt.timedelta(minutes=minutes)
        local = moment.astimezone(LOCAL_TZ)
        (_am_open, am_close), (pm_open, pm_close) = calendar.office_hours()
        closing = (
            dt.datetime.combine(local.date(), pm_close, LOCAL_TZ) - dt.timedelta(minutes=30)
        ).time()
        if not calendar.is_working_day(local.date(), unit) or local.time() > closing:
            day = calendar.next_working_day(local.date(), unit)
            moment = _local(day, 8, 0) + dt.timedelta(minutes=minutes % 45)
        elif am_close < local.time() < pm_open:  # lunch break: after it
            moment = dt.datetime.combine(local.date(), pm_open, LOCAL_TZ) + dt.timedelta(
                minutes=minutes % 30
            )
        self.at = moment
        return moment


def write_transfers(*, unit: Unit, spec: dict, now: dt.datetime) -> list[Dossier]:
    """The liên thông dossiers of `TRANSFERS`, through the dossier services (module docstring).

    Each is received at `unit`'s counter late on a past working day, then taken as far as its
    stage says by the competent commune's staff; an action that would fall after `now` is not
    done. Returns the dossiers written (none if the other commune or its staff are missing).
    """
    competent = Unit.objects.filter(code=spec.get("transfers_to", "")).first()
    other = COMMUNES.get(getattr(competent, "code", ""))
    if competent is None or other is None:
        return []
    names = {
        "officer": spec["officers"][0],
        "their_officer": other["officers"][0],
        "their_specialist": other["specialists"]["other"],
        "their_leader": other["leader"],
    }
    users = {u.username: u for u in User.objects.filter(username__in=names.values())}
    if any(n not in users for n in names.values()):
        return []
    officer, their_officer, specialist, leader = (users[names[k]] for k in names)
    procedures = {
        p.code: p
        for p in Procedure.objects.filter(
            unit=competent, is_published=True, code__in={t[1] for t in TRANSFERS}
        )
    }
    village = Village.objects.filter(unit=competent).order_by("name").first()
    address = f"{village.name}, {competent.name}" if village else competent.name
    today = now.astimezone(LOCAL_TZ).date()
    services = dossier_services
    written = []
    for index, (days_back, code, name, id_number, stage, delivery) in enumerate(TRANSFERS):
        procedure = procedures.get(code)
        if procedure is None:
            continue
        day = today
        for _ in range(days_back):
            day = calendar.previous_working_day(day, unit)
        usual = catalog_cases.fee_choice(procedure.fees.all(), online=False, day=day).cases[:1]
        dossier = services.receive_at_counter(
            officer,
            procedure=procedure,
            receiving_unit=unit,
            competent_unit=competent,
            case=usual[0] if usual else "",
            applicant=services.Applicant(name=name, id_number=id_number, address=address),
            identity_verified_via=IdentityVia.CHIP_CARD,
            idempotency_key=f"demo-lien-thong-{index + 1}",
            result_delivery=delivery,
            at=_local(day, 16, 20 + 5 * index),
            note=TRANSFER_NOTE % {"unit": competent.name},
        )
        written.append(dossier)
        _play_transfer(
            dossier,
            stage=stage,
            delivery=delivery,
            staff=(officer, their_officer, specialist, leader),
            now=now,
        )
    return written


def _transfer_actions(pk: int, stage: str, delivery: str, staff: tuple) -> list:
    """The competent commune's actions for a liên thông dossier up to `stage`, in order."""
    officer, their_officer, specialist, leader = staff
    services = dossier_services
    acknowledged = [
        lambda at: services.acknowledge_transfer(their_officer, dossier_id=pk, at=at),
    ]
    processing = [
        *acknowledged,
        lambda at: services.start_processing(
            their_officer, dossier_id=pk, assignee=specialist, at=at
        ),
    ]
    tracking = f"EB{310_000_000 + pk:09d}VN" if delivery == Delivery.POST else ""
    returned = [
        *processing,
        lambda at: services.attach_document(
            specialist,
            dossier_id=pk,
            kind=Doc.RESULT,
            file=ContentFile(_placeholder_pdf(), name=f"ket-qua-lien-thong-{pk}.pdf"),
            note="Dự thảo kết quả (dữ liệu minh họa)",
            at=at,
        ),
        # the specialist's examination step closes with the submission, the leader's with
        # the approval, the return step with the hand-over (decisions/0016)
        lambda at: services.submit_for_approval(specialist, dossier_id=pk, at=at),
        lambda at: services.approve(leader, dossier_id=pk, at=at),
        lambda at: services.mark_result_ready(specialist, dossier_id=pk, at=at),
        lambda at: services.return_result(
            officer, dossier_id=pk, delivery=delivery, tracking_number=tracking, at=at
        ),
    ]
    return {"acknowledged": acknowledged, "processing": processing, "returned": returned}.get(
        stage, []
    )


def _play_transfer(dossier: Dossier, *, stage, delivery, staff, now) -> None:
    """The competent commune acts from the next morning on, a step every hour or so; an
    action that would fall after `now` is not done (nor anything after it)."""
    clock = _Clock(dossier.received_at)
    for number, action in enumerate(_transfer_actions(dossier.pk, stage, delivery, staff)):
        at = clock.after(45 + 10 * number if number else 30, dossier.competent_unit)
        if at > now:
            break
        action(at)


def now() -> dt.datetime:
    """The loader's clock (tests pin it)."""
    return timezone.now()


def load_dossier_history(
    *, at: dt.datetime | None = None, actor=None
) -> list[DossierHistoryResult]:
    """Write the illustrative past of every demo commune that has none (one transaction each)."""
    at = at or now()
    today = at.astimezone(LOCAL_TZ).date()
    results = []
    for code, spec in COMMUNES.items():
        unit = Unit.objects.filter(code=code).first()
        if unit is None:
            continue
        result = DossierHistoryResult(unit=unit)
        results.append(result)
        if not settings.MOTCUA_DEMO_DOSSIER_HISTORY:
            result.disabled = True  # test suites that do not look at dossiers skip the load
            continue
        if not demo_logins_allowed():
            result.refused = True  # a production install must not get invented statistics
            continue
        if has_history(unit=unit, today=today):
            result.skipped = True
            continue
        with transaction.atomic():
            lives = write_history(unit=unit, spec=spec, now=at)
            result.transfers = len(write_transfers(unit=unit, spec=spec, now=at))
            # what the periodic job finds on this past right now: at-risk flags (the missing
            # apologies were simulated already, so it records none and audits nothing)
            watch_deadlines(now=at)
            result.dossiers = len(lives)
            result.events = sum(len(life.events) for life in lives)
            for life in lives:
                result.by_status[life.status] = result.by_status.get(life.status, 0) + 1
            if lives:
                audit.record(
                    action="demo.dossiers_loaded",
                    object_type="dossiers.dossier",
                    actor=actor,
                    unit=unit,
                    changes={
                        "dossiers": result.dossiers,
                        "events": result.events,
                        "first_day": min(life.d.submitted_at for life in lives).date().isoformat(),
                        "note": "lịch sử minh họa, ghi hàng loạt, không qua nghiệp vụ hồ sơ",
                    },
                )
    return results


def summary_line(result: DossierHistoryResult) -> str:
    """One Vietnamese line for `load_demo`."""
    if result.refused:
        return f"Hồ sơ {result.unit.name}: không tạo lịch sử mẫu khi DJANGO_SECURE=1."
    if result.disabled:
        return f"Hồ sơ {result.unit.name}: không tạo lịch sử mẫu (MOTCUA_DEMO_DOSSIER_HISTORY tắt)."
    if result.skipped:
        return f"Hồ sơ {result.unit.name}: lịch sử đã có, giữ nguyên."
    open_ = sum(n for s, n in result.by_status.items() if s in workflow.ACTIVE)
    return (
        f"Hồ sơ {result.unit.name}: lịch sử minh họa {result.dossiers} hồ sơ trong 6 tháng "
        f"({result.by_status.get(S.RETURNED, 0)} đã trả kết quả, {open_} đang giải quyết, "
        f"{result.by_status.get(S.AWAITING_SUPPLEMENT, 0)} chờ bổ sung)"
        + (f"; {result.transfers} hồ sơ liên thông." if result.transfers else ".")
    )
