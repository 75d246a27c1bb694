"""Reading a provider's claims into the fields motcua keeps, by the configured claim names.

Providers differ: the names come from the claim-name settings (docs/operations.md); the values
are read leniently where standards allow several shapes (an OIDC `address` is an object with
`formatted`, some providers send a string) and strictly where motcua relies on them (the
12-digit citizen ID, the identity level)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError

from motcua.core import identifiers


class BadClaims(Exception):
    """The ID token is genuine but lacks what motcua needs (reason: a short code, no values)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Claims:
    subject: str
    citizen_id: str
    full_name: str
    date_of_birth: dt.date | None
    sex: str
    address: str
    identity_level: int


_SEXES = {
    "female": "female",
    "f": "female",
    "nu": "female",
    "nữ": "female",
    "2": "female",
    "male": "male",
    "m": "male",
    "nam": "male",
    "1": "male",
}


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):  # OIDC address claim
        value = value.get("formatted") or ", ".join(
            str(value[k])
            for k in ("street_address", "locality", "region", "country")
            if value.get(k)
        )
    return " ".join(str(value).split())


def _date(value) -> dt.date | None:
    text = _text(value)
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%Y%m%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 (a date, no time)
        except ValueError:
            continue
    return None


def _level(value) -> int:
    """1 or 2; anything else (absent, "0", "3", "cao") is the lowest: never assume level 2."""
    text = _text(value).lower().removeprefix("level").removeprefix("muc").strip(" _-")
    return 2 if text == "2" else 1


def read(claims: dict) -> Claims:
    subject = _text(claims.get("sub"))
    if not subject or len(subject) > 255:
        raise BadClaims("no_subject")
    try:
        citizen_id = identifiers.citizen_id(
            _text(claims.get(settings.MOTCUA_OIDC_CLAIM_CITIZEN_ID))
        )
    except ValidationError as exc:
        raise BadClaims("no_citizen_id") from exc
    full_name = _text(claims.get(settings.MOTCUA_OIDC_CLAIM_FULL_NAME))[:150]
    if not full_name:
        raise BadClaims("no_name")
    sex = _SEXES.get(_text(claims.get(settings.MOTCUA_OIDC_CLAIM_SEX)).lower(), "")
    return Claims(
        subject=subject,
        citizen_id=citizen_id,
        full_name=full_name,
        date_of_birth=_date(claims.get(settings.MOTCUA_OIDC_CLAIM_BIRTHDATE)),
        sex=sex,
        address=_text(claims.get(settings.MOTCUA_OIDC_CLAIM_ADDRESS))[:500],
        identity_level=_level(claims.get(settings.MOTCUA_OIDC_CLAIM_LEVEL)),
    )
