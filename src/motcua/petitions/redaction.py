"""Personal data removed from an answer before it is published (ND 13/2023 on personal data).

A published answer keeps what the public needs (the place in the commune, what was done, the
legal basis, dates) and loses who: the names of people, ID numbers (12-digit citizen IDs, 9-digit
old identity cards), phone numbers, e-mail addresses and house addresses. Masking is on the side
of too much: a long digit run is hidden whatever it is, a name is hidden whether or not it is a
real person's. What was known of the submitter (name, phone, e-mail) is also hidden wherever it
appears, however it is spelt.

Rules, in order:
1. e-mail addresses;
2. runs of 8+ digits (spaces, dots, dashes between groups allowed; +84 in front): phones, citizen
   IDs, old identity cards, tax codes, bank accounts. Dates (12/02/2027) and document numbers
   (118/2025/NĐ-CP) are not runs: the slash breaks them;
3. house addresses: "số nhà 12", "nhà số 12B", "số 12", "12/3", "ngõ 45", "ngách 6", "hẻm 7",
   "kiệt 8" (a house number and the lane it is in; the street, village and commune stay);
4. names: a run of 2-5 capitalised words starting with a common Vietnamese family name
   ("Nguyễn Văn An"), except after words that name a place or an institution ("đường Trần Phú",
   "trường Lê Quý Đôn"); and one to three capitalised words after a form of address ("ông Tư",
   "bà Sáu", "anh Hùng", "chị Mai Anh", "cháu Bình"). The form of address stays ("ông [...]").
"""

from __future__ import annotations

import re

from motcua.core.text import fold

NAME = "[họ tên]"
NUMBER = "[số đã ẩn]"
EMAIL = "[thư điện tử]"
ADDRESS = "[địa chỉ]"

# The family names of about 95% of Vietnamese people, and more (folded: compared without marks).
SURNAMES = frozenset(
    fold(s)
    for s in [
        "Nguyễn",
        "Trần",
        "Lê",
        "Phạm",
        "Hoàng",
        "Huỳnh",
        "Phan",
        "Vũ",
        "Võ",
        "Đặng",
        "Bùi",
        "Đỗ",
        "Hồ",
        "Ngô",
        "Dương",
        "Lý",
        "Đào",
        "Đoàn",
        "Vương",
        "Trịnh",
        "Trương",
        "Lâm",
        "Phùng",
        "Mai",
        "Tô",
        "Hà",
        "Tạ",
        "Lưu",
        "Cao",
        "Chu",
        "Đinh",
        "Lương",
        "Thái",
        "Quách",
        "Kiều",
        "Văn",
        "Triệu",
        "Khúc",
        "Nghiêm",
        "Hứa",
        "Lại",
        "Mạc",
        "Châu",
        "Thân",
        "Tăng",
        "Lục",
        "Giang",
        "Âu",
        "Đàm",
        "Từ",
        "Khổng",
        "Ông",
        "Doãn",
        "Kim",
        "Tống",
        "Lò",
        "Quàng",
        "Sầm",
        "Hoàng",
        "Nông",
        "Bế",
        "Hầu",
        "Diệp",
        "Đồng",
        "Trình",
        "Phí",
        "Bạch",
        "Chử",
        "Nhữ",
        "La",
        "Mẫn",
        "Vi",
        "Cù",
    ]
)
ADDRESS_FORMS = (
    "ông",
    "bà",
    "anh",
    "chị",
    "cô",
    "chú",
    "bác",
    "dì",
    "cậu",
    "mợ",
    "thím",
    "em",
    "cháu",
    "cụ",
    "hộ",
    "hộ gia đình",
    "gia đình",
    "ông/bà",
    "anh/chị",
)
# Words after which a name is a place's or an institution's, not a person's.
PLACE_WORDS = frozenset(
    w
    for w in [
        "đường",
        "phố",
        "ngõ",
        "đại",
        "lộ",
        "trường",
        "cầu",
        "chợ",
        "phường",
        "xã",
        "thôn",
        "tổ",
        "khu",
        "quận",
        "huyện",
        "tỉnh",
        "làng",
        "xóm",
        "bản",
        "ấp",
        "công",
        "viên",
        "bệnh",
        "viện",
        "đền",
        "chùa",
        "nhà",
        "văn",
        "hóa",
        "sân",
        "vận",
        "động",
    ]
)

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
_CURRENCY = r"\s*(?:đồng|đ\b|vnđ|vnd|triệu|tỷ)"
_MONEY = re.compile(r"^\d{1,3}(?:[.,]\d{3})+$")
_DIGITS = re.compile(r"(?<![\w/])(?:\+?84[\s.\-]?)?\d(?:[\s.\-]?\d){7,}(?![\w/])")
_HOUSE = re.compile(
    r"(?:\b(?:số\s+nhà|nhà\s+số|số)\s+\d+[a-zA-Z]?(?:/\d+[a-zA-Z]?)*(?![\w/])"
    r"|(?<![\w/])\d+[a-zA-Z]?(?:/\d+[a-zA-Z]?)+(?![\w/])"
    r"|\b(?:ngõ|ngách|hẻm|kiệt)\s+\d+[a-zA-Z]?(?:/\d+[a-zA-Z]?)*)",
    re.IGNORECASE,
)
_FULL_DATE = re.compile(r"^\d{1,2}/\d{1,2}/\d{2,4}$")
_DAY_MONTH = re.compile(r"^\d{1,2}/\d{1,2}$")
_DATE_WORDS = frozenset({"ngay", "hom", "tu", "den", "truoc", "sau", "luc"})
_WORD_TOKEN = re.compile(r"\w+", re.UNICODE)
_FORMS = sorted((tuple(fold(f).split()) for f in ADDRESS_FORMS), key=len, reverse=True)


