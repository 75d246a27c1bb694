"""Maintainer script: build catalog/data/demo_procedures.json from the shared reference list.

Run by hand when the reference list changes (not at run time):

    .venv/bin/python -m motcua.demo.build_procedures /work/shared/data/procedures-commune.json

It keeps the record shape of the shared file (the catalog importer reads exactly that shape),
drops records without a national code, fills gaps only where a cited source gives the value
(each fill adds the source to `sources` and says so in `notes`), adds routing steps for the
civil-status procedures, and publishes the records whose processing time is known.

Cases (docs/decisions/0015): a fee row gets a `case` only where its source text names the
case (on time / late, exempt / not, electronic / paper copy), and a channel or start date only
where the text says "nộp trực tiếp/bưu chính" or "nộp trực tuyến ... từ 08/8/2026"; a
component gets a `condition` only where its note says when it is needed ("chỉ khi trẻ bị bỏ
rơi", "khi ủy quyền"). Amounts and confidence flags are never changed; a row whose text does
not say which case it belongs to keeps none, and the publicity check shows it.
"""

import copy
import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "catalog" / "data" / "demo_procedures.json"

ENRICHMENT = (
    "github:hongdienvbhp/BangNiemYetVinhBao/data/tthc-guidance-enrichment.json "
    "(bản chụp nội dung DVCQG 23/6/2026, kiểm chứng 21/9/2026)"
)
TIME_OVERRIDES = (
    "github:hongdienvbhp/BangNiemYetVinhBao/"
    "data/source-audit/priority50-official-time-overrides.json"
)


def _c(name: str, form: str = "original", note: str = "") -> dict:
    return {
        "name": name,
        "original_or_copy": form,
        "count": 1,
        "note": note,
        "from_state_data": False,
        "from_warehouse": False,
    }


