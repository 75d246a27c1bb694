"""Seeding for bench/service_index.py: a province's year of index facts, set-based.

Not a benchmark of its own (run.py imports every bench/*.py; this one registers nothing).
Everything is written by `INSERT ... SELECT` over a generated series (`generate_series` on
PostgreSQL, a recursive CTE on SQLite) with a deterministic hash per row and salt
(`bench_h(i, salt)`, 0 .. 2^31-1: `hashint8extended` on PostgreSQL, splitmix64 registered as a
Python function on SQLite), so a million dossiers take seconds, not the ORM's hours, and every
run holds the same rows. One temporary table `bench_d` carries each dossier's draws and times
(epoch seconds) so that the dossier, its portal messages, result, rating and payment agree.

Shape (per-unit rates drawn once per unit, so communes differ, and rising over the year):
- a province and `units` communes, 20 procedures per commune (its own catalog: online mode
  full/partial/none, 1 in 20 unpublished, every third fee-bearing with its fee published for
  online payment in most communes, every fourth with a component reusable from the citizen's
  documents);
- dossiers spread over the 12 months of 2026 and the communes (skewed to the popular
  procedures): online share 10-65 % by commune rising ~25 points over the year, 3 % postal;
  1.5 % refused/withdrawn/stopped; late 2-20 % by commune; those not done by `NOW` are in
  progress (some overdue); finished ones returned or result ready; signed results 30-95 %;
  digitized 15-95 % in person (95 % online);
- a portal status message when received and another when finished, 1-15 % by commune
  accepted after `on_time_by`, a few still pending;
- the result document of every finished dossier (signed as the dossier says);
- a payment request for every fee-bearing received dossier (paid for finished ones), paid by
  platform/VietQR (online) or cash, with the dossier's `paid_online` in agreement;
- a rating for 35 % of finished dossiers, 1-9 % "not satisfied" by commune;
- ~5 petitions per commune and month, some answered late, some rated "not satisfied", some
  repeats; the recent ones still open.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import time

UTC = dt.UTC
START = dt.datetime(2025, 12, 31, 17, 0, tzinfo=UTC)  # 2026-01-01 00:00 in Vietnam
NOW = dt.datetime(2026, 12, 31, 9, 0, tzinfo=UTC)  # 16:00 on the year's last day, Vietnam
YEAR = 2026
PROCS_PER_UNIT = 20
UNIT_BASE = 900_000  # explicit ids well clear of anything a migration could have made
PROC_BASE = 900_000
PETITIONS_PER_UNIT_MONTH = 5
ON_TIME_HOURS = 24  # settings.MOTCUA_DVCQG_ON_TIME_HOURS default
H = 2147483648.0  # bench_h's range
PROCEDURES = [  # (code, name, days, field)
    ("1.001193", "Đăng ký khai sinh", 1, 0),
    ("2.000908", "Chứng thực bản sao từ bản chính", 1, 1),
    ("1.004873", "Xác nhận tình trạng hôn nhân", 3, 0),
    ("1.000894", "Đăng ký kết hôn", 5, 0),
    ("1.000656", "Đăng ký khai tử", 1, 0),
    ("2.000815", "Chứng thực chữ ký", 1, 1),
    ("1.003180", "Đăng ký hộ kinh doanh", 3, 2),
    ("1.001779", "Đăng ký thường trú", 7, 3),
    ("1.001612", "Trợ cấp xã hội hằng tháng", 15, 4),
    ("1.002755", "Giải quyết mai táng phí", 10, 4),
    ("1.003583", "Hòa giải tranh chấp đất đai", 30, 2),
    ("1.000689", "Đăng ký giám hộ", 3, 0),
    ("1.001022", "Đăng ký nhận cha, mẹ, con", 3, 0),
    ("2.000884", "Chứng thực hợp đồng, giao dịch", 2, 1),
    ("1.004227", "Đăng ký lại khai sinh", 5, 0),
    ("1.003005", "Cấp bản sao trích lục hộ tịch", 1, 0),
    ("1.001159", "Đăng ký tạm trú", 3, 3),
    ("1.005136", "Hỗ trợ chi phí mai táng", 10, 4),
    ("1.003596", "Xác nhận hợp đồng tiếp cận đất", 15, 2),
    ("1.000419", "Thay đổi, cải chính hộ tịch", 3, 0),
]
FIELDS = [
    ("bench-ho-tich", "Hộ tịch (bench)"),
    ("bench-chung-thuc", "Chứng thực (bench)"),
    ("bench-dat-dai", "Đất đai, kinh doanh (bench)"),
    ("bench-cu-tru", "Cư trú (bench)"),
    ("bench-xa-hoi", "Bảo trợ xã hội (bench)"),
]
FEE_VND = 50_000


def splitmix(i: int, salt: int) -> int:
    """SQLite's bench_h: a 31-bit hash of (i, salt), the same every run."""
    mask = 0xFFFFFFFFFFFFFFFF
    x = (i * 0x9E3779B97F4A7C15 + (salt + 1) * 0xD1B54A32D192ED03) & mask
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & mask
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & mask
    return (x ^ (x >> 31)) & 0x7FFFFFFF


