"""The standard papers (Mẫu 01-06) as PDF: what the citizen and the officer read on them."""

import dataclasses
import subprocess
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import segno
from django.utils import translation
from PIL import Image

from motcua.dossiers.papers import render, samples
from motcua.dossiers.papers.data import ComponentLine, Handover, Timeliness

RENDERERS = {
    "receipt": (render.render_receipt, samples.receipt),
    "supplement": (render.render_supplement_request, samples.supplement_request),
    "refusal": (render.render_refusal, samples.refusal),
    "apology": (render.render_apology, samples.apology),
    "stop": (render.render_stop_notice, samples.stop_notice),
    "control": (render.render_control_sheet, samples.control_sheet),
}


@pytest.fixture(scope="module")
def pdfs() -> dict[str, bytes]:
    """Each sample paper rendered once: WeasyPrint's first render loads the fonts (~2 s)."""
    return {name: fn(sample()) for name, (fn, sample) in RENDERERS.items()}


def pdf_text(pdf: bytes, tmp_path: Path, *, page: int | None = None) -> str:
    """The PDF's text with whitespace collapsed, as poppler's pdftotext extracts it."""
    path = tmp_path / "paper.pdf"
    path.write_bytes(pdf)
    pages = ["-f", str(page), "-l", str(page)] if page else []
    out = subprocess.run(
        ["pdftotext", "-raw", *pages, str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    return " ".join(out.split())


def page_count(pdf: bytes, tmp_path: Path) -> int:
    path = tmp_path / "count.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True)
    line = next(x for x in info.stdout.splitlines() if x.startswith("Pages:"))
    return int(line.split()[1])


@pytest.mark.parametrize("name", list(RENDERERS))
def test_every_paper_is_a_one_page_pdf_with_the_national_header(name, pdfs, tmp_path):
    pdf = pdfs[name]
    assert pdf.startswith(b"%PDF")
    assert page_count(pdf, tmp_path) == 1
    text = pdf_text(pdf, tmp_path)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG XÃ TÂN HÒA" in text
    assert "ỦY BAN NHÂN DÂN XÃ TÂN HÒA" in text


@pytest.mark.parametrize(
    ("name", "form_no", "title"),
    [
        ("receipt", "Mẫu số 01", "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"),
        ("supplement", "Mẫu số 02", "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ"),
        ("refusal", "Mẫu số 03", "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ"),
        ("apology", "Mẫu số 04", "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT"),
        ("stop", "Mẫu số 05", "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ"),
        ("control", "Mẫu số 06", "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ"),
    ],
)
def test_each_paper_carries_its_form_number_and_title(name, form_no, title, pdfs, tmp_path):
    text = pdf_text(pdfs[name], tmp_path)
    assert form_no in text
    assert title in text


def test_receipt_shows_applicant_code_documents_and_appointment_in_official_wording(pdfs, tmp_path):
    text = pdf_text(pdfs["receipt"], tmp_path)
    assert "Nguyễn Thị Hồng Nhung" in text
    assert samples.CODE in text
    assert "Đăng ký khai sinh kết hợp cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi" in text
    assert "Giấy chứng nhận kết hôn của cha mẹ" in text
    assert "Bản sao" in text
    assert "03 ngày làm việc" in text
    # 01:05 UTC is 08:05 in Hà Nội; the appointment 09:00 UTC is 16:00 there.
    assert "Thời gian nhận hồ sơ: 08 giờ 05 phút, ngày 05 tháng 01 năm 2026" in text
    assert "Thời gian trả kết quả giải quyết hồ sơ: 16 giờ 00 phút, ngày 07 tháng 01 năm 2026" in (
        text
    )
    assert "Tân Hòa, ngày 05 tháng 01 năm 2026" in text
    assert "Quyển số: 01/2026, Số thứ tự: 0007" in text
    assert "quầy số 2" in text
    assert "NGƯỜI NỘP HỒ SƠ" in text
    assert "NGƯỜI TIẾP NHẬN HỒ SƠ" in text
    assert "Trần Văn Hùng" in text
    assert "Khi đến nhận kết quả, ông/bà mang theo Giấy này" in text


def _qr_matrix_from_png(path: Path, modules: int) -> list[list[bool]]:
    """Sample the centre of every module of a QR image with a 2-module quiet zone."""
    img = Image.open(path).convert("L")
    size = img.width / (modules + 4)
    return [
        [img.getpixel((int((x + 2.5) * size), int((y + 2.5) * size))) < 128 for x in range(modules)]
        for y in range(modules)
    ]


def test_paper_metadata_names_the_paper_and_the_agency(pdfs, tmp_path):
    path = tmp_path / "receipt.pdf"
    path.write_bytes(pdfs["receipt"])
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True)
    assert f"Title:           Giấy tiếp nhận hồ sơ và hẹn trả kết quả {samples.CODE}" in info.stdout
    assert "Author:          Trung tâm Phục vụ hành chính công xã Tân Hòa" in info.stdout
    assert "A4" in info.stdout
    meta = subprocess.run(["pdfinfo", "-meta", str(path)], capture_output=True, text=True).stdout
    assert 'pdfaid:part="3"' in meta  # PDF/A-3b identification in the XMP metadata


def test_an_organisation_is_addressed_as_such(tmp_path):
    org = dataclasses.replace(
        samples.APPLICANT, name="Hợp tác xã Nông nghiệp Tân Hòa", salutation="Tổ chức"
    )
    text = pdf_text(
        render.render_receipt(dataclasses.replace(samples.receipt(), applicant=org)), tmp_path
    )
    assert "tiếp nhận hồ sơ của: Tổ chức Hợp tác xã Nông nghiệp Tân Hòa" in text


def test_receipt_qr_code_encodes_the_lookup_address(pdfs, tmp_path):
    pdf = tmp_path / "receipt.pdf"
    pdf.write_bytes(pdfs["receipt"])
    subprocess.run(["pdfimages", "-png", str(pdf), str(tmp_path / "img")], check=True)
    images = sorted(tmp_path.glob("img-*.png"))
    assert len(images) == 1, "the receipt embeds exactly one image: the QR code"

    expected = segno.make(samples.LOOKUP_URL, error="m")
    modules = expected.symbol_size(border=0)[0]
    wanted = [[bool(cell) for cell in row] for row in expected.matrix]
    assert _qr_matrix_from_png(images[0], modules) == wanted
    assert samples.LOOKUP_URL in pdf_text(pdfs["receipt"], tmp_path).replace(" ", "")


def test_supplement_request_lists_every_item_once_with_reason_and_guiding_officer(pdfs, tmp_path):
    text = pdf_text(pdfs["supplement"], tmp_path)
    assert "Số: 12/PYCBS" in text
    assert "Ông/Bà Nguyễn Thị Hồng Nhung" in text
    assert "1. Giấy chứng sinh bản chính (bản đã nộp bị nhòe, không đọc được ngày sinh)." in text
    assert "2. Tờ khai tham gia bảo hiểm y tế có chữ ký của người đi khai." in text
    assert "Lý do: Hồ sơ chưa đầy đủ, thông tin trên giấy chứng sinh không rõ." in text
    assert "liên hệ với Trần Văn Hùng, điện thoại 0987 654 321" in text
    assert "NGƯỜI HƯỚNG DẪN" in text


def test_refusal_slip_states_the_specific_reason_and_the_signer(pdfs, tmp_path):
    text = pdf_text(pdfs["refusal"], tmp_path)
    assert "Cấp giấy phép xây dựng nhà ở riêng lẻ" in text
    assert "hành lang an toàn giao thông đường tỉnh 315" in text
    assert "không tiếp nhận, giải quyết hồ sơ này" in text
    assert "Lê Thị Hẹn" in text
    assert "NGƯỜI TIẾP NHẬN HỒ SƠ" in text


def test_apology_letter_gives_the_reason_and_the_new_appointment(pdfs, tmp_path):
    text = pdf_text(pdfs["apology"], tmp_path)
    assert "Kính gửi: Ông/Bà Nguyễn Thị Hồng Nhung" in text
    assert samples.CODE in text
    assert "Lúc 08 giờ 05 phút, ngày 05 tháng 01 năm 2026" in text
    assert "Thời gian hẹn trả kết quả là 16 giờ 00 phút, ngày 07 tháng 01 năm 2026" in text
    assert "chưa cấp được số định danh" in text
    assert "xin lỗi ông/bà" in text
    assert "Thời gian hẹn trả kết quả mới là: 10 giờ 30 phút, ngày 09 tháng 01 năm 2026" in text
    assert "GIÁM ĐỐC" in text
    assert "Phạm Quốc Khánh" in text
    assert "Nơi nhận: - Như trên; - Bộ phận Một cửa; - Lưu: VT." in text


def test_stop_notice_states_reason_and_legal_basis_with_month_written_as_decree_30_says(
    pdfs, tmp_path
):
    text = pdf_text(pdfs["stop"], tmp_path)
    assert "Ông/bà đã có văn bản đề nghị rút hồ sơ" in text
    assert "Căn cứ: Nghị định số 118/2025/NĐ-CP" in text
    assert "dừng giải quyết hồ sơ nêu trên" in text
    # ND 30/2020: a zero before days below 10 and months 1-2 only.
    assert "Tân Hòa, ngày 09 tháng 3 năm 2026" in text


def test_control_sheet_lists_every_hand_over_with_its_timeliness(pdfs, tmp_path):
    text = pdf_text(pdfs["control"], tmp_path)
    assert "Kèm theo hồ sơ của: Nguyễn Thị Hồng Nhung" in text
    table = text.split("Ghi chú", 1)[1]
    for h in samples.control_sheet().handovers:
        assert h.step_name.split()[0] in table
        assert h.giver.split(" (")[0] in table
    positions = [table.index(label) for label in ("Trước hạn", "Đúng hạn", "Quá hạn")]
    assert positions == sorted(positions), "rows keep the order of the hand-overs"
    assert "08:30 05/01/2026" in table
    assert "Đã gửi văn bản xin lỗi" in table


def test_control_sheet_without_hand_overs_says_so(tmp_path):
    data = dataclasses.replace(samples.control_sheet(), handovers=())
    text = pdf_text(render.render_control_sheet(data), tmp_path)
    assert "Chưa có lần giao, nhận hồ sơ nào." in text


def test_papers_stay_vietnamese_when_the_officer_uses_english(tmp_path):
    with translation.override("en"):
        pdf = render.render_refusal(samples.refusal())
        assert translation.get_language() == "en"
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in pdf_text(pdf, tmp_path)


def test_markup_typed_into_a_field_is_printed_as_text(tmp_path):
    applicant = dataclasses.replace(samples.APPLICANT, name='Lò Văn <b>Páo</b> <img src="x">')
    data = dataclasses.replace(samples.refusal(), applicant=applicant)
    assert 'Lò Văn <b>Páo</b> <img src="x">' in pdf_text(render.render_refusal(data), tmp_path)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "http://169.254.169.254/latest"])
