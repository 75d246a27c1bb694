"""A citizen's own signature: the CSC v2 adapter against the local simulator served over real
HTTP on loopback, and the certificate-file fallback (decisions/0038)."""

import base64
import hashlib
from io import BytesIO

import pytest
import requests
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature

from motcua.documents import citizen_signing, pki, remote_signing
from motcua.documents.csc_simulator import CSCSimulator, serve

from .citizen_certs import p12

LAN = "031190012345"


@pytest.fixture
def csc():
    served = serve(CSCSimulator(client_id="motcua-test", client_secret="s3cret"))
    yield served
    served.stop()


def adapter(url: str, timeout: float = 3) -> remote_signing.CSCRemoteSigner:
    return remote_signing.CSCRemoteSigner(
        base_url=url, client_id="motcua-test", client_secret="s3cret", timeout=timeout
    )


def validated(pdf: bytes):
    signature = PdfFileReader(BytesIO(pdf)).embedded_signatures[-1]
    return pki.run_outside_event_loop(  # a browser test earlier in the run leaves a loop
        validate_pdf_signature, signature, signer_validation_context=pki.validation_context()
    )


def test_a_citizen_signs_through_the_remote_service_and_pyhanko_trusts_it(csc, result_pdf):
    csc.simulator.enrol(LAN, "Nguyễn Thị Lan", "246810")
    signed = adapter(csc.url).sign_pdf(result_pdf, user_id=LAN, pin="246810")
    status = validated(signed.content)
    assert status.bottom_line
    assert status.signing_cert.subject.native["common_name"] == "Nguyễn Thị Lan"
    assert signed.signer_name == "Nguyễn Thị Lan"
    assert csc.simulator.signed == 1


def test_a_wrong_pin_is_refused_and_nothing_is_signed(csc, result_pdf):
    csc.simulator.enrol(LAN, "Nguyễn Thị Lan", "246810")
    with pytest.raises(remote_signing.RemoteSigningError) as refused:
        adapter(csc.url).sign_pdf(result_pdf, user_id=LAN, pin="000000")
    assert refused.value.code == "wrong_pin"
    assert "PIN" in refused.value.reason
    assert csc.simulator.signed == 0


def test_a_citizen_without_a_remote_certificate_is_told_so(csc, result_pdf):
    with pytest.raises(remote_signing.RemoteSigningError) as refused:
        adapter(csc.url).sign_pdf(result_pdf, user_id=LAN, pin="246810")
    assert refused.value.code == "no_credential"


def _authorized(url: str, credential: str, pin: str) -> tuple[str, str, str]:
    token = requests.post(
        f"{url}/oauth2/token",
        data={"grant_type": "client_credentials"},
        auth=("motcua-test", "s3cret"),
        timeout=5,
    ).json()["access_token"]
    digest = base64.b64encode(hashlib.sha256(b"to khai").digest()).decode()
    answer = requests.post(
        f"{url}/csc/v2/credentials/authorize",
        json={
            "credentialID": credential,
            "numSignatures": 1,
            "hashes": [digest],
            "hashAlgorithmOID": "2.16.840.1.101.3.4.2.1",
            "PIN": pin,
        },
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    )
    return token, digest, answer.json()["SAD"]


def test_a_replayed_sad_is_refused_with_the_csc_error(csc):
    credential = csc.simulator.enrol(LAN, "Nguyễn Thị Lan", "246810")
    token, digest, sad = _authorized(csc.url, credential, "246810")
    body = {
        "credentialID": credential,
        "SAD": sad,
        "hashes": [digest],
        "hashAlgorithmOID": "2.16.840.1.101.3.4.2.1",
        "signAlgo": "1.2.840.10045.4.3.2",
    }
    headers = {"Authorization": f"Bearer {token}"}
    url = f"{csc.url}/csc/v2/signatures/signHash"
    first = requests.post(url, json=body, headers=headers, timeout=5)
    assert first.status_code == 200 and len(first.json()["signatures"]) == 1
    again = requests.post(url, json=body, headers=headers, timeout=5)
    assert again.status_code == 400
    assert again.json() == {
        "error": "invalid_request",
        "error_description": "The SAD has already been used",
    }
    other = requests.post(url, json={**body, "SAD": "forged"}, headers=headers, timeout=5)
    assert other.json()["error_description"] == "Invalid parameter SAD"


