"""Lan signs the declaration of a dossier she already submitted, from "Hồ sơ của tôi": the same
CSC v2 adapter (the simulator on loopback) and the certificate-file fallback; only while the
dossier waits for reception or for her supplement; only her; the signed PDF replaces the filed
tờ khai and is valid (decisions/0040)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from motcua.core.models import AuditEvent
from motcua.documents.citizen_signing import CitizenSigningError
from motcua.documents.verification import verify_pdf
from motcua.dossiers import services as dossier_services
from motcua.dossiers.models import Dossier, Status
from motcua.filing import services, signing
from motcua.filing.models import DeclarationSignature, Draft
from tests.documents.citizen_certs import p12

from .factories import HUNG, make_citizen
from .test_citizen_signs_declaration import PIN, csc, lan_draft, remote  # noqa: F401

DOSSIER_PAGE = "/cong-dan/ho-so/{}/"


@pytest.fixture
def filed(lan_draft):  # noqa: F811
    lan, draft = lan_draft
    dossier = services.submit(draft_id=draft.pk, citizen=lan)
    return lan, dossier


def declaration_bytes(dossier: Dossier) -> bytes:
    with dossier.components.order_by("id").first().file.open("rb") as fh:
        return fh.read()


def test_lan_signs_her_filed_declaration_remotely_from_her_dossier_page(remote, filed, client):  # noqa: F811
    lan, dossier = filed
    assert not verify_pdf(declaration_bytes(dossier)).signatures  # filed unsigned
    client.force_login(lan)
    page = client.get(DOSSIER_PAGE.format(dossier.code)).content.decode()
    url = reverse("filing:sign_filed", args=[dossier.code])
    assert 'data-testid="action-sign-declaration"' in page and url in page
    assert "Ký từ xa (dịch vụ ký số)" in client.get(url).content.decode()

    wrong = client.post(url, {"action": "remote", "pin": "000000"})
    assert wrong.status_code == 400 and "Mã PIN/OTP không đúng" in wrong.content.decode()
    assert not DeclarationSignature.objects.exists()

    done = client.post(url, {"action": "remote", "pin": PIN})
    assert done.status_code == 302 and done["Location"] == DOSSIER_PAGE.format(dossier.code)
    filed_now = declaration_bytes(dossier)
    verdict = verify_pdf(filed_now)
    assert verdict.valid and verdict.signer == "Nguyễn Thị Lan", verdict.problems
    row = DeclarationSignature.objects.get()
    with row.file.open("rb") as fh:
        assert fh.read() == filed_now
    event = AuditEvent.objects.get(action="dossier.declaration_signed")
    assert event.changes["method"] == "remote" and PIN not in str(event.changes)
    assert event.actor_id == lan.pk
    # signed now: no more offer, and a second signing is refused
    page = client.get(DOSSIER_PAGE.format(dossier.code)).content.decode()
    assert 'data-testid="action-sign-declaration"' not in page
    with pytest.raises(CitizenSigningError) as again:
        signing.sign_filed_remotely(citizen=lan, code=dossier.code, pin=PIN)
    assert again.value.code == "already"


def test_with_her_certificate_file_while_awaiting_her_supplement(remote, filed, client, fw):  # noqa: F811
    lan, dossier = filed
    dossier_services.request_supplement(
        fw.officer, dossier_id=dossier.pk, items=["Bản sao giấy chứng sinh"], reason="Thiếu"
    )
    client.force_login(lan)
    url = reverse("filing:sign_filed", args=[dossier.code])
    upload = SimpleUploadedFile("lan.p12", p12(b"mk", name="Nguyễn Thị Lan"))
    answer = client.post(url, {"action": "file", "tep": upload, "mat-khau": "mk"})
    assert answer.status_code == 302
    assert verify_pdf(declaration_bytes(dossier)).valid
    assert DeclarationSignature.objects.get().method == "file"


def test_refused_once_accepted_for_another_citizen_and_for_staff(remote, filed, client, fw):  # noqa: F811
    lan, dossier = filed
    hung = make_citizen(HUNG)
    remote.simulator.enrol(HUNG, "Trần Văn Hùng", PIN)
    with pytest.raises(Draft.DoesNotExist):
        signing.sign_filed_remotely(citizen=hung, code=dossier.code, pin=PIN)
    with pytest.raises(PermissionDenied):
        signing.sign_filed_remotely(citizen=fw.officer, code=dossier.code, pin=PIN)
    client.force_login(hung)
    url = reverse("filing:sign_filed", args=[dossier.code])
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "remote", "pin": PIN}).status_code == 404
    assert (
        client.get(reverse("filing:sign_filed", args=["000.00.00.H00-000000-0000"])).status_code
        == 404
    )

    dossier_services.accept_online(fw.officer, dossier_id=dossier.pk)  # reception done
    with pytest.raises(CitizenSigningError) as closed:
        signing.sign_filed_remotely(citizen=lan, code=dossier.code, pin=PIN)
    assert closed.value.code == "closed"
    client.force_login(lan)
    assert (
        'data-testid="action-sign-declaration"'
        not in client.get(DOSSIER_PAGE.format(dossier.code)).content.decode()
    )
    refused = client.post(url, {"action": "remote", "pin": PIN})
    assert refused.status_code == 400 and "đang giải quyết" in refused.content.decode()
    assert client.post(url, {"action": "forged"}).status_code == 400
    assert not DeclarationSignature.objects.exists()
    assert not AuditEvent.objects.filter(action="dossier.declaration_signed").exists()
    dossier.refresh_from_db()
    assert dossier.status == Status.RECEIVED