def test_a_paper_cannot_make_the_server_fetch_files_or_urls(url):
    with pytest.raises(render.PaperRenderError, match="Error fetching"):
        render.html_to_pdf(f'<html><body><img src="{url}"></body></html>')


def test_naive_datetimes_are_refused_so_no_paper_is_seven_hours_off():
    with pytest.raises(ValueError, match="timezone-aware"):
        dataclasses.replace(samples.receipt(), received_at=datetime(2026, 1, 5, 8, 5))


def test_appointment_before_reception_is_refused():
    with pytest.raises(ValueError, match="before received_at"):
        dataclasses.replace(samples.receipt(), appointment_at=samples.RECEIVED.replace(hour=0))


def test_apology_needs_a_reason_and_a_new_date_after_the_original():
    with pytest.raises(ValueError, match="new_due_at"):
        dataclasses.replace(samples.apology(), new_due_at=samples.DUE)
    with pytest.raises(ValueError, match="reason"):
        dataclasses.replace(samples.apology(), reason="  ")


def test_supplement_request_needs_at_least_one_item_and_refusal_a_reason():
    with pytest.raises(ValueError, match="items"):
        dataclasses.replace(samples.supplement_request(), items=("", " "))
    with pytest.raises(ValueError, match="reason"):
        dataclasses.replace(samples.refusal(), reason="")


