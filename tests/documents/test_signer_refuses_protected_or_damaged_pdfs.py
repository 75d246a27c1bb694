"""The signer reads a PDF the way the upload check does: a password-protected (even owner-only)
or damaged file is refused with a reason staff can read, before any key is used, and nothing is
recorded. The same check (`documents.pdfs.check_pdf`) guards every PDF upload."""

import pytest

from motcua.core.models import AuditEvent
from motcua.documents import pdfs
from motcua.documents.models import SignedDocument
from motcua.documents.services import sign_and_store
from motcua.documents.signing import SigningError
from tests.pdfs import encrypted_pdf, tiny_pdf, truncated_pdf


@pytest.mark.parametrize(
    ("make", "code", "reason"),
    [
        (lambda pdf: encrypted_pdf(pdf, owner_password="o"), "encrypted", "mật khẩu"),
        (
            lambda pdf: encrypted_pdf(pdf, owner_password="o", user_password="u"),
            "encrypted",
            "mã hóa",
        ),
        (truncated_pdf, "damaged", "tệp bị hỏng"),
        (lambda pdf: pdf.replace(b"/Count 1", b"/Count 0"), "no_pages", "không có trang"),
        (lambda pdf: b"<html>", "not_pdf", "không phải là văn bản PDF"),
    ],
    ids=["owner-only", "user-password", "truncated", "no-pages", "html"],
)
def test_a_file_the_signer_cannot_sign_is_refused_with_its_reason(commune, make, code, reason):
    bad = make(tiny_pdf())
    with pytest.raises(pdfs.PdfRefused) as refused:
        pdfs.check_pdf(bad)
    assert refused.value.code == code and reason in refused.value.message
    with pytest.raises(SigningError) as failed:
        sign_and_store(actor=None, unit=commune, pdf_bytes=bad, title="x", signer_name="A")
    assert reason in failed.value.reason
    assert not SignedDocument.objects.exists()
    assert not AuditEvent.objects.filter(action="document.signed").exists()


def test_a_plain_pdf_passes_the_check_and_is_signed(commune, result_pdf):
    for pdf in (tiny_pdf(), result_pdf):
        pdfs.check_pdf(pdf)
    signed = sign_and_store(
        actor=None, unit=commune, pdf_bytes=tiny_pdf(), title="Kết quả", signer_name="A"
    )
    pdfs.check_pdf(signed.file.read())  # what we issue is itself a PDF we would accept
