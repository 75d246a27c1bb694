"""Who signs, and whom a verifier trusts.

Development and tests: a throw-away chain generated on this machine (`manage.py setup_dev_pki`)
under VAR_DIR/pki: a root CA clearly named "không dùng thật", an intermediate CA, and one signing
certificate per unit made on first use (CN = unit name, O = "UBND <unit name>"). These files are
never committed; deleting the directory makes a new chain (documents signed with the old one then
show as "not trusted", as they should).

Production: the unit's real certificate from a licensed provider as a PKCS#12 file
(MOTCUA_SIGNING_P12_PATH, may contain "{unit_code}" for one file per unit, and
MOTCUA_SIGNING_P12_PASSWORD), and the roots a verifier trusts (MOTCUA_TRUST_ROOTS: a PEM file
with one or more certificates). See docs/decisions/0007-signatures.md.
"""

import asyncio
import datetime as dt
import fcntl
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import pem as asn1_pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.utils import timezone
from pyhanko.keys import load_cert_from_pemder
from pyhanko.sign import signers
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

ROOT_CN = "motcua DEV Root CA (không dùng thật)"
INTERMEDIATE_CN = "motcua DEV Intermediate CA (không dùng thật)"
DEV_ORG = "motcua - môi trường phát triển"
_thread_lock = threading.Lock()


@contextmanager
def _lock():
    """One writer at a time, across threads and processes (web + worker starting together)."""
    base = pki_dir()
    base.mkdir(parents=True, exist_ok=True)
    with _thread_lock, open(base / ".lock", "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


class PKIError(RuntimeError):
    """The signing material is missing or unreadable: an operator must fix configuration."""


class WrongPin(PKIError):
    """The key is protected by a PIN and the one given does not open it (the signer's error)."""


def needs_pin() -> bool:
    """A signing key is a PKCS#12 whose password is not in the environment (the unit's, or the
    signer's personal one): the signer types it (the key's PIN) on the signing screen, so a
    stolen server alone cannot sign. One PIN opens every key that needs one."""
    unit_needs = bool(settings.MOTCUA_SIGNING_P12_PATH) and not settings.MOTCUA_SIGNING_P12_PASSWORD
    person_needs = (
        bool(settings.MOTCUA_PERSONAL_P12_PATH) and not settings.MOTCUA_PERSONAL_P12_PASSWORD
    )
    return unit_needs or person_needs


def pki_dir() -> Path:
    """VAR_DIR/pki unless MOTCUA_PKI_DIR (a setting, for tests) points elsewhere."""
    configured = settings.MOTCUA_PKI_DIR
    return Path(configured) if configured else Path(settings.VAR_DIR) / "pki"


def production_p12_configured() -> bool:
    return bool(settings.MOTCUA_SIGNING_P12_PATH)


# --- generation ------------------------------------------------------------------------------


def _name(cn: str, org: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ]
    )


def _issue(
    *,
    subject: x509.Name,
    key: ec.EllipticCurvePrivateKey,
    issuer: x509.Name,
    issuer_key: ec.EllipticCurvePrivateKey,
    ca: bool,
    years: int,
    path_length: int | None = None,
) -> x509.Certificate:
    now = timezone.now()  # the app's clock: validation_context() checks at the same clock
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=path_length), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
    )
    if ca:
        usage = {"key_cert_sign": True, "crl_sign": True}
    else:
        usage = {"digital_signature": True, "content_commitment": True}
    flags = {
        "digital_signature": False,
        "content_commitment": False,
        "key_encipherment": False,
        "data_encipherment": False,
        "key_agreement": False,
        "key_cert_sign": False,
        "crl_sign": False,
        "encipher_only": False,
        "decipher_only": False,
    }
    flags.update(usage)
    builder = builder.add_extension(x509.KeyUsage(**flags), critical=True)
    return builder.sign(issuer_key, hashes.SHA256())


