"""The service index (issue 16) at province scale: the full index and the leader's dashboard.

Goals (issue 16, Acceptance): on PostgreSQL, the full index for 100 units x 12 months over
1,000,000 dossiers < 2 s, against a hand-written GROUP BY baseline in the same run (ratio <= 1.5);
the dashboard's server time p95 < 200 ms.

- **Seeding** (`bench/service_index_seed.py`, timed apart): set-based `INSERT ... SELECT` over a
  generated series, a year of dossiers and everything the index reads.
- **Engine**: `engine.score(unit_ids=<the 100 communes>, period=engine.month(2026, m), now=NOW,
  by="unit")` for m = 1..12; one sample = the 12 calls.
- **Baseline**: the same numerators and denominators by hand, one SQL statement per source
  (handled dossiers, received dossiers, procedures used, the catalog, petitions, certified copies),
  each `GROUP BY unit, month` over a 12-row month table with `CASE WHEN` sums and the per-dossier
  facts (portal messages, ratings, payments, documents, components) pre-aggregated once. Before
  timing, every (unit, month, indicator) numerator and denominator of the engine is checked
  against it: a mismatch is reported (and fails the row).
- **Dashboard**: `motcua.kpi.index.dashboard.leader_view` for one commune, seen by its leader
  and by the province's leader (ranked among every commune), the view's cache off then on,
  p95 over `dash_repeat` calls.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.common import (
    Benchmark,
    machine_line,
    make_row,
    markdown_table,
    register,
    timed_ms,
    worker_main,
)

GOAL_FULL_MS = 2000
GOAL_RATIO = 1.5
GOAL_DASH_MS = 200
LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
MONTHS = range(1, 13)

# indicator code -> the baseline's key (the measure it counts)
INDICATORS = {
    "publicity.announced": "announced",
    "publicity.published_on_time": "published_on_time",
    "publicity.complete": "complete",
    "publicity.synced_on_time": "synced",
    "progress.on_time": "on_time",
    "online.procedures_online": "procedures_online",
    "online.services_used": "services_used",
    "online.dossiers_online": "online",
    "payment.dossiers_paid_online": "paid_online",
    "payment.procedures_paid_online": "procedures_paid_online",
    "payment.fees_published": "fees_published",
    "satisfaction.petitions_on_time": "petitions_on_time",
    "satisfaction.petitions_satisfied": "petitions_satisfied",
    "satisfaction.dossiers_satisfied": "dossiers_satisfied",
    "digitization.result_signed": "result_signed",
    "digitization.components_filed": "components_filed",
    "digitization.certified_copies": "certified_copies",
    "digitization.reuse": "reuse",
    "digitization.shared": "shared",
    "digitization.population_identity": "identity",
    "digitization.population_data": "state_data",
}


# --- the baseline --------------------------------------------------------------------------
class Baseline:
    """The index's numerators and denominators by hand: GROUP BY unit, month."""

    def __init__(self, unit_ids: list[int], now: dt.datetime, year: int) -> None:
        from django.db import connection

        self.connection = connection
        self.pg = connection.vendor == "postgresql"
        self.unit_ids = sorted(unit_ids)
        self.now = now
        self.months = []
        for m in MONTHS:
            first = dt.date(year, m, 1)
            nxt = dt.date(year + (m == 12), m % 12 + 1, 1)
            start = dt.datetime.combine(first, dt.time.min, tzinfo=LOCAL_TZ)
            end = dt.datetime.combine(nxt, dt.time.min, tzinfo=LOCAL_TZ)
            self.months.append((m, start, end, min(now, end), first, nxt - dt.timedelta(days=1)))

    # literals: the statements are the same text on both databases but for these
    def ts(self, value: dt.datetime) -> str:
        if self.pg:
            return f"CAST('{value.astimezone(dt.UTC).isoformat()}' AS timestamptz)"
        return f"'{self.connection.ops.adapt_datetimefield_value(value)}'"

    def day(self, value: dt.date) -> str:
        return f"CAST('{value.isoformat()}' AS date)" if self.pg else f"'{value.isoformat()}'"

    def month_table(self) -> str:
        rows = [
            f"SELECT {m} AS m, {self.ts(start)} AS ms, {self.ts(end)} AS me, "
            f"{self.ts(cut)} AS mc, {self.day(first)} AS df, {self.day(last)} AS dt"
            for m, start, end, cut, first, last in self.months
        ]
        return "(" + " UNION ALL ".join(rows) + ")"

    def units(self) -> str:
        return ", ".join(str(int(u)) for u in self.unit_ids)

    def rows(self, sql: str) -> list[tuple]:
        with self.connection.cursor() as c:
            c.execute(sql)
            return c.fetchall()

    # dossiers counted as handled in the month (progress, sync, dossier satisfaction)
    def handled(self) -> str:
        on_time = (
            "((d.finished_at IS NOT NULL AND d.finished_at < m.mc AND d.timeliness IN "
            "('early', 'on_time')) OR ((d.finished_at IS NULL OR d.finished_at >= m.mc) AND "
            "(d.due_at_legal IS NULL OR d.due_at_legal >= m.mc OR (d.status = 5 AND "
            "d.finished_at IS NULL))))"
        )
        return f"""
SELECT d.competent_unit_id, m.m, COUNT(*),
  SUM(CASE WHEN pm.n IS NOT NULL AND pm.open_ = 0 AND pm.late = 0 THEN 1 ELSE 0 END),
  SUM(CASE WHEN {on_time} THEN 1 ELSE 0 END),
  SUM(CASE WHEN ns.dossier_id IS NULL AND {on_time} THEN 1 ELSE 0 END)
FROM dossiers_dossier d
JOIN {self.month_table()} m
  ON d.received_at < m.me AND (d.finished_at IS NULL OR d.finished_at >= m.ms)
LEFT JOIN (
  SELECT dossier_id, COUNT(*) AS n,
    MAX(CASE WHEN state IN ('pending', 'dead') THEN 1 ELSE 0 END) AS open_,
    MAX(CASE WHEN accepted_at > on_time_by OR (accepted_at IS NULL AND on_time_by < {self.ts(self.now)})
        THEN 1 ELSE 0 END) AS late
  FROM portalsync_portalmessage GROUP BY dossier_id
) pm ON pm.dossier_id = d.id
LEFT JOIN (
  SELECT DISTINCT dossier_id FROM feedback_rating
  WHERE level = 'not_satisfied' AND dossier_id IS NOT NULL
) ns ON ns.dossier_id = d.id
WHERE d.competent_unit_id IN ({self.units()}) AND d.received_at IS NOT NULL
  AND d.status NOT IN (1, 3, 7, 8)
GROUP BY d.competent_unit_id, m.m"""  # noqa: E501

    # dossiers counted as received in the month (online, payment, digitization)
    def received(self) -> str:
        result = "d.status IN (9, 10)"
        signed_file = "doc.dossier_id IS NOT NULL"
        owes = "(pr.owes = 1 OR (pr.dossier_id IS NULL AND d.fee_total_vnd > 0))"
        filed = (
            f"(d.all_components_digitized AND COALESCE(dc.nofile, 0) = 0 AND "
            f"(NOT ({result}) OR {signed_file}))"
        )
        identity = (
            "(d.identity_verified AND d.identity_verified_via IN "
            "('vneid', 'chip_card', 'population_db'))"
        )
        return f"""
SELECT d.competent_unit_id, m.m, COUNT(*),
  SUM(CASE WHEN d.channel = 'online' THEN 1 ELSE 0 END),
  SUM(CASE WHEN {owes} THEN 1 ELSE 0 END),
  SUM(CASE WHEN {owes} AND pa.dossier_id IS NOT NULL THEN 1 ELSE 0 END),
  SUM(CASE WHEN {result} THEN 1 ELSE 0 END),
  SUM(CASE WHEN {result} AND d.result_signed AND {signed_file} THEN 1 ELSE 0 END),
  SUM(CASE WHEN {filed} THEN 1 ELSE 0 END),
  SUM(CASE WHEN pc.reusable = 1 THEN 1 ELSE 0 END),
  SUM(CASE WHEN pc.reusable = 1 AND COALESCE(dc.reused, 0) = 1 THEN 1 ELSE 0 END),
  SUM(CASE WHEN {result} THEN 1 ELSE 0 END),
  SUM(CASE WHEN {result} AND rs.dossier_id IS NOT NULL THEN 1 ELSE 0 END),
  SUM(CASE WHEN {identity} THEN 1 ELSE 0 END),
  SUM(CASE WHEN pc.state = 1 THEN 1 ELSE 0 END),
  SUM(CASE WHEN pc.state = 1 AND COALESCE(dc.state, 0) = 1 THEN 1 ELSE 0 END)
FROM dossiers_dossier d
JOIN {self.month_table()} m ON d.received_at >= m.ms AND d.received_at < m.me
JOIN (
  SELECT p.id,
    MAX(CASE WHEN c.from_warehouse OR c.from_state_data THEN 1 ELSE 0 END) AS reusable,
    MAX(CASE WHEN c.from_state_data THEN 1 ELSE 0 END) AS state
  FROM catalog_procedure p LEFT JOIN catalog_component c ON c.procedure_id = p.id
  GROUP BY p.id
) pc ON pc.id = d.procedure_id
LEFT JOIN (
  SELECT dossier_id, MAX(CASE WHEN amount_vnd > 0 THEN 1 ELSE 0 END) AS owes
  FROM payments_paymentrequest WHERE status <> 'cancelled' GROUP BY dossier_id
) pr ON pr.dossier_id = d.id
LEFT JOIN (
  SELECT DISTINCT r.dossier_id FROM payments_paymentattempt a
  JOIN payments_paymentrequest r ON r.id = a.request_id
  WHERE a.method IN ('platform', 'vietqr') AND a.status IN ('paid', 'partially_refunded')
    AND r.status <> 'cancelled'
) pa ON pa.dossier_id = d.id
LEFT JOIN (
  SELECT DISTINCT dossier_id FROM dossiers_dossierdocument
  WHERE kind = 'result' AND signed AND file <> ''
) doc ON doc.dossier_id = d.id
LEFT JOIN (
  SELECT dossier_id,
    MAX(CASE WHEN NOT from_state_data AND file = '' THEN 1 ELSE 0 END) AS nofile,
    MAX(CASE WHEN reused_from_warehouse OR from_state_data THEN 1 ELSE 0 END) AS reused,
    MAX(CASE WHEN from_state_data THEN 1 ELSE 0 END) AS state
  FROM dossiers_dossiercomponent GROUP BY dossier_id
) dc ON dc.dossier_id = d.id
LEFT JOIN (
  SELECT DISTINCT dossier_id FROM portalsync_portalmessage
  WHERE kind = 'result' AND state = 'sent'
) rs ON rs.dossier_id = d.id
WHERE d.competent_unit_id IN ({self.units()})
GROUP BY d.competent_unit_id, m.m"""

    def fee_in_force(self, proc: str) -> str:
        return (
            f"EXISTS (SELECT 1 FROM catalog_fee f WHERE f.procedure_id = {proc}.id AND "
            "(f.amount_vnd IS NULL OR f.amount_vnd > 0) AND "
            "(f.valid_from IS NULL OR f.valid_from <= m.dt) AND "
            "(f.valid_to IS NULL OR f.valid_to >= m.df))"
        )

    def reach(self) -> str:
        """(unit, procedure) pairs: a unit's own procedures and its parent's."""
        return (
            f"(SELECT u.id AS reach_unit, p.* FROM core_unit u JOIN catalog_procedure p "
            f"ON p.unit_id = u.id OR p.unit_id = u.parent_id WHERE u.id IN ({self.units()}))"
        )

    # the catalog of each unit in each month
    def catalog(self) -> str:
        uncased = (
            "EXISTS (SELECT 1 FROM catalog_fee f WHERE f.procedure_id = p.id AND f.\"case\" = '' "
            "AND EXISTS (SELECT 1 FROM catalog_fee g WHERE g.procedure_id = f.procedure_id AND "
            "g.kind = f.kind AND g.\"case\" <> '' AND "
            "(f.channel = 'any' OR g.channel = f.channel)))"
        )
        complete = (
            "p.is_published AND EXISTS (SELECT 1 FROM catalog_fee f WHERE f.procedure_id = p.id) "
            "AND EXISTS (SELECT 1 FROM catalog_component c WHERE c.procedure_id = p.id) "
            "AND p.processing_days IS NOT NULL AND p.legal_basis <> '' AND p.result_type <> '' "
            f"AND p.online_mode <> 'unknown' AND NOT {uncased} AND NOT "
            "(p.online_mode IN ('partial', 'none') AND p.online_mode_reason = '')"
        )
        announced = (
            "(p.announced_on IS NOT NULL AND p.announced_on <= m.dt AND "
            "(p.announce_by IS NULL OR p.announced_on <= p.announce_by))"
        )
        published = (
            "(p.is_published AND p.published_on IS NOT NULL AND p.published_on <= m.dt AND "
            "(p.publish_by IS NULL OR p.published_on <= p.publish_by))"
        )
        online = "p.is_published AND p.online_mode IN ('full', 'partial')"
        fee_bearing = f"p.is_published AND {self.fee_in_force('p')}"
        return f"""
SELECT p.reach_unit, m.m, COUNT(*),
  SUM(CASE WHEN {announced} THEN 1 ELSE 0 END),
  SUM(CASE WHEN {published} THEN 1 ELSE 0 END),
  SUM(CASE WHEN p.is_published THEN 1 ELSE 0 END),
  SUM(CASE WHEN {complete} THEN 1 ELSE 0 END),
  SUM(CASE WHEN {online} THEN 1 ELSE 0 END),
  SUM(CASE WHEN {fee_bearing} THEN 1 ELSE 0 END),
  SUM(CASE WHEN {fee_bearing} AND p.fees_payable_online THEN 1 ELSE 0 END)
FROM {self.reach()} p CROSS JOIN {self.month_table()} m
GROUP BY p.reach_unit, m.m"""

    # procedures that received an online dossier / an online payment, per unit and month
    def services_used(self) -> str:
        return f"""
SELECT d.competent_unit_id, m.m, COUNT(DISTINCT d.procedure_id)
FROM dossiers_dossier d
JOIN {self.month_table()} m ON d.received_at >= m.ms AND d.received_at < m.me
JOIN {self.reach()} p ON p.id = d.procedure_id AND p.reach_unit = d.competent_unit_id
WHERE d.competent_unit_id IN ({self.units()}) AND d.channel = 'online'
  AND p.is_published AND p.online_mode IN ('full', 'partial')
GROUP BY d.competent_unit_id, m.m"""

    def procedures_paid_online(self) -> str:
        return f"""
SELECT d.competent_unit_id, m.m, COUNT(DISTINCT d.procedure_id)
FROM payments_paymentattempt a
JOIN payments_paymentrequest r ON r.id = a.request_id
JOIN dossiers_dossier d ON d.id = r.dossier_id
JOIN {self.month_table()} m ON a.paid_at >= m.ms AND a.paid_at < m.me
JOIN {self.reach()} p ON p.id = d.procedure_id AND p.reach_unit = d.competent_unit_id
WHERE d.competent_unit_id IN ({self.units()}) AND a.method IN ('platform', 'vietqr')
  AND a.status IN ('paid', 'partially_refunded', 'refunded')
  AND p.is_published AND {self.fee_in_force("p")}
GROUP BY d.competent_unit_id, m.m"""

    def petitions(self) -> str:
        on_time = (
            "((p.answered_at IS NOT NULL AND p.answered_at <= p.due_at) OR (p.answered_at IS NULL "
            "AND p.finished_at IS NOT NULL AND p.finished_at <= p.due_at) OR (p.answered_at IS "
            "NULL AND p.finished_at IS NULL AND p.due_at >= m.mc))"
        )
        satisfied = (
            "(p.answered_at IS NOT NULL AND p.answered_at <= p.due_at AND "
            "p.rating <> 'not_satisfied' AND rep.id IS NULL)"
        )
        return f"""
SELECT p.unit_id, m.m, COUNT(*),
  SUM(CASE WHEN {on_time} THEN 1 ELSE 0 END),
  SUM(CASE WHEN p.answered_at IS NOT NULL THEN 1 ELSE 0 END),
  SUM(CASE WHEN {satisfied} THEN 1 ELSE 0 END)
FROM petitions_petition p
JOIN {self.month_table()} m ON p.received_at >= m.ms AND p.received_at < m.me
LEFT JOIN (
  SELECT DISTINCT repeat_of_id AS id FROM petitions_petition WHERE repeat_of_id IS NOT NULL
) rep ON rep.id = p.id
WHERE p.unit_id IN ({self.units()}) AND p.status <> 'transferred'
GROUP BY p.unit_id, m.m"""

    def certified_copies(self) -> str:
        return f"""
SELECT c.unit_id, m.m, COUNT(*), SUM(CASE WHEN c.voided_at IS NULL THEN 1 ELSE 0 END)
FROM certification_certifiedcopy c
JOIN {self.month_table()} m ON c.certified_at >= m.ms AND c.certified_at < m.me
WHERE c.unit_id IN ({self.units()})
GROUP BY c.unit_id, m.m"""

    def compute(self) -> dict[tuple[int, int], dict[str, tuple[int, int]]]:
        """{(unit, month): {measure: (numerator, denominator)}}."""
        out: dict[tuple[int, int], dict[str, tuple[int, int]]] = {}

        def put(unit, m, **pairs):
            out.setdefault((unit, m), {}).update(
                {k: (int(v[0] or 0), int(v[1] or 0)) for k, v in pairs.items()}
            )

        for unit, m, den, synced, on_time, satisfied in self.rows(self.handled()):
            put(
                unit, m, synced=(synced, den), on_time=(on_time, den),
                dossiers_satisfied=(satisfied, den),
            )  # fmt: skip
        for row in self.rows(self.received()):
            unit, m, den, online, owes, paid, res, signed, filed = row[:9]
            reuse_d, reuse_n, shared_d, shared_n, ident, state_d, state_n = row[9:]
            put(
                unit, m, online=(online, den), paid_online=(paid, owes),
                result_signed=(signed, res), components_filed=(filed, den),
                reuse=(reuse_n, reuse_d), shared=(shared_n, shared_d), identity=(ident, den),
                state_data=(state_n, state_d),
            )  # fmt: skip
        used = {(u, m): n for u, m, n in self.rows(self.services_used())}
        paid = {(u, m): n for u, m, n in self.rows(self.procedures_paid_online())}
        for row in self.rows(self.catalog()):
            unit, m, every, announced, published, pub, complete, online, fee_d, fee_n = row
            put(
                unit, m, announced=(announced, every), published_on_time=(published, every),
                complete=(complete, pub), procedures_online=(online, pub),
                services_used=(used.get((unit, m), 0), online),
                procedures_paid_online=(paid.get((unit, m), 0), fee_d),
                fees_published=(fee_n, fee_d),
            )  # fmt: skip
        for unit, m, den, on_time, answered, satisfied in self.rows(self.petitions()):
            put(
                unit, m, petitions_on_time=(on_time, den),
                petitions_satisfied=(satisfied, answered),
            )  # fmt: skip
        for unit, m, den, valid in self.rows(self.certified_copies()):
            put(unit, m, certified_copies=(valid, den))
        return out


