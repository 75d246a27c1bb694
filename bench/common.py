"""The small framework every benchmark plugs into.

A benchmark is a module in bench/ that calls `register(...)` at import time (no Django import
at module level) and, run as a script, calls `worker_main(measure)`. `bench/run.py` runs each
benchmark once per database in a subprocess, because Django binds DATABASES when settings are
imported: the subprocess gets DATABASE_URL and MOTCUA_VAR_DIR, migrates the fresh database,
measures, and prints its rows as JSON on the last stdout line. run.py collects the rows, prints
one table and rewrites the benchmark's block in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
DOCS_FILE = PROJECT_DIR / "docs" / "benchmarks.md"
JSON_MARK = "BENCH-JSON:"


# --- registry ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Benchmark:
    """What run.py needs to know to run a benchmark and file its numbers."""

    name: str  # also the docs marker: <!-- bench:NAME -->
    title: str  # heading of its section in docs/benchmarks.md
    script: Path  # run as `python script --json --param k=v ...`
    goal_ms: float | None  # p95 goal; None means "report only"
    defaults: dict[str, int | str] = field(default_factory=dict)
    describe: Callable[[list[dict], dict], str] | None = None  # markdown for the docs block


REGISTRY: dict[str, Benchmark] = {}


def register(benchmark: Benchmark) -> Benchmark:
    REGISTRY[benchmark.name] = benchmark
    return benchmark


# --- statistics ----------------------------------------------------------------------------
def percentile(samples: Iterable[float], pct: float) -> float:
    """Linear-interpolated percentile (numpy's default), so p95 of 200 samples is stable."""
    values = sorted(samples)
    if not values:
        raise ValueError("percentile of no samples")
    if not 0 <= pct <= 100:
        raise ValueError("pct must be within 0..100")
    rank = (len(values) - 1) * pct / 100
    low, high = math.floor(rank), math.ceil(rank)
    return values[low] + (values[high] - values[low]) * (rank - low)


def summarize(samples_ms: list[float]) -> dict[str, float]:
    return {
        "n": len(samples_ms),
        "p50": percentile(samples_ms, 50),
        "p95": percentile(samples_ms, 95),
        "p99": percentile(samples_ms, 99),
        "mean": sum(samples_ms) / len(samples_ms),
        "max": max(samples_ms),
    }


def timed_ms(fn: Callable[[], object]) -> float:
    start = time.perf_counter_ns()
    fn()
    return (time.perf_counter_ns() - start) / 1e6


# --- result rows and the table -------------------------------------------------------------
def make_row(
    *,
    benchmark: str,
    database: str,
    target: str,
    samples_ms: list[float],
    raw_samples_ms: list[float] | None,
    goal_ms: float | None,
    extra: dict | None = None,
) -> dict:
    """One table row; `ratio` compares p95s measured in the same process on the same data."""
    stats = summarize(samples_ms)
    raw = summarize(raw_samples_ms) if raw_samples_ms else None
    row = {
        "benchmark": benchmark,
        "database": database,
        "target": target,
        **stats,
        "raw_p50": raw["p50"] if raw else None,
        "raw_p95": raw["p95"] if raw else None,
        "ratio": stats["p95"] / raw["p95"] if raw and raw["p95"] > 0 else None,
        "goal_ms": goal_ms,
        "passed": None if goal_ms is None else stats["p95"] < goal_ms,
    }
    row.update(extra or {})
    return row


COLUMNS = ["benchmark", "database", "n", "p50", "p95", "p99", "raw p95", "ratio", "goal", "pass?"]


def _fmt(value: float | None, spec: str = ".1f") -> str:
    return "-" if value is None else format(value, spec)


def row_cells(row: dict) -> list[str]:
    goal = row.get("goal_ms")
    passed = row.get("passed")
    return [
        f"{row['benchmark']} ({row['target']})",
        row["database"],
        str(row["n"]),
        _fmt(row["p50"]),
        _fmt(row["p95"]),
        _fmt(row["p99"]),
        _fmt(row.get("raw_p95"), ".2f"),
        "-" if row.get("ratio") is None else f"{row['ratio']:.1f}x",
        "-" if goal is None else f"< {goal:g} ms",
        "-" if passed is None else ("yes" if passed else "NO"),
    ]


def format_table(rows: list[dict]) -> str:
    """Fixed-width table for the terminal; times in ms."""
    cells = [COLUMNS] + [row_cells(r) for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(len(COLUMNS))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) for line in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def markdown_table(rows: list[dict]) -> str:
    header = [
        c if c in {"benchmark", "database", "n", "ratio", "goal", "pass?"} else f"{c} (ms)"
        for c in COLUMNS
    ]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row_cells(r)) + " |" for r in rows]
    return "\n".join(lines)


