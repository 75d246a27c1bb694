"""Use cases that change state: signing a result and storing it for public verification."""

import hashlib

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from motcua.core import audit

from . import pki, signing
from .models import SignedDocument, new_verification_code

MAX_TITLE = SignedDocument._meta.get_field("title").max_length


def verification_url(code: str) -> str:
    """The absolute address printed in the QR code: MOTCUA_PUBLIC_BASE_URL + /xac-thuc/<code>/."""
    base = str(settings.MOTCUA_PUBLIC_BASE_URL).rstrip("/")
    return base + reverse("documents:verify_code", kwargs={"code": code})


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
) -> SignedDocument:
    """Sign `pdf_bytes` with `unit`'s certificate, keep the signed file and audit it.

    The slow signing happens before the transaction; the row and its audit event commit together.
    Raises `signing.SigningError` if the input is not a PDF.
    """
    title = title.strip()[:MAX_TITLE]
    signer = pki.get_signer(unit)
    code = new_verification_code()
    while SignedDocument.objects.filter(verification_code=code).exists():  # 2^-96: paranoia
        code = new_verification_code()
    signed = signing.sign_pdf(
        pdf_bytes,
        unit=unit,
        signer_name=signer_name,
        location=location or unit.name,
        reason=reason,
        verification_url=verification_url(code),
        verification_code=code,
        signer=signer,
    )
    cert = signer.signing_cert
    document = SignedDocument(
        verification_code=code,
        unit=unit,
        title=title,
        sha256=hashlib.sha256(signed).hexdigest(),
        size=len(signed),
        signed_at=timezone.now(),
        signer_name=signer_name,
        certificate_subject=cert.subject.human_friendly[:400],
        certificate_serial=format(cert.serial_number, "x"),
        object_type=object_type,
        object_id=str(object_id),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    document.file.save(f"{code}.pdf", ContentFile(signed), save=False)
    try:
        with transaction.atomic():
            document.save(force_insert=True)
            audit.record(
                action="document.signed",
                obj=document,
                actor=actor,
                unit=unit,
                changes={
                    "title": title,
                    "signer_name": signer_name,
                    "sha256": document.sha256,
                    "certificate_serial": document.certificate_serial,
                    "object": f"{object_type}:{object_id}" if object_type else "",
                },
            )
    except BaseException:
        document.file.delete(save=False)  # no row, no file: storage is not transactional
        raise
    return document
