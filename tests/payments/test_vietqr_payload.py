"""The VietQR payload (`payments.vietqr`): the EMVCo merchant-presented layout NAPAS uses, read
back by parsers the project did not write and by a QR reader (zbar)."""

import subprocess

import cemacqr
import pytest
import segno
from vietqr_emvco import VietQRParser

from motcua.payments import vietqr

TRANSFER = vietqr.Transfer(
    bank_bin="970415",
    account="113366668888",
    amount_vnd=7000,
    purpose="MC7K2QX9W4PZ",
    bill_number="000.31.12.H23-261102-0001",
    merchant_name="Ủy ban nhân dân xã An Hưng",
    merchant_city="Hải Phòng",
)


def test_crc_is_ccitt_false():
    assert vietqr.crc16("123456789") == "29B1"  # the catalogued check value


def test_the_payload_is_byte_for_byte_what_another_implementation_makes():
    # vietnam-qr-pay (npm), README: ACB 257678859, 10.000 đ, "Chuyen tien"
    made = vietqr.payload(
        vietqr.Transfer(
            bank_bin="970416", account="257678859", amount_vnd=10000, purpose="Chuyen tien"
        )
    )
    assert made == (
        "00020101021238530010A0000007270123000697041601092576788590208QRIBFTTA"
        "53037045405100005802VN62150811Chuyen tien630453E6"
    )


def test_a_vietqr_parser_reads_back_bank_account_amount_and_reference():
    text = vietqr.payload(TRANSFER)
    assert VietQRParser.verify_checksum(text)
    parsed = VietQRParser.parse(text)
    assert parsed["napas_guid"] == "A000000727"
    assert (parsed["bank_bin"], parsed["account_number"]) == ("970415", "113366668888")
    assert parsed["service_code"] == "QRIBFTTA"
    assert (parsed["amount"], parsed["currency"], parsed["country_code"]) == (7000, "704", "VN")
    assert parsed["memo"] == "MC7K2QX9W4PZ"
    assert parsed["merchant_name"] == "UY BAN NHAN DAN XA AN HUNG"[:25]


def test_a_strict_emvco_validator_accepts_it_and_checks_the_crc():
    text = vietqr.payload(TRANSFER)
    qr = cemacqr.parse_payload(text)
    assert qr.crc_ok
    report = cemacqr.validate(qr, cemacqr.EMVCO)
    assert report.ok, str(report)
    assert qr.get_in("62", "01") == "000.31.12.H23-261102-0001"  # the dossier code
    broken = text[:-1] + ("0" if text[-1] != "0" else "1")
    assert not cemacqr.parse_payload(broken).crc_ok


def test_the_qr_image_decodes_back_to_the_payload(tmp_path):
    text = vietqr.payload(TRANSFER)
    segno.make(text, error="m", micro=False).save(tmp_path / "qr.png", scale=6, border=4)
    read = subprocess.run(
        ["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", tmp_path / "qr.png"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert read == text
    assert vietqr.svg(text).startswith("<svg")


@pytest.mark.parametrize(
    "change",
    [
        {"bank_bin": "97041"},
        {"account": "12 34"},
        {"amount_vnd": 0},
        {"amount_vnd": 10**13},
        {"purpose": ""},
        {"purpose": "x" * 26},
        {"purpose": "Thanh toán"},  # not ASCII: a bank app would garble it
    ],
)
def test_bad_transfers_are_refused(change):
    fields = {**TRANSFER.__dict__, **change}
    with pytest.raises(vietqr.PayloadError):
        vietqr.payload(vietqr.Transfer(**fields))


def test_the_bank_app_link_keeps_the_account_at_bank_form():
    link = vietqr.deep_link(TRANSFER, app="icb", bank_code="ICB", account_name="UBND XA AN HUNG")
    assert link.startswith("https://dl.vietqr.io/pay?app=icb&am=7000&tn=MC7K2QX9W4PZ")
    assert link.endswith("&ba=113366668888@icb")
