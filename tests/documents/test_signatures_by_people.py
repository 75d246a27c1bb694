"""A result carries the signature of the person who signs, then the unit's seal signature
(decisions/0035): both valid for pyHanko and for poppler's pdfsig, both on the public page."""

import re
import shutil
import subprocess
from io import BytesIO

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature

from motcua.accounts.models import User
from motcua.documents import pki
from motcua.documents.models import DocumentSignature
from motcua.documents.services import sign_and_store

from .conftest import stored_bytes


@pytest.fixture
def leader(db):
    return User.objects.create(username="lanhdao.thachha", full_name="Nguyễn Văn An")


@pytest.fixture
def two_signed(commune, result_pdf, leader):
    return sign_and_store(
        actor=leader,
        unit=commune,
        pdf_bytes=result_pdf,
        title="Giấy chứng nhận kết hôn - Nguyễn Văn Ánh",
        signer_name=leader.full_name,
        person=leader,
    )


def test_the_leader_signs_first_and_the_unit_seal_covers_the_whole_document(two_signed):
    reader = PdfFileReader(BytesIO(stored_bytes(two_signed)))
    first, second = reader.embedded_signatures
    context = pki.validation_context()
    statuses = [
        pki.run_outside_event_loop(validate_pdf_signature, s, signer_validation_context=context)
        for s in (first, second)
    ]
    assert all(s.bottom_line for s in statuses)
    names = [s.signing_cert.subject.native["common_name"] for s in statuses]
    assert names == ["Nguyễn Văn An", "Xã Thạch Hà"]
    assert [s.coverage.name for s in statuses] == ["ENTIRE_REVISION", "ENTIRE_FILE"]
    rows = list(two_signed.signatures.values_list("position", "kind", "signer_name"))
    assert rows == [
        (1, DocumentSignature.Kind.PERSON, "Nguyễn Văn An"),
        (2, DocumentSignature.Kind.ORGANIZATION, "Xã Thạch Hà"),
    ]


def _nss_db_trusting_the_dev_root(tmp_path):
    nss = tmp_path / "nss"
    nss.mkdir()
    subprocess.run(["certutil", "-N", "-d", f"sql:{nss}", "--empty-password"], check=True)
    root_pem = pki.setup_dev_pki().root_path.read_bytes()
    cert = root_pem[root_pem.index(b"-----BEGIN CERTIFICATE-----") :]
    (tmp_path / "root.crt").write_bytes(cert)
    add = ["certutil", "-A", "-d", f"sql:{nss}", "-n", "motcua-dev-root", "-t", "CT,C,C"]
    subprocess.run([*add, "-i", str(tmp_path / "root.crt")], check=True)
    return nss


def test_poppler_pdfsig_reports_both_signatures_valid_and_trusted(two_signed, tmp_path):
    if not (shutil.which("pdfsig") and shutil.which("certutil")):
        pytest.skip("poppler-utils and libnss3-tools are installed by scripts/system-deps.sh")
    nss = _nss_db_trusting_the_dev_root(tmp_path)
    pdf = tmp_path / "ket-qua.pdf"
    pdf.write_bytes(stored_bytes(two_signed))
    out = subprocess.run(
        ["pdfsig", "-nssdir", f"sql:{nss}", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    blocks = re.split(r"^Signature #\d+:$", out, flags=re.M)[1:]
    assert len(blocks) == 2, out
    person, unit = blocks
    assert "Signer Certificate Common Name: Nguyễn Văn An" in person
    assert "Signer Certificate Common Name: Xã Thạch Hà" in unit
    for block in blocks:
        assert "Signature Validation: Signature is Valid." in block
        assert "Certificate Validation: Certificate is Trusted." in block
    assert "Not total document signed" in person
    assert "- Total document signed" in unit


def test_the_public_page_shows_both_signatures_verified(client, two_signed):
    response = client.get(f"/xac-thuc/{two_signed.verification_code}/")
    text = re.sub(r"\s+", " ", response.content.decode())
    assert 'data-valid="true"' in text
    assert 'Chữ ký 1:</strong> <span class="wrap-any">Nguyễn Văn An</span> (cá nhân) – ' in text
    assert 'Chữ ký 2:</strong> <span class="wrap-any">Xã Thạch Hà</span> (cơ quan) – ' in text
    assert text.count('data-testid="signature" data-valid="true"') == 2
    assert text.count('data-whole="true"') == 1
    assert "bao phủ toàn bộ văn bản" in text


def test_a_document_signed_by_the_unit_alone_still_verifies(client, signed_document):
    assert not signed_document.signatures.exists() or signed_document.signatures.count() == 1
    response = client.get(f"/xac-thuc/{signed_document.verification_code}/")
    text = response.content.decode()
    assert 'data-valid="true"' in text
    assert 'data-testid="signatures"' not in text  # one signature: the page as before


def test_production_personal_pkcs12_opens_with_the_pin_the_leader_types(
    commune, result_pdf, leader, tmp_path, settings, pki_dir
):
    pki.get_signer(commune)
    pki.get_personal_signer(leader)
    _, inter = pki._read_bundle(pki_dir / "intermediate.pem")
    _, root = pki._read_bundle(pki_dir / "root.pem")
    for bundle, name, password in (
        (pki_dir / "units" / f"{commune.code}.pem", "unit.p12", b"mat-khau"),
        (pki_dir / "people" / f"u{leader.pk}.pem", f"{leader.username}.p12", b"2468"),
    ):
        key, cert = pki._read_bundle(bundle)
        (tmp_path / name).write_bytes(
            pkcs12.serialize_key_and_certificates(
                b"k", key, cert, [inter], serialization.BestAvailableEncryption(password)
            )
        )
    (tmp_path / "roots.pem").write_bytes(root.public_bytes(serialization.Encoding.PEM))
    settings.MOTCUA_SIGNING_P12_PATH = str(tmp_path / "unit.p12")
    settings.MOTCUA_SIGNING_P12_PASSWORD = "mat-khau"
    settings.MOTCUA_PERSONAL_P12_PATH = str(tmp_path / "{username}.p12")
    settings.MOTCUA_PERSONAL_P12_PASSWORD = ""
    settings.MOTCUA_TRUST_ROOTS = str(tmp_path / "roots.pem")
    assert pki.needs_pin()
    with pytest.raises(pki.WrongPin):
        sign_and_store(
            actor=leader,
            unit=commune,
            pdf_bytes=result_pdf,
            title="KQ",
            signer_name="A",
            person=leader,
        )
    from motcua.documents.services import sign

    signed = sign(unit=commune, pdf_bytes=result_pdf, signer_name="A", person=leader, pin="2468")
    assert [f.kind for f in signed.signatures] == ["person", "organization"]
