"""Use cases that change state: signing a result and storing it for public verification.

Signing and storing are two steps so that a signed file can never outlive a failed change:

- `sign()` is pure (PDF bytes in, a `SignedPdf` out): slow pyHanko work, no row, no file, so
  it runs before any transaction and holds no lock.
- `store()` creates the `SignedDocument` row and its audit event in the *caller's* transaction
  (e.g. together with the dossier's approval) and writes the file at once.

Storage is not transactional, so the caller opens `atomic_with_files()` instead of a bare
`transaction.atomic()`: when that (outermost) transaction ends, every file written inside it
whose row did not commit is deleted. We write first and delete on rollback rather than write on
commit: a crash between commit and an on-commit write would leave a committed, publicly
verifiable document without its file (the one legal copy, which cannot be re-signed
byte-identically), while a crash between the write and the clean-up only leaves a stray file.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.urls import reverse
from django.utils import timezone

from motcua.core import audit, links

from . import pki, signing
from .models import DocumentSignature, SignedDocument, new_verification_code

log = logging.getLogger(__name__)
WrongPin = pki.WrongPin  # the signer's PIN does not open the key: ask again
needs_pin = pki.needs_pin
personal_signing_available = pki.personal_signing_available  # the signer's own certificate

MAX_TITLE = SignedDocument._meta.get_field("title").max_length
# Files written inside the current `atomic_with_files()` block: (model, field name, storage, name)
_WRITTEN: contextvars.ContextVar[list | None] = contextvars.ContextVar(
    "motcua_documents_written", default=None
)


def verification_url(code: str) -> str:
    """The absolute address printed in the QR code: MOTCUA_PUBLIC_BASE_URL + /xac-thuc/<code>/."""
    return links.public_url(reverse("documents:verify_code", kwargs={"code": code}))


@dataclass(frozen=True)
class SignatureFacts:
    """One signature of a signed PDF, in order: who, with which certificate."""

    kind: str  # DocumentSignature.Kind
    field_name: str
    signer_name: str
    certificate_subject: str
    certificate_serial: str
    signer_id: int | None = None


@dataclass(frozen=True)
class SignedPdf:
    """A signed PDF held in memory, not stored yet: what `store()` needs to keep it."""

    content: bytes
    verification_code: str
    unit_id: int
    signer_name: str
    signed_at: dt.datetime
    certificate_subject: str
    certificate_serial: str
    signatures: tuple[SignatureFacts, ...] = ()

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def sign(
    *,
    unit,
    pdf_bytes: bytes,
    signer_name: str,
    location: str = "",
    reason: str = signing.DEFAULT_REASON,
    pin: str = "",
    person=None,
    on_page: int = 0,
) -> SignedPdf:
    """Sign `pdf_bytes` with `unit`'s certificate; writes nothing (call it outside transactions).

    With `person` (the leader or certifying officer, a user), that person signs first with
    their own certificate and the unit's seal signature follows (decisions/0035), when personal
    certificates are available (always in development; in production once
    MOTCUA_PERSONAL_P12_PATH is set, else the unit signs alone as before).
    The verification code printed in the stamp is drawn here (80 random bits; the unique
    constraint on the row is the guard against the 2^-80 collision).
    Raises `signing.SigningError` if the input is not a PDF.
    """
    signer = pki.get_signer(unit, pin=pin)
    person_signer = pki.get_personal_signer(person, pin=pin) if person is not None else None
    code = new_verification_code()
    content = signing.sign_pdf(
        pdf_bytes,
        unit=unit,
        signer_name=signer_name,
        location=location or unit.name,
        reason=reason,
        verification_url=verification_url(code),
        verification_code=code,
        signer=signer,
        person_signer=person_signer,
        on_page=on_page,
    )
    cert = signer.signing_cert
    assert cert is not None  # sign_pdf above signed with it
    facts: list[SignatureFacts] = []
    if person_signer is not None:
        person_cert = person_signer.signing_cert
        assert person_cert is not None
        facts.append(
            SignatureFacts(
                kind=DocumentSignature.Kind.PERSON,
                field_name=signing.PERSON_FIELD_NAME,
                signer_name=signer_name,
                certificate_subject=person_cert.subject.human_friendly[:400],
                certificate_serial=format(person_cert.serial_number, "x"),
                signer_id=person.pk,
            )
        )
    facts.append(
        SignatureFacts(
            kind=DocumentSignature.Kind.ORGANIZATION,
            field_name=signing.UNIT_FIELD_NAME_AFTER_PERSON if facts else signing.FIELD_NAME,
            signer_name=unit.name,
            certificate_subject=cert.subject.human_friendly[:400],
            certificate_serial=format(cert.serial_number, "x"),
        )
    )
    return SignedPdf(
        signatures=tuple(facts),
        content=content,
        verification_code=code,
        unit_id=unit.pk,
        signer_name=signer_name,
        signed_at=timezone.now(),
        certificate_subject=cert.subject.human_friendly[:400],
        certificate_serial=format(cert.serial_number, "x"),
    )


def track_file(fieldfile: FieldFile) -> None:
    """Have the enclosing `atomic_with_files()` delete this just-written file if its row does
    not commit (for files other apps write in the same transaction, e.g. a dossier's copy)."""
    written = _WRITTEN.get()
    if written is None:
        raise RuntimeError("track_file() must run inside documents.services.atomic_with_files()")
    if fieldfile.name:
        written.append(
            (type(fieldfile.instance), fieldfile.field.name, fieldfile.storage, fieldfile.name)
        )


@contextmanager
def atomic_with_files() -> Iterator[None]:
    """`transaction.atomic(durable=True)` that also takes back the files written inside it.

    Durable (outermost) so that leaving the block normally means "committed". Afterwards each
    tracked file whose row is not in the database (rolled back, or dropped by an inner
    savepoint) is deleted; after an exception all of them are.
    """
    written: list = []
    token = _WRITTEN.set(written)
    committed = False
    try:
        with transaction.atomic(durable=True):
            yield
        committed = True
    finally:
        _WRITTEN.reset(token)
        _discard_orphans(written, committed=committed)


def _discard_orphans(written: list, *, committed: bool) -> None:
    for model, field_name, storage, name in written:
        try:
            if committed and model._default_manager.filter(**{field_name: name}).exists():
                continue
            storage.delete(name)
        except Exception:  # never hide the original error; a stray file only costs disk
            log.exception("could not remove file %s of a change that did not commit", name)


def store(
    signed: SignedPdf,
    *,
    actor,
    title: str,
    object_type: str = "",
    object_id: str | int = "",
) -> SignedDocument:
    """Keep a signed PDF: its row and the `document.signed` audit event in the caller's
    transaction, its file written now and removed again if that transaction does not commit.

    Must run inside `atomic_with_files()`.
    """
    written = _WRITTEN.get()
    if written is None:
        raise RuntimeError("store() must run inside documents.services.atomic_with_files()")
    title = title.strip()[:MAX_TITLE]
    document = SignedDocument(
        verification_code=signed.verification_code,
        unit_id=signed.unit_id,
        title=title,
        sha256=signed.sha256,
        size=len(signed.content),
        signed_at=signed.signed_at,
        signer_name=signed.signer_name,
        certificate_subject=signed.certificate_subject,
        certificate_serial=signed.certificate_serial,
        object_type=object_type,
        object_id=str(object_id),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    document.file.save(f"{signed.verification_code}.pdf", ContentFile(signed.content), save=False)
    track_file(document.file)
    document.save(force_insert=True)
    DocumentSignature._default_manager.bulk_create(
        DocumentSignature(
            document=document,
            position=position,
            kind=fact.kind,
            field_name=fact.field_name,
            signer_name=fact.signer_name[:150],
            certificate_subject=fact.certificate_subject,
            certificate_serial=fact.certificate_serial,
            signer_id=fact.signer_id,
        )
        for position, fact in enumerate(signed.signatures, start=1)
    )
    audit.record(
        action="document.signed",
        obj=document,
        actor=actor,
        unit=signed.unit_id,
        changes={
            "title": title,
            "signer_name": signed.signer_name,
            "sha256": document.sha256,
            "certificate_serial": document.certificate_serial,
            "signatures": [
                {"kind": f.kind, "serial": f.certificate_serial} for f in signed.signatures
            ],
            "object": f"{object_type}:{object_id}" if object_type else "",
        },
    )
    return document


def sign_and_store(
    *,
    actor,
    unit,
    pdf_bytes: bytes,
    title: str,
    signer_name: str,
    object_type: str = "",
    object_id: str = "",
    location: str = "",
    reason: str = signing.DEFAULT_REASON,
    person=None,
) -> SignedDocument:
    """`sign()` then `store()` in a transaction of its own: for a signature that changes
    nothing else. A caller that must change its own rows with it uses the two steps."""
    signed = sign(
        unit=unit,
        pdf_bytes=pdf_bytes,
        signer_name=signer_name,
        location=location,
        reason=reason,
        person=person,
    )
    with atomic_with_files():
        return store(signed, actor=actor, title=title, object_type=object_type, object_id=object_id)