# Values read from the cited files; key -> fields to set. "time" is (value, unit, note).
FILLS: dict[str, dict] = {
    "1.001776": {
        "time": (10, "working_day", "10 ngày làm việc (DVCQG, cả ba hình thức nộp)."),
        "components": [
            _c(
                "Tờ khai của đối tượng theo Mẫu số 1a, 1b, 1c, 1d, 1đ ban hành kèm theo "
                "Nghị định số 20/2021/NĐ-CP"
            ),
            _c("Giấy xác nhận khuyết tật", note="đối với trường hợp người khuyết tật"),
            _c(
                "Giấy khai sinh của trẻ em",
                note="trường hợp xét trợ cấp cho trẻ em, người đơn thân nghèo hoặc người "
                "khuyết tật đang nuôi con",
            ),
            _c(
                "Giấy tờ xác nhận bị nhiễm HIV của cơ quan y tế có thẩm quyền",
                note="trường hợp bị nhiễm HIV",
            ),
        ],
        "result": "Quyết định trợ cấp xã hội hàng tháng, hỗ trợ kinh phí chăm sóc, nuôi dưỡng "
        "hàng tháng (hoặc điều chỉnh, thôi hưởng)",
    },
    "1.001731": {
        "time": (3, "working_day", "03 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ (DVCQG)."),
        "components": [
            _c(
                "Tờ khai đề nghị hỗ trợ chi phí mai táng theo Mẫu số 04 ban hành kèm theo "
                "Nghị định số 20/2021/NĐ-CP"
            ),
            _c("Giấy chứng tử hoặc giấy báo tử của đối tượng", "copy"),
        ],
        "result": "Quyết định hỗ trợ chi phí mai táng",
    },
    "1.001699": {
        "time": (25, "working_day", "25 ngày làm việc (DVCQG, cả ba hình thức nộp)."),
        "components": [
            _c(
                "Đơn đề nghị theo Mẫu số 01 ban hành kèm Thông tư số 01/2019/TT-BLĐTBXH "
                "(sửa đổi tại Thông tư số 08/2023/TT-BLĐTBXH)"
            ),
            _c(
                "Các giấy tờ liên quan đến khuyết tật (bệnh án, giấy tờ khám, điều trị, "
                "phẫu thuật, Giấy xác nhận khuyết tật cũ...)",
                "copy",
                "nếu có",
            ),
        ],
        "result": "Giấy xác nhận khuyết tật",
    },
    "1.014027": {
        "time": (
            10,
            "working_day",
            "10 ngày làm việc kể từ ngày nhận được văn bản đề nghị (DVCQG).",
        ),
        "components": [
            _c(
                "Văn bản đề nghị hưởng trợ cấp hưu trí xã hội theo Mẫu số 01 ban hành "
                "kèm theo Nghị định số 176/2025/NĐ-CP"
            )
        ],
        "result": "Quyết định trợ cấp (điều chỉnh, thôi hưởng) trợ cấp hưu trí xã hội",
    },
    "1.014028": {
        "time": (3, "working_day", "03 ngày làm việc kể từ ngày nhận đủ hồ sơ (DVCQG)."),
        "components": [
            _c(
                "Tờ khai đề nghị hỗ trợ chi phí mai táng theo Mẫu số 02 ban hành kèm "
                "theo Nghị định số 176/2025/NĐ-CP"
            )
        ],
        "result": "Quyết định hỗ trợ chi phí mai táng",
    },
    "2.000286": {
        "time": (
            10,
            "working_day",
            "10 ngày làm việc với cơ sở trợ giúp xã hội do UBND xã quản lý; 15 ngày làm việc "
            "với cơ sở do UBND cấp tỉnh quản lý (DVCQG).",
        ),
        "components": [
            _c(
                "Tờ khai của đối tượng hoặc người giám hộ theo Mẫu số 07 ban hành kèm theo "
                "Nghị định số 20/2021/NĐ-CP"
            ),
            _c("Giấy khai sinh đối với trẻ em", "copy"),
            _c("Giấy xác nhận khuyết tật", "copy", "trường hợp là người khuyết tật"),
            _c("Xác nhận của cơ quan y tế có thẩm quyền", note="trường hợp nhiễm HIV"),
        ],
        "result": "Quyết định tiếp nhận đối tượng vào cơ sở trợ giúp xã hội",
    },
    "1.011606": {
        "components": [
            _c(
                "Giấy đề nghị rà soát hộ nghèo, hộ cận nghèo theo Mẫu số 01 Phụ lục "
                "ban hành kèm theo Quyết định số 24/2021/QĐ-TTg"
            )
        ],
        "result": "Quyết định công nhận danh sách hộ nghèo, hộ cận nghèo; hộ thoát nghèo, "
        "hộ thoát cận nghèo",
        "note": "DVCQG ghi thời hạn '1 Khác' (không rõ đơn vị): để trống, chưa có nguồn.",
    },
    "1.011609": {
        "time": (15, "calendar_day", "15 ngày (DVCQG ghi 'Ngày'; chỉ trực tiếp và bưu chính)."),
        "components": [
            _c(
                "Giấy đề nghị xác định hộ có mức sống trung bình theo Mẫu số 01 Phụ lục "
                "ban hành kèm theo Quyết định số 24/2021/QĐ-TTg"
            )
        ],
        "result": "Quyết định công nhận hộ làm nông nghiệp, lâm nghiệp, ngư nghiệp và diêm "
        "nghiệp có mức sống trung bình",
    },
    "1.010824": {
        "time": (
            19,
            "calendar_day",
            "19 ngày đối với trợ cấp một lần và mai táng; 24 ngày đối với trợ cấp tuất hằng "
            "tháng, tuất nuôi dưỡng hằng tháng, kể từ ngày nhận đủ hồ sơ (DVCQG ghi 'DAY'). "
            "Cơ quan giải quyết theo DVCQG: Sở Nội vụ; xã tiếp nhận.",
        ),
        "components": [
            _c("Bản khai theo Mẫu số 12 Phụ lục I Nghị định số 131/2021/NĐ-CP"),
            _c("Giấy báo tử hoặc trích lục khai tử", "certified_copy"),
            _c(
                "Giấy khai sinh hoặc trích lục khai sinh",
                "certified_copy",
                "trợ cấp tuất hằng tháng khi thân nhân là con chưa đủ 18 tuổi",
            ),
        ],
        "result": "Quyết định về việc trợ cấp khi người có công từ trần",
    },
    "1.010803": {
        "time": (10, "working_day", "10 ngày làm việc kể từ ngày nhận đủ giấy tờ (DVCQG)."),
        "components": [
            _c("Đơn đề nghị theo Mẫu số 18 Phụ lục I Nghị định số 131/2021/NĐ-CP"),
            _c("Bằng “Tổ quốc ghi công”", "certified_copy"),
            _c("Văn bản ủy quyền", note="khi ủy quyền"),
        ],
        "result": "Quyết định trợ cấp thờ cúng liệt sĩ",
    },
    "1.010833": {
        "time": (
            5,
            "working_day",
            "05 ngày làm việc kể từ ngày nhận đủ hồ sơ (DVCQG; chỉ trực tiếp và bưu chính).",
        ),
        "components": [
            _c("Đơn đề nghị cấp giấy xác nhận thân nhân của người có công"),
            _c(
                "Giấy chứng nhận người có công (hoặc huân, huy chương, kỷ niệm chương, bằng Có "
                "công với nước) và giấy tờ xác nhận mối quan hệ với người có công",
                "certified_copy",
            ),
        ],
        "result": "Giấy xác nhận thân nhân của người có công",
    },
    "1.013978": {
        "time": (
            27,
            "working_day",
            "Trực tiếp 27, bưu chính 20, trực tuyến 17 ngày làm việc (DVCQG).",
        ),
        "online_time": 17,
        "result": "Thông báo xác nhận kết quả đăng ký đất đai; Giấy chứng nhận quyền sử dụng đất, "
        "quyền sở hữu tài sản gắn liền với đất",
        "note": "Thành phần hồ sơ dài, nhiều trường hợp: chưa chép vào đây (xem nguồn).",
    },
    "1.013702": {
        "time": (
            30,
            "working_day",
            "30 ngày làm việc kể từ ngày UBND cấp xã nhận hồ sơ đầy đủ, hợp pháp (DVCQG).",
        ),
        "components": [
            _c("Đơn đề nghị công nhận ban vận động thành lập hội (theo mẫu)"),
            _c("Danh sách và trích ngang của những người dự kiến trong ban vận động"),
            _c(
                "Sơ yếu lý lịch và Phiếu lý lịch tư pháp số 1 của các thành viên ban vận động",
                note="không quá 06 tháng",
            ),
            _c(
                "Ý kiến đồng ý của cơ quan có thẩm quyền đối với cán bộ, công chức, viên chức "
                "tham gia ban vận động",
                note="nếu có",
            ),
        ],
        "result": "Quyết định công nhận ban vận động thành lập hội",
    },
    "1.013703": {
        "time": (
            60,
            "working_day",
            "60 ngày làm việc kể từ ngày UBND cấp xã nhận hồ sơ đầy đủ, hợp pháp (DVCQG).",
        ),
        "components": [
            _c("Đơn đề nghị thành lập hội (theo mẫu)"),
            _c("Dự thảo điều lệ hội (theo mẫu)"),
            _c("Danh sách và đơn đăng ký tham gia thành lập hội"),
            _c("Quyết định công nhận ban vận động thành lập hội kèm danh sách thành viên"),
            _c(
                "Sơ yếu lý lịch và Phiếu lý lịch tư pháp số 1 của trưởng ban vận động",
                note="không quá 06 tháng",
            ),
            _c("Văn bản chứng minh quyền sử dụng hợp pháp nơi dự kiến đặt trụ sở"),
            _c("Bản cam kết bảo đảm kinh phí hoạt động nhiệm kỳ thứ nhất"),
            _c("Bản kê khai tài sản do ban vận động tự nguyện đóng góp", note="nếu có"),
        ],
        "result": "Quyết định cho phép thành lập hội",
    },
    "1.003622": {
        "time": (15, "calendar_day", "15 ngày (DVCQG; chỉ trực tiếp và bưu chính)."),
        "components": [
            _c(
                "Văn bản thông báo tổ chức lễ hội (tên, sự cần thiết; thời gian, địa "
                "điểm, quy mô, hoạt động; khách mời; ban tổ chức; phương án bảo đảm an "
                "ninh trật tự, phòng chống cháy nổ, bảo vệ môi trường)"
            )
        ],
        "result": "Văn bản trả lời về việc thông báo tổ chức lễ hội (nếu không đồng ý)",
    },
    "2.002481": {
        "components": [
            _c("Đơn xin chuyển trường do cha, mẹ hoặc người giám hộ ký"),
            _c("Học bạ"),
            _c("Giấy giới thiệu chuyển trường do Hiệu trưởng trường nơi đi cấp"),
        ],
        "result": "Học sinh được tiếp nhận, xếp vào lớp",
        "note": "DVCQG ghi thời hạn 'Không quy định': để trống.",
    },
    "1.012812": {
        "note": "DVCQG (bản chụp 23/6/2026) ghi 30 ngày qua bưu chính, 40 ngày trực tiếp; "
        "giữ 30 ngày theo danh mục Hải Phòng, chưa đối chiếu được chênh lệch.",
    },
}

