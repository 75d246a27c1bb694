"""A leader approves and e-signs the result from the dossier page: the stored signed file
verifies, the dossier is marked signed, and a refused attempt leaves no half state."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from weasyprint import HTML

from motcua.documents.models import SignedDocument
from motcua.documents.verification import verify_pdf
from motcua.dossiers.models import DossierDocument, Status

from .factories import drive_to

pytestmark = pytest.mark.django_db

RESULT_HTML = """<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"></head>
<body style="font-family: 'DejaVu Sans'"><h1>GIẤY KHAI SINH</h1>
<p>Họ và tên: Nguyễn Văn Bình, sinh ngày 02/11/2026.</p></body></html>"""


@pytest.fixture(scope="module")
def result_pdf() -> bytes:
    return HTML(string=RESULT_HTML).write_pdf()


@pytest.fixture(scope="module")
def _pki_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("pki")


@pytest.fixture(autouse=True)
def dev_pki(_pki_dir, settings):
    """A throw-away development PKI; never a configured production certificate."""
    settings.MOTCUA_PKI_DIR = str(_pki_dir)
    settings.MOTCUA_PUBLIC_BASE_URL = "https://motcua.example.vn"
    for name in (
        "MOTCUA_SIGNING_P12_PATH",
        "MOTCUA_SIGNING_P12_PASSWORD",
        "MOTCUA_PERSONAL_P12_PATH",
        "MOTCUA_TRUST_ROOTS",
    ):
        setattr(settings, name, "")


def act(pk, action) -> str:
    return f"/can-bo/ho-so/{pk}/thao-tac/{action}/"


def files_on_disk(settings) -> set[str]:
    """Every file under the media folder, relative to it."""
    root = Path(settings.MEDIA_ROOT)
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def upload_result(client, world, dossier, pdf_bytes):
    client.force_login(world.specialist)
    r = client.post(
        act(dossier.pk, "attach_result"),
        {"version": dossier.version, "file": SimpleUploadedFile("kq.pdf", pdf_bytes)},
    )
    assert r.status_code == 302, r.content.decode()[:1500]


def test_leader_approves_and_signs_the_result_which_then_verifies(
    client, world, result_pdf, settings
):
    d = drive_to(world, Status.AWAITING_APPROVAL)
    upload_result(client, world, d, result_pdf)
    before = files_on_disk(settings)
    client.force_login(world.leader)
    r = client.post(act(d.pk, "approve_sign"), {"version": d.version, "confirm": "on"}, follow=True)
    html = r.content.decode()
    assert r.status_code == 200
    assert "Đã phê duyệt và ký số văn bản kết quả." in html
    d.refresh_from_db()
    assert d.status == Status.APPROVED and d.result_signed
    signed = d.documents.get(kind=DossierDocument.Kind.RESULT, signed=True)
    with signed.file.open("rb") as fh:
        verdict = verify_pdf(fh.read())
    assert verdict.valid and verdict.issued_here
    assert verdict.document.signer_name == "Phạm Văn Lãnh"
    # the leader's own signature first, then the unit's seal over the whole file
    assert [(s.signer, s.kind, s.ok) for s in verdict.signatures] == [
        ("Phạm Văn Lãnh", "person", True),
        (d.competent_unit.name, "organization", True),
    ]
    assert verdict.signatures[1].covers_whole
    assert verdict.document.object_id == str(d.pk)
    assert f"/xac-thuc/{verdict.document.verification_code}/" in html
    assert d.events.filter(action="approve", actor=world.leader).count() == 1
    # the register's row and its file, and the dossier's copy: all kept
    stored = SignedDocument.objects.get()
    assert files_on_disk(settings) - before == {stored.file.name, signed.file.name}


def test_signing_closes_the_leaders_step_so_the_result_can_be_made_ready(client, world, result_pdf):
    d = drive_to(world, Status.PROCESSING)
    from motcua.dossiers import services

    services.submit_for_approval(world.specialist, dossier_id=d.pk)
    d.refresh_from_db()
    upload_result(client, world, d, result_pdf)
    client.force_login(world.leader)
    assert (
        client.post(act(d.pk, "approve_sign"), {"version": d.version, "confirm": "on"}).status_code
        == 302
    )
    assert not d.steps.filter(finished_at__isnull=True).exists()
    d.refresh_from_db()
    client.force_login(world.specialist)  # straight after signing, no step left to close
    r = client.post(act(d.pk, "mark_result_ready"), {"version": d.version})
    assert r.status_code == 302
    d.refresh_from_db()
    assert d.status == Status.RESULT_READY


def test_without_a_result_document_nothing_is_signed(client, world):
    d = drive_to(world, Status.AWAITING_APPROVAL)
    client.force_login(world.leader)
    r = client.post(act(d.pk, "approve_sign"), {"version": d.version, "confirm": "on"})
    assert r.status_code == 409
    assert "Chưa đính kèm văn bản kết quả" in r.content.decode()
    d.refresh_from_db()
    assert d.status == Status.AWAITING_APPROVAL and not d.result_signed
    assert not SignedDocument.objects.exists()


def test_a_specialist_cannot_approve_and_sign(client, world, result_pdf):
    d = drive_to(world, Status.AWAITING_APPROVAL)
    upload_result(client, world, d, result_pdf)
    r = client.post(act(d.pk, "approve_sign"), {"version": d.version, "confirm": "on"})
    assert r.status_code == 403
    assert not SignedDocument.objects.exists()
    d.refresh_from_db()
    assert d.status == Status.AWAITING_APPROVAL


def test_double_click_on_approve_and_sign_signs_once(client, world, result_pdf):
    d = drive_to(world, Status.AWAITING_APPROVAL)
    upload_result(client, world, d, result_pdf)
    client.force_login(world.leader)
    form = {"version": d.version, "confirm": "on"}
    assert client.post(act(d.pk, "approve_sign"), form).status_code == 302
    again = client.post(act(d.pk, "approve_sign"), form, follow=True)
    assert "đã được ghi nhận" in again.content.decode()
    assert SignedDocument.objects.count() == 1
    assert d.documents.filter(kind=DossierDocument.Kind.RESULT, signed=True).count() == 1


def test_stop_with_the_letter_ends_the_dossier(client, world, result_pdf):
    d = drive_to(world, Status.PROCESSING)
    client.force_login(world.specialist)
    letter = SimpleUploadedFile("thong-bao.pdf", result_pdf)
    r = client.post(
        act(d.pk, "stop"), {"version": d.version, "reason": "Có tranh chấp", "letter": letter}
    )
    assert r.status_code == 302
    d.refresh_from_db()
    assert d.status == Status.STOPPED
    assert d.documents.filter(kind=DossierDocument.Kind.STOP_LETTER).count() == 1


def test_a_failure_after_signing_leaves_the_dossier_untouched(
    client, world, result_pdf, monkeypatch, settings
):
    """Approval, the signed document's row and file, the leader's step, the signed attachment
    and the signed mark are one transaction: if the last part fails, nothing of it stays,
    not even the files already written."""
    from motcua.dossiers import services

    d = drive_to(world, Status.PROCESSING)
    services.submit_for_approval(world.specialist, dossier_id=d.pk)
    d.refresh_from_db()
    upload_result(client, world, d, result_pdf)

    def broken(*args, **kwargs):
        raise RuntimeError("storage down")

    monkeypatch.setattr(services, "record_result_signed", broken)
    before = files_on_disk(settings)
    client.force_login(world.leader)
    with pytest.raises(RuntimeError):
        client.post(act(d.pk, "approve_sign"), {"version": d.version, "confirm": "on"})
    d.refresh_from_db()
    assert d.status == Status.AWAITING_APPROVAL and not d.result_signed
    assert d.steps.filter(finished_at__isnull=True).count() == 1
    assert not d.documents.filter(signed=True).exists()
    assert not d.events.filter(action="approve").exists()
    assert not SignedDocument.objects.exists()
    assert files_on_disk(settings) == before


def test_a_change_made_while_the_leader_signs_is_a_conflict_and_leaves_no_signed_file(
    client, world, result_pdf, monkeypatch, settings
):
    """Signing takes seconds; if the dossier changed meanwhile (sent back and submitted again),
    the approval is refused under the row lock: 409, no register row, no file on disk."""
    from motcua.documents import services as documents
    from motcua.dossiers import services

    d = drive_to(world, Status.AWAITING_APPROVAL)
    upload_result(client, world, d, result_pdf)
    real_sign = documents.sign

    def sign_while_someone_else_acts(**kwargs):
        signed = real_sign(**kwargs)
        services.send_back(world.leader, dossier_id=d.pk, reason="Sửa lại trích yếu")
        services.submit_for_approval(world.specialist, dossier_id=d.pk)
        return signed

    monkeypatch.setattr(documents, "sign", sign_while_someone_else_acts)
    before = files_on_disk(settings)
    client.force_login(world.leader)
    r = client.post(act(d.pk, "approve_sign"), {"version": d.version, "confirm": "on"})
    assert r.status_code == 409
    assert "Hồ sơ vừa được cập nhật bởi thao tác khác" in r.content.decode()
    d.refresh_from_db()
    assert d.status == Status.AWAITING_APPROVAL and not d.result_signed
    assert not d.events.filter(action="approve").exists()
    assert not SignedDocument.objects.exists()
    assert not d.documents.filter(signed=True).exists()
    assert files_on_disk(settings) == before


def test_the_leader_must_confirm_on_the_confirmation_screen_before_anything_is_signed(
    client, world, result_pdf
):
    d = drive_to(world, Status.AWAITING_APPROVAL)
    upload_result(client, world, d, result_pdf)
    client.force_login(world.leader)
    page = client.get(f"/can-bo/ho-so/{d.pk}/ky-so/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Xác nhận phê duyệt và ký số" in html and d.code in html
    assert "Tôi đã xem dự thảo kết quả" in html
    assert "chữ ký số của bạn (chứng thư số cá nhân), sau đó là chữ ký số của đơn vị" in html
    r = client.post(act(d.pk, "approve_sign"), {"version": d.version})
    assert r.status_code == 400
    assert "Vui lòng xác nhận đã xem dự thảo kết quả" in r.content.decode()
    d.refresh_from_db()
    assert d.status == Status.AWAITING_APPROVAL and not SignedDocument.objects.exists()


def test_only_a_leader_reaches_the_confirmation_screen(client, world, result_pdf):
    d = drive_to(world, Status.AWAITING_APPROVAL)
    upload_result(client, world, d, result_pdf)
    for person in (world.specialist, world.officer, world.manager):
        client.force_login(person)
        assert client.get(f"/can-bo/ho-so/{d.pk}/ky-so/").status_code == 403
    client.force_login(world.other_leader)
    assert client.get(f"/can-bo/ho-so/{d.pk}/ky-so/").status_code == 404


def _pin_protected_key(world, tmp_path, pin: bytes) -> Path:
    """The commune's signing key as a PKCS#12 opened only by `pin`, as a token's export is."""
    from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12

    from motcua.documents import pki

    key, cert = pki._read_bundle(pki._unit_bundle(world.commune))
    chain = pki.setup_dev_pki()
    path = tmp_path / "ky-so.p12"
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"ubnd",
            key,
            cert,
            [pki._read_bundle(p)[1] for p in (chain.intermediate_path, chain.root_path)],
            BestAvailableEncryption(pin),
        )
    )
    return path


def test_a_key_protected_by_a_pin_signs_only_with_the_right_pin(
    client, world, result_pdf, tmp_path, settings
):
    settings.MOTCUA_SIGNING_P12_PATH = str(_pin_protected_key(world, tmp_path, b"2468"))
    d = drive_to(world, Status.AWAITING_APPROVAL)
    upload_result(client, world, d, result_pdf)
    client.force_login(world.leader)
    page = client.get(f"/can-bo/ho-so/{d.pk}/ky-so/").content.decode()
    assert "Mã PIN của khóa ký số" in page and 'type="password"' in page
    for wrong in ("", "1357"):
        r = client.post(
            act(d.pk, "approve_sign"), {"version": d.version, "confirm": "on", "pin": wrong}
        )
        assert r.status_code == 400
        assert "Mã PIN của khóa ký số không đúng." in r.content.decode()
        d.refresh_from_db()
        assert d.status == Status.AWAITING_APPROVAL and not SignedDocument.objects.exists()
    r = client.post(
        act(d.pk, "approve_sign"), {"version": d.version, "confirm": "on", "pin": "2468"}
    )
    assert r.status_code == 302
    d.refresh_from_db()
    assert d.status == Status.APPROVED and d.result_signed
