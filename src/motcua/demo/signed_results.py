"""A handful of demo results signed for real, so a newcomer can verify one on /xac-thuc/.

The six-month history (`motcua.demo.dossiers`) points every result at one placeholder PDF:
signing its ~2,700 results would take minutes. Here the few most recently returned dossiers of
a demo commune whose result the history marks as signed get a real result paper (laid out like
the standard papers), signed by `documents.services.sign` and kept by `store`, the two calls
`dossiers.services.approve_and_sign` makes; their result document then holds the signed file.

Signed at load time with the development certificates of whoever the history says produced the
result (their personal signature first) and of the unit (its seal signature, decisions/0035); a
signature cannot be back-dated, so the stamps show the load time.
The QR in each stamp holds MOTCUA_PUBLIC_BASE_URL as it was then, and a signed file never
changes: when `make run` later serves another address, the next load signs a fresh handful for
it (the earlier ones stay valid, by upload or by code). One `demo.results_signed` audit event
per batch records the address and the codes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from motcua.core import audit, links
from motcua.core.models import AuditEvent, Unit
from motcua.demo.dossiers import PLACEHOLDER
from motcua.demo.services import demo_logins_allowed
from motcua.documents import services as documents
from motcua.documents.models import SignedDocument
from motcua.dossiers.models import Dossier, DossierDocument, Status
from motcua.dossiers.papers import from_dossier
from motcua.dossiers.papers import render as papers

COUNT = 3  # each costs ~0.3 s (the first ~4 s: the stamp font and pango load once)
ACTION = "demo.results_signed"
OBJECT_TYPE = "dossiers.dossier"


@dataclass
class SignedResults:
    unit: Unit
    documents: list[SignedDocument] = field(default_factory=list)
    base_url: str = ""
    skipped: bool = False  # already signed for this address
    refused: bool = False  # DJANGO_SECURE=1: no demo data on a real system


@dataclass(frozen=True)
class Sample:
    """What `make run` prints to try tracking and verification on a real demo dossier."""

    dossier_code: str
    id_digits: str  # last 4 digits of the applicant's ID number: the tracking form asks them
    verification_code: str


def _latest_batch(unit: Unit) -> AuditEvent | None:
    return AuditEvent.objects.filter(action=ACTION, unit=unit).order_by("-id").first()


def candidates(unit: Unit, count: int):
    """Result documents of returned dossiers, marked signed, still pointing at the placeholder."""
    return (
        DossierDocument.objects.filter(
            kind=DossierDocument.Kind.RESULT,
            signed=True,
            file=PLACEHOLDER,
            dossier__status=Status.RETURNED,
            dossier__receiving_unit=unit,
            dossier__competent_unit=unit,
        )
        .select_related("dossier", "created_by")
        .order_by("-dossier__returned_at", "-pk")[:count]
    )


def result_pdf(dossier: Dossier, *, signer_name: str) -> bytes:
    """The result paper of `dossier` (illustrative wording, said so on the page) as PDF/A."""
    context = {
        "d": {"agency": from_dossier.agency(dossier.competent_unit)},
        "date_line": papers.date_line(
            from_dossier.locality(dossier.competent_unit),
            dossier.finished_at or dossier.submitted_at,
        ),
        "number": f"{dossier.code.rsplit('-', 1)[-1]}/KQ",
        "code": dossier.code,
        "procedure_name": dossier.procedure_name,
        "applicant_name": dossier.applicant_name,
        "applicant_address": dossier.applicant_address,
        "received_text": papers.official_datetime(dossier.received_at or dossier.submitted_at),
        "signer_name": signer_name,
    }
    with translation.override("vi"):
        html = render_to_string("demo/result.html", context)
    return papers.html_to_pdf(html)


def sign_results(*, unit: Unit, count: int = COUNT) -> SignedResults:
    """Sign `count` demo results of `unit` for the current public base URL, unless done."""
    base_url = links.public_url("/")
    result = SignedResults(unit=unit, base_url=base_url)
    if not demo_logins_allowed():
        result.refused = True
        return result
    last = _latest_batch(unit)
    if last is not None and last.changes.get("base_url") == base_url:
        codes = last.changes.get("documents", [])
        result.documents = list(SignedDocument.objects.filter(verification_code__in=codes))
        if result.documents:
            result.skipped = True
            return result
    for document in candidates(unit, count):
        dossier = document.dossier
        signer = document.created_by
        signer_name = (signer.full_name or signer.username) if signer else unit.name
        signed = documents.sign(
            unit=dossier.competent_unit,
            pdf_bytes=result_pdf(dossier, signer_name=signer_name),
            signer_name=signer_name,
            person=signer,  # the leader's own signature first, then the unit's seal
        )
        with documents.atomic_with_files():
            stored = documents.store(
                signed,
                actor=None,  # the demo loader, not the leader: the audit log says so
                title=f"{dossier.procedure_name} - {dossier.code}",
                object_type=OBJECT_TYPE,
                object_id=dossier.pk,
            )
            document.file.save(f"{dossier.code}-ky-so.pdf", ContentFile(signed.content), save=False)
            documents.track_file(document.file)
            document.note = f"Kết quả đã ký số, mã xác thực {signed.verification_code}"
            document.save(update_fields=["file", "note"])
        result.documents.append(stored)
    if result.documents:
        with transaction.atomic():
            audit.record(
                action=ACTION,
                object_type=OBJECT_TYPE,
                unit=unit,
                changes={
                    "base_url": base_url,
                    "documents": [d.verification_code for d in result.documents],
                    "note": "kết quả minh họa ký số thật lúc nạp dữ liệu mẫu",
                },
            )
    return result


def summary_line(result: SignedResults) -> str:
    """One Vietnamese line for `load_demo`."""
    name = result.unit.name
    if result.refused:
        return f"Kết quả ký số mẫu {name}: không tạo khi DJANGO_SECURE=1."
    if result.skipped:
        return f"Kết quả ký số mẫu {name}: {len(result.documents)} văn bản đã có, giữ nguyên."
    if not result.documents:
        return f"Kết quả ký số mẫu {name}: chưa có hồ sơ đã trả kết quả để ký."
    return (
        f"Kết quả ký số mẫu {name}: {len(result.documents)} văn bản ký số thật, mã QR dẫn đến "
        f"{result.base_url}xac-thuc/…"
    )


def sample() -> Sample | None:
    """The most recently signed dossier result, to try tracking and verifying it."""
    document = (
        SignedDocument.objects.filter(object_type=OBJECT_TYPE).order_by("-signed_at", "-pk").first()
    )
    if document is None:
        return None
    dossier = Dossier.objects.filter(pk=document.object_id).first()
    if dossier is None or not dossier.applicant_id_number:
        return None
    return Sample(
        dossier_code=dossier.code,
        id_digits=re.sub(r"[^0-9]", "", dossier.applicant_id_number)[-4:],
        verification_code=document.verification_code,
    )