# Same-day certification: the official time is "trong ngày ... hoặc ngày làm việc tiếp theo".
TIME_FIXES = {
    "2.000913": (
        1,
        "working_day",
        "Trong ngày tiếp nhận yêu cầu hoặc trong ngày làm việc tiếp theo nếu tiếp nhận "
        "sau 15 giờ (DVCQG, ma_thu_tuc=3014).",
    ),
}


# (code, how the fee row's condition text starts) -> the case that text names.
FEE_CASES: dict[tuple[str, str], str] = {
    # birth registration: on time (or an exempt person) free; late 8.000 đ in Hải Phòng
    ("1.001193", "đăng ký khai sinh đúng hạn"): "Đúng hạn hoặc được miễn lệ phí",
    ("1.001193", "đăng ký khai sinh không đúng hạn"): "Không đúng hạn",
    ("1.001193", "Hải Phòng, nộp trực tiếp/bưu chính tại UBND cấp xã: đăng ký khai sinh không"): (
        "Không đúng hạn"
    ),
    # death registration: the national row does not say which case: it keeps none
    ("1.000656", "khai tử đúng hạn"): "Đúng hạn",
    ("1.000656", "Hải Phòng, nộp trực tiếp/bưu chính tại UBND cấp xã: đăng ký khai tử không"): (
        "Không đúng hạn"
    ),
    # adoption: 400.000 đ per case unless the adopter is in an exempt group
    ("2.001263", "mỗi trường hợp"): "Không thuộc diện miễn",
    ("2.001263", "miễn:"): "Thuộc diện miễn lệ phí",
    # certified copies: Hải Phòng pays the whole fee for electronic copies at the centre
    ("2.000815", "mỗi trang"): "Bản sao giấy",
    ("2.000815", "Hải Phòng: hỗ trợ 100% phí chứng thực bản sao điện tử"): "Bản sao điện tử",
}
# (code, condition start) -> validity the text states, as (valid_from, valid_to)
FEE_DATES: dict[tuple[str, str], tuple[str | None, str | None]] = {
    ("2.000815", "Hải Phòng: hỗ trợ 100% phí chứng thực bản sao điện tử"): (
        "2026-01-01",
        "2030-12-31",
    ),
}
# (code, condition start) -> how the row's amount is counted, as its own text states it
# (catalog.Fee.per and the page tier; payments.fees)
FEE_COUNTING: dict[tuple[str, str], dict] = {
    # "mỗi trang ...; từ trang thứ 3 trở lên 1.000 đ/trang; tối đa 200.000 đ/bản" (TT 226/2016)
    ("2.000815", "mỗi trang"): {
        "per": "page",
        "tier_from_page": 3,
        "tier_amount_vnd": 1000,
        "cap_per_copy_vnd": 200000,
    },
    ("2.000635", "mỗi bản sao"): {"per": "copy"},
}
# condition starts that say the channel (Hải Phòng's wording, the same in every record)
IN_PERSON_TEXT = ("Hải Phòng, nộp trực tiếp/bưu chính", "Hải Phòng, cá nhân, nộp trực tiếp")
ONLINE_FROM_8_8_2026 = (
    "Hải Phòng: nộp trực tuyến qua Cổng DVCQG hoặc VNeID, hồ sơ nộp từ 08/8/2026",
    "Hải Phòng: nộp trực tuyến qua DVCQG/VNeID từ 08/8/2026",
    "Hải Phòng: lệ phí cấp GCN và phí thẩm định hồ sơ = 0 đồng khi nộp trực tuyến qua "
    "DVCQG/VNeID, từ 08/8/2026",
)
# how a component's note starts -> the condition it states (the label reception asks about)
COMPONENT_CONDITIONS: dict[str, str] = {
    "chỉ khi trẻ bị bỏ rơi": "Trẻ bị bỏ rơi",
    "chỉ khi trẻ sinh ra do mang thai hộ": "Trẻ sinh ra do mang thai hộ",
    "khi ủy quyền": "Nộp qua người được ủy quyền",
    "chỉ khi cơ quan đăng ký hộ tịch không khai thác được thông tin cư trú": (
        "Không khai thác được thông tin cư trú"
    ),
    "khi cơ quan đăng ký hộ tịch không khai thác được dữ liệu cư trú": (
        "Không khai thác được thông tin cư trú"
    ),
    "chỉ khi đã từng kết hôn": "Đã từng kết hôn",
    "khi xin cấp lại để dùng vào mục đích khác hoặc giấy đã hết hạn": (
        "Xin cấp lại (mục đích khác hoặc giấy đã hết hạn)"
    ),
    "nếu trẻ ở cơ sở nuôi dưỡng": "Trẻ ở cơ sở nuôi dưỡng",
    "trừ cha dượng, mẹ kế, cô, cậu, dì, chú, bác ruột": (
        "Người nhận không phải cha dượng, mẹ kế, cô, cậu, dì, chú, bác ruột"
    ),
    "đối với trường hợp người khuyết tật": "Người khuyết tật",
    "trường hợp là người khuyết tật": "Người khuyết tật",
    "trường hợp bị nhiễm HIV": "Nhiễm HIV",
    "trường hợp nhiễm HIV": "Nhiễm HIV",
    "trường hợp xét trợ cấp cho trẻ em, người đơn thân nghèo hoặc người khuyết tật đang nuôi con": (
        "Trẻ em, người đơn thân nghèo hoặc người khuyết tật đang nuôi con"
    ),
    "trợ cấp tuất hằng tháng khi thân nhân là con chưa đủ 18 tuổi": (
        "Trợ cấp tuất hằng tháng cho con chưa đủ 18 tuổi"
    ),
}
CASES_NOTE = (
    "Trường hợp của phí, lệ phí và giấy tờ gắn theo đúng chữ của nguồn "
    "(motcua.demo.build_procedures: FEE_CASES, COMPONENT_CONDITIONS)."
)