# --- machine description -------------------------------------------------------------------
def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def load_average() -> str:
    """1-minute load average: on a shared 2-core machine it says how much to trust a run."""
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except OSError:
        return "unknown"


def machine_info(db_versions: dict[str, str], load_before: str = "") -> dict[str, str]:
    """What a reader needs to compare numbers across runs: cores, CPU, versions, date, load."""
    import django

    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load": f"{load_before or '?'} before, {load_average()} after",
        "cores": str(os.cpu_count()),
        "cpu": _cpu_model(),
        "python": platform.python_version(),
        "django": django.get_version(),
        **db_versions,
    }


def machine_line(info: dict[str, str]) -> str:
    dbs = ", ".join(f"{k} {v}" for k, v in info.items() if k in {"SQLite", "PostgreSQL"})
    return (
        f"Run {info['date']} on {info['cores']} cores ({info['cpu']}), Python {info['python']}, "
        f"Django {info['django']}, {dbs}; load average {info['load']}."
    )


# --- docs ----------------------------------------------------------------------------------
def update_docs_block(text: str, name: str, title: str, body: str) -> str:
    """Replace the block between <!-- bench:NAME --> and <!-- /bench:NAME -->, or append it."""
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    block = f"{start}\n{body.strip()}\n{end}"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.DOTALL)
    if pattern.search(text):
        return pattern.sub(lambda _m: block, text, count=1)
    return text.rstrip() + f"\n\n## {title}\n\n{block}\n"


def write_docs(name: str, title: str, body: str, path: Path = DOCS_FILE) -> None:
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(update_docs_block(text, name, title, body), encoding="utf-8")


# --- the worker side (runs inside the subprocess, one database) ------------------------------
def parse_params(pairs: list[str], defaults: dict[str, int | str]) -> dict[str, int | str]:
    """`-p procedures=50` overrides a default, keeping its type; unknown keys are an error."""
    params = dict(defaults)
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or key not in defaults:
            raise SystemExit(f"unknown parameter {pair!r}; known: {', '.join(defaults)}")
        params[key] = int(value) if isinstance(defaults[key], int) else value
    return params


def setup_django_fresh_db() -> str:
    """Import settings (binding DATABASE_URL), migrate the empty database, return its vendor."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
    src = str(PROJECT_DIR / "src")
    if src not in sys.path:
        sys.path.insert(0, src)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)
    return connection.vendor


def database_label() -> str:
    from django.db import connection

    if connection.vendor == "sqlite":
        return "SQLite"
    if connection.vendor == "postgresql":
        return "PostgreSQL"
    return connection.vendor


def database_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sqlite_version()")
        else:
            cursor.execute("SHOW server_version")
        return str(cursor.fetchone()[0]).split(" ")[0]


def worker_main(benchmark: Benchmark, measure: Callable[[dict], list[dict]]) -> None:
    """Entry point of `python bench/<name>.py --json -p k=v`: fresh DB, measure, print rows."""
    parser = argparse.ArgumentParser(description=benchmark.title)
    parser.add_argument("--json", action="store_true", help="print rows as JSON (for run.py)")
    parser.add_argument("-p", "--param", action="append", default=[], metavar="KEY=VALUE")
    args = parser.parse_args()
    params = parse_params(args.param, benchmark.defaults)
    setup_django_fresh_db()
    rows = measure(params)
    payload = {"rows": rows, "db_version": {database_label(): database_version()}}
    if args.json:
        print(JSON_MARK + json.dumps(payload), flush=True)
    else:
        print(format_table(rows))


def run_worker(
    benchmark: Benchmark, *, env: dict[str, str], params: list[str], timeout: int
) -> dict:
    """Run one benchmark in a subprocess against the database in `env`; return its payload."""
    cmd = [sys.executable, str(benchmark.script), "--json"]
    for pair in params:
        cmd += ["-p", pair]
    proc = subprocess.run(
        cmd, env=env, cwd=PROJECT_DIR, capture_output=True, text=True, timeout=timeout, check=False
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{benchmark.name} failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(JSON_MARK):
            return json.loads(line[len(JSON_MARK) :])
    raise RuntimeError(f"{benchmark.name} printed no result:\n{proc.stdout[-2000:]}")
