"""Catalog search: how long a citizen waits for "dang ky ket hon" over 2,000 procedures.

Measures the full Django request (middleware, view, template) through django.test.Client for
GET /thu-tuc/?q=..., falling back to the API or the selector while the page is not there yet,
and a raw-SQL LIKE baseline doing the same work on the same connection, interleaved query by
query so background load hits both alike. Run through bench/run.py (one fresh DB per run);
`python bench/catalog_search.py` alone would migrate whatever DATABASE_URL points at.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    BENCH_DIR,
    PROJECT_DIR,
    Benchmark,
    machine_line,
    make_row,
    markdown_table,
    register,
    summarize,
    timed_ms,
    worker_main,
)

GOAL_MS = 30.0
PAGE_SIZE = 20
WARMUP = 20
SEED = 2026
DATA_FILE = BENCH_DIR / "data" / "procedures.json"
UNITS_FILE = PROJECT_DIR / "src" / "motcua" / "core" / "data" / "units-hai-phong.json"

# Fields that the 65 real procedures do not cover, so the catalog has ~25 like a real one.
EXTRA_FIELDS = [
    "Môi trường",
    "Nông nghiệp",
    "Lâm nghiệp",
    "Thủy lợi",
    "Y tế",
    "Lao động, tiền lương",
    "Trồng trọt và bảo vệ thực vật",
]
# Variants real catalogs publish beside the base procedure (same name, other case or channel).
VARIANTS = [
    " lưu động",
    " có yếu tố nước ngoài",
    " (trực tuyến toàn trình)",
    " trường hợp đăng ký lại",
    " cho người dân tộc thiểu số",
    " đối với người cao tuổi, người khuyết tật",
    " (liên thông)",
    " – cấp lại",
    " – điều chỉnh, bổ sung",
    " tại Bộ phận Một cửa",
]

# What villagers and officers type: no diacritics, sometimes a code, sometimes one word.
CURATED_QUERIES = [
    "dang ky ket hon",
    "chung thuc",
    "khai sinh",
    "xac nhan tinh trang hon nhan",
    "khai tu",
    "ket hon",
    "ho kinh doanh",
    "dang ky ho kinh doanh",
    "giay chung nhan quyen su dung dat",
    "tro cap xa hoi",
    "mai tang",
    "nguoi co cong",
    "ho ngheo",
    "chung thuc chu ky",
    "chung thuc ban sao",
    "giam ho",
    "nhan cha me con",
    "nuoi con nuoi",
    "cai chinh ho tich",
    "trich luc ho tich",
    "ban sao giay khai sinh",
    "dang ky lai khai sinh",
    "yeu to nuoc ngoai",
    "luu dong",
    "giay phep xay dung",
    "hoa giai tranh chap dat dai",
    "le hoi",
    "chuyen truong",
    "thanh lap hoi",
    "ton giao",
    "khieu nai",
    "to cao",
    "giay khen",
    "thien tai",
    "dao tao nghe",
    "the bao hiem y te tre em",
    "thuong tru",
    "tam ngung kinh doanh",
    "cham dut hoat dong ho kinh doanh",
    "cap lai giay chung nhan",
    "cap doi giay chung nhan",
    "chuyen muc dich su dung dat",
    "bien phap bao dam",
    "khuyet tat",
    "huu tri xa hoi",
    "tho cung liet si",
    "di chuc",
    "phan chia di san",
    "tu choi nhan di san",
    "sua doi bo sung huy bo giao dich",
    "dai hoi ton giao",
    "giang dao",
    "ho can ngheo",
    "muc song trung binh",
    "than nhan nguoi co cong",
    "xac dinh lai dan toc",
    "Dang Ky Khai Sinh",
    "KET HON",
    "dang  ky   khai   tu",
    "tre em duoi 6 tuoi",
]
MISSES = [
    "ho chieu",
    "dang kiem o to",
    "bang lai xe",
    "visa du lich",
    "xyzzy",
    "1.999999",
    "cong chung hop dong mua ban nha",
    "nop thue thu nhap ca nhan",
]


def load_reference() -> list[dict]:
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))["procedures"]


def build_queries(count: int) -> list[str]:
    """A fixed, seeded list: curated phrases, codes, single words, 3-word phrases, misses."""
    from motcua.core.text import fold

    rng = random.Random(SEED)
    reference = load_reference()
    codes = [p["code"] for p in reference if p["code"]]
    folded = [fold(p["name"]).replace(",", " ").replace(";", " ").split() for p in reference]
    words = sorted({w for name in folded for w in name if len(w) >= 3 and w.isalpha()})
    phrases = sorted({" ".join(n[i : i + 3]) for n in folded for i in range(len(n) - 2)})
    pool = (
        CURATED_QUERIES
        + rng.sample(codes, 30)
        + ["1.0011", "2.000", "1.01"]
        + rng.sample(words, 40)
        + rng.sample(phrases, 60)
        + MISSES
    )
    rng.shuffle(pool)
    # Smaller runs keep the mix: a stride through the shuffled pool, not its head only.
    if count >= len(pool):
        return (pool * (count // len(pool) + 1))[:count]
    step = len(pool) / count
    return [pool[int(i * step)] for i in range(count)]


def seed_catalog(procedures: int) -> None:
    """1 province + 10 communes, ~25 fields, `procedures` published rows with 2 fees each.

    bulk_create skips Procedure.save, so search_text is computed exactly as save() does.
    """
    from django.db import transaction
    from django.utils.text import slugify

    from motcua.catalog.models import Fee, Field, Procedure
    from motcua.core.models import Unit
    from motcua.core.text import fold

    rng = random.Random(SEED)
    reference = load_reference()
    units_data = json.loads(UNITS_FILE.read_text(encoding="utf-8"))
    with transaction.atomic():
        prov = units_data["province"]
        province = Unit.objects.create(code=prov["code"], name=prov["name"], kind="province")
        picks = units_data["units"][:: max(1, len(units_data["units"]) // 10)][:10]
        communes = Unit.objects.bulk_create(
            Unit(code=u["code"], name=u["name"], kind=u["kind"], parent=province) for u in picks
        )
        names = sorted({p["field"] for p in reference} | set(EXTRA_FIELDS))
        fields = {
            name: f
            for name, f in zip(
                names,
                Field.objects.bulk_create(Field(code=slugify(fold(n)), name=n) for n in names),
                strict=True,
            )
        }
        field_names = list(fields)
        units = [province, *communes]
        # The province publishes a quarter of the catalog, the communes share the rest.
        per_unit = [procedures // 4] + [0] * len(communes)
        rest = procedures - per_unit[0]
        for i in range(len(communes)):
            per_unit[i + 1] = rest // len(communes) + (1 if i < rest % len(communes) else 0)

        rows: list[Procedure] = []
        fee_specs: list[list] = []
        for unit, count in zip(units, per_unit, strict=True):
            used_codes: set[str] = set()
            for k in range(count):
                base = reference[k % len(reference)]
                round_ = k // len(reference)
                name = base["name"]
                code = base["code"] if round_ == 0 else None
                if round_ > 0:
                    name += VARIANTS[(round_ - 1 + k) % len(VARIANTS)]
                    if rng.random() < 0.3:
                        name += f" tại {unit.name}"
                while code is None or code in used_codes:
                    code = f"{rng.choice('123')}.{rng.randint(1, 14999):06d}"
                used_codes.add(code)
                field = base["field"] if rng.random() < 0.8 else rng.choice(field_names)
                rows.append(
                    Procedure(
                        unit=unit,
                        code=code,
                        name=name,
                        field=fields[field],
                        level="province" if unit.kind == "province" else "commune",
                        online_mode=base["online_mode"],
                        processing_days=base["days"],
                        is_published=True,
                        search_text=fold(f"{code} {name}"),
                    )
                )
                fee_specs.append(base["fees"])
        created = Procedure.objects.bulk_create(rows, batch_size=500)
        fees = []
        for proc, specs in zip(created, fee_specs, strict=True):
            specs = [*specs, ["lệ phí", 0], ["phí", 10000]][:2]
            for kind, amount in specs:
                fees.append(
                    Fee(
                        procedure=proc,
                        kind="phi" if kind == "phí" else "le_phi",
                        amount_vnd=amount if amount is not None else rng.choice([5000, 8000]),
                    )
                )
        Fee.objects.bulk_create(fees, batch_size=1000)


# --- what is measured ------------------------------------------------------------------------
def _django_request(client, target: str, query: str) -> None:
    if target == "selector":
        _selector(query)
        return
    path, key = ("/thu-tuc/", "q") if target == "page" else ("/api/v1/procedures/", "search")
    response = client.get(path, {key: query})
    if response.status_code != 200:
        raise RuntimeError(f"GET {path}?{key}={query!r} answered {response.status_code}")


def _selector(query: str) -> tuple[list, int]:
    from motcua.catalog.selectors import published_procedures, search_procedures

    qs = search_procedures(published_procedures(), query)
    return list(qs[:PAGE_SIZE]), qs.count()


def _raw_sql(query: str) -> tuple[list, int]:
    """The same work in hand-written SQL: one LIKE '%word%' per folded word, page + count."""
    from django.db import connection

    from motcua.core.text import fold

    words = fold(query).split()[:10]
    clauses = "".join(" AND search_text LIKE %s ESCAPE '\\'" for _ in words)
    params = [
        "%" + w.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%" for w in words
    ]
    where = f"WHERE is_published{clauses}"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, code, name FROM catalog_procedure {where} ORDER BY name LIMIT {PAGE_SIZE}",
            params,
        )
        page = cursor.fetchall()
        cursor.execute(f"SELECT COUNT(*) FROM catalog_procedure {where}", params)
        return page, cursor.fetchone()[0]


def detect_target(client) -> str:
    """The public page when it renders, else the API, else the selector (named in the table)."""
    if client.get("/thu-tuc/", {"q": "khai sinh"}).status_code == 200:
        return "page"
    if client.get("/api/v1/procedures/", {"search": "khai sinh"}).status_code == 200:
        return "api"
    return "selector"


TARGET_LABELS = {
    "page": "GET /thu-tuc/?q=",
    "api": "GET /api/v1/procedures/?search=",
    "selector": "selector only",
}


def measure(params: dict) -> list[dict]:
    from django.db import connection
    from django.test import Client

    from bench.common import database_label

    seed_catalog(int(params["procedures"]))
    queries = build_queries(int(params["queries"]))
    client = Client()
    target = params["target"] if params["target"] != "auto" else detect_target(client)

    # Both sides must find the same procedures, or the ratio compares different work.
    mismatches = [q for q in queries if _selector(q)[1] != _raw_sql(q)[1]]
    hits = sum(1 for q in queries if _raw_sql(q)[1] > 0)

    for i in range(WARMUP):
        q = queries[i % len(queries)]
        _django_request(client, target, q)
        _selector(q)
        _raw_sql(q)

    django_ms: list[float] = []
    selector_ms: list[float] = []
    raw_ms: list[float] = []
    for _ in range(int(params["repeat"])):
        for q in queries:
            django_ms.append(timed_ms(lambda q=q: _django_request(client, target, q)))
            if target != "selector":
                selector_ms.append(timed_ms(lambda q=q: _selector(q)))
            raw_ms.append(timed_ms(lambda q=q: _raw_sql(q)))

    # What a real server pays per request on top when DATABASE_CONN_MAX_AGE=0 (the default).
    connect_ms = []
    for _ in range(10):
        connection.close()
        connect_ms.append(timed_ms(connection.ensure_connection))

    extra = {
        "procedures": int(params["procedures"]),
        "queries": len(queries),
        "queries_with_hits": hits,
        "count_mismatches": mismatches[:5],
        "selector_p50": summarize(selector_ms)["p50"] if selector_ms else None,
        "selector_p95": summarize(selector_ms)["p95"] if selector_ms else None,
        "raw_p99": summarize(raw_ms)["p99"],
        "connect_p50": summarize(connect_ms)["p50"],
    }
    return [
        make_row(
            benchmark=BENCHMARK.name,
            database=database_label(),
            target=TARGET_LABELS[target],
            samples_ms=django_ms,
            raw_samples_ms=raw_ms,
            goal_ms=GOAL_MS,
            extra=extra,
        )
    ]


def describe(rows: list[dict], info: dict) -> str:
    """The generated part of the docs section: machine, table, and where the time goes."""
    lines = [machine_line(info), "", markdown_table(rows), ""]
    for r in rows:
        parts = [
            f"- {r['database']}: {r['procedures']} procedures, {r['queries']} queries "
            f"({r['queries_with_hits']} with results), {r['n']} timed requests;",
            f"mean {r['mean']:.1f} ms, max {r['max']:.1f} ms;",
            f"raw SQL p50 {r['raw_p50']:.2f} ms, p95 {r['raw_p95']:.2f} ms;",
        ]
        if r.get("selector_p95") is not None:
            parts.append(
                f"ORM selector alone p50 {r['selector_p50']:.2f} ms, "
                f"p95 {r['selector_p95']:.2f} ms;"
            )
        parts.append(f"opening a connection p50 {r['connect_p50']:.2f} ms.")
        if r["count_mismatches"]:
            parts.append(f"**Count mismatch ORM vs raw SQL** for {r['count_mismatches']}.")
        lines.append(" ".join(parts))
    return "\n".join(lines)


BENCHMARK = register(
    Benchmark(
        name="catalog_search",
        title="Catalog search",
        script=Path(__file__).resolve(),
        goal_ms=GOAL_MS,
        defaults={"procedures": 2000, "queries": 200, "repeat": 3, "target": "auto"},
        describe=describe,
    )
)

if __name__ == "__main__":
    worker_main(BENCHMARK, measure)
