"""Dossier worklists at province scale: what a specialist and a leader wait for on /can-bo/ho-so/.

Issue 5 goal: with 1,000,000 dossiers across 100 units on PostgreSQL, worklist queries p95
< 50 ms, with raw-SQL baseline ratios. Seeding goes through COPY (PostgreSQL) or executemany
(SQLite) of rows generated in Python with explicit ids, never through the reception service:
a million receptions would take hours, and the worklists only read the rows.
`seed_dossiers` is also used by bench/dossier_transitions.py.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import time
from decimal import Decimal
from pathlib import Path

from bench.common import (
    Benchmark,
    machine_line,
    make_row,
    markdown_table,
    register,
    summarize,
    timed_ms,
    worker_main,
)

GOAL_MS = 50
SEED = 20261123
PAGE_SIZE = 25  # worklist_views.PAGE_SIZE
UNITS = 100  # a province + 99 communes
SPECIALISTS_PER_UNIT = 3
# (status, share of the open dossiers); ~4.5 % of all dossiers are open
OPEN_SHARE = 0.045
OPEN_MIX = [(4, 0.50), (5, 0.15), (41, 0.15), (2, 0.08), (9, 0.07), (42, 0.05)]
STARTED = {4, 5, 41, 42, 9}  # an open step has started (assigned, in someone's hands)
CLOSED_MIX = [(10, 0.985), (3, 0.005), (7, 0.007), (8, 0.003)]
PROCEDURES = [
    ("1.001193", "Đăng ký khai sinh", 1),
    ("1.000894", "Đăng ký kết hôn", 5),
    ("1.000656", "Đăng ký khai tử", 1),
    ("2.000908", "Chứng thực bản sao từ bản chính", 2),
    ("1.004873", "Xác nhận tình trạng hôn nhân", 3),
    ("1.003180", "Đăng ký hộ kinh doanh", 3),
    ("1.001612", "Trợ cấp xã hội hằng tháng", 15),
    ("1.003583", "Hòa giải tranh chấp đất đai", 30),
    ("1.001779", "Đăng ký thường trú", 7),
    ("1.002755", "Giải quyết mai táng phí", 10),
]
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng"]
GIVEN = ["Văn An", "Thị Bình", "Minh Châu", "Thị Dung", "Văn Em", "Thu Hà", "Quốc Hùng", "Thị Lan"]


# --- seeding -------------------------------------------------------------------------------
def seed_people(units: int) -> dict:
    """A province, units-1 communes, 10 procedures, 3 specialists + 1 leader per unit."""
    from django.db import transaction

    from motcua.accounts.models import Role, StaffAssignment, User
    from motcua.catalog.models import Field, Procedure
    from motcua.core.models import Unit

    with transaction.atomic():
        province = Unit.objects.create(code="B00", name="Tỉnh Bench", kind="province")
        communes = Unit.objects.bulk_create(
            Unit(code=f"B{i:03d}", name=f"Xã Bench {i}", kind="commune", parent=province)
            for i in range(1, units)
        )
        unit_ids = [province.pk, *(c.pk for c in communes)]
        field = Field.objects.create(code="ho-tich", name="Hộ tịch")
        procs = Procedure.objects.bulk_create(
            Procedure(
                unit=province, code=c, name=n, field=field, level="commune",
                processing_days=d, is_published=True, search_text=n.lower(),
            )
            for c, n, d in PROCEDURES
        )  # fmt: skip
        users, roles = [], []
        for uid in unit_ids:
            for k in range(SPECIALISTS_PER_UNIT):
                users.append(User(username=f"cv{uid}-{k}", full_name=f"Chuyên viên {uid}.{k}"))
                roles.append((uid, Role.SPECIALIST))
            users.append(User(username=f"ld{uid}", full_name=f"Lãnh đạo {uid}"))
            roles.append((uid, Role.LEADER))
        for u in users:
            u.set_unusable_password()
        users = User.objects.bulk_create(users)
        StaffAssignment.objects.bulk_create(
            StaffAssignment(user=u, unit_id=uid, role=r)
            for u, (uid, r) in zip(users, roles, strict=True)
        )
    per = SPECIALISTS_PER_UNIT + 1
    return {
        "unit_ids": unit_ids,
        "unit_codes": {province.pk: province.code, **{c.pk: c.code for c in communes}},
        "procedures": [(p.pk, p.code, p.name, p.processing_days) for p in procs],
        "specialists": {
            uid: [users[i * per + k].pk for k in range(SPECIALISTS_PER_UNIT)]
            for i, uid in enumerate(unit_ids)
        },
        "leaders": {
            uid: users[i * per + SPECIALISTS_PER_UNIT].pk for i, uid in enumerate(unit_ids)
        },
    }


def _pick(rng: random.Random, mix: list[tuple[int, float]]) -> int:
    x = rng.random() * sum(w for _, w in mix)
    for value, weight in mix:
        x -= weight
        if x <= 0:
            return value
    return mix[-1][0]


def _columns(model, values: dict) -> tuple[list[str], list]:
    """Every concrete column of `model` with `values` or the field's default (explicit id)."""
    cols, defaults = [], []
    for f in model._meta.concrete_fields:
        cols.append(f.column)
        if f.attname in values:
            defaults.append(values[f.attname])
        elif f.has_default():
            defaults.append(f.get_default())
        else:
            defaults.append(None)
    return cols, defaults


