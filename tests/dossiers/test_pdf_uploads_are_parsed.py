"""A PDF is judged by parsing it, the way the signer will read it, not by its first bytes.

A result protected by a password, even an owner password alone (it opens without asking, but is
encrypted), or a damaged file used to be accepted as the draft result; the leader then
confirmed "approve and sign" and got a 500. Now the upload is refused with a Vietnamese
message, and a draft stored before this check (or gone from the storage) makes approve-and-sign
answer 409 with the reason, signing nothing and changing nothing.
"""

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.documents.models import SignedDocument
from motcua.dossiers import services
from motcua.dossiers.models import DossierDocument, Status
from tests.pdfs import encrypted_pdf, tiny_pdf, truncated_pdf

from .factories import drive_to

pytestmark = pytest.mark.django_db

PDF = tiny_pdf("Giay khai sinh")
OWNER_ONLY = encrypted_pdf(PDF, owner_password="chu-so-huu")
USER_PASSWORD = encrypted_pdf(PDF, owner_password="chu-so-huu", user_password="mo-tep")
PROTECTED = "Tệp PDF đang đặt mật khẩu hoặc mã hóa"
DAMAGED = "Không đọc được tệp PDF: tệp bị hỏng hoặc không đầy đủ."


@pytest.fixture(scope="module")
def _pki_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("pki")


@pytest.fixture(autouse=True)
def dev_pki(_pki_dir, settings, monkeypatch):
    settings.MOTCUA_PKI_DIR = str(_pki_dir)
    settings.MOTCUA_PUBLIC_BASE_URL = "https://motcua.example.vn"
    for name in ("MOTCUA_SIGNING_P12_PATH", "MOTCUA_SIGNING_P12_PASSWORD", "MOTCUA_TRUST_ROOTS"):
        monkeypatch.delenv(name, raising=False)


def act(pk, action) -> str:
    return f"/can-bo/ho-so/{pk}/thao-tac/{action}/"


@pytest.mark.parametrize(
    ("content", "message"),
    [(OWNER_ONLY, PROTECTED), (USER_PASSWORD, PROTECTED), (truncated_pdf(PDF), DAMAGED)],
    ids=["owner-password-only", "user-password", "truncated"],
)
def test_a_protected_or_damaged_result_is_refused_at_upload(client, world, content, message):
    d = drive_to(world, Status.AWAITING_APPROVAL)
    client.force_login(world.specialist)
    upload = SimpleUploadedFile("ket-qua.pdf", content, content_type="application/pdf")
    r = client.post(act(d.pk, "attach_result"), {"version": d.version, "file": upload})
    assert r.status_code == 400
    assert message in r.content.decode()
    assert not d.documents.filter(kind=DossierDocument.Kind.RESULT).exists()


def test_a_protected_stop_letter_is_refused_and_the_dossier_goes_on(client, world):
    d = drive_to(world, Status.PROCESSING)
    client.force_login(world.specialist)
    letter = SimpleUploadedFile("thong-bao.pdf", OWNER_ONLY, content_type="application/pdf")
    r = client.post(
        act(d.pk, "stop"), {"version": d.version, "reason": "Tranh chấp", "letter": letter}
    )
    assert r.status_code == 400 and PROTECTED in r.content.decode()
    d.refresh_from_db()
    assert d.status == Status.PROCESSING


def test_a_plain_pdf_result_is_accepted_and_signed(client, world):
    d = drive_to(world, Status.AWAITING_APPROVAL)
    client.force_login(world.specialist)
    upload = SimpleUploadedFile("ket-qua.pdf", PDF, content_type="application/pdf")
    assert (
        client.post(act(d.pk, "attach_result"), {"version": d.version, "file": upload}).status_code
        == 302
    )
    client.force_login(world.leader)
    r = client.post(act(d.pk, "approve_sign"), {"version": d.version, "confirm": "on"})
    assert r.status_code == 302
    assert SignedDocument.objects.count() == 1


def _stored_draft(world, content: bytes):
    """A draft kept before uploads were parsed: attached through the service directly."""
    d = drive_to(world, Status.AWAITING_APPROVAL)
    services.attach_document(
        world.specialist,
        dossier_id=d.pk,
        kind=DossierDocument.Kind.RESULT,
        file=ContentFile(content, name="ket-qua.pdf"),
    )
    d.refresh_from_db()
    return d


@pytest.mark.parametrize(
    ("content", "message"),
    [(OWNER_ONLY, PROTECTED), (truncated_pdf(PDF), DAMAGED), (b"%PDF-1.4\n", DAMAGED)],
    ids=["owner-password-only", "truncated", "header-only"],
)
def test_approve_and_sign_of_a_stored_bad_draft_is_a_409_that_changes_nothing(
    client, world, content, message
):
    d = _stored_draft(world, content)
    client.force_login(world.leader)
    r = client.post(act(d.pk, "approve_sign"), {"version": d.version, "confirm": "on"})
    assert r.status_code == 409
    html = r.content.decode()
    assert "Không ký số được văn bản kết quả." in html and message in html
    assert "đính kèm lại văn bản kết quả" in html
    d.refresh_from_db()
    assert d.status == Status.AWAITING_APPROVAL and not d.result_signed
    assert not d.events.filter(action="approve").exists()
    assert not SignedDocument.objects.exists()


def test_approve_and_sign_of_a_draft_gone_from_the_storage_is_a_409(client, world):
    d = _stored_draft(world, PDF)
    draft = d.documents.get(kind=DossierDocument.Kind.RESULT)
    draft.file.storage.delete(draft.file.name)
    client.force_login(world.leader)
    r = client.post(act(d.pk, "approve_sign"), {"version": d.version, "confirm": "on"})
    assert r.status_code == 409
    assert "Không đọc được tệp dự thảo kết quả trong kho lưu trữ" in r.content.decode()
    d.refresh_from_db()
    assert d.status == Status.AWAITING_APPROVAL and not SignedDocument.objects.exists()
