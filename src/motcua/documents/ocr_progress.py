"""An ocrmypdf plugin (loaded by path with `--plugin`, in ocrmypdf's own process): it reports
the pages of the OCR step as "MOTCUA-PROGRESS done/total" lines on stderr, which
`documents.ocr.run` reads to move the counter screen's progress bar. No Django here."""

from __future__ import annotations

import sys

from ocrmypdf import hookimpl

MARK = "MOTCUA-PROGRESS"


class PageProgress:
    """ocrmypdf's progress-bar protocol; only the "OCR" step (one unit per page) is told.
    ocrmypdf passes disable=True when stderr is not a terminal: reported all the same."""

    def __init__(self, *, total=None, desc=None, unit=None, disable=False, **kwargs) -> None:
        self.total = total
        self.desc = desc
        self.done = 0.0

    def __enter__(self) -> PageProgress:
        self._tell()
        return self

    def __exit__(self, *exc) -> bool:
        return False

    def update(self, n: float = 1, *, completed: float | None = None) -> None:
        self.done = completed if completed is not None else self.done + n
        self._tell()

    def _tell(self) -> None:
        if self.desc == "OCR" and self.total:
            sys.stderr.write(f"{MARK} {int(self.done)}/{int(self.total)}\n")
            sys.stderr.flush()


@hookimpl
def get_progressbar_class():
    return PageProgress