def _bulk_insert(model, attnames: list[str], rows, *, total: int, label: str) -> None:
    """COPY on PostgreSQL, executemany in chunks on SQLite; rows are tuples in attnames order."""
    from django.db import connection

    fields = {f.attname: f for f in model._meta.concrete_fields}
    cols = [fields[a].column for a in attnames]
    table = model._meta.db_table
    started = time.perf_counter()
    if connection.vendor == "postgresql":
        quoted = ", ".join(connection.ops.quote_name(c) for c in cols)
        json_at = [
            i for i, a in enumerate(attnames) if fields[a].get_internal_type() == "JSONField"
        ]
        with connection.cursor() as c, c.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as cp:
            for n, row in enumerate(rows, 1):
                if json_at:
                    row = list(row)
                    for i in json_at:
                        row[i] = json.dumps(row[i])
                cp.write_row(row)
                if n % 200_000 == 0:
                    print(
                        f"  {label}: {n:,} rows, {time.perf_counter() - started:.0f} s", flush=True
                    )
        return
    adapt = []
    for a in attnames:
        kind = fields[a].get_internal_type()
        if kind == "DateTimeField":
            adapt.append(connection.ops.adapt_datetimefield_value)
        elif kind == "DecimalField":
            adapt.append(lambda v: None if v is None else str(v))
        elif kind == "JSONField":
            adapt.append(json.dumps)
        else:
            adapt.append(None)
    sql = (
        f"INSERT INTO {table} ({', '.join(connection.ops.quote_name(c) for c in cols)}) "
        f"VALUES ({', '.join(['%s'] * len(cols))})"
    )
    chunk: list = []
    with connection.cursor() as c:
        for n, row in enumerate(rows, 1):
            chunk.append([v if f is None else f(v) for v, f in zip(row, adapt, strict=True)])
            if len(chunk) == 10_000:
                c.executemany(sql, chunk)
                chunk = []
            if n % 100_000 == 0:
                print(f"  {label}: {n:,} rows, {time.perf_counter() - started:.0f} s", flush=True)
        if chunk:
            c.executemany(sql, chunk)


