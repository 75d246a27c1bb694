"""A citizen's certificate file (.p12) issued by the dev CA, made in the test with cryptography."""

import datetime as dt

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.utils import timezone

from motcua.documents import pki


def p12(password: bytes, *, name: str = "Trần Văn Hùng", days_left: int = 365) -> bytes:
    """A citizen's certificate file from the dev CA, made here with cryptography."""
    chain = pki.setup_dev_pki()
    ca_key, ca_cert = pki._read_bundle(chain.intermediate_path)
    key = ec.generate_private_key(ec.SECP256R1())
    now = timezone.now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=400))
        .not_valid_after(now + dt.timedelta(days=days_left))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    return pkcs12.serialize_key_and_certificates(
        b"hung",
        key,
        cert,
        [ca_cert],
        serialization.BestAvailableEncryption(password),
    )