# --- the engine ----------------------------------------------------------------------------
def engine_full(unit_ids: list[int], now: dt.datetime, year: int) -> dict:
    """The full index the way a caller gets it: engine.score per month over every unit."""
    from motcua.kpi.index import engine

    out: dict[tuple[int, int], dict[str, tuple[int, int] | None]] = {}
    for m in MONTHS:
        for s in engine.score(unit_ids=unit_ids, period=engine.month(year, m), now=now, by="unit"):
            out[(s.key, m)] = {
                i.code: None if i.given else (i.numerator, i.denominator)
                for g in s.groups
                for i in g.indicators
            }
    return out


def compare(engine_out: dict, baseline: dict) -> tuple[list[str], int]:
    """Every (unit, month, indicator) of the engine against the baseline; (mismatches, checked)."""
    mismatches, checked = [], 0
    for (unit, m), indicators in sorted(engine_out.items()):
        mine = baseline.get((unit, m), {})
        for code, pair in indicators.items():
            if pair is None:
                continue  # a province-only indicator a commune is given: no counts
            key = INDICATORS.get(code)
            if key is None:
                mismatches.append(f"{code}: no baseline for this indicator")
                continue
            want = mine.get(key, (0, 0))
            checked += 1
            if tuple(pair) != tuple(want):
                mismatches.append(f"unit {unit} month {m} {code}: engine {pair} vs SQL {want}")
    return mismatches, checked


