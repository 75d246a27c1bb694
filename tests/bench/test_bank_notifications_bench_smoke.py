"""`make bench`'s bank notification benchmark must not rot: a tiny run on SQLite yields its row
(notifications per second against the raw-SQL baseline) and credits every attempt once."""

import re

import pytest

from bench import run


@pytest.mark.slow
def test_tiny_bank_notification_bench_reports_notifications_per_second(capsys):
    argv = ["--only", "bank_notifications", "--databases", "sqlite", "--no-docs"]
    for pair in ("per_worker=10", "rounds=1", "dossiers=20", "communes=2"):
        argv += ["-p", pair]
    code = run.main(argv)
    out = capsys.readouterr().out
    assert code == 0, out
    rows = [line for line in out.splitlines() if line.startswith("bank_notifications (")]
    assert len(rows) == 1, out
    label, database, n, *_rest = re.split(r"\s{2,}", rows[0].strip())
    assert database == "SQLite" and int(n) == 20  # 2 workers x 10 notifications
    assert re.search(r"2 communes; \d+/s vs raw \d+/s\)$", label), label
