"""Searchable PDF/A from a scan: ocrmypdf with Tesseract's Vietnamese data, as its own process.

`run(src, dst, pages=...)` calls the `ocrmypdf` command (MOTCUA_OCRMYPDF_COMMAND; by default
`python -m ocrmypdf` of this environment) on one PDF and returns the text it recognised:

- `-l vie` (MOTCUA_OCR_LANGUAGE), `--output-type pdfa --pdfa-backend internal` (PDF/A-2b
  declared and checked by pikepdf's validator, no Ghostscript: Debian 12's Ghostscript 10.0.0
  is one ocrmypdf refuses for pages that keep their text, and a scan's pages pass without it),
  `--rotate-pages` (a page scanned upside down; no `--deskew`: Tesseract reads a page a few
  degrees off, and ocrmypdf's deskew fails on a blank page), `--mode skip` (a page that
  already has text, an exported PDF, is kept as it is, and its own text is read with
  pdfminer and put where the sidecar says "[OCR skipped on page(s) ...]": a born-digital
  PDF's words are not re-recognised from pixels, nor left out);
- a file that cannot be made PDF/A without Ghostscript (an exported PDF whose fonts are not
  embedded: ocrmypdf's exit status 10) is done again as a plain searchable PDF, and
  `OcrResult.pdfa` is "" so the screen does not claim PDF/A;
- pages run MOTCUA_OCR_JOBS at a time inside ocrmypdf, one page image in memory per job, so a
  200-page scan costs time, not memory; the whole run is killed (its process group, Tesseract
  included) after 60 s + MOTCUA_OCR_SECONDS_PER_PAGE per page, which is also Tesseract's limit
  for one page;
- progress: the plugin `ocr_progress.py` prints "MOTCUA-PROGRESS done/total" on stderr; a
  reader thread keeps the latest figure and the caller's `progress(done)` is called from the
  calling thread (the one holding the database connection) at most every half second.

Failures are `OcrFailed` with a code the screens translate (`missing`: the command or
Tesseract is not installed; `timeout`; `error`: anything else, with ocrmypdf's last line of
explanation as the detail). No personal data is logged: only codes and exit statuses.
"""

from __future__ import annotations

import collections
import logging
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from django.conf import settings
from pdfminer.high_level import extract_text

from .ocr_progress import MARK

log = logging.getLogger(__name__)
PLUGIN = Path(__file__).with_name("ocr_progress.py")
MISSING_DEPENDENCY = 3  # ocrmypdf's exit code when Tesseract or Ghostscript is absent
PDFA_FAILED = 10  # ocrmypdf's exit code when the output cannot be made PDF/A
BASE_SECONDS = 60
POLL_SECONDS = 0.5


class OcrFailed(Exception):
    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.detail = detail[:500]


@dataclass(frozen=True)
class OcrResult:
    text: str
    pdfa: str  # the PDF/A part and conformance the output declares, e.g. "2B"; "" if none
    seconds: float


def command() -> list[str]:
    configured = settings.MOTCUA_OCRMYPDF_COMMAND.split()
    return configured or [sys.executable, "-m", "ocrmypdf"]


def arguments(src: Path, dst: Path, sidecar: Path, *, pdfa: bool = True) -> list[str]:
    """The options both the pipeline and the benchmark's plain command use."""
    output = ["--output-type", "pdfa", "--pdfa-backend", "internal"] if pdfa else []
    return [
        "-l",
        settings.MOTCUA_OCR_LANGUAGE,
        *(output or ["--output-type", "pdf"]),
        "--mode",
        "skip",
        "--rotate-pages",
        "--jobs",
        str(settings.MOTCUA_OCR_JOBS),
        "--tesseract-timeout",
        str(settings.MOTCUA_OCR_SECONDS_PER_PAGE),
        "--sidecar",
        str(sidecar),
        str(src),
        str(dst),
    ]


def time_limit(pages: int) -> int:
    return BASE_SECONDS + max(pages, 1) * settings.MOTCUA_OCR_SECONDS_PER_PAGE


SKIPPED = re.compile(r"\[OCR skipped on page\(s\) (\d+)(?:-(\d+))?\]")


