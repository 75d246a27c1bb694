"""`make bench`'s service index benchmark must not rot: a tiny run on SQLite times the full index
against the hand-written GROUP BY baseline, finds the engine's numerators and denominators equal
to the baseline's for every unit, month and indicator, and times the leader's dashboard."""

import re

import pytest

from bench import run


@pytest.mark.slow
def test_tiny_service_index_bench_times_the_engine_against_equal_sql_and_the_dashboard(capsys):
    argv = ["--only", "service_index", "--databases", "sqlite", "--no-docs"]
    for pair in ("sqlite_dossiers=3000", "units=4", "repeat=1", "dash_repeat=2", "profile=0"):
        argv += ["-p", pair]

    code = run.main(argv)

    out = capsys.readouterr().out
    assert code == 0, out
    assert "WARNING service_index" not in out, out  # the engine and the SQL agree
    rows = [
        re.split(r"\s{2,}", line.strip())
        for line in out.splitlines()
        if line.startswith("service_index (")
    ]
    assert [r[0] for r in rows] == [
        "service_index (full index 4 units x 12 months)",
        "service_index (dashboard, commune leader, cache off)",
        "service_index (dashboard, commune leader, cache on)",
        "service_index (dashboard, province leader, rank of 4, cache off)",
        "service_index (dashboard, province leader, rank of 4, cache on)",
    ], out
    _label, database, n, p50, p95, _p99, raw_p95, ratio, goal, _passed = rows[0]
    assert database == "SQLite" and int(n) == 1
    assert 0 < float(p50) <= float(p95) and float(raw_p95) > 0 and ratio.endswith("x")
    assert goal == "< 2000 ms"
    for _label, _db, n, p50, _p95, _p99, _raw, _ratio, goal, _passed in rows[1:]:
        assert int(n) == 2 and float(p50) > 0 and goal == "< 200 ms"
