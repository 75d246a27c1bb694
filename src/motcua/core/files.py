"""Stored files (scans, letters, results) opened for a download: a file the database names but
the storage no longer has (a failed restore, a disk swapped) is a clear Vietnamese 404 page,
"the file is recorded but cannot be read, ask the administrator", never a 500."""

from __future__ import annotations

import logging

from django.http import Http404

log = logging.getLogger(__name__)


class StoredFileMissing(Http404):
    """A row points at a file the storage cannot open; `core.views.page_not_found` answers it
    with errors/file_missing.html."""


def open_stored(fieldfile, mode: str = "rb"):
    """`fieldfile.open(mode)`, or StoredFileMissing when the storage cannot give the file."""
    try:
        return fieldfile.open(mode)
    except OSError as exc:  # FileNotFoundError, a permission or disk error
        log.warning("stored file unreadable: %s (%s)", fieldfile.name, type(exc).__name__)
        raise StoredFileMissing(fieldfile.name) from exc


def read_stored(fieldfile) -> bytes:
    """The whole stored file, or StoredFileMissing."""
    with open_stored(fieldfile) as handle:
        return handle.read()