def own_text(path: Path, pages: range) -> str:
    """The text a born-digital PDF already carries on `pages` (0-based), read by pdfminer
    (ocrmypdf's own text reader); "" when it cannot be read. Pages ocrmypdf skipped because
    they have text get theirs from here instead of an empty OCR."""
    try:
        return extract_text(str(path), page_numbers=list(pages)).strip()
    except Exception:  # noqa: BLE001  pdfminer raises many kinds on odd files; text is a bonus
        log.warning("own text of a PDF could not be read")
        return ""


def _with_own_text(raw: str, source: Path) -> str:
    """ocrmypdf's sidecar with each "[OCR skipped on page(s) a-b]" replaced by those pages'
    own text (pages keep their order: scanned pages' OCR, text pages' own words)."""

    def own(match: re.Match) -> str:
        first = int(match[1])
        last = int(match[2] or first)
        return own_text(source, range(first - 1, last))

    return SKIPPED.sub(own, raw)


def _clean_text(raw: str) -> str:
    """The sidecar without ocrmypdf's markers for skipped pages, and no form feeds."""
    lines = [
        line
        for line in raw.replace("\f", "\n").splitlines()
        if not line.startswith("[OCR skipped on page")
    ]
    return "\n".join(lines).strip()


def pdfa_of(path: Path) -> str:
    """The PDF/A declaration of a file's XMP metadata ("2B"), "" when it declares none."""
    try:
        with pikepdf.open(path) as pdf:
            return pdf.open_metadata().pdfa_status or ""
    except (pikepdf.PdfError, OSError, ValueError):
        return ""


def run(
    src: Path, dst: Path, *, pages: int, progress: Callable[[int], None] | None = None
) -> OcrResult:
    started = time.monotonic()
    try:
        text = _run_once(src, dst, pages=pages, progress=progress, pdfa=True)
    except OcrFailed as exc:
        if exc.code != "pdfa":
            raise
        text = _run_once(src, dst, pages=pages, progress=progress, pdfa=False)
    return OcrResult(text=text, pdfa=pdfa_of(dst), seconds=time.monotonic() - started)


def _run_once(
    src: Path, dst: Path, *, pages: int, progress: Callable[[int], None] | None, pdfa: bool
) -> str:
    sidecar = dst.with_suffix(".txt")
    cmd = [*command(), "--plugin", str(PLUGIN), *arguments(src, dst, sidecar, pdfa=pdfa)]
    started = time.monotonic()
    try:
        proc = subprocess.Popen(  # our own command line, no shell
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="replace",
            start_new_session=True,  # a timeout kills Tesseract too, not only ocrmypdf
        )
    except OSError as exc:  # FileNotFoundError, PermissionError: not installed
        log.warning("OCR command cannot start: %s", type(exc).__name__)
        raise OcrFailed("missing", type(exc).__name__) from exc

    latest = [0]
    tail: collections.deque[str] = collections.deque(maxlen=30)

    def read() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            if line.startswith(MARK):
                done, _sep, _total = line[len(MARK) :].strip().partition("/")
                if done.isdigit():
                    latest[0] = int(done)
            elif line.strip():
                tail.append(line.strip())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    deadline = started + time_limit(pages)
    told = 0
    while True:
        try:
            proc.wait(timeout=POLL_SECONDS)
            break
        except subprocess.TimeoutExpired:
            if time.monotonic() > deadline:
                with_group = getattr(os, "killpg", None)
                if with_group is not None:
                    with_group(proc.pid, signal.SIGKILL)
                else:  # pragma: no cover - not POSIX
                    proc.kill()
                proc.wait()
                reader.join(timeout=5)
                log.warning("OCR killed after %s s", time_limit(pages))
                raise OcrFailed("timeout", f"{time_limit(pages)} s") from None
        if progress is not None and latest[0] != told:
            told = latest[0]
            progress(told)
    reader.join(timeout=5)
    if progress is not None and latest[0] != told:
        progress(latest[0])
    if proc.returncode != 0:
        detail = next((line for line in reversed(tail) if "error" in line.lower()), "")
        detail = detail or (tail[-1] if tail else "")
        log.warning("OCR failed with exit status %s", proc.returncode)
        code = {MISSING_DEPENDENCY: "missing", PDFA_FAILED: "pdfa"}.get(proc.returncode, "error")
        raise OcrFailed(code, f"ocrmypdf {proc.returncode}: {detail}")
    try:
        raw = sidecar.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return _clean_text(_with_own_text(raw, dst))
