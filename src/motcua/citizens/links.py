"""Expiring signed links to a citizen's signed result and the papers of their dossier.

The citizen's equivalent of `dossiers.file_links`: a link is made for one citizen account and
one stored file (the dossier, the document row and the stored file's name) and carries its own
expiry, stamped from the app's clock (`timezone.now`, so a frozen clock in tests moves it too):
`MOTCUA_CITIZEN_FILE_LINK_SECONDS`, 5 minutes by default. Opening it checks, in this order, the
signature, the expiry, that the person opening it is the citizen it was made for, that the
dossier is still theirs (`selectors.my_dossier`: the applicant's citizen ID) and that the row
still holds that very file and is one a citizen may have (`selectors.downloadable`). A link sent
to someone else, kept too long or edited by hand is refused; the file is never public.

A link names either a document row (`DossierDocument`: the result, a paper addressed to them)
or, for "Giấy tờ của tôi", one of the components they filed (`DossierComponent` with a file):
the payload's "k" says which ("c" for a component; absent for a document, as links made before
it existed).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from motcua.dossiers.file_links import LinkRefused  # the staff links' refusal, one for both

SALT = "motcua.citizens.file-link"


@dataclass(frozen=True)
class FileRef:
    user_id: int
    dossier_id: int
    document_id: int
    name: str
    expires: int  # seconds since the epoch
    kind: str = "d"  # "d" a DossierDocument, "c" a DossierComponent


def lifetime() -> int:
    return max(1, settings.MOTCUA_CITIZEN_FILE_LINK_SECONDS)


def _signer() -> signing.Signer:
    return signing.Signer(salt=SALT)


def make_token(user, *, dossier_id: int, document_id: int, name: str, kind: str = "d") -> str:
    expires = int(timezone.now().timestamp()) + lifetime()
    payload = {"u": user.pk, "d": dossier_id, "i": document_id, "f": name, "e": expires}
    if kind == "c":
        payload["k"] = "c"
    return _signer().sign_object(payload, compress=True)


def read_token(token: str) -> FileRef:
    """The reference a token carries; LinkRefused when forged, damaged or past its expiry."""
    if not token or len(token) > 2000:
        raise LinkRefused
    try:
        data = _signer().unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError, UnicodeError) as exc:
        raise LinkRefused from exc
    try:
        ref = FileRef(
            user_id=int(data["u"]),
            dossier_id=int(data["d"]),
            document_id=int(data["i"]),
            name=str(data["f"]),
            expires=int(data["e"]),
            kind="c" if data.get("k") == "c" else "d",
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise LinkRefused from exc
    if timezone.now().timestamp() > ref.expires:
        raise LinkRefused(expired=True)
    return ref


def url_for(user, dossier, document) -> str:
    token = make_token(
        user, dossier_id=dossier.pk, document_id=document.pk, name=document.file.name
    )
    return reverse("citizens:dossier_file", args=[dossier.code, token])


def url_for_component(user, dossier, component) -> str:
    """The link to one component the citizen filed (a file kept on their dossier)."""
    token = make_token(
        user,
        dossier_id=dossier.pk,
        document_id=component.pk,
        name=component.file.name,
        kind="c",
    )
    return reverse("citizens:dossier_file", args=[dossier.code, token])