def _digits(match: re.Match) -> str:
    text = match.group(0)
    rest = match.string[match.end() :]
    if _MONEY.match(text.strip()) and re.match(_CURRENCY, rest, re.IGNORECASE):
        return text  # 15.000.000 đồng is an amount, not a number of someone's
    return NUMBER


def _house(match: re.Match) -> str:
    text = match.group(0)
    if _FULL_DATE.match(text):
        return text
    if _DAY_MONTH.match(text):  # "ngày 12/3" is a date; "nhà 12/3", "12/3 Lê Lợi" a house
        words = fold(match.string[: match.start()]).split()
        if words and words[-1] in _DATE_WORDS:
            return text
    return ADDRESS


def _capitalised(word: str) -> bool:
    return word[:1].isupper() and word[:1].isalpha()


def _after_place(text: str, tokens: list, folded: list[str], k: int) -> bool:
    """Whether word k follows a place or institution word ("đường", "Trường", "nhà văn hóa")."""
    if k == 0 or not text[tokens[k - 1][1] : tokens[k][0]].isspace():
        return False
    lower = [t[2].lower() for t in tokens[max(0, k - 2) : k]]
    return lower[-1] in PLACE_WORDS or " ".join(lower) in PLACE_WORDS


def _names(text: str) -> str:
    """Runs of capitalised words: a family name and 1-4 more words, or 1-3 after a form of
    address, become NAME (see the module docstring)."""
    tokens = [(m.start(), m.end(), m.group(0)) for m in _WORD_TOKEN.finditer(text)]
    folded = [fold(t[2]) for t in tokens]
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(tokens):
        # the run of capitalised words starting here, separated by single spaces only
        j = i
        if _capitalised(tokens[i][2]):
            j = i + 1
            while (
                j < len(tokens)
                and _capitalised(tokens[j][2])
                and text[tokens[j - 1][1] : tokens[j][0]] == " "
            ):
                j += 1
        if j == i:
            i += 1
            continue
        after_form = any(
            i >= len(f)
            and tuple(folded[i - len(f) : i]) == f
            and text[tokens[i - 1][1] : tokens[i][0]].isspace()
            for f in _FORMS
        )
        start = next(
            (
                k
                for k in range(i, j)
                if folded[k] in SURNAMES
                and j - k >= 2
                and tokens[k][2].lower() not in PLACE_WORDS  # "Trường" is not "Trương"
            ),
            None,
        )
        if after_form and not _after_place(text, tokens, folded, i):
            spans.append((tokens[i][0], tokens[min(j, i + 3) - 1][1]))
        elif j - i >= 2 and (folded[i],) in _FORMS:  # "Bà Sáu", "Anh Hùng" opening a sentence
            spans.append((tokens[i + 1][0], tokens[min(j, i + 4) - 1][1]))
        elif start is not None and not _after_place(text, tokens, folded, start):
            spans.append((tokens[start][0], tokens[min(j, start + 5) - 1][1]))
        i = j
    for a, b in reversed(spans):
        text = text[:a] + NAME + text[b:]
    return text


def _known(text: str, values: list[str]) -> str:
    for value in values:
        value = (value or "").strip()
        if len(value) < 3:
            continue
        if any(c.isdigit() for c in value):
            digits = re.sub(r"\D", "", value)
            pattern = r"[\s.\-]?".join(digits)
            text = re.sub(pattern, NUMBER, text)
        else:
            pattern = r"\s+".join(re.escape(part) for part in value.split())
            text = re.sub(pattern, NAME, text, flags=re.IGNORECASE)
    return text


def mask(text: str, *, known: list[str] | None = None) -> str:
    """`text` with personal data replaced by bracketed placeholders (see the module docstring).
    `known`: the submitter's name, phone, e-mail as given, hidden wherever they appear."""
    if not text:
        return ""
    out = _EMAIL.sub(EMAIL, text)
    out = _known(out, list(known or []))
    out = _DIGITS.sub(_digits, out)
    out = _HOUSE.sub(_house, out)
    out = _names(out)
    return out