# --- the dashboard -------------------------------------------------------------------------
def make_leader(unit_id: int):
    from motcua.accounts.models import Role, StaffAssignment, User

    user = User.objects.create(username=f"bench-leader-{unit_id}", full_name="Lãnh đạo")
    user.set_unusable_password()
    user.save()
    StaffAssignment.objects.create(user=user, unit_id=unit_id, role=Role.LEADER)
    return user


def dashboard_call(user, unit_id: int, now: dt.datetime, year: int):
    """One leader's dashboard computation (what its view asks for)."""
    from motcua.kpi.index import dashboard, engine

    return dashboard.leader_view(
        user=user, unit_id=unit_id, period=engine.month(year, now.astimezone(LOCAL_TZ).month),
        now=now,
    )  # fmt: skip


# --- the run -------------------------------------------------------------------------------
def explain_top(unit_ids: list[int], now: dt.datetime, year: int, top: int = 4) -> list[dict]:
    """Time each measure of the engine for one month (PostgreSQL: with its query plan)."""
    from django.db import connection
    from django.db.models import Count

    from motcua.kpi.index import engine, formulas, measures

    period = engine.month(year, 11)
    ctx = engine._ctx(unit_ids, period, now)
    found = []
    for ind in formulas.resolve(None, period.date_to).indicators.values():
        measure = measures.MEASURES[ind.measure]
        ms = timed_ms(lambda m=measure, i=ind: m.counts(ctx, i.counts, "unit"))
        found.append({"indicator": ind.code, "measure": ind.measure, "ms": ms, "plan": ""})
    found.sort(key=lambda r: -r["ms"])
    if connection.vendor == "postgresql":
        for row in found[:top]:
            measure = measures.MEASURES[row["measure"]]
            ind = formulas.resolve(None, period.date_to).indicators[row["indicator"]]
            if not isinstance(measure, measures.DossierMeasure):
                continue
            qs = measure.base(ctx, ind.counts, "unit")
            qs = qs.values("competent_unit_id").order_by()
            qs = qs.annotate(den=Count("pk"), num=Count("pk", filter=measure.num_q(ctx)))
            sql, params = qs.query.sql_with_params()
            try:
                with connection.cursor() as c:
                    c.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
                    row["plan"] = "\n".join(r[0] for r in c.fetchall())
            except Exception as exc:  # noqa: BLE001  a plan we cannot get must not lose the run
                row["plan"] = f"(no plan: {type(exc).__name__}: {exc})"
    return found