def seed_dossiers(count: int, people: dict, *, now: dt.datetime, months: int = 6) -> dict:
    """`count` dossiers over the units and `months`, ~4.5 % open, one step each.

    Closed dossiers carry one finished step (their specialist's), open ones an open step held
    by a specialist (by the leader while awaiting approval), so "mine" has history to skip.
    Open dossiers are recent; their appointment falls from 4 days ago to 10 days ahead, so
    some are overdue and some due within one working day. Returns facts for the docs.
    """
    from django.db import connection, transaction

    from motcua.core.text import fold
    from motcua.dossiers.models import Dossier, DossierStep

    rng = random.Random(SEED)
    unit_ids = people["unit_ids"]
    procs = people["procedures"]
    span = dt.timedelta(days=30 * months).total_seconds()
    folded_proc = {p[0]: fold(p[2]) for p in procs}
    names = [f"{s} {g}" for s in SURNAMES for g in GIVEN]
    folded_name = {n: fold(n) for n in names}
    d_attnames = [
        "id", "code", "receiving_unit_id", "competent_unit_id", "procedure_id", "procedure_code",
        "procedure_name", "processing_days", "time_unit", "fee_total_vnd", "fees", "rule_version",
        "channel", "applicant_kind", "applicant_name", "applicant_id_number", "applicant_phone",
        "applicant_email", "applicant_address", "identity_verified", "identity_verified_via",
        "status", "submitted_at", "received_at", "competent_received_at", "due_at",
        "due_at_legal", "due_at_current", "finished_at", "returned_at", "timeliness",
        "result_delivery", "postal_tracking_number", "result_signed", "paid_online",
        "all_components_digitized", "idempotency_key", "search_text", "version",
        "last_activity_at", "current_event_id", "created", "updated",
    ]  # fmt: skip
    s_attnames = [
        "dossier_id", "order", "name", "unit_id", "department_id", "assignee_id", "days",
        "started_at", "due_at", "finished_at", "result", "note", "stage",
    ]  # fmt: skip
    steps: list[tuple] = []
    facts = {"open": 0, "overdue": 0, "by_status": {}}

    def dossiers():
        for i in range(1, count + 1):
            unit = unit_ids[rng.randrange(len(unit_ids))]
            pid, pcode, pname, pdays = procs[rng.randrange(len(procs))]
            is_open = rng.random() < OPEN_SHARE
            status = _pick(rng, OPEN_MIX if is_open else CLOSED_MIX)
            if is_open:
                submitted = now - dt.timedelta(seconds=rng.uniform(0, 20 * 86400))
                due = now + dt.timedelta(seconds=rng.uniform(-4 * 86400, 10 * 86400))
            else:
                submitted = now - dt.timedelta(seconds=rng.uniform(20 * 86400, span))
                due = submitted + dt.timedelta(days=float(pdays) * 1.4 + 1)
            received = None if status == 1 else submitted + dt.timedelta(minutes=5)
            finished = returned = None
            timeliness = ""
            if status in (9, 10):
                finished = min(due + dt.timedelta(hours=rng.uniform(-72, 12)), now)
                timeliness = "late" if finished > due else rng.choice(["early", "on_time"])
                returned = finished + dt.timedelta(hours=2) if status == 10 else None
            name = names[rng.randrange(len(names))]
            code = f"{people['unit_codes'][unit]}-{submitted:%y%m%d}-{i:07d}"
            facts["by_status"][status] = facts["by_status"].get(status, 0) + 1
            if is_open and status not in (1, 9):
                facts["open"] += 1
                facts["overdue"] += due < now
            specialist = people["specialists"][unit][i % SPECIALISTS_PER_UNIT]
            step_done = finished or returned or (due if status in (3, 7, 8) else None)
            steps.append(
                (
                    i, 1, "Thẩm định, xử lý", unit, None,
                    people["leaders"][unit] if status == 41 else specialist,
                    Decimal(pdays), received if status in STARTED or not is_open else None,
                    due, None if is_open else (step_done or due), "", "", "processing",
                )
            )  # fmt: skip
            last = returned or finished or received or submitted
            yield (
                i, code, unit, unit, pid, pcode, pname, Decimal(pdays), "working_day", 0, [],
                "bench", rng.choice(["counter", "online"]), 1, name, f"{rng.randrange(10**12):012}",
                "", "", "", False, "none", status, submitted, received, received, due, due, due,
                finished, returned, timeliness, "", "", False, False, False, "",
                fold(f"{code} ")[:20] + folded_name[name] + " " + folded_proc[pid], 1, last,
                None, submitted, last,
            )  # fmt: skip

    with transaction.atomic():
        _bulk_insert(Dossier, d_attnames, dossiers(), total=count, label="dossiers")
        _bulk_insert(DossierStep, s_attnames, iter(steps), total=len(steps), label="steps")
    with connection.cursor() as c:
        if connection.vendor == "postgresql":
            for model in (Dossier,):
                c.execute(
                    f"SELECT setval(pg_get_serial_sequence('{model._meta.db_table}', 'id'), "
                    f"(SELECT max(id) FROM {model._meta.db_table}))"
                )
            c.execute("ANALYZE")
        else:
            c.execute("ANALYZE")
    facts["steps"] = len(steps)
    return facts


# --- what is measured ----------------------------------------------------------------------
TABS = ["mine", "due_soon", "overdue", "awaiting_supplement", "awaiting_signature"]


def _selector(tab: str, user, now: dt.datetime) -> tuple[list, int]:
    """What the page asks a selector for: the first page of 25 and the total."""
    from motcua.dossiers import selectors

    fn = getattr(selectors, tab)
    qs = fn(user, now=now) if tab in ("due_soon", "overdue") else fn(user)
    return list(qs[:PAGE_SIZE]), qs.count()


