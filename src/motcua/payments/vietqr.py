"""VietQR: the EMVCo merchant-presented QR payload of a bank transfer, as NAPAS specifies it.

One dynamic code per attempt: NAPAS's GUID and the beneficiary bank's BIN and account in the
merchant account template (tag 38, service "QRIBFTTA": transfer to an account), currency 704
(VND), the amount, country VN, and in the additional data (tag 62) the bill number (the dossier
code, 01) and the purpose (08): the attempt's reference, which the bank carries into its
statement and notification, so a transfer is matched to its attempt. CRC-16/CCITT-FALSE
(polynomial 0x1021, initial 0xFFFF) over everything up to and including "6304".

The TLV builder is written here: no maintained Python package builds VietQR (decision 0036);
tests parse the payload with packages the project did not write and decode the QR image with
zbar.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass

import segno

from motcua.core.text import fold

NAPAS_GUID = "A000000727"
TRANSFER_TO_ACCOUNT = "QRIBFTTA"
CURRENCY_VND = "704"
COUNTRY = "VN"
GOVERNMENT_SERVICES = "9399"  # ISO 18245 merchant category: government services
_ANS = re.compile(r"^[\x20-\x7e]*$")  # EMVCo "ans": printable ASCII


class PayloadError(ValueError):
    pass


def crc16(data: str) -> str:
    """CRC-16/CCITT-FALSE of the payload's bytes, four upper-case hex digits."""
    crc = 0xFFFF
    for byte in data.encode("ascii"):
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return f"{crc:04X}"


def ascii_upper(text: str) -> str:
    """ "Ủy ban nhân dân xã An Hưng" -> "UY BAN NHAN DAN XA AN HUNG": what a bank app shows."""
    return fold(text).upper()


def tlv(tag: str, value: str) -> str:
    if not _ANS.match(value):
        raise PayloadError(f"tag {tag}: only printable ASCII may go into a VietQR payload")
    if len(value) > 99:
        raise PayloadError(f"tag {tag}: value longer than 99 characters")
    return f"{tag}{len(value):02d}{value}"


@dataclass(frozen=True)
class Transfer:
    bank_bin: str  # 6 digits, e.g. 970415 (VietinBank)
    account: str
    amount_vnd: int
    purpose: str  # what the bank statement will carry: the attempt's reference
    bill_number: str = ""  # the dossier code
    # EMVCo's merchant fields (52, 59, 60): NAPAS leaves them out for a transfer to an
    # account; given, the payer's app shows who is paid (ASCII, upper case, no diacritics)
    merchant_name: str = ""
    merchant_city: str = ""


def payload(transfer: Transfer) -> str:
    """The text a bank app reads from the QR code."""
    if not re.fullmatch(r"\d{6}", transfer.bank_bin):
        raise PayloadError("the bank BIN has 6 digits")
    if not re.fullmatch(r"[0-9A-Za-z]{1,19}", transfer.account):
        raise PayloadError("the account number is 1-19 letters or digits")
    if not isinstance(transfer.amount_vnd, int) or not 0 < transfer.amount_vnd < 10**13:
        raise PayloadError("the amount is a positive whole number of đồng")
    if not 0 < len(transfer.purpose) <= 25:
        raise PayloadError("the purpose is 1-25 characters")
    beneficiary = tlv("00", transfer.bank_bin) + tlv("01", transfer.account)
    account_info = tlv("00", NAPAS_GUID) + tlv("01", beneficiary) + tlv("02", TRANSFER_TO_ACCOUNT)
    extra = ""
    if transfer.bill_number:
        extra += tlv("01", transfer.bill_number[:25])
    extra += tlv("08", transfer.purpose)
    body = (
        tlv("00", "01")
        + tlv("01", "12")  # dynamic: one payment, this amount
        + tlv("38", account_info)
        + (tlv("52", GOVERNMENT_SERVICES) if transfer.merchant_name else "")
        + tlv("53", CURRENCY_VND)
        + tlv("54", str(transfer.amount_vnd))
        + tlv("58", COUNTRY)
        + (tlv("59", ascii_upper(transfer.merchant_name)[:25]) if transfer.merchant_name else "")
        + (tlv("60", ascii_upper(transfer.merchant_city)[:15]) if transfer.merchant_city else "")
        + tlv("62", extra)
        + "6304"
    )
    return body + crc16(body)


def svg(text: str, *, scale: int = 4) -> str:
    """The QR code as inline SVG (error correction M, as bank apps expect)."""
    return segno.make(text, error="m", micro=False).svg_inline(scale=scale, border=4)


def deep_link(transfer: Transfer, *, app: str, bank_code: str, account_name: str = "") -> str:
    """A link that opens a bank app with the transfer filled in (vietqr.io's deeplink service:
    https://www.vietqr.io/deeplink; `app` is the bank app's id, `bank_code` the receiving bank's
    short code, both lower case; '@' in `ba` is kept as it is)."""
    query = urllib.parse.urlencode(
        {"app": app, "am": transfer.amount_vnd, "tn": transfer.purpose}
        | ({"bn": account_name} if account_name else {})
    )
    return f"https://dl.vietqr.io/pay?{query}&ba={transfer.account}@{bank_code.lower()}"