def measure(params: dict) -> list[dict]:
    from django.db import connection

    from bench import service_index_seed as seed
    from bench.common import database_label

    vendor = connection.vendor
    count = int(params["dossiers"] if vendor == "postgresql" else params["sqlite_dossiers"])
    units = int(params["units"])
    repeat = int(params["repeat"])
    now, year = seed.NOW, seed.YEAR
    print(f"seeding {count:,} dossiers over {units} communes on {vendor} ...", flush=True)
    facts = seed.seed(dossiers=count, units=units)
    print(f"seeded in {facts['seed_s']:.0f} s", flush=True)
    unit_ids = facts["unit_ids"]

    baseline = Baseline(unit_ids, now, year)
    engine_out = engine_full(unit_ids, now, year)  # also the warm-up
    base_out = baseline.compute()
    mismatches, checked = compare(engine_out, base_out)
    print(f"checked {checked:,} numerator/denominator pairs: {len(mismatches)} differ", flush=True)
    for line in mismatches[:10]:
        print("  " + line, flush=True)

    eng, raw = [], []
    for r in range(repeat):
        eng.append(timed_ms(lambda: engine_full(unit_ids, now, year)))
        raw.append(timed_ms(baseline.compute))
        print(
            f"  round {r + 1}/{repeat}: engine {eng[-1]:.0f} ms, SQL {raw[-1]:.0f} ms", flush=True
        )

    label = database_label()
    common = {
        "dossiers": count,
        "units": units,
        "seed_s": facts["seed_s"],
        "seed_rows": facts.get("rows", {}),
        "checked": checked,
        "count_mismatches": mismatches[:5],
        "mismatch_count": len(mismatches),
    }
    full = make_row(
        benchmark=BENCHMARK.name, database=label,
        target=f"full index {units} units x 12 months", samples_ms=eng, raw_samples_ms=raw,
        goal_ms=GOAL_FULL_MS, extra=common,
    )  # fmt: skip
    full["ratio_goal"] = GOAL_RATIO
    full["passed"] = bool(
        full["p95"] < GOAL_FULL_MS and (full["ratio"] or 0) <= GOAL_RATIO and not mismatches
    )
    rows = [full]

    profile = explain_top(unit_ids, now, year) if params["profile"] else []
    full["profile"] = profile

    # the leader's dashboard: a commune's leader (ranked among 1) and the province's leader
    # looking at the same commune (ranked among every commune), cache off then on
    from django.conf import settings
    from django.core.cache import cache

    unit = unit_ids[len(unit_ids) // 2]
    viewers = [
        ("commune leader", make_leader(unit)),
        (f"province leader, rank of {units}", make_leader(facts["province_id"])),
    ]
    dash_n = int(params["dash_repeat"])
    ttl = settings.MOTCUA_INDEX_DASHBOARD_CACHE_SECONDS
    for who, leader in viewers:
        for cached in (False, True):
            settings.MOTCUA_INDEX_DASHBOARD_CACHE_SECONDS = ttl if cached else 0
            cache.clear()
            dashboard_call(leader, unit, now, year)  # warm-up (fills the cache when on)
            samples = [
                timed_ms(lambda leader=leader: dashboard_call(leader, unit, now, year))
                for _ in range(dash_n)
            ]
            rows.append(
                make_row(
                    benchmark=BENCHMARK.name, database=label,
                    target=f"dashboard, {who}, cache {'on' if cached else 'off'}",
                    samples_ms=samples, raw_samples_ms=None, goal_ms=GOAL_DASH_MS,
                    extra=common,
                )
            )  # fmt: skip
    settings.MOTCUA_INDEX_DASHBOARD_CACHE_SECONDS = ttl
    return rows


def describe(rows: list[dict], info: dict) -> str:
    lines = [machine_line(info), "", markdown_table(rows), ""]
    seen = set()
    for r in rows:
        if r["database"] in seen:
            continue
        seen.add(r["database"])
        full = next(x for x in rows if x["database"] == r["database"])
        lines.append(
            f"- {r['database']}: {r['dossiers']:,} dossiers over {r['units']} communes x 12 "
            f"months, seeded in {r['seed_s']:.0f} s (not in the figures); full index: engine "
            f"p95 {full['p95']:.0f} ms vs hand-written SQL p95 {full['raw_p95']:.0f} ms, ratio "
            f"{full['ratio']:.1f}x (goal <= {GOAL_RATIO}x, < {GOAL_FULL_MS} ms); "
            f"{full['checked']:,} numerator/denominator pairs checked, "
            f"{full['mismatch_count']} differ."
        )
        if full["count_mismatches"]:
            lines.append(f"  **engine and SQL disagree**: {full['count_mismatches']}.")
        profile = full.get("profile") or []
        if profile:
            top = ", ".join(f"{p['indicator']} {p['ms']:.0f} ms" for p in profile[:6])
            lines.append(f"  Slowest measures (November, {r['units']} units): {top}.")
            for p in profile:
                if p["plan"]:
                    lines += ["", f"EXPLAIN ANALYZE of {p['indicator']} (one month):", "```"]
                    lines += [p["plan"], "```"]
    return "\n".join(lines)


BENCHMARK = register(
    Benchmark(
        name="service_index",
        title="Service index: the full index and the leader's dashboard",
        script=Path(__file__).resolve(),
        goal_ms=GOAL_FULL_MS,
        defaults={
            "dossiers": 1_000_000,
            "sqlite_dossiers": 100_000,
            "units": 100,
            "repeat": 3,
            "dash_repeat": 10,
            "profile": 1,
        },
        describe=describe,
    )
)

if __name__ == "__main__":
    worker_main(BENCHMARK, measure)
