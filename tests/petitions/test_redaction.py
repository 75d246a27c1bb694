"""Published answers carry no personal data: many generated Vietnamese names, phones, citizen IDs
(12 digits), old identity cards (9 digits), e-mails and house addresses, written into answers the
way officers write them; none survive `redaction.mask`, and what the public needs stays."""

from __future__ import annotations

import random
import re

import pytest

from motcua.core import identifiers
from motcua.petitions.redaction import mask

SURNAMES = [
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
    "Hồ", "Ngô", "Dương", "Lý", "Đào", "Đoàn", "Trịnh", "Trương", "Lâm", "Phùng", "Mai", "Tô",
    "Hà", "Cao", "Đinh", "Lương", "Quách", "Kiều", "Triệu", "Lò", "Nông", "Hứa",
]  # fmt: skip
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Hữu", "Ngọc", "Thanh", "Quốc", "Xuân", "Thu", "Kim", ""]
GIVEN = [
    "An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hoa", "Hùng", "Hương",
    "Khánh", "Lan", "Linh", "Long", "Mai", "Nam", "Nga", "Phong", "Phương", "Quang", "Sơn",
    "Tâm", "Thảo", "Thủy", "Trang", "Tuấn", "Việt", "Yến", "Đạt", "Ánh",
]  # fmt: skip
FORMS = ["ông", "bà", "anh", "chị", "hộ ông", "gia đình bà", "cháu", "Ông", "Bà"]
PREFIXES = ["091", "094", "098", "097", "086", "032", "035", "070", "077", "083", "088", "056"]
STREETS = ["Lê Lợi", "Trần Phú", "Nguyễn Trãi", "Hai Bà Trưng", "Quang Trung", "Lạch Tray"]
TEMPLATES = [
    "Ngày 15/11/2026, Phòng Kinh tế đã làm việc với {form} {name} ({phone}) tại {address}, "
    "thôn Đông. Theo Nghị định 118/2025/NĐ-CP, hộ đã cam kết tháo dỡ trong 10 ngày.",
    "{Form} {name}, CCCD số {cccd}, địa chỉ {address}, phản ánh việc đổ rác; UBND xã đã "
    "kiểm tra, đội vệ sinh thu gom xong. Liên hệ: {email}.",
    "Căn cứ biên bản ngày 02/12/2026, {name} (CMND {cmnd}, điện thoại {phone}) đã được "
    "hướng dẫn nộp hồ sơ tại Trung tâm phục vụ hành chính công. Kinh phí 15.000.000 đồng.",
    "{name} ở {address} có ý kiến về đèn chiếu sáng; đã thay bóng. Mọi thắc mắc gọi "
    "{phone} hoặc gửi {email}.",
    "Phản ánh của {form} {name} (số định danh {cccd}) về lấn chiếm vỉa hè đường Lê Lợi đã "
    "được xử lý.",
]


def _phone(rng: random.Random) -> str:
    digits = rng.choice(PREFIXES) + "".join(rng.choice("0123456789") for _ in range(7))
    style = rng.randrange(4)
    if style == 1:
        return f"{digits[:4]} {digits[4:7]} {digits[7:]}"
    if style == 2:
        return f"{digits[:4]}.{digits[4:7]}.{digits[7:]}"
    if style == 3:
        return "+84 " + digits[1:]
    return digits


def _address(rng: random.Random) -> str:
    n = rng.randint(1, 250)
    choice = rng.randrange(5)
    street = rng.choice(STREETS)
    if choice == 0:
        return f"số nhà {n}, ngõ {rng.randint(1, 99)}, đường {street}"
    if choice == 1:
        return f"nhà số {n}{rng.choice(['', 'A', 'B'])} đường {street}"
    if choice == 2:
        return f"{n}/{rng.randint(1, 40)} {street}"
    if choice == 3:
        return f"số {n} ngách {rng.randint(1, 30)}/{rng.randint(1, 9)} phố {street}"
    return f"hẻm {rng.randint(1, 120)} đường {street}"


def _name(rng: random.Random) -> str:
    parts = [rng.choice(SURNAMES), rng.choice(MIDDLE), rng.choice(GIVEN)]
    return " ".join(p for p in parts if p)


def _cases(n: int):
    rng = random.Random(20261207)
    for _ in range(n):
        form = rng.choice(FORMS)
        values = {
            "form": form,
            "Form": form[:1].upper() + form[1:],
            "name": _name(rng),
            "phone": _phone(rng),
            "cccd": "0" + "".join(rng.choice("0123456789") for _ in range(11)),
            "cmnd": "".join(rng.choice("123456789") for _ in range(9)),
            "email": f"{rng.choice(['an', 'hoa.le', 'tuan_89'])}{rng.randint(1, 999)}@gmail.com",
            "address": _address(rng),
        }
        yield rng.choice(TEMPLATES).format(**values), values


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def test_no_generated_personal_data_survives():
    survived = []
    for text, v in _cases(3000):
        out = mask(text)
        leaks = []
        if v["name"] in out:
            leaks.append(v["name"])
        digits_out = " ".join(re.findall(r"[\d][\d\s.+\-]*\d", out))
        for key in ("phone", "cccd", "cmnd"):
            number = _digits(v[key])
            if number[-9:] in _digits(digits_out) or v[key] in out:
                leaks.append(v[key])
        if v["email"] in out or "@" in out:
            leaks.append(v["email"])
        house = re.search(r"\d+[A-B]?(?:/\d+)?", v["address"]).group(0)
        if re.search(
            rf"(?<![\d/]){re.escape(house)}(?![\d/])",
            out.replace("15/11/2026", "")
            .replace("02/12/2026", "")
            .replace("118/2025", "")
            .replace("10 ngày", "")
            .replace("15.000.000", ""),
        ):
            leaks.append(v["address"])
        if leaks:
            survived.append((text, out, leaks))
    assert survived == [], survived[:5]


def test_what_the_public_needs_stays():
    text = (
        "Ngày 15/11/2026, Phòng Kinh tế đã kiểm tra tuyến đường Trần Phú và nhà văn hóa thôn "
        "Đông; theo Nghị định 118/2025/NĐ-CP, kinh phí 15.000.000 đồng, hoàn thành trong 10 ngày."
    )
    assert mask(text) == text


def test_the_submitters_own_data_is_hidden_however_it_is_written():
    out = mask(
        "Cảm ơn AN đã phản ánh. Gọi lại 0912.345.678.",
        known=["An", "0912345678", "an@example.com"],
    )
    assert "0912" not in out
    out = mask("Đã trao đổi với nguyễn văn an.", known=["Nguyễn Văn An"])
    assert "nguyễn văn an" not in out.lower()


@pytest.mark.parametrize("raw", ["0912345678", "+84 912 345 678", "024 3765 4321"])
def test_every_phone_the_project_accepts_is_masked(raw):
    identifiers.phone(raw, mobile=False)  # the project's one rule says it is a phone
    assert _digits(raw)[-7:] not in _digits(mask(f"Liên hệ {raw} để biết thêm."))