def _sqlite_ts(epoch: float | None) -> str | None:
    """A UTC epoch as Django stores an aware datetime in SQLite."""
    if epoch is None:
        return None
    value = dt.datetime.fromtimestamp(round(float(epoch), 6), UTC).replace(tzinfo=None)
    return str(value)


def _sqlite_dur(seconds: float | None) -> int | None:
    return None if seconds is None else round(float(seconds) * 1_000_000)


class Sql:
    """The few things the two databases spell differently."""

    def __init__(self) -> None:
        from django.db import connection

        self.connection = connection
        self.pg = connection.vendor == "postgresql"
        connection.ensure_connection()
        if self.pg:
            with connection.cursor() as c:
                c.execute(
                    "CREATE OR REPLACE FUNCTION bench_h(i bigint, salt bigint) RETURNS bigint "
                    "AS $$ SELECT hashint8extended(i, salt) & 2147483647 $$ "
                    "LANGUAGE sql IMMUTABLE PARALLEL SAFE"
                )
                c.execute(
                    "CREATE OR REPLACE FUNCTION bench_ts(x double precision) "
                    "RETURNS timestamptz AS $$ SELECT to_timestamp(x) $$ "
                    "LANGUAGE sql IMMUTABLE PARALLEL SAFE"
                )
                c.execute(
                    "CREATE OR REPLACE FUNCTION bench_dur(x double precision) "
                    "RETURNS interval AS $$ SELECT x * interval '1 second' $$ "
                    "LANGUAGE sql IMMUTABLE PARALLEL SAFE"
                )
        else:
            raw = connection.connection
            raw.create_function("bench_h", 2, splitmix, deterministic=True)
            raw.create_function("bench_ts", 1, _sqlite_ts, deterministic=True)
            raw.create_function("bench_dur", 1, _sqlite_dur, deterministic=True)

    def series(self, n: int) -> str:
        """A CTE `g(i)` of 1..n to put before INSERT/CREATE ... SELECT."""
        if self.pg:
            return f"WITH g(i) AS (SELECT generate_series(1, {int(n)}))"
        return f"WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < {int(n)})"

    def execute(self, sql: str, params: list | None = None) -> int:
        with self.connection.cursor() as c:
            c.execute(sql, params or [])
            return c.rowcount

    @contextlib.contextmanager
    def bare(self, *models):
        """PostgreSQL: drop the tables' plain indexes (not those behind a constraint) while
        loading and build them again after: one sort per index instead of a million inserts."""
        if not self.pg:
            yield
            return
        saved = []
        with self.connection.cursor() as c:
            for model in models:
                c.execute(
                    "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND "
                    "indexname NOT IN (SELECT conname FROM pg_constraint "
                    "WHERE conrelid = %s::regclass)",
                    [model._meta.db_table, model._meta.db_table],
                )
                saved += c.fetchall()
            for name, _definition in saved:
                c.execute(f'DROP INDEX "{name}"')
        try:
            yield
        finally:
            with self.connection.cursor() as c:
                for _name, definition in saved:
                    c.execute(definition)


def u(expr: str, salt: int) -> str:
    """SQL for a uniform draw in [0, 1) from the row key `expr` and a salt."""
    return f"(bench_h({expr}, {salt}) / {H})"


def insert_select(sql: Sql, model, exprs: dict[str, str], tail: str, prefix: str = "") -> int:
    """INSERT INTO model's table (every concrete column) SELECT exprs ... `tail`.

    Columns not in `exprs` get the field's default (or NULL), so a column another branch adds
    later does not break the seeding.
    """
    cols, values, params = [], [], []
    for f in model._meta.concrete_fields:
        if f.primary_key and f.attname not in exprs:
            continue  # the database numbers it
        cols.append(sql.connection.ops.quote_name(f.column))
        if f.attname in exprs:
            values.append(exprs[f.attname])
            continue
        default = f.get_default()
        if f.get_internal_type() == "JSONField" and default is not None:
            default = json.dumps(default)
        values.append("%s")
        params.append(default)
    statement = (
        f"{prefix} INSERT INTO {model._meta.db_table} ({', '.join(cols)}) "
        f"SELECT {', '.join(values)} {tail}"
    )
    return sql.execute(statement, params)