_OPEN = "(2, 4, 6, 41, 42, 43)"  # workflow.ACTIVE
_CLOSED = "(3, 7, 8, 10)"


def _raw_sql(tab: str, user, now: dt.datetime) -> tuple[list, int]:
    """The same filter + order + LIMIT 25 + COUNT(*) by hand, with the unit ids in hand."""
    from django.db import connection

    from motcua.accounts.models import Role
    from motcua.accounts.scoping import visible_unit_ids
    from motcua.dossiers.deadlines import end_of_working_days_from

    ids = sorted(visible_unit_ids(user))
    marks = ", ".join(["%s"] * len(ids))
    scope = f"(d.competent_unit_id IN ({marks}) OR d.receiving_unit_id IN ({marks}))"
    params: list = [*ids, *ids]
    ts = connection.ops.adapt_datetimefield_value
    order = "ORDER BY d.due_at_current, d.id"
    if tab == "mine":
        where = (
            f"{scope} AND d.status NOT IN {_CLOSED} AND EXISTS (SELECT 1 FROM "
            "dossiers_dossierstep s WHERE s.dossier_id = d.id AND s.assignee_id = %s "
            "AND s.finished_at IS NULL AND s.started_at IS NOT NULL)"
        )
        params.append(user.pk)
    elif tab == "due_soon":
        where = (
            f"{scope} AND d.status IN {_OPEN} AND d.due_at_current >= %s AND d.due_at_current < %s"
        )
        params += [ts(now), ts(end_of_working_days_from(now, 1))]
    elif tab == "overdue":
        where = f"{scope} AND d.status IN {_OPEN} AND d.due_at_current < %s"
        params.append(ts(now))
    elif tab == "awaiting_supplement":
        where = f"{scope} AND d.status = 5"
        order = "ORDER BY d.updated, d.id"
    else:
        ids = sorted(visible_unit_ids(user, [Role.LEADER]))
        where = f"d.status = 41 AND d.competent_unit_id IN ({', '.join(['%s'] * len(ids))})"
        params = list(ids)
    with connection.cursor() as c:
        c.execute(
            "SELECT d.*, r.name, k.name FROM dossiers_dossier d "
            "JOIN core_unit r ON r.id = d.receiving_unit_id "
            f"JOIN core_unit k ON k.id = d.competent_unit_id WHERE {where} {order} "
            f"LIMIT {PAGE_SIZE}",
            params,
        )
        page = c.fetchall()
        c.execute(f"SELECT COUNT(*) FROM dossiers_dossier d WHERE {where}", params)
        return page, c.fetchone()[0]


def _fresh(user):
    """A new user object per request, as a request has: the unit scope is computed again."""
    from motcua.accounts.models import User

    return User.objects.get(pk=user.pk)


def page_target_exists() -> bool:
    from django.urls import NoReverseMatch, reverse

    try:
        reverse("dossiers:worklist")
    except NoReverseMatch:
        return False
    return True


def explain(tab: str, user, now: dt.datetime) -> str:
    """EXPLAIN ANALYZE of the selector's page query (PostgreSQL), for the report."""
    from django.db import connection

    from motcua.dossiers import selectors

    fn = getattr(selectors, tab)
    qs = fn(user, now=now) if tab in ("due_soon", "overdue") else fn(user)
    sql, params = qs[:PAGE_SIZE].query.sql_with_params()
    with connection.cursor() as c:
        c.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        return "\n".join(r[0] for r in c.fetchall())


