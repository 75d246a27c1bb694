"""bench/ocr.py is found by `make bench` and files its figures as pages per minute and a ratio
against the plain command (the OCR run itself is measured by `make bench`, not here: ~2 s a
page; the pipeline it times is tested in tests/dossiers/test_counter_scans.py)."""

from bench import run
from bench.common import REGISTRY


def test_the_ocr_bench_is_registered_and_describes_pages_per_minute_and_the_ratio():
    run.discover()
    bench = REGISTRY["ocr"]
    row = {
        "benchmark": "ocr",
        "database": "SQLite",
        "target": "4-page scan to PDF/A",
        "n": 3,
        "p50": 9000.0,
        "p95": 9500.0,
        "p99": 9600.0,
        "raw_p95": 9100.0,
        "ratio": 1.04,
        "goal_ms": None,
        "passed": True,
        "pages": 4,
        "rounds": 3,
        "pipeline_ppm": 26.1,
        "plain_ppm": 27.0,
        "mean_ratio": 1.034,
    }
    info = {"date": "2026-12-07", "cpu": "x", "cores": "2", "python": "3.11", "django": "5.2"}
    text = bench.describe([row], {**info, "load": "1.0"})
    assert "| SQLite | 4 x 3 | 26.1 | 27.0 | 1.034 | +3.4 % | yes |" in text