# --- the catalog and the people ---------------------------------------------------------------
def seed_catalog(units: int) -> dict:
    """A province, `units` communes with 20 procedures each, their fees and components."""
    from django.db import transaction

    from motcua.catalog.models import Component, Fee, Field, Procedure
    from motcua.core.models import Unit

    with transaction.atomic():
        province = Unit.objects.create(
            id=UNIT_BASE, code="BI000", name="Tỉnh Bench", kind=Unit.Kind.PROVINCE
        )
        Unit.objects.bulk_create(
            Unit(
                id=UNIT_BASE + 1 + x, code=f"BI{x + 1:03d}", name=f"Xã Bench {x + 1}",
                kind=Unit.Kind.COMMUNE, parent=province,
            )
            for x in range(units)
        )  # fmt: skip
        fields = Field.objects.bulk_create(Field(code=c, name=n) for c, n in FIELDS)
        procs, fees, comps = [], [], []
        for x in range(units):
            for k, (code, name, days, fi) in enumerate(PROCEDURES):
                key = x * PROCS_PER_UNIT + k
                mode_draw = splitmix(key, 30) / H
                mode = "full" if mode_draw < 0.55 else "partial" if mode_draw < 0.8 else "none"
                pid = PROC_BASE + key
                published = splitmix(key, 31) / H >= 0.05
                # announced before its deadline mostly, late or unrecorded by commune
                announce_by = dt.date(2025, 7, 1) + dt.timedelta(days=splitmix(key, 33) % 300)
                draw = splitmix(key, 34) / H
                late_share = 0.05 + 0.25 * splitmix(x, 35) / H
                announced_on = (
                    None if draw < 0.04
                    else announce_by + dt.timedelta(days=5 + splitmix(key, 36) % 60)
                    if draw < 0.04 + late_share
                    else announce_by - dt.timedelta(days=splitmix(key, 36) % 20)
                )  # fmt: skip
                publish_by = (announced_on or announce_by) + dt.timedelta(days=5)
                draw = splitmix(key, 37) / H
                published_on = (
                    None if not published
                    else publish_by + dt.timedelta(days=1 + splitmix(key, 38) % 90)
                    if draw < late_share
                    else publish_by - dt.timedelta(days=splitmix(key, 38) % 5)
                )  # fmt: skip
                fee_online = k % 3 == 0 and splitmix(key, 32) / H < 0.75
                procs.append(
                    Procedure(
                        id=pid, unit_id=UNIT_BASE + 1 + x, code=code, name=name,
                        field=fields[fi], level="commune", online_mode=mode,
                        online_mode_reason=(
                            "Cần đối chiếu bản chính" if splitmix(key, 39) % 2 else ""
                        ),
                        processing_days=days, is_published=published,
                        result_type="Giấy tờ", search_text=name.lower(),
                        legal_basis="" if splitmix(key, 40) % 10 == 0 else "Luật Hộ tịch 2014",
                        announced_on=announced_on, announce_by=announce_by,
                        published_on=published_on, publish_by=publish_by,
                        fees_payable_online=fee_online,
                    )
                )  # fmt: skip
                # every third is fee-bearing; the others publish a fee of 0 đồng
                fees.append(
                    Fee(
                        procedure_id=pid, kind="le_phi",
                        amount_vnd=FEE_VND if k % 3 == 0 else 0, channel="any",
                        legal_basis="bench",
                    )
                )  # fmt: skip
                comps.append(
                    Component(
                        procedure_id=pid, order=1, name="Tờ khai", form="original",
                        from_warehouse=False,
                    )
                )  # fmt: skip
                if k % 4 == 1:
                    comps.append(
                        Component(
                            procedure_id=pid, order=2, name="Giấy tờ tùy thân",
                            form="copy", from_warehouse=True,
                        )
                    )  # fmt: skip
        Procedure.objects.bulk_create(procs)
        Fee.objects.bulk_create(fees)
        Component.objects.bulk_create(comps)
    return {
        "unit_ids": [UNIT_BASE + 1 + x for x in range(units)],
        "province_id": UNIT_BASE,
        "procedures": len(procs),
    }