def map_cases(rec: dict) -> bool:
    """Give fee rows and components the case their own text states; True if any was set."""
    changed = False
    for fee in rec.get("fees") or []:
        text = fee.get("condition") or ""
        for (code, start), case in FEE_CASES.items():
            if code == rec["code"] and text.startswith(start):
                fee["case"] = case
                changed = True
        for (code, start), counting in FEE_COUNTING.items():
            if code == rec["code"] and text.startswith(start):
                fee.update(counting)
                changed = True
        for (code, start), (valid_from, valid_to) in FEE_DATES.items():
            if code == rec["code"] and text.startswith(start):
                fee["valid_from"], fee["valid_to"] = valid_from, valid_to
                changed = True
        if text.startswith(IN_PERSON_TEXT):
            fee["channel"] = "in_person"
            changed = True
        elif text.startswith(ONLINE_FROM_8_8_2026):
            fee["channel"], fee["valid_from"] = "online", "2026-08-08"
            changed = True
    for component in rec.get("components") or []:
        note = component.get("note") or ""
        for start, condition in COMPONENT_CONDITIONS.items():
            if note.startswith(start):
                component["condition"] = condition
                changed = True
                break
    return changed


def civil_status_steps(days: float) -> list[dict]:
    """Reception 0.5 day, examination, leader's signature, return: sums to the statutory time."""
    plan = [0.5, 0.25, 0.15, 0.1] if days <= 1 else [0.5, days - 1.25, 0.5, 0.25]
    names = [
        ("Tiếp nhận, kiểm tra hồ sơ tại Bộ phận Một cửa", "service_centre", "reception"),
        (
            "Thẩm định hồ sơ, dự thảo kết quả (công chức tư pháp - hộ tịch)",
            "office",
            "processing",
        ),
        ("Lãnh đạo UBND xã xem xét, ký duyệt", "office", "approval"),
        ("Trả kết quả, lưu hồ sơ", "service_centre", "return"),
    ]
    return [
        {"order": i + 1, "name": n, "department_kind": k, "days": d, "stage": stage}
        for i, ((n, k, stage), d) in enumerate(zip(names, plan, strict=True))
    ]


