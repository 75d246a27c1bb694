"""OCR of counter scans: pages per minute through the pipeline against the plain command (issue 13).

Each round makes a new image-only scan of N generated Vietnamese pages (tests/scans.py: DejaVu at
300 dpi, turned 2-2.5 degrees, speckled; the speckles differ per round, so no upload is a
duplicate) and OCRs it twice, in alternating order so background load hits both alike:

- **pipeline**: what the counter does, timed from the officer's upload to the component holding
  its searchable PDF/A: `dossiers.services.attach_component_scan` (content checks, SHA-256,
  the original stored, the scan row, audit) whose commit runs the huey task `ocr_scan_task`
  (inline: huey in immediate mode) -> `scanning.process_scan`: `begin_scan`, the original
  copied out of the storage, ocrmypdf with the progress plugin and the progress written to the
  database page by page, `finish_scan` (the PDF/A stored, the component updated, audit).
- **baseline**: the plain `python -m ocrmypdf` command on the same file with the same options
  (`documents.ocr.arguments`: -l vie, PDF/A-2b by pikepdf, --rotate-pages, --mode skip,
  MOTCUA_OCR_JOBS jobs, sidecar text), nothing else.

The goal is a pipeline overhead under 10 %: ratio (pipeline / plain, per round's p95) < 1.10.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import (
    Benchmark,
    machine_line,
    make_row,
    markdown_table,
    register,
    worker_main,
)

GOAL_RATIO = 1.10


def _plain(data: bytes) -> float:
    from motcua.documents import ocr

    with tempfile.TemporaryDirectory(prefix="bench-ocr-") as work:
        src, dst = Path(work) / "in.pdf", Path(work) / "out.pdf"
        src.write_bytes(data)
        cmd = [*ocr.command(), *ocr.arguments(src, dst, dst.with_suffix(".txt"))]
        started = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        return time.perf_counter() - started


def _pipeline(world, dossier, data: bytes, round_no: int) -> float:
    from django.core.files.base import ContentFile
    from huey.contrib.djhuey import HUEY

    from motcua.dossiers import services
    from motcua.dossiers.models import Scan

    component = dossier.components.first()
    HUEY.immediate = True
    started = time.perf_counter()
    scan = services.attach_component_scan(
        world.officer,
        component_id=component.pk,
        files=[ContentFile(data, name=f"quet-{round_no}.pdf")],
    )
    seconds = time.perf_counter() - started
    scan.refresh_from_db()
    if scan.state != Scan.State.DONE or "Ủy ban nhân dân" not in scan.text:
        raise RuntimeError(f"pipeline round {round_no}: {scan.state} {scan.error_detail}")
    return seconds


def measure(params: dict) -> list[dict]:
    from io import StringIO

    from django.core.management import call_command

    from bench.common import database_label
    from tests import scans
    from tests.dossiers.factories import make_world, receive

    call_command("load_calendar", stdout=StringIO())
    world = make_world()
    dossier = receive(world)
    pages, rounds = int(params["pages"]), int(params["rounds"])
    pipeline_s: list[float] = []
    plain_s: list[float] = []
    for r in range(rounds + 1):  # round 0 warms the caches (Tesseract's data, imports)
        data = scans.scan_pdf(pages, seed=100 + r)
        if r % 2 == 0:
            a = _pipeline(world, dossier, data, r)
            b = _plain(data)
        else:
            b = _plain(data)
            a = _pipeline(world, dossier, data, r)
        if r > 0:
            pipeline_s.append(a)
            plain_s.append(b)
    row = make_row(
        benchmark=BENCHMARK.name,
        database=database_label(),
        target=f"{pages}-page scan to PDF/A",
        samples_ms=[s * 1000 for s in pipeline_s],
        raw_samples_ms=[s * 1000 for s in plain_s],
        goal_ms=None,
        extra={
            "pages": pages,
            "rounds": rounds,
            "pipeline_ppm": 60 * pages * rounds / sum(pipeline_s),
            "plain_ppm": 60 * pages * rounds / sum(plain_s),
            "mean_ratio": sum(pipeline_s) / sum(plain_s),
            "cores": params.get("cores", ""),
        },
    )
    row["passed"] = row["mean_ratio"] < GOAL_RATIO
    print(
        f"OCR {pages} pages x {rounds} rounds on {row['database']}: pipeline "
        f"{row['pipeline_ppm']:.1f} pages/min, plain ocrmypdf {row['plain_ppm']:.1f} pages/min, "
        f"ratio {row['mean_ratio']:.3f} (goal < {GOAL_RATIO:.2f})",
        file=sys.stderr,
    )
    return [row]


def describe(rows: list[dict], info: dict) -> str:
    lines = [machine_line(info), "", markdown_table(rows), ""]
    lines += [
        "| database | pages x rounds | pipeline (pages/min) | plain ocrmypdf (pages/min) "
        "| ratio (time) | overhead | goal < 10 % |",
        "|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {r['database']} | {r['pages']} x {r['rounds']} | {r['pipeline_ppm']:.1f} | "
        f"{r['plain_ppm']:.1f} | {r['mean_ratio']:.3f} | {100 * (r['mean_ratio'] - 1):+.1f} % | "
        f"{'yes' if r['passed'] else 'NO'} |"
        for r in rows
    ]
    return "\n".join(lines)


BENCHMARK = register(
    Benchmark(
        name="ocr",
        title="OCR of counter scans: pipeline against plain ocrmypdf",
        script=Path(__file__).resolve(),
        goal_ms=None,
        defaults={"pages": 4, "rounds": 3},
        describe=describe,
    )
)

if __name__ == "__main__":
    worker_main(BENCHMARK, measure)
