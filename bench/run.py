"""`make bench`: every registered benchmark on a fresh SQLite file and a fresh PostgreSQL DB.

Prints one table and rewrites each benchmark's block in docs/benchmarks.md (only for a run with
default sizes on every database, so a quick `-p procedures=50` try never overwrites real numbers).
PostgreSQL comes from BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/motcua_bench);
the database is dropped and created for the run and dropped afterwards; when the server cannot
be reached the run says so and goes on with SQLite.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import shutil
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    BENCH_DIR,
    DOCS_FILE,
    PROJECT_DIR,
    REGISTRY,
    format_table,
    load_average,
    machine_info,
    machine_line,
    markdown_table,
    run_worker,
    write_docs,
)

DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/motcua_bench"
DATABASES = ("sqlite", "postgres")


def discover() -> None:
    """Import every bench/*.py but the framework, so each one registers itself."""
    for path in sorted(BENCH_DIR.glob("*.py")):
        if path.stem not in {"__init__", "common", "run"}:
            importlib.import_module(f"bench.{path.stem}")


def base_env(var_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("REDIS_URL", None)  # one machine, no Redis: the cache and huey stay local
    env.update(
        {
            "MOTCUA_VAR_DIR": str(var_dir),
            "DJANGO_SETTINGS_MODULE": "motcua.settings",
            "DJANGO_DEBUG": "0",  # DEBUG keeps every SQL string in memory: not production
            "API_ANON_RATE": "1000000/minute",  # the throttle would answer 429 mid-run
            # the benchmarks fork their workers after Django is set up, one connection each: a
            # pool made before the fork would be shared by the children (they hang on it)
            "DATABASE_POOL": "0",
            "PYTHONPATH": os.pathsep.join(
                p for p in (str(PROJECT_DIR / "src"), str(PROJECT_DIR), env.get("PYTHONPATH")) if p
            ),
        }
    )
    return env


def _pg_admin(url: str):
    """A connection to the server's maintenance database, to drop/create the bench DB."""
    import psycopg

    parts = urlsplit(url)
    return psycopg.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password,
        dbname="postgres",
        autocommit=True,
        connect_timeout=3,
    )


def pg_recreate(url: str, *, create: bool = True) -> None:
    """Drop the bench database (even with open sessions), then create it unless told not to."""
    from psycopg import sql

    name = sql.Identifier(urlsplit(url).path.lstrip("/"))
    with _pg_admin(url) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        if create:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(name))


def run_on(database: str, benchmark, params: list[str], timeout: int, keep: bool) -> dict | None:
    """One benchmark on one fresh database; None (with a printed reason) when it cannot run."""
    var_dir = Path(tempfile.mkdtemp(prefix=f"motcua-bench-{database}-"))
    env = base_env(var_dir)
    pg_url = os.environ.get("BENCH_POSTGRES_URL", DEFAULT_PG_URL)
    try:
        if database == "sqlite":
            env["DATABASE_URL"] = f"sqlite:///{var_dir / 'bench.sqlite3'}"
        else:
            try:
                pg_recreate(pg_url)
            except Exception as exc:  # noqa: BLE001  any reason PostgreSQL is unusable: skip it
                host = urlsplit(pg_url).netloc.rsplit("@", 1)[-1]
                print(
                    f"PostgreSQL: skipped, cannot reach {host} ({type(exc).__name__}: "
                    f"{str(exc).strip().splitlines()[0] if str(exc).strip() else exc!r})"
                )
                return None
            env["DATABASE_URL"] = pg_url
        print(f"{benchmark.name} on {database} ...", flush=True)
        return run_worker(benchmark, env=env, params=params, timeout=timeout)
    finally:
        if database == "postgres" and not keep:
            with contextlib.suppress(Exception):  # unreachable server: nothing to drop
                pg_recreate(pg_url, create=False)
        shutil.rmtree(var_dir, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    discover()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", choices=sorted(REGISTRY), help="benchmark")
    parser.add_argument("--databases", default=",".join(DATABASES), help="sqlite,postgres")
    parser.add_argument(
        "-p",
        "--param",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a benchmark parameter, e.g. -p procedures=50",
    )
    parser.add_argument("--no-docs", action="store_true", help="do not touch docs/benchmarks.md")
    parser.add_argument("--docs-file", type=Path, default=DOCS_FILE)
    parser.add_argument("--keep-db", action="store_true", help="leave motcua_bench in PostgreSQL")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a goal is missed")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds per benchmark run")
    args = parser.parse_args(argv)

    databases = [d.strip() for d in args.databases.split(",") if d.strip()]
    unknown = set(databases) - set(DATABASES)
    if unknown:
        parser.error(f"unknown database(s): {', '.join(sorted(unknown))}")
    selected = [REGISTRY[n] for n in (args.only or sorted(REGISTRY))]

    load_before = load_average()
    all_rows: list[dict] = []
    failures = 0
    skipped: set[str] = set()
    versions: dict[str, str] = {}
    per_benchmark: dict[str, list[dict]] = {}
    for benchmark in selected:
        for database in databases:
            try:
                payload = run_on(database, benchmark, args.param, args.timeout, args.keep_db)
            except Exception as exc:  # noqa: BLE001  one failed benchmark is counted, the rest run
                failures += 1
                print(f"{benchmark.name} on {database}: FAILED\n{exc}", file=sys.stderr)
                continue
            if payload is None:
                skipped.add(database)
                continue
            versions.update(payload["db_version"])
            per_benchmark.setdefault(benchmark.name, []).extend(payload["rows"])
            all_rows.extend(payload["rows"])

    if not all_rows:
        print("no benchmark produced numbers", file=sys.stderr)
        return 1
    info = machine_info(versions, load_before)
    print()
    print(machine_line(info))
    print(format_table(all_rows))
    print("times in ms; ratio = p95 of the Django side / p95 of its baseline (docs/benchmarks.md)")
    for row in all_rows:
        if row.get("count_mismatches"):
            print(
                f"WARNING {row['benchmark']} on {row['database']}: Django and raw SQL found "
                f"different counts for {row['count_mismatches']}"
            )

    complete = not args.param and set(databases) == set(DATABASES) and not failures and not skipped
    if args.no_docs:
        pass
    elif not complete:
        print(
            f"{args.docs_file.name} not updated: only a full run with default sizes on "
            "SQLite and PostgreSQL writes it"
        )
    else:
        for benchmark in selected:
            rows = per_benchmark.get(benchmark.name)
            if not rows:
                continue
            describe = benchmark.describe or (
                lambda rows, info: f"{machine_line(info)}\n\n{markdown_table(rows)}"
            )
            write_docs(benchmark.name, benchmark.title, describe(rows, info), args.docs_file)
        print(f"{args.docs_file} updated")

    missed = [r for r in all_rows if r.get("passed") is False]
    if failures:
        return 1
    return 1 if (args.strict and missed) else 0


if __name__ == "__main__":
    sys.exit(main())