def _write_bundle(path: Path, key: ec.EllipticCurvePrivateKey, cert: x509.Certificate) -> None:
    """Key and certificate in one file, written atomically so they never mismatch."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ) + cert.public_bytes(serialization.Encoding.PEM)
    tmp = path.with_suffix(f".tmp{os.getpid()}.{threading.get_ident()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)


def _read_bundle(path: Path) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    data = path.read_bytes()
    key = serialization.load_pem_private_key(data, password=None)
    cert = x509.load_pem_x509_certificate(data[data.index(b"-----BEGIN CERTIFICATE-----") :])
    return key, cert  # type: ignore[return-value]


@dataclass
class DevChain:
    root_path: Path
    intermediate_path: Path
    created: bool


def setup_dev_pki() -> DevChain:
    """Create the development root and intermediate CA once; later calls change nothing."""
    base = pki_dir()
    root_path, inter_path = base / "root.pem", base / "intermediate.pem"
    with _lock():
        created = False
        if not root_path.exists():
            key = ec.generate_private_key(ec.SECP256R1())
            name = _name(ROOT_CN, DEV_ORG)
            cert = _issue(
                subject=name, key=key, issuer=name, issuer_key=key, ca=True, years=20, path_length=1
            )
            _write_bundle(root_path, key, cert)
            inter_path.unlink(missing_ok=True)  # an intermediate of an older root is useless
            created = True
        if not inter_path.exists():
            root_key, root_cert = _read_bundle(root_path)
            key = ec.generate_private_key(ec.SECP256R1())
            cert = _issue(
                subject=_name(INTERMEDIATE_CN, DEV_ORG),
                key=key,
                issuer=root_cert.subject,
                issuer_key=root_key,
                ca=True,
                years=10,
                path_length=0,
            )
            _write_bundle(inter_path, key, cert)
            for stale in (base / "units").glob("*.pem"):
                stale.unlink()
            created = True
    return DevChain(root_path=root_path, intermediate_path=inter_path, created=created)


def _unit_bundle(unit) -> Path:
    """The unit's development signing certificate, issued on first use."""
    chain = setup_dev_pki()
    path = pki_dir() / "units" / f"{unit.code}.pem"
    with _lock():
        if not path.exists():
            inter_key, inter_cert = _read_bundle(chain.intermediate_path)
            key = ec.generate_private_key(ec.SECP256R1())
            org = unit.name if unit.name.upper().startswith("UBND") else f"UBND {unit.name}"
            cert = _issue(
                subject=_name(unit.name, org),
                key=key,
                issuer=inter_cert.subject,
                issuer_key=inter_key,
                ca=False,
                years=3,
            )
            _write_bundle(path, key, cert)
    return path


PERSON_UID_PREFIX = "motcua-user:"


def person_name(user) -> str:
    return (getattr(user, "full_name", "") or user.get_username()).strip()


def _person_subject(user) -> x509.Name:
    # Like a personal certificate from a Vietnamese provider: the person's name as CN and a
    # UID naming the person (theirs say "CCCD:<number>"; an organisation's say "MST:<tax id>").
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, DEV_ORG),
            x509.NameAttribute(NameOID.COMMON_NAME, person_name(user)),
            x509.NameAttribute(NameOID.USER_ID, f"{PERSON_UID_PREFIX}{user.pk}"),
        ]
    )


def _person_bundle(user) -> Path:
    """The person's development signing certificate, issued on first use (and again when
    their name changed, so the certificate always names them as they are now)."""
    chain = setup_dev_pki()
    path = pki_dir() / "people" / f"u{int(user.pk)}.pem"
    subject = _person_subject(user)
    with _lock():
        if path.exists() and _read_bundle(path)[1].subject == subject:
            return path
        inter_key, inter_cert = _read_bundle(chain.intermediate_path)
        key = ec.generate_private_key(ec.SECP256R1())
        cert = _issue(
            subject=subject,
            key=key,
            issuer=inter_cert.subject,
            issuer_key=inter_key,
            ca=False,
            years=3,
        )
        _write_bundle(path, key, cert)
    return path


def run_outside_event_loop(fn, /, *args, **kwargs):
    """Call one of pyHanko's synchronous functions, which use `asyncio.run` internally.

    That fails in a thread that already runs an event loop (an async view, a Playwright test);
    there the call goes to a short-lived worker thread instead.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return fn(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn, *args, **kwargs).result()


# --- use -------------------------------------------------------------------------------------


def _asn1_cert(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def get_signer(unit, *, pin: str = "") -> signers.SimpleSigner:
    """The pyHanko signer for `unit`: the configured PKCS#12 in production, else the dev chain.

    The PKCS#12 opens with MOTCUA_SIGNING_P12_PASSWORD, or, when that is unset, with the `pin`
    the signer typed (`needs_pin()`); a PIN that does not open it raises WrongPin.
    """
    p12 = settings.MOTCUA_SIGNING_P12_PATH
    if p12:
        return _load_p12(
            p12.replace("{unit_code}", unit.code), settings.MOTCUA_SIGNING_P12_PASSWORD, pin
        )
    return _dev_signer(_unit_bundle(unit))


def personal_signing_available() -> bool:
    """People sign with their own certificate: always with the development PKI; in production
    once MOTCUA_PERSONAL_P12_PATH says where each person's PKCS#12 is."""
    return bool(settings.MOTCUA_PERSONAL_P12_PATH) or not production_p12_configured()