def measure(params: dict) -> list[dict]:
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from bench.common import database_label
    from motcua.accounts.models import User

    vendor = connection.vendor
    count = int(params["dossiers"] if vendor == "postgresql" else params["sqlite_dossiers"])
    now = timezone.now().replace(microsecond=0)
    t0 = time.perf_counter()
    people = seed_people(UNITS)
    print(f"seeding {count:,} dossiers on {vendor} ...", flush=True)
    facts = seed_dossiers(count, people, now=now)
    seed_s = time.perf_counter() - t0
    print(f"seeded in {seed_s:.0f} s", flush=True)

    # A commune in the middle: ~1 % of the dossiers, its first specialist and its leader.
    unit = people["unit_ids"][len(people["unit_ids"]) // 2]
    specialist = User.objects.get(pk=people["specialists"][unit][0])
    leader = User.objects.get(pk=people["leaders"][unit])
    plan = [(t, specialist) for t in TABS if t != "awaiting_signature"] + [
        (t, leader) for t in TABS
    ]
    use_page = params["target"] in ("auto", "page") and page_target_exists()
    clients = {}
    if use_page:
        for u in (specialist, leader):
            clients[u.pk] = Client()
            clients[u.pk].force_login(u)

    def page(tab: str, user) -> None:
        response = clients[user.pk].get("/can-bo/ho-so/", {"tab": tab})
        if response.status_code != 200:
            raise RuntimeError(f"GET /can-bo/ho-so/?tab={tab} answered {response.status_code}")

    mismatches = []
    totals = {}
    for tab, user in plan:
        sel = _selector(tab, _fresh(user), now)
        raw = _raw_sql(tab, _fresh(user), now)
        totals[f"{tab}/{user.username[:2]}"] = sel[1]
        if sel[1] != raw[1] or [d.pk for d in sel[0]] != [r[0] for r in raw[0]]:
            mismatches.append(f"{tab}/{user.username}: ORM {sel[1]} vs raw {raw[1]}")
        for _ in range(3):  # warm-up
            if use_page:
                page(tab, user)
            _selector(tab, _fresh(user), now)
            _raw_sql(tab, _fresh(user), now)

    samples = {t: {"page": [], "sel": [], "raw": []} for t in TABS}
    repeat = int(params["repeat"])
    for r in range(repeat):
        for tab, user in plan:
            s = samples[tab]
            if use_page:
                s["page"].append(timed_ms(lambda tab=tab, user=user: page(tab, user)))
            s["sel"].append(timed_ms(lambda tab=tab, user=user: _selector(tab, _fresh(user), now)))
            s["raw"].append(timed_ms(lambda tab=tab, user=user: _raw_sql(tab, _fresh(user), now)))
        if (r + 1) % max(1, repeat // 4) == 0:
            print(f"  round {r + 1}/{repeat}", flush=True)

    plans = {}
    if vendor == "postgresql":
        for tab, user in plan:
            p95 = summarize(samples[tab]["sel"])["p95"]
            if p95 > GOAL_MS and tab not in plans:
                plans[tab] = explain(tab, _fresh(user), now)

    label = database_label()
    common = {
        "dossiers": count,
        "units": UNITS,
        "seed_s": seed_s,
        "open": facts["open"],
        "overdue_all": facts["overdue"],
        "steps": facts["steps"],
        "totals": totals,
        "count_mismatches": mismatches[:5],
        "plans": plans,
    }
    rows = []
    for tab in TABS:
        s = samples[tab]
        rows.append(
            make_row(
                benchmark=BENCHMARK.name, database=label, target=f"selector {tab}",
                samples_ms=s["sel"], raw_samples_ms=s["raw"], goal_ms=GOAL_MS, extra=common,
            )
        )  # fmt: skip
    if use_page:
        for tab in TABS:
            s = samples[tab]
            rows.append(
                make_row(
                    benchmark=BENCHMARK.name, database=label, target=f"GET ?tab={tab}",
                    samples_ms=s["page"], raw_samples_ms=s["raw"], goal_ms=None, extra=common,
                )
            )  # fmt: skip
    return rows


def describe(rows: list[dict], info: dict) -> str:
    lines = [machine_line(info), "", markdown_table(rows), ""]
    seen = set()
    for r in rows:
        if r["database"] in seen:
            continue
        seen.add(r["database"])
        lines.append(
            f"- {r['database']}: {r['dossiers']:,} dossiers over {r['units']} units "
            f"(seeded in {r['seed_s']:.0f} s), {r['open']:,} open of which "
            f"{r['overdue_all']:,} overdue, {r['steps']:,} steps; rows found for the measured "
            f"commune: {', '.join(f'{k} {v}' for k, v in r['totals'].items())}."
        )
        if r["count_mismatches"]:
            lines.append(f"  **ORM and raw SQL disagree**: {r['count_mismatches']}.")
        for tab, plan in r.get("plans", {}).items():
            lines += ["", f"EXPLAIN ANALYZE of the {tab} page query (p95 over the goal):", "```"]
            lines += [plan, "```"]
    return "\n".join(lines)


BENCHMARK = register(
    Benchmark(
        name="dossier_worklists",
        title="Dossier worklists",
        script=Path(__file__).resolve(),
        goal_ms=GOAL_MS,
        defaults={
            "dossiers": 1_000_000,
            "sqlite_dossiers": 100_000,
            "repeat": 40,
            "target": "auto",
        },
        describe=describe,
    )
)

if __name__ == "__main__":
    worker_main(BENCHMARK, measure)
