"""The one rule for a phone number and for a citizen ID, used by every screen and service.

Before this module four phone rules and three citizen-ID rules disagreed, so a number taken at
the counter could be refused by booking (issue 11). Phones are parsed by `phonenumbers`
(Google's libphonenumber metadata: which prefixes Vietnamese carriers and landlines use, kept
current by its releases, docs/decisions/0024-one-rule-for-phones-and-ids.md); we store the
national form ("0912345678") that officers read and citizens type, and hand SMS gateways E.164.
"""

from __future__ import annotations

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

REGION = "VN"
_SEPARATORS = re.compile(r"[\s.\-()]")
_CITIZEN_ID = re.compile(r"^\d{12}$")
_MOBILE_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}


def _parse(raw: str) -> phonenumbers.PhoneNumber | None:
    text = _SEPARATORS.sub("", raw or "")
    if not text or len(text) > 20 or not re.fullmatch(r"\+?\d+", text):
        return None
    try:
        number = phonenumbers.parse(text, REGION)
    except phonenumbers.NumberParseException:
        return None
    if number.country_code != 84 or not phonenumbers.is_valid_number(number):
        return None
    return number


def phone(raw: str, *, mobile: bool = True) -> str:
    """ "0912 345 678", "+84 912.345.678", "84912345678" -> "0912345678".

    `mobile`: the number must reach a mobile phone (it will get SMS: tickets, bookings,
    dossier notices); otherwise a landline passes too. Raises ValidationError (code "bad_phone").
    """
    number = _parse(raw)
    if number is None or (mobile and phonenumbers.number_type(number) not in _MOBILE_TYPES):
        raise ValidationError(
            _("Số điện thoại không hợp lệ: cần số di động 10 chữ số (ví dụ 0912 345 678).")
            if mobile
            else _("Số điện thoại không hợp lệ (ví dụ 0912 345 678 hoặc 024 3765 4321)."),
            code="bad_phone",
        )
    return "0" + str(number.national_number)


def e164(raw: str) -> str:
    """The international form SMS gateways want ("+84912345678"): a mobile, as `phone`."""
    return "+84" + phone(raw)[1:]


def citizen_id(raw: str) -> str:
    """12 digits of the citizen's personal identification number (số định danh cá nhân, on the
    căn cước card); spaces, dots and dashes people type between groups are dropped."""
    digits = _SEPARATORS.sub("", raw or "")
    if not _CITIZEN_ID.match(digits):
        raise ValidationError(
            _("Số định danh cá nhân phải gồm đúng 12 chữ số."), code="bad_citizen_id"
        )
    return digits


def is_citizen_id(raw: str) -> bool:
    try:
        citizen_id(raw)
    except ValidationError:
        return False
    return True