def get_personal_signer(user, *, pin: str = "") -> signers.SimpleSigner | None:
    """The pyHanko signer of a person (a leader, a certifying officer): their PKCS#12
    (MOTCUA_PERSONAL_P12_PATH with `{username}`) in production, else a development certificate
    issued to them on first use. None when production has no personal certificates configured:
    the document then carries the unit's signature alone, as before."""
    p12 = settings.MOTCUA_PERSONAL_P12_PATH
    if p12:
        path = p12.replace("{username}", user.get_username())
        return _load_p12(path, settings.MOTCUA_PERSONAL_P12_PASSWORD, pin)
    if production_p12_configured():
        return None
    return _dev_signer(_person_bundle(user))


def _load_p12(path: str, configured_password: str, pin: str) -> signers.SimpleSigner:
    """Open a PKCS#12 with its configured password, or when none is configured with the PIN
    the signer typed; a PIN that does not open it raises WrongPin."""
    by_pin = not configured_password
    password = pin if by_pin else configured_password
    if by_pin and not password:
        raise WrongPin("the signing key needs its PIN")
    try:
        signer = signers.SimpleSigner.load_pkcs12(
            path, passphrase=password.encode() if password else None
        )
    except OSError as exc:
        raise PKIError(f"cannot load signing PKCS#12 {path}: {exc}") from exc
    except ValueError as exc:
        if by_pin:
            raise WrongPin("the PIN does not open the signing key") from exc
        raise PKIError(f"cannot load signing PKCS#12 {path}: {exc}") from exc
    if signer is None:
        if by_pin:
            raise WrongPin("the PIN does not open the signing key")
        raise PKIError(f"cannot load signing PKCS#12 {path} (wrong password?)")
    return signer


def _dev_signer(bundle: Path) -> signers.SimpleSigner:
    chain = setup_dev_pki()
    key, cert = _read_bundle(bundle)
    registry = SimpleCertificateStore()
    registry.register_multiple(
        [_asn1_cert(_read_bundle(p)[1]) for p in (chain.intermediate_path, chain.root_path)]
    )
    key_der = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return signers.SimpleSigner(
        signing_cert=_asn1_cert(cert),
        signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
        cert_registry=registry,
    )


def _pem_certs(path: str) -> list[asn1_x509.Certificate]:
    data = Path(path).read_bytes()
    if not asn1_pem.detect(data):
        return [load_cert_from_pemder(path)]
    return [
        asn1_x509.Certificate.load(der)
        for kind, _, der in asn1_pem.unarmor(data, multiple=True)
        if kind == "CERTIFICATE"  # a bundle may also hold the key: never load that as a root
    ]


def trust_roots() -> list[asn1_x509.Certificate]:
    """MOTCUA_TRUST_ROOTS (PEM) if set; plus the dev root when no production PKCS#12 is used."""
    roots: list[asn1_x509.Certificate] = []
    configured = settings.MOTCUA_TRUST_ROOTS
    if configured:
        try:
            roots.extend(_pem_certs(configured))
        except (OSError, ValueError) as exc:
            raise PKIError(f"cannot read MOTCUA_TRUST_ROOTS {configured}: {exc}") from exc
    if not production_p12_configured():
        roots.append(_asn1_cert(_read_bundle(setup_dev_pki().root_path)[1]))
    return roots


def validation_context() -> ValidationContext:
    """Offline validation: trust only our roots; no OCSP/CRL fetching from a public page.
    Certificates are checked at the app's clock, the one they were issued by."""
    return ValidationContext(
        trust_roots=trust_roots(),
        moment=timezone.now(),
        allow_fetching=False,
        revocation_mode="soft-fail",
    )