# --- the dossiers and what hangs off them ---------------------------------------------------
def _draws_sql(sql: Sql, count: int, units: int) -> str:
    """CREATE TEMP TABLE bench_d: one row per dossier with its draws and times (epoch s)."""
    t0, t_now = START.timestamp(), NOW.timestamp()
    span = t_now - t0
    ux = f"(bench_h(i, 1) %% {units})"
    # popular procedures first: the lower of two draws
    k = f"(CASE WHEN bench_h(i, 2) %% {PROCS_PER_UNIT} < bench_h(i, 3) %% {PROCS_PER_UNIT} "
    k += f"THEN bench_h(i, 2) %% {PROCS_PER_UNIT} ELSE bench_h(i, 3) %% {PROCS_PER_UNIT} END)"
    a = (
        f"SELECT i, {ux} AS ux, {k} AS k, {t0} + {u('i', 4)} * {span} AS sub, "
        f"{u('i', 5)} AS u5, {u('i', 6)} AS u6, {u('i', 3)} AS u3, {u('i', 11)} AS u11, "
        f"{u('i', 12)} AS u12, {u('i', 9)} AS u9, {u('i', 10)} AS u10, {u('i', 13)} AS u13, "
        f"{u('i', 14)} AS u14, {u('i', 15)} AS u15, {u('i', 16)} AS u16 FROM g"
    )
    b = (
        "SELECT a.*, p.online_mode AS pmode, "
        "a.sub + 86400 * (1.4 * CAST(p.processing_days AS DOUBLE PRECISION) + 0.5) AS due, "
        f"CASE WHEN a.u3 > 0.97 THEN 'postal' WHEN p.online_mode <> 'none' AND a.u3 < "
        f"0.10 + 0.55 * {u('a.ux', 7)} + 0.25 * (a.sub - {t0}) / {span} THEN 'online' "
        "ELSE 'counter' END AS channel, "
        f"CASE WHEN a.u11 < 0.015 THEN 1 ELSE 0 END AS other, "
        f"CASE WHEN a.u5 < 0.02 + 0.18 * {u('a.ux', 8)} THEN 1 ELSE 0 END AS late "
        f"FROM ({a}) a JOIN catalog_procedure p ON p.id = {PROC_BASE} + a.ux * "
        f"{PROCS_PER_UNIT} + a.k"
    )
    c = (
        "SELECT b.*, CASE WHEN b.other = 1 THEN b.sub + 3600 * (1 + 48 * b.u6) "
        "WHEN b.late = 1 THEN b.due + 86400 * (0.1 + 5 * b.u6) "
        "ELSE b.sub + (0.05 + 0.95 * b.u6) * (b.due - b.sub) END AS fin "
        f"FROM ({b}) b"
    )
    d = (
        "SELECT c.*, CASE "
        "WHEN c.other = 1 THEN CASE WHEN c.u12 < 0.4 THEN 3 WHEN c.u12 < 0.8 THEN 7 ELSE 8 END "
        f"WHEN c.fin > {t_now} THEN CASE WHEN c.u12 < 0.7 THEN 4 WHEN c.u12 < 0.8 THEN 41 "
        "WHEN c.u12 < 0.9 THEN 5 ELSE 2 END "
        f"WHEN c.u12 < 0.9 AND c.fin + 7200 <= {t_now} THEN 10 ELSE 9 END AS status "
        f"FROM ({c}) c"
    )
    return f"CREATE TEMP TABLE bench_d AS {sql.series(count)} {d}"