def test_an_expired_sad_is_refused(csc):
    csc.simulator.sad_seconds = -1
    credential = csc.simulator.enrol(LAN, "Nguyễn Thị Lan", "246810")
    token, digest, sad = _authorized(csc.url, credential, "246810")
    answer = requests.post(
        f"{csc.url}/csc/v2/signatures/signHash",
        json={
            "credentialID": credential,
            "SAD": sad,
            "hashes": [digest],
            "signAlgo": "1.2.840.10045.4.3.2",
        },
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    )
    assert answer.status_code == 400 and answer.json()["error_description"] == "SAD expired"


def test_a_service_that_is_down_slow_or_failing_gives_a_clear_message(csc, result_pdf):
    csc.simulator.enrol(LAN, "Nguyễn Thị Lan", "246810")
    url = csc.url
    csc.stop()
    with pytest.raises(remote_signing.RemoteSigningError) as down:
        adapter(url).sign_pdf(result_pdf, user_id=LAN, pin="246810")
    assert down.value.code == "unavailable"
    assert "không phản hồi" in down.value.reason

    again = serve(csc.simulator)
    try:
        again.simulator.delay_seconds = 1.5
        with pytest.raises(remote_signing.RemoteSigningError) as slow:
            adapter(again.url, timeout=0.5).sign_pdf(result_pdf, user_id=LAN, pin="246810")
        assert slow.value.code == "unavailable"
        again.simulator.delay_seconds = 0
        again.simulator.fail_next["signatures/signHash"] = (503, "server_error", "maintenance")
        with pytest.raises(remote_signing.RemoteSigningError) as failing:
            adapter(again.url).sign_pdf(result_pdf, user_id=LAN, pin="246810")
        assert failing.value.code == "unavailable"
    finally:
        again.stop()


def test_the_certificate_file_fallback_signs_and_refuses_in_vietnamese(result_pdf):
    signed = citizen_signing.sign_with_pkcs12(result_pdf, data=p12(b"mk-123"), password="mk-123")
    assert validated(signed.content).bottom_line
    assert signed.signer_name == "Trần Văn Hùng"
    refusals = {
        "wrong_password": dict(data=p12(b"mk-123"), password="sai"),
        "not_pkcs12": dict(data=b"%PDF-1.4 not a certificate", password="mk-123"),
        "expired": dict(data=p12(b"mk-123", days_left=-1), password="mk-123"),
    }
    for code, kwargs in refusals.items():
        with pytest.raises(citizen_signing.CitizenSigningError) as refused:
            citizen_signing.sign_with_pkcs12(result_pdf, **kwargs)
        assert refused.value.code == code
        assert refused.value.reason


def test_the_mounted_simulator_gives_a_demo_resident_a_credential_on_first_use(rf, settings):
    """`make run`'s /csc-sim/: the async view answers the protocol; Lan (a fixed demo resident)
    gets her credential when motcua first lists hers."""
    import asyncio
    import json

    from motcua.documents import csc_simulator_urls

    def view(request, path):  # a browser test earlier in the run leaves a loop in this thread
        coroutine = csc_simulator_urls.endpoint(request, path=path)
        return pki.run_outside_event_loop(asyncio.run, coroutine)

    settings.MOTCUA_CSC_SIMULATOR_PIN = "112233"
    csc_simulator_urls.mounted.cache_clear()
    try:
        simulator = csc_simulator_urls.mounted()
        token_request = rf.post(
            "/csc-sim/oauth2/token",
            data=f"grant_type=client_credentials&client_id={simulator.client_id}"
            f"&client_secret={simulator.client_secret}",
            content_type="application/x-www-form-urlencoded",
        )
        token = json.loads(view(token_request, path="oauth2/token").content)["access_token"]
        listing = rf.post(
            "/csc-sim/csc/v2/credentials/list",
            data={"userID": LAN},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        answer = view(listing, path="csc/v2/credentials/list")
        assert answer.status_code == 200
        (credential,) = json.loads(answer.content)["credentialIDs"]
        assert (
            simulator.credentials[credential]
            .chain[0]
            .subject.rfc4514_string()
            .startswith("CN=Nguyễn Thị Lan")
        )
        refused = view(rf.get("/csc-sim/csc/v2/info"), path="csc/v2/info")
        assert refused.status_code == 405
    finally:
        csc_simulator_urls.mounted.cache_clear()