def test_dataclasses_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        samples.receipt().dossier_code = "x"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("finished", "label"),
    [((9, 59, 30), "Trước hạn"), ((10, 0, 40), "Đúng hạn"), ((10, 1, 0), "Quá hạn")],
)
def test_step_timeliness_compares_to_the_minute(finished, label):
    due = datetime(2026, 1, 7, 10, 0, tzinfo=UTC)
    done = datetime(2026, 1, 7, *finished, tzinfo=UTC)
    assert Timeliness.classify(done, due).label == label
    assert Handover("B", done, "A", "C", Timeliness.classify(done, due)).result_label == label


def test_stored_step_results_map_onto_the_printed_wording():
    assert [Timeliness(v).label for v in ("early", "on_time", "late")] == [
        "Trước hạn",
        "Đúng hạn",
        "Quá hạn",
    ]


@pytest.mark.parametrize(
    ("utc_moment", "wording"),
    [
        (datetime(2026, 1, 4, 17, 5, tzinfo=UTC), "00 giờ 05 phút, ngày 05 tháng 01 năm 2026"),
        (datetime(2026, 2, 28, 9, 30, tzinfo=UTC), "16 giờ 30 phút, ngày 28 tháng 02 năm 2026"),
        (datetime(2026, 12, 31, 18, 0, tzinfo=UTC), "01 giờ 00 phút, ngày 01 tháng 01 năm 2027"),
        (datetime(2026, 11, 9, 1, 0, tzinfo=UTC), "08 giờ 00 phút, ngày 09 tháng 11 năm 2026"),
    ],
)
def test_times_are_worded_officially_in_vietnam_time(utc_moment, wording):
    assert render.official_datetime(utc_moment) == wording