def seed_dossiers(sql: Sql, count: int, units: int) -> dict:
    """The dossiers, then their portal messages, results, payments and ratings."""
    from motcua.dossiers.models import Dossier, DossierComponent, DossierDocument
    from motcua.feedback.models import Rating
    from motcua.payments.models import PaymentAttempt, PaymentRequest
    from motcua.portalsync.models import PortalMessage

    t_now = NOW.timestamp()
    timings: dict[str, float] = {}

    def step(label: str, fn) -> int:
        started = time.perf_counter()
        n = fn()
        timings[label] = time.perf_counter() - started
        print(f"  {label}: {n:,} rows in {timings[label]:.1f} s", flush=True)
        return n

    sql.execute("DROP TABLE IF EXISTS bench_d")
    step("draws", lambda: sql.execute(_draws_sql(sql, count, units)))
    if sql.pg:
        sql.execute("ANALYZE bench_d")
    finished = "d.status IN (9, 10)"
    received = "d.status NOT IN (1, 3)"
    fee = f"d.k %% 3 = 0 AND {received}"
    # paid online: most online fee-bearing dossiers (by commune), a few at the counter
    paid_online = (
        f"({fee} AND {u('d.i', 17)} < CASE WHEN d.channel = 'online' THEN 0.5 + 0.45 * "
        f"{u('d.ux', 12)} ELSE 0.06 END)"
    )
    signed = f"({finished} AND d.u9 < 0.3 + 0.65 * {u('d.ux', 9)})"
    digitized = (
        f"({received} AND d.u10 < CASE WHEN d.channel = 'online' THEN 0.95 "
        f"ELSE 0.15 + 0.8 * {u('d.ux', 10)} END)"
    )
    fin_ts = f"CASE WHEN {finished} THEN bench_ts(d.fin) END"
    dossier = {
        "id": "d.i",
        "code": "'BI-' || d.i",
        "receiving_unit_id": f"{UNIT_BASE + 1} + d.ux",
        "competent_unit_id": f"{UNIT_BASE + 1} + d.ux",
        "procedure_id": "p.id",
        "procedure_code": "p.code",
        "procedure_name": "p.name",
        "processing_days": "p.processing_days",
        "time_unit": "'working_day'",
        "fee_total_vnd": f"CASE WHEN d.k %% 3 = 0 THEN {FEE_VND} ELSE 0 END",
        "fees": "'[]'",
        "rule_version": "'bench'",
        "channel": "d.channel",
        "applicant_name": "'Nguyễn Văn An'",
        "applicant_id_number": "'001090012345'",
        "identity_verified": "(d.u13 < 0.8)",
        "identity_verified_via": "CASE WHEN d.u13 < 0.8 THEN 'vneid' ELSE 'none' END",
        "status": "d.status",
        "submitted_at": "bench_ts(d.sub)",
        "received_at": f"CASE WHEN {received} THEN bench_ts(d.sub + 300) END",
        "competent_received_at": f"CASE WHEN {received} THEN bench_ts(d.sub + 300) END",
        "due_at": "bench_ts(d.due)",
        "due_at_legal": "bench_ts(d.due)",
        "due_at_current": "bench_ts(d.due)",
        "finished_at": fin_ts,
        "returned_at": "CASE WHEN d.status = 10 THEN bench_ts(d.fin + 7200) END",
        "timeliness": (
            f"CASE WHEN {finished} THEN CASE WHEN d.fin > d.due THEN 'late' "
            "WHEN d.fin < d.due - 86400 THEN 'early' ELSE 'on_time' END ELSE '' END"
        ),
        "result_delivery": f"CASE WHEN {finished} THEN 'counter' ELSE '' END",
        "result_signed": signed,
        "paid_online": paid_online,
        "all_components_digitized": digitized,
        "search_text": "''",
        "version": "1",
        "last_activity_at": f"bench_ts(CASE WHEN {finished} THEN d.fin ELSE d.sub END)",
        "created": "bench_ts(d.sub)",
        "updated": f"bench_ts(CASE WHEN {finished} THEN d.fin ELSE d.sub END)",
    }
    n_dossiers = step(
        "dossiers",
        lambda: insert_select(
            sql, Dossier, dossier,
            f"FROM bench_d d JOIN catalog_procedure p ON p.id = {PROC_BASE} + d.ux * "
            f"{PROCS_PER_UNIT} + d.k",
        ),
    )  # fmt: skip

    # portal messages: seq 1 when received, seq 2 when finished
    def messages(seq: int, when: str, where: str, national: str) -> int:
        late = f"{u(f'd.i * 2 + {seq}', 20)} < 0.01 + 0.14 * {u('d.ux', 21)}"
        pending = f"{u(f'd.i * 2 + {seq}', 22)} < 0.003"
        lag = (
            f"CASE WHEN {late} THEN 86400 * (1.05 + 3 * {u(f'd.i * 2 + {seq}', 23)}) "
            f"ELSE 2 + 600 * {u(f'd.i * 2 + {seq}', 23)} END"
        )
        accepted = f"CASE WHEN {pending} THEN NULL ELSE {when} + {lag} END"
        accepted_now = f"CASE WHEN ({accepted}) <= {t_now} THEN {accepted} END"
        return insert_select(
            sql,
            PortalMessage,
            {
                "message_id": f"'bench-' || d.i || '-{seq}'",
                "dossier_id": "d.i",
                "dossier_code": "'BI-' || d.i",
                "unit_id": f"{UNIT_BASE + 1} + d.ux",
                "seq": str(seq),
                "kind": "'status'",
                "national_status": national,
                "payload": "'{}'",
                "changed_at": f"bench_ts({when})",
                "on_time_by": f"bench_ts({when} + {ON_TIME_HOURS * 3600})",
                "state": f"CASE WHEN ({accepted_now}) IS NULL THEN 'pending' ELSE 'sent' END",
                "attempts": "1",
                "claim_token": "''",
                "last_error": "''",
                "rejected": "(1 = 0)",
                "accepted_at": f"bench_ts({accepted_now})",
                "lag": f"bench_dur(({accepted_now}) - {when})",
                "created_at": f"bench_ts({when})",
            },
            f"FROM bench_d d WHERE {where}",
        )

    step(
        "portal messages (received)",
        lambda: messages(1, "(d.sub + 300)", received, "2"),
    )
    step(
        "portal messages (finished)",
        lambda: messages(2, "d.fin", finished, "d.status"),
    )
    shared = f"({signed} AND d.status = 10 AND {u('d.i', 27)} < 0.4 + 0.55 * {u('d.ux', 27)})"
    step(
        "portal messages (results)",
        lambda: insert_select(
            sql,
            PortalMessage,
            {
                "message_id": "'bench-' || d.i || '-3'",
                "dossier_id": "d.i",
                "dossier_code": "'BI-' || d.i",
                "unit_id": f"{UNIT_BASE + 1} + d.ux",
                "seq": "3",
                "kind": "'result'",
                "national_status": "10",
                "payload": "'{}'",
                "changed_at": "bench_ts(d.fin + 7200)",
                "on_time_by": f"bench_ts(d.fin + 7200 + {ON_TIME_HOURS * 3600})",
                "state": "'sent'",
                "attempts": "1",
                "claim_token": "''",
                "last_error": "''",
                "rejected": "(1 = 0)",
                "accepted_at": "bench_ts(d.fin + 7260)",
                "lag": "bench_dur(60)",
                "created_at": "bench_ts(d.fin + 7200)",
            },
            f"FROM bench_d d WHERE {shared} AND d.fin + 7260 <= {t_now}",
        ),
    )
    step(
        "result documents",
        lambda: insert_select(
            sql,
            DossierDocument,
            {
                "dossier_id": "d.i",
                "kind": "'result'",
                "file": "'bench/ket-qua.pdf'",
                "created_at": "bench_ts(d.fin)",
                "signed": signed,
                "note": "''",
            },
            f"FROM bench_d d WHERE {finished}",
        ),
    )
    step(
        "reusable components",
        lambda: insert_select(
            sql,
            DossierComponent,
            {
                "dossier_id": "d.i",
                "name": "'Giấy tờ tùy thân'",
                "form": "'copy'",
                "count": "1",
                "digitized": digitized,
                "file": f"CASE WHEN {digitized} THEN 'bench/scan.pdf' ELSE '' END",
                "reused_from_warehouse": (
                    f"({received} AND {u('d.i', 24)} < 0.1 + 0.6 * {u('d.ux', 24)})"
                ),
                "from_state_data": "(1 = 0)",
            },
            f"FROM bench_d d WHERE d.k %% 4 = 1 AND {received}",
        ),
    )
    paid = f"({fee} AND {finished})"
    step(
        "payment requests",
        lambda: insert_select(
            sql,
            PaymentRequest,
            {
                "id": "d.i",
                "dossier_id": "d.i",
                "unit_id": f"{UNIT_BASE + 1} + d.ux",
                "purpose": "'fees'",
                "reference": "'BR' || d.i",
                "lines": "'[]'",
                "amount_vnd": str(FEE_VND),
                "status": f"CASE WHEN {paid} OR {paid_online} THEN 'paid' ELSE 'open' END",
                "created_at": "bench_ts(d.sub + 300)",
                "paid_at": f"CASE WHEN {paid} OR {paid_online} THEN bench_ts(d.sub + 600) END",
            },
            f"FROM bench_d d WHERE {fee}",
        ),
    )
    step(
        "payment attempts",
        lambda: insert_select(
            sql,
            PaymentAttempt,
            {
                "id": "d.i",
                "request_id": "d.i",
                "method": (
                    f"CASE WHEN {paid_online} THEN CASE WHEN d.u15 < 0.5 THEN 'platform' "
                    "ELSE 'vietqr' END ELSE 'cash' END"
                ),
                "idempotency_key": "'b' || d.i",
                "reference": "'BA' || d.i",
                "amount_vnd": str(FEE_VND),
                "currency": "'VND'",
                "status": "'paid'",
                "refunded_vnd": "0",
                "created_at": "bench_ts(d.sub + 300)",
                "paid_at": "bench_ts(d.sub + 600)",
                "version": "1",
            },
            f"FROM bench_d d WHERE {paid} OR {paid_online}",
        ),
    )
    not_satisfied = f"d.u14 < 0.01 + 0.08 * {u('d.ux', 25)}"
    step(
        "ratings",
        lambda: insert_select(
            sql,
            Rating,
            {
                "unit_id": f"{UNIT_BASE + 1} + d.ux",
                "dossier_id": "d.i",
                "dossier_code": "'BI-' || d.i",
                "level": (
                    f"CASE WHEN {not_satisfied} THEN 'not_satisfied' "
                    "WHEN d.u16 < 0.4 THEN 'very_satisfied' ELSE 'satisfied' END"
                ),
                "reason": f"CASE WHEN {not_satisfied} THEN 'long_wait' ELSE '' END",
                "comment": "''",
                "channel": "CASE WHEN d.channel = 'online' THEN 'online' ELSE 'counter_tablet' END",
                "procedure_id": f"{PROC_BASE} + d.ux * {PROCS_PER_UNIT} + d.k",
                "procedure_code": "''",
                "created_at": "bench_ts(d.fin + 3600)",
            },
            f"FROM bench_d d WHERE {finished} AND {u('d.i', 26)} < 0.35 "
            f"AND d.fin + 3600 <= {t_now}",
        ),
    )
    return {"dossiers": n_dossiers, "timings": timings}


