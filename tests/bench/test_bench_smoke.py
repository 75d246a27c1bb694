"""`make bench` must not rot: a tiny catalog search run on SQLite still yields a timed row."""

import re

import pytest

from bench import run
from bench.common import percentile, update_docs_block


@pytest.mark.slow
def test_tiny_catalog_search_bench_prints_a_row_with_timings(capsys):
    code = run.main(
        [
            "--only", "catalog_search",
            "--databases", "sqlite",
            "-p", "procedures=50",
            "-p", "queries=20",
            "-p", "repeat=1",
            "--no-docs",
        ]
    )  # fmt: skip

    out = capsys.readouterr().out
    assert code == 0, out
    row = next(line for line in out.splitlines() if line.startswith("catalog_search ("))
    cells = re.split(r"\s{2,}", row.strip())
    _benchmark, database, n, p50, p95, p99, raw_p95, ratio, goal, passed = cells
    assert database == "SQLite"
    assert int(n) == 20
    assert 0 < float(p50) <= float(p95) <= float(p99)
    assert float(raw_p95) > 0
    assert ratio.endswith("x") and float(ratio[:-1]) > 0
    assert goal == "< 30 ms" and passed in {"yes", "NO"}


def test_docs_block_is_replaced_in_place_and_other_sections_kept():
    text = (
        "# Benchmarks\n\n## Catalog search\n\nHow it is measured.\n\n"
        "<!-- bench:catalog_search -->\nold numbers\n<!-- /bench:catalog_search -->\n\n"
        "## Ticket issuance\n\n<!-- bench:tickets -->\nkeep\n<!-- /bench:tickets -->\n"
    )

    updated = update_docs_block(text, "catalog_search", "Catalog search", "new numbers")

    assert "new numbers" in updated and "old numbers" not in updated
    assert "How it is measured." in updated and "keep" in updated
    assert updated.count("## Catalog search") == 1


def test_docs_block_of_a_new_benchmark_is_appended_under_its_heading():
    updated = update_docs_block("# Benchmarks\n", "worklist", "Dossier worklist", "rows")

    assert updated.endswith(
        "## Dossier worklist\n\n<!-- bench:worklist -->\nrows\n<!-- /bench:worklist -->\n"
    )


def test_percentile_interpolates_like_numpy():
    samples = list(range(1, 101))  # 1..100 ms

    assert percentile(samples, 50) == pytest.approx(50.5)
    assert percentile(samples, 95) == pytest.approx(95.05)
    assert percentile([7.0], 99) == 7.0
    with pytest.raises(ValueError):
        percentile([], 95)


def _tiny_run(capsys, name: str, *params: str) -> list[list[str]]:
    """Run one benchmark tiny on SQLite; return its table rows split into cells."""
    argv = ["--only", name, "--databases", "sqlite", "--no-docs"]
    for pair in params:
        argv += ["-p", pair]
    code = run.main(argv)
    out = capsys.readouterr().out
    assert code == 0, out
    rows = [line for line in out.splitlines() if line.startswith(f"{name} (")]
    assert rows, out
    return [re.split(r"\s{2,}", r.strip()) for r in rows]


@pytest.mark.slow
def test_tiny_worklist_bench_times_every_tab_against_raw_sql(capsys):
    rows = _tiny_run(capsys, "dossier_worklists", "sqlite_dossiers=1000", "repeat=1")

    labels = {cells[0] for cells in rows}
    for tab in ("mine", "due_soon", "overdue", "awaiting_supplement", "awaiting_signature"):
        assert f"dossier_worklists (selector {tab})" in labels
    for _label, database, n, p50, p95, p99, raw_p95, _ratio, goal, _passed in rows:
        assert database == "SQLite" and int(n) >= 1
        assert 0 < float(p50) <= float(p95) <= float(p99) and float(raw_p95) > 0
        assert goal in {"< 50 ms", "-"}


@pytest.mark.slow
def test_tiny_transition_bench_reports_transitions_per_second(capsys):
    rows = _tiny_run(
        capsys,
        "dossier_transitions",
        "dossiers=3000",
        "dossiers_per_worker=3",
        "per_worker=8",
        "rounds=1",
    )

    assert len(rows) == 2  # all workers in one commune, then one commune each
    for row, where in zip(rows, ("one commune", "2 communes"), strict=True):
        (label, database, n, *_rest) = row
        assert database == "SQLite" and int(n) == 16  # 2 workers x 8 transitions
        assert where in label and re.search(r"; \d+/s vs raw \d+/s\)$", label), label


@pytest.mark.slow
def test_tiny_ticket_bench_reports_tickets_per_second(capsys):
    rows = _tiny_run(capsys, "ticket_issuance", "per_worker=10", "rounds=1")

    (label, database, n, *_rest) = rows[0]
    assert database == "SQLite" and int(n) == 20  # 2 workers x 10 tickets
    assert re.search(r"; \d+/s vs raw \d+/s\)$", label), label


@pytest.mark.slow
def test_tiny_online_filing_bench_times_the_step_and_the_submission(capsys):
    rows = _tiny_run(capsys, "online_filing", "citizens=2")

    assert [cells[0] for cells in rows] == [
        "online_filing (POST e-form step nguoi_duoc_khai_sinh)",
        "online_filing (POST submission)",
    ]
    for _label, database, n, p50, p95, _p99, raw_p95, ratio, _goal, _passed in rows:
        assert database == "SQLite" and int(n) == 2
        assert 0 < float(p50) <= float(p95) and float(raw_p95) > 0 and ratio.endswith("x")
