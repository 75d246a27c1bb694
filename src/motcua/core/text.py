"""Vietnamese text helpers: accent-insensitive folding for search, phone masking for pages."""

import unicodedata

_EXTRA = str.maketrans({"đ": "d", "Đ": "d"})


def fold(text: str) -> str:
    """Lower-case, drop diacritics and map đ->d, so "Đăng ký" and "dang ky" compare equal."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", text.translate(_EXTRA))
    stripped = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return " ".join(stripped.lower().split())


def mask_phone(phone: str) -> str:
    """A phone number as public pages show it: "091• ••• •••".

    Only the network prefix (first 3 digits) stays, so the owner can tell which of their SIMs
    it is; none of the last four, which prove ownership of a booking (decisions/0021).
    """
    digits = "".join(c for c in phone or "" if c.isdigit())
    if not digits:
        return ""
    shown = digits[:3] if len(digits) >= 8 else ""
    hidden = "•" * (len(digits) - len(shown))
    masked = shown + hidden
    if len(masked) == 10:  # written as Vietnamese mobiles are: 4-3-3
        return f"{masked[:4]} {masked[4:7]} {masked[7:]}"
    return masked