def seed_petitions(sql: Sql, units: int) -> int:
    """~5 petitions per commune and month; the recent ones open, some late, some repeats."""
    from motcua.petitions.models import Petition

    t0, t_now = START.timestamp(), NOW.timestamp()
    n = units * 12 * PETITIONS_PER_UNIT_MONTH
    rec = f"({t0} + {u('i', 40)} * {t_now - t0})"
    due = f"({rec} + 14 * 86400)"
    late = f"{u('i', 41)} < 0.05 + 0.25 * {u(f'i %% {units}', 42)}"
    answered = f"({rec} + 86400 * CASE WHEN {late} THEN 15 + 10 * {u('i', 43)} ELSE 1 + 12 * {u('i', 43)} END)"  # noqa: E501
    is_answered = f"({answered} <= {t_now})"
    rated = f"({is_answered} AND {u('i', 44)} < 0.5)"
    unhappy = f"{u('i', 45)} < 0.15"
    return insert_select(
        sql,
        Petition,
        _petition_exprs(units, rec, due, answered, is_answered, rated, unhappy, t_now),
        "FROM g",
        prefix=sql.series(n),
    )


def _petition_exprs(units, rec, due, answered, is_answered, rated, unhappy, t_now) -> dict:
    rated_at = f"{answered} + 86400"
    return {
        "id": "i",
        "unit_id": f"{UNIT_BASE + 1} + i %% {units}",
        "code": "'BP' || i",
        "subject": "'Đường làng hư hỏng'",
        "content": "'Đề nghị sửa đường.'",
        "anonymous": "(1 = 0)",
        "name": "'Trần Thị Bình'",
        "phone": "''",
        "email": "''",
        "place": "''",
        "status": f"CASE WHEN {is_answered} THEN 'answered' ELSE 'assigned' END",
        "version": "1",
        "received_at": f"bench_ts({rec})",
        "days": "10",
        "due_at": f"bench_ts({due})",
        "overdue": (
            f"(({is_answered} AND {answered} > {due}) OR (NOT {is_answered} AND {due} < {t_now}))"
        ),
        "answer": f"CASE WHEN {is_answered} THEN 'Đã sửa.' ELSE '' END",
        "answered_at": f"CASE WHEN {is_answered} THEN bench_ts({answered}) END",
        "published_subject": "''",
        "published_answer": "''",
        "closed_reason": "''",
        "finished_at": f"CASE WHEN {is_answered} THEN bench_ts({answered}) END",
        "rating": (
            f"CASE WHEN {rated} AND {rated_at} <= {t_now} THEN CASE WHEN {unhappy} "
            "THEN 'not_satisfied' ELSE 'satisfied' END ELSE '' END"
        ),
        "rated_at": (f"CASE WHEN {rated} AND {rated_at} <= {t_now} THEN bench_ts({rated_at}) END"),
        # now and then a repeat of the same commune's petition one round earlier
        "repeat_of_id": f"CASE WHEN i > {units} AND {u('i', 46)} < 0.03 THEN i - {units} END",
    }


