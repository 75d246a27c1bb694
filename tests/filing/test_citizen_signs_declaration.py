"""Lan signs her own declaration before submitting: remotely through the CSC simulator served
on loopback (her PIN), or with her certificate file; the signed tờ khai is what gets filed, is
valid for pyHanko, and nobody else can sign it for her (decisions/0038)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from motcua.core.models import AuditEvent
from motcua.documents.citizen_signing import CitizenSigningError
from motcua.documents.csc_simulator import CSCSimulator, serve
from motcua.documents.verification import verify_pdf
from motcua.filing import services, signing
from motcua.filing.models import DeclarationSignature, Draft
from tests.documents.citizen_certs import p12

from .factories import HUNG, LAN, make_citizen
from .test_services import walk_the_form

PIN = "135790"


@pytest.fixture(scope="module")
def csc():
    served = serve(CSCSimulator(client_id="motcua-test", client_secret="s3cret"))
    yield served
    served.stop()


@pytest.fixture
def remote(csc, settings, tmp_path_factory):
    settings.MOTCUA_PKI_DIR = str(tmp_path_factory.getbasetemp() / "pki-citizens")
    settings.MOTCUA_CSC_BASE_URL = csc.url
    settings.MOTCUA_CSC_CLIENT_ID, settings.MOTCUA_CSC_CLIENT_SECRET = "motcua-test", "s3cret"
    settings.MOTCUA_CSC_TIMEOUT_SECONDS = 3
    for name in ("MOTCUA_SIGNING_P12_PATH", "MOTCUA_SIGNING_P12_PASSWORD", "MOTCUA_TRUST_ROOTS"):
        setattr(settings, name, "")
    csc.simulator.credentials.clear()
    csc.simulator.enrol(LAN, "Nguyễn Thị Lan", PIN)
    return csc


@pytest.fixture
def lan_draft(fw):
    lan = make_citizen(LAN)
    draft = walk_the_form(services.start(citizen=lan, procedure=fw.birth), lan)
    services.choose_case(draft_id=draft.pk, citizen=lan, case="Đúng hạn", conditions=[])
    services.choose_delivery(draft_id=draft.pk, citizen=lan, delivery="online", notify_by="")
    return lan, draft


def test_lan_signs_remotely_and_her_signed_declaration_is_filed(remote, lan_draft):
    lan, draft = lan_draft
    row = signing.sign_remotely(citizen=lan, draft_id=draft.pk, pin=PIN)
    assert row.method == "remote" and row.signer_name == "Nguyễn Thị Lan"
    status = signing.status_of(draft)
    assert status.check.valid and status.check.signer == "Nguyễn Thị Lan"
    event = AuditEvent.objects.get(action="filing.sign_declaration")
    assert PIN not in str(event.changes) and "Lan" not in str(event.changes)

    dossier = services.submit(draft_id=draft.pk, citizen=lan)
    declaration = dossier.components.order_by("id").first()
    with declaration.file.open("rb") as fh:
        filed = fh.read()
    with row.file.open("rb") as fh:
        assert filed == fh.read()
    assert verify_pdf(filed).valid


def test_a_wrong_pin_or_a_service_down_stores_nothing(remote, lan_draft):
    lan, draft = lan_draft
    with pytest.raises(CitizenSigningError) as wrong:
        signing.sign_remotely(citizen=lan, draft_id=draft.pk, pin="111111")
    assert wrong.value.reason == "Mã PIN/OTP không đúng. Vui lòng nhập lại."
    remote.simulator.fail_next["credentials/list"] = (503, "server_error", "down")
    with pytest.raises(CitizenSigningError) as down:
        signing.sign_remotely(citizen=lan, draft_id=draft.pk, pin=PIN)
    assert "không phản hồi" in down.value.reason
    assert not DeclarationSignature.objects.exists()
    assert not AuditEvent.objects.filter(action="filing.sign_declaration").exists()


def test_nobody_else_signs_lans_declaration(remote, lan_draft, fw, client):
    _lan, draft = lan_draft
    hung = make_citizen(HUNG)
    remote.simulator.enrol(HUNG, "Trần Văn Hùng", PIN)
    with pytest.raises(Draft.DoesNotExist):
        signing.sign_remotely(citizen=hung, draft_id=draft.pk, pin=PIN)
    with pytest.raises(PermissionDenied):
        signing.sign_remotely(citizen=fw.officer, draft_id=draft.pk, pin=PIN)
    client.force_login(hung)
    url = reverse("filing:sign", args=[draft.pk])
    assert client.post(url, {"action": "remote", "pin": PIN}).status_code == 404
    assert client.get(reverse("filing:signed_file", args=[draft.pk])).status_code == 404
    assert not DeclarationSignature.objects.exists()


def test_a_changed_answer_makes_the_signature_stale(remote, lan_draft):
    lan, draft = lan_draft
    signing.sign_remotely(citizen=lan, draft_id=draft.pk, pin=PIN)
    step = draft.schema.definition["steps"][1]["key"]
    services.save_step(
        draft_id=draft.pk,
        citizen=lan,
        step=step,
        values={**services.answers_of(draft), "child_name": "Phạm Minh Khang"},
    )
    draft.refresh_from_db()
    assert signing.status_of(draft).stale
    assert signing.signed_bytes(draft) is None  # submission prints the new answers unsigned


def test_lan_signs_with_her_certificate_file_through_the_page(remote, lan_draft, client):
    lan, draft = lan_draft
    client.force_login(lan)
    url = reverse("filing:sign", args=[draft.pk])
    page = client.get(url)
    assert "Ký từ xa (dịch vụ ký số)" in page.text and "Ký bằng tệp chứng thư số" in page.text

    def post(data: bytes, password: str):
        upload = SimpleUploadedFile("lan.p12", data, content_type="application/x-pkcs12")
        return client.post(url, {"action": "file", "tep": upload, "mat-khau": password})

    wrong = post(p12(b"mk-lan", name="Nguyễn Thị Lan"), "sai")
    assert wrong.status_code == 400
    assert "Mật khẩu không mở được tệp chứng thư số" in wrong.text
    garbage = post(b"not a certificate at all", "mk-lan")
    assert "không phải là tệp chứng thư số" in garbage.text
    expired = post(p12(b"mk-lan", name="Nguyễn Thị Lan", days_left=-2), "mk-lan")
    assert "Chứng thư số đã hết hạn" in expired.text
    someone_else = post(p12(b"mk-lan", name="Trần Văn Hùng"), "mk-lan")
    assert "không mang tên của bạn" in someone_else.text
    assert not DeclarationSignature.objects.exists()

    done = post(p12(b"mk-lan", name="NGUYEN THI LAN"), "mk-lan")  # CAs often drop diacritics
    assert done.status_code == 302
    review = client.get(reverse("filing:review", args=[draft.pk]))
    assert "Chữ ký hợp lệ, tờ khai không bị sửa sau khi ký" in review.text
    assert DeclarationSignature.objects.get().method == "file"
    assert "mk-lan" not in str(
        AuditEvent.objects.filter(action="filing.sign_declaration").get().changes
    )


def test_pin_guessing_through_motcua_is_limited(remote, lan_draft, monkeypatch):
    lan, draft = lan_draft
    monkeypatch.setattr(signing, "ATTEMPTS", 2)
    for pin in ("000001", "000002"):
        with pytest.raises(CitizenSigningError):
            signing.sign_remotely(citizen=lan, draft_id=draft.pk, pin=pin)
    signed_before = remote.simulator.signed
    with pytest.raises(CitizenSigningError) as stopped:
        signing.sign_remotely(citizen=lan, draft_id=draft.pk, pin=PIN)  # even the right one
    assert stopped.value.code == "too_many" and "thử lại sau" in stopped.value.reason
    assert remote.simulator.signed == signed_before