@pytest.mark.parametrize(
    ("days", "working", "text"),
    [
        (Decimal("3.0"), True, "03 ngày làm việc"),
        (Decimal("0.5"), True, "0,5 ngày làm việc"),
        (15, False, "15 ngày"),
        (Decimal("2.50"), True, "2,5 ngày làm việc"),
    ],
)
def test_processing_time_is_written_as_on_the_published_procedure(days, working, text):
    assert render.processing_time_text(days, working_days=working) == text


def test_a_receipt_with_many_documents_flows_onto_a_numbered_second_page(tmp_path):
    many = tuple(
        ComponentLine(f"Giấy tờ kèm theo số {n} (trích lục, xác nhận)", "Bản sao", 1)
        for n in range(1, 16)
    )
    pdf = render.render_receipt(dataclasses.replace(samples.receipt(), components=many))
    assert page_count(pdf, tmp_path) == 2
    second = pdf_text(pdf, tmp_path, page=2)
    assert "Khi đến nhận kết quả, ông/bà mang theo Giấy này" in second
    assert second.split()[-1] == "2"


def test_paper_pngs_for_review(pdfs, artifacts_dir, tmp_path):
    """Writes test-artifacts/paper-*.png: pdftotext hides broken glyphs, eyes do not."""
    for name, pdf in pdfs.items():
        path = tmp_path / f"{name}.pdf"
        path.write_bytes(pdf)
        target = artifacts_dir / f"paper-{name}"
        subprocess.run(
            ["pdftoppm", "-png", "-r", "80", "-singlefile", str(path), str(target)], check=True
        )
        assert Image.open(f"{target}.png").width > 600


@pytest.mark.parametrize(
    "count,extra", [(4, " (bản chụp có chứng thực của cơ quan cấp)"), (12, "")]
)
def test_receipt_signatures_never_sit_alone_on_a_page(count, extra, tmp_path, artifacts_dir):
    """The signatures stay with the last rows of the list and the summary lines: a page
    holding only the signature block would be a paper nobody can tell belongs to the rest."""
    names = [f"Giấy tờ kèm theo số {n}{extra}" for n in range(1, count + 1)]
    lines = tuple(ComponentLine(name, "Bản sao", 1) for name in names)
    pdf = render.render_receipt(dataclasses.replace(samples.receipt(), components=lines))
    pages = page_count(pdf, tmp_path)
    assert pages == 2  # both lists are too long for one page (before the fix: alone on 2)
    signed = pdf_text(pdf, tmp_path, page=pages)
    assert "NGƯỜI NỘP HỒ SƠ" in signed and "NGƯỜI TIẾP NHẬN HỒ SƠ" in signed
    before = signed.split("NGƯỜI NỘP HỒ SƠ")[0]
    assert names[-1] in before and names[-2] in before  # the last two rows came along
    assert "2. Số lượng hồ sơ" in before and "Vào Sổ theo dõi hồ sơ" in before
    assert names[-3] in pdf_text(pdf, tmp_path, page=1)
    path = tmp_path / "many.pdf"
    path.write_bytes(pdf)
    target = artifacts_dir / f"paper-receipt-{count}-components"
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(path), str(target)], check=True)


def test_receipt_with_few_documents_stays_one_page(tmp_path):
    for count in (1, 2, 3):
        lines = tuple(ComponentLine(f"Giấy tờ số {n}", "Bản chính", 1) for n in range(count))
        pdf = render.render_receipt(dataclasses.replace(samples.receipt(), components=lines))
        assert page_count(pdf, tmp_path) == 1
        text = pdf_text(pdf, tmp_path)
        assert text.count("STT") == 1 and f"Giấy tờ số {count - 1}" in text
