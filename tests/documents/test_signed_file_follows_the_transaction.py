"""A signed result is kept only if the change it belongs to commits: signing writes nothing,
storing writes the row and the file in the caller's transaction, and a rollback takes the
file away again (storage is not transactional, `atomic_with_files` makes up for it)."""

from pathlib import Path

import pytest
from django.db import transaction

from motcua.core.models import AuditEvent
from motcua.documents import services
from motcua.documents.models import SignedDocument
from motcua.documents.verification import verify_pdf

pytestmark = pytest.mark.django_db


def files_on_disk(settings) -> set[str]:
    root = Path(settings.MEDIA_ROOT)
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def signed(commune, result_pdf):
    return services.sign(unit=commune, pdf_bytes=result_pdf, signer_name="Lê Văn Hùng")


def test_signing_alone_writes_nothing_and_storing_keeps_row_file_and_audit(signed, settings):
    assert signed.content.startswith(b"%PDF-") and len(signed.verification_code) == 16
    assert not SignedDocument.objects.exists()
    assert files_on_disk(settings) == set()
    assert not AuditEvent.objects.filter(action="document.signed").exists()

    with services.atomic_with_files():
        document = services.store(signed, actor=None, title="Giấy xác nhận tình trạng hôn nhân")

    assert files_on_disk(settings) == {document.file.name}
    with document.file.open("rb") as fh:
        assert fh.read() == signed.content
    assert document.sha256 == signed.sha256
    assert verify_pdf(signed.content).document == document
    assert AuditEvent.objects.filter(action="document.signed", object_id=str(document.pk)).exists()


def test_a_change_that_fails_after_storing_leaves_no_row_and_no_file(signed, settings):
    with pytest.raises(RuntimeError), services.atomic_with_files():
        services.store(signed, actor=None, title="Kết quả")
        raise RuntimeError("the dossier's transition failed")
    assert not SignedDocument.objects.exists()
    assert not AuditEvent.objects.filter(action="document.signed").exists()
    assert files_on_disk(settings) == set()
    assert verify_pdf(signed.content).document is None  # not "issued here" any more


def test_a_store_undone_by_an_inner_savepoint_loses_its_file_though_the_block_commits(
    signed, settings
):
    with services.atomic_with_files():
        try:
            with transaction.atomic():
                services.store(signed, actor=None, title="Kết quả")
                raise ValueError("the inner step failed and was handled")
        except ValueError:
            pass
    assert not SignedDocument.objects.exists()
    assert files_on_disk(settings) == set()


def test_store_outside_atomic_with_files_is_refused_before_writing(signed, settings):
    with pytest.raises(RuntimeError, match="atomic_with_files"):
        services.store(signed, actor=None, title="Kết quả")
    assert not SignedDocument.objects.exists()
    assert files_on_disk(settings) == set()


def test_atomic_with_files_must_be_the_outermost_transaction():
    """Durable: leaving the block must mean "committed", else a later rollback of an outer
    transaction would leave the file behind."""
    # pytest-django's own test transaction does not count; a real outer block does
    with transaction.atomic(), pytest.raises(RuntimeError), services.atomic_with_files():
        pass
