"""Expiring signed links to a dossier's stored files: component scans and dossier papers.

A link is made for one user and one file (`TimestampSigner`, `MOTCUA_FILE_LINK_SECONDS`,
10 minutes by default): it carries the user, the dossier, what the file belongs to (a
component or a document) and the stored file's name. Opening it checks, in this order, the
signature and its age, that the person opening it is the one it was made for, that this person
may still see the dossier now (`selectors.get_for_staff`: another unit's staff get 404), and
that the row still holds that very file. A link copied into a chat, kept past ten minutes,
or edited by hand is refused with a Vietnamese page; a stored file that has gone missing gives
a clear page too, never a 500.
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "motcua.dossiers.file-link"
COMPONENT, DOCUMENT = "c", "d"
# what a stored scan may be served as; everything else is a download, never rendered inline
INLINE_TYPES = {
    b"%PDF-": "application/pdf",
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
}


class LinkRefused(Exception):
    """The link cannot be honoured: `expired` tells an old link from a forged one."""

    def __init__(self, *, expired: bool = False) -> None:
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


@dataclass(frozen=True)
class FileRef:
    user_id: int
    dossier_id: int
    owner: str  # COMPONENT or DOCUMENT
    owner_id: int
    name: str  # the stored file's name when the link was made


def max_age() -> int:
    return settings.MOTCUA_FILE_LINK_SECONDS


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=SALT)


def make_token(user, dossier_id: int, owner: str, owner_id: int, name: str) -> str:
    payload = {"u": user.pk, "d": dossier_id, "o": owner, "i": owner_id, "f": name}
    return _signer().sign_object(payload, compress=True)


def read_token(token: str) -> FileRef:
    """The reference a token carries; LinkRefused when it is forged, damaged or too old."""
    try:
        data = _signer().unsign_object(token, max_age=max_age())
    except signing.SignatureExpired as exc:
        raise LinkRefused(expired=True) from exc
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise LinkRefused from exc
    try:
        ref = FileRef(
            user_id=int(data["u"]),
            dossier_id=int(data["d"]),
            owner=str(data["o"]),
            owner_id=int(data["i"]),
            name=str(data["f"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise LinkRefused from exc
    if ref.owner not in (COMPONENT, DOCUMENT):
        raise LinkRefused
    return ref


def url_for(user, dossier_id: int, owner: str, row) -> str:
    token = make_token(user, dossier_id, owner, row.pk, row.file.name)
    return reverse("dossiers:dossier_file", args=[dossier_id, token])


def preview_kind(name: str) -> str:
    """How the page previews a stored file, from its name: "pdf", "image" or ""."""
    guessed, _enc = mimetypes.guess_type(name or "")
    if guessed == "application/pdf":
        return "pdf"
    if guessed in ("image/jpeg", "image/png"):
        return "image"
    return ""


def sniff(head: bytes) -> str | None:
    """The content type of a scan from its first bytes, or None if it is none we render."""
    for magic, content_type in INLINE_TYPES.items():
        if head.startswith(magic):
            return content_type
    return None


def attach_links(user, dossier_id: int, owner: str, rows) -> list:
    """The rows with `file_url` (a signed link, "" without a file), `preview` and
    `link_minutes` (how long the link works) set."""
    rows = list(rows)
    minutes = max(1, max_age() // 60)
    for row in rows:
        row.link_minutes = minutes
        has_file = bool(row.file)
        row.file_url = url_for(user, dossier_id, owner, row) if has_file else ""
        row.preview = preview_kind(row.file.name) if has_file else ""
    return rows
