"""The worker's side of a counter scan: take it, OCR it, file the result (decisions/0037).

`process_scan(scan_id)` is what the huey task `tasks.ocr_scan_task` runs: `services.begin_scan`
(QUEUED -> PROCESSING, so a task delivered twice works once), the stored original copied to a
temporary folder, `documents.ocr.run` (ocrmypdf in its own process, page by page, progress
written as it goes through `services.scan_progress`), then `services.finish_scan` with the
searchable PDF/A and its text, or `services.fail_scan` with the reason. The database is not
held while OCR runs: each step is its own short transaction.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path

from django.core.files import File

from motcua.core.files import StoredFileMissing, open_stored
from motcua.documents import ocr

from . import services
from .models import Scan

log = logging.getLogger(__name__)
ERRORS = {
    "missing": Scan.Error.OCR_MISSING,
    "timeout": Scan.Error.TIMEOUT,
    "error": Scan.Error.OCR_ERROR,
}


def process_scan(scan_id: int) -> Scan | None:
    scan = services.begin_scan(scan_id=scan_id)
    if scan is None:
        return None
    work = Path(tempfile.mkdtemp(prefix="motcua-ocr-"))
    try:
        src, dst = work / "in.pdf", work / "out.pdf"
        try:
            with open_stored(scan.original) as stored, src.open("wb") as out:
                shutil.copyfileobj(stored, out, 1024 * 1024)
        except StoredFileMissing:
            return services.fail_scan(scan_id=scan_id, error=Scan.Error.FILE_MISSING)
        try:
            result = ocr.run(
                src,
                dst,
                pages=scan.pages_total,
                progress=lambda done: services.scan_progress(scan_id=scan_id, pages_done=done),
            )
        except ocr.OcrFailed as exc:
            return services.fail_scan(
                scan_id=scan_id, error=ERRORS.get(exc.code, Scan.Error.OCR_ERROR), detail=exc.detail
            )
        with dst.open("rb") as made:
            return services.finish_scan(
                scan_id=scan_id,
                ocr_pdf=File(made, name="ocr.pdf"),
                text=result.text,
                pdfa=result.pdfa,
            )
    except Exception as exc:  # never leave a scan "processing" forever (logged)
        log.exception("scan processing failed unexpectedly")
        return services.fail_scan(
            scan_id=scan_id, error=Scan.Error.OCR_ERROR, detail=type(exc).__name__
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