def is_publishable(rec: dict) -> bool:
    """Published when a citizen learns at least how long it takes.

    Every record is on the province's official list, so the demo publishes them as soon as
    the processing time is known; what is still missing (online mode, fees, papers) shows up
    in the publicity check instead of hiding the procedure. Records without a time stay
    drafts until someone finds the time in a source.
    """
    return bool(rec.get("code") and rec["processing_time"].get("value") is not None)


def build(records: list[dict]) -> list[dict]:
    out = []
    for original in records:
        if not original.get("code"):
            continue  # the importer rejects records without a national code
        rec = copy.deepcopy(original)
        fill = FILLS.get(rec["code"])
        filled = []
        if fill:
            if "time" in fill and rec["processing_time"].get("value") is None:
                value, unit, note = fill["time"]
                rec["processing_time"] = {"value": value, "unit": unit, "note": note}
                filled.append("thời hạn")
            if "online_time" in fill:
                rec["online_processing_time"] = {"value": fill["online_time"]}
                filled.append("thời hạn trực tuyến")
            if fill.get("components") and not rec.get("components"):
                rec["components"] = fill["components"]
                filled.append("thành phần hồ sơ")
            if fill.get("result") and not rec.get("result"):
                rec["result"] = fill["result"]
                filled.append("kết quả")
            if filled or fill.get("note"):
                rec["sources"] = [*rec.get("sources", []), ENRICHMENT]
            extra = f"Bổ sung từ nguồn ({', '.join(filled)}): {ENRICHMENT}." if filled else ""
            rec["notes"] = " ".join(
                x for x in [rec.get("notes", ""), extra, fill.get("note", "")] if x
            )
        if rec["code"] in TIME_FIXES:
            value, unit, note = TIME_FIXES[rec["code"]]
            old = rec["processing_time"].get("value")
            rec["processing_time"] = {"value": value, "unit": unit, "note": note}
            rec["sources"] = [*rec.get("sources", []), TIME_OVERRIDES]
            rec["notes"] = (
                rec.get("notes", "") + f" Thời hạn sửa từ {old} thành {value} ngày "
                f"làm việc theo {TIME_OVERRIDES}."
            ).strip()
        pt = rec["processing_time"]
        if rec["field"] == "Hộ tịch" and pt.get("value") and pt.get("unit") == "working_day":
            rec["steps"] = civil_status_steps(float(pt["value"]))
        else:
            rec.setdefault("steps", [])
        if map_cases(rec):
            rec["notes"] = " ".join(x for x in [rec.get("notes", ""), CASES_NOTE] if x)
        rec.setdefault("requirements", "")
        rec.setdefault("online_mode_reason", "")
        rec["is_published"] = is_publishable(rec)
        out.append(rec)
    return out


def main(argv: list[str]) -> None:
    source = Path(argv[1] if len(argv) > 1 else "/work/shared/data/procedures-commune.json")
    records = build(json.loads(source.read_text(encoding="utf-8")))
    OUT.write_text(json.dumps(records, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    published = sum(r["is_published"] for r in records)
    print(f"{len(records)} thủ tục, {published} công khai -> {OUT}")


if __name__ == "__main__":
    main(sys.argv)
