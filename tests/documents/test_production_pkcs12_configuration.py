"""Production signs with a PKCS#12 from the environment and trusts MOTCUA_TRUST_ROOTS only."""

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from motcua.documents import pki
from motcua.documents.services import sign_and_store
from motcua.documents.verification import verify_pdf

from .conftest import stored_bytes


@pytest.fixture
def provider_p12(pki_dir, commune, tmp_path):
    """A stand-in for a licensed provider's certificate: the dev chain exported as PKCS#12."""
    pki.get_signer(commune)
    key, cert = pki._read_bundle(pki_dir / "units" / f"{commune.code}.pem")
    _, inter = pki._read_bundle(pki_dir / "intermediate.pem")
    _, root = pki._read_bundle(pki_dir / "root.pem")
    p12 = tmp_path / "unit.p12"
    p12.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"ubnd",
            key,
            cert,
            [inter],
            serialization.BestAvailableEncryption(b"mat-khau"),
        )
    )
    roots = tmp_path / "roots.pem"
    roots.write_bytes(root.public_bytes(serialization.Encoding.PEM))
    return p12, roots


def test_signing_uses_the_configured_pkcs12(provider_p12, commune, result_pdf, settings):
    p12, roots = provider_p12
    settings.MOTCUA_SIGNING_P12_PATH = str(p12)
    settings.MOTCUA_SIGNING_P12_PASSWORD = "mat-khau"
    settings.MOTCUA_TRUST_ROOTS = str(roots)
    doc = sign_and_store(
        actor=None, unit=commune, pdf_bytes=result_pdf, title="KQ", signer_name="Lê Văn Hùng"
    )
    result = verify_pdf(stored_bytes(doc))
    assert result.valid and result.trusted, result.problems
    assert result.document == doc


def test_without_configured_roots_a_production_signature_is_not_trusted(
    provider_p12, commune, result_pdf, settings
):
    p12, _ = provider_p12
    settings.MOTCUA_SIGNING_P12_PATH = str(p12)
    settings.MOTCUA_SIGNING_P12_PASSWORD = "mat-khau"
    doc = sign_and_store(
        actor=None, unit=commune, pdf_bytes=result_pdf, title="KQ", signer_name="A"
    )
    result = verify_pdf(stored_bytes(doc))
    assert not result.valid and not result.trusted
    assert any("tin cậy" in p for p in result.problems)


def test_wrong_pkcs12_password_is_a_clear_configuration_error(provider_p12, commune, settings):
    p12, _ = provider_p12
    settings.MOTCUA_SIGNING_P12_PATH = str(p12)
    settings.MOTCUA_SIGNING_P12_PASSWORD = "sai"
    with pytest.raises(pki.PKIError):
        pki.get_signer(commune)