def seed_certified_copies(sql: Sql, units: int) -> int:
    """~8 electronic certified copies per commune and month, 0-6 % voided by commune."""
    from motcua.accounts.models import User
    from motcua.certification.models import CertifiedCopy
    from motcua.documents.models import SignedDocument

    officer = User.objects.create(username="bench-certifier", full_name="Cán bộ tư pháp")
    t0, t_now = START.timestamp(), NOW.timestamp()
    n = units * 12 * 8
    at = f"({t0} + {u('i', 50)} * {t_now - t0 - 3600})"
    unit = f"{UNIT_BASE + 1} + i %% {units}"
    insert_select(
        sql,
        SignedDocument,
        {
            "id": "i",
            "verification_code": "'BV' || i",
            "unit_id": unit,
            "title": "'Bản sao giấy khai sinh'",
            "sha256": "'bench'",
            "file": "'bench/ban-sao.pdf'",
            "size": "1000",
            "signed_at": f"bench_ts({at})",
            "signer_name": "'Cán bộ tư pháp'",
            "certificate_subject": "'bench'",
            "certificate_serial": "'bench'",
            "object_type": "'certification.certifiedcopy'",
            "object_id": "'' || i",
            "revoked_reason": "''",
        },
        "FROM g",
        prefix=sql.series(n),
    )
    voided = f"{u('i', 51)} < 0.06 * {u(f'i %% {units}', 52)}"
    return insert_select(
        sql,
        CertifiedCopy,
        {
            "id": "i",
            "unit_id": unit,
            "year": str(YEAR),
            "number": "i",
            "book": "'01/2026-SCT/BS'",
            "citizen_id": "'001090012345'",
            "citizen_name": "'Lê Văn Cường'",
            "title": "'Bản sao giấy khai sinh'",
            "pages": "1",
            "fee_vnd": "2000",
            "fee_note": "''",
            "document_id": "i",
            "certified_by_id": str(officer.pk),
            "certified_at": f"bench_ts({at})",
            "voided_at": f"CASE WHEN {voided} THEN bench_ts({at} + 3600) END",
            "voided_by_id": f"CASE WHEN {voided} THEN {officer.pk} END",
            "void_reason": f"CASE WHEN {voided} THEN 'Sai thông tin' ELSE '' END",
        },
        "FROM g",
        prefix=sql.series(n),
    )


def finish(sql: Sql) -> None:
    """Sequences past the explicit ids, the temporary table gone, statistics fresh."""
    from django.core.management.color import no_style

    from motcua.catalog.models import Procedure
    from motcua.certification.models import CertifiedCopy
    from motcua.core.models import Unit
    from motcua.documents.models import SignedDocument
    from motcua.dossiers.models import Dossier
    from motcua.payments.models import PaymentAttempt, PaymentRequest
    from motcua.petitions.models import Petition

    sql.execute("DROP TABLE IF EXISTS bench_d")
    if sql.pg:
        models = [
            Unit, Procedure, Dossier, PaymentRequest, PaymentAttempt, Petition, SignedDocument,
            CertifiedCopy,
        ]  # fmt: skip
        for statement in sql.connection.ops.sequence_reset_sql(no_style(), models):
            sql.execute(statement)
        sql.execute("VACUUM ANALYZE")
    else:
        sql.execute("ANALYZE")


def seed(*, dossiers: int, units: int) -> dict:
    """Everything, timed; returns what the docs say about the data."""
    started = time.perf_counter()
    catalog = seed_catalog(units)
    sql = Sql()
    from motcua.dossiers.models import Dossier, DossierComponent, DossierDocument
    from motcua.feedback.models import Rating
    from motcua.payments.models import PaymentAttempt, PaymentRequest
    from motcua.portalsync.models import PortalMessage

    loaded = (
        Dossier, PortalMessage, DossierDocument, DossierComponent, PaymentRequest,
        PaymentAttempt, Rating,
    )  # fmt: skip
    with sql.bare(*loaded):
        facts = seed_dossiers(sql, dossiers, units)
        rebuilt = time.perf_counter()
    print(f"  indexes rebuilt in {time.perf_counter() - rebuilt:.1f} s", flush=True)
    n_pet = seed_petitions(sql, units)
    print(f"  petitions: {n_pet:,} rows", flush=True)
    n_copies = seed_certified_copies(sql, units)
    print(f"  certified copies: {n_copies:,} rows", flush=True)
    finish(sql)
    return {
        **catalog,
        **facts,
        "petitions": n_pet,
        "certified_copies": n_copies,
        "seed_s": time.perf_counter() - started,
    }
