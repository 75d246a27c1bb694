"""Mẫu 07, the tracking book (Sổ theo dõi hồ sơ), as PDF and as the .xlsx offices exchange."""

import dataclasses
import io
import subprocess
from datetime import date, datetime, timedelta

import pytest
from openpyxl import load_workbook

from motcua.dossiers.papers import render, samples
from motcua.dossiers.papers.data import TrackingBookData, TrackingBookRow
from motcua.dossiers.papers.xlsx import HEADER_ROW

from .test_papers import page_count, pdf_text

HEADERS = [
    "STT",
    "Mã hồ sơ",
    "Tên thủ tục hành chính",
    "Số lượng hồ sơ (bộ)",
    "Tên cá nhân, tổ chức",
    "Địa chỉ",
    "Số điện thoại",
    "Nhận hồ sơ",
    "Hẹn trả kết quả",
    "Trả kết quả",
    "Người tiếp nhận",
    "Địa bàn phát sinh",
    "Bên giao",
    "Bên nhận",
    "Ghi chú",
]


def open_book(data: TrackingBookData):
    return load_workbook(io.BytesIO(render.tracking_book_xlsx(data))).active


def test_tracking_book_xlsx_has_title_bold_frozen_header_and_the_rows():
    ws = open_book(samples.tracking_book())
    assert (
        ws["A1"].value
        == "ỦY BAN NHÂN DÂN XÃ TÂN HÒA - TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG XÃ TÂN HÒA"
    )
    assert ws["A2"].value == "SỔ THEO DÕI HỒ SƠ"
    assert ws["A3"].value == "Quyển số: 01/2026 · Từ 01/01/2026 đến 31/01/2026"
    header = [c.value for c in ws[HEADER_ROW]]
    assert header == HEADERS
    assert all(c.font.bold for c in ws[HEADER_ROW])
    assert ws.freeze_panes == f"A{HEADER_ROW + 1}"
    assert ws.column_dimensions["B"].width >= 25  # a full dossier code fits

    first = [c.value for c in ws[HEADER_ROW + 1]]
    assert first[:7] == [
        1,
        samples.CODE,
        samples.PROCEDURE,
        1,
        "Nguyễn Thị Hồng Nhung",
        "Xóm Đồng Bụt, thôn Hưng Thịnh, xã Tân Hòa, tỉnh Phú Thọ",
        "0912345678",
    ]
    assert first[10:] == [
        "Trần Văn Hùng",
        "Thôn Hưng Thịnh",
        "Trần Văn Hùng",
        "Đỗ Thị Hằng",
        "Trả muộn, đã xin lỗi",
    ]
    second = [c.value for c in ws[HEADER_ROW + 2]]
    assert second[0] == 2
    assert second[4] == "Hoàng Đức Thắng"
    assert ws.max_row == HEADER_ROW + 2


def test_tracking_book_xlsx_dates_are_real_dates_in_vietnam_time_shown_dd_mm_yyyy():
    ws = open_book(samples.tracking_book())
    received = ws.cell(row=HEADER_ROW + 1, column=8)
    assert received.value == datetime(2026, 1, 5, 8, 5)  # 01:05 UTC
    assert received.number_format.startswith("dd/mm/yyyy")
    returned_blank = dataclasses.replace(samples.tracking_book().rows[0], returned_at=None)
    ws = open_book(dataclasses.replace(samples.tracking_book(), rows=(returned_blank,)))
    assert ws.cell(row=HEADER_ROW + 1, column=10).value is None


def test_a_name_typed_as_a_formula_stays_text_in_the_spreadsheet():
    row = dataclasses.replace(samples.tracking_book().rows[0], applicant_name="=HYPERLINK(1)")
    ws = open_book(dataclasses.replace(samples.tracking_book(), rows=(row,)))
    cell = ws.cell(row=HEADER_ROW + 1, column=5)
    assert cell.value == "=HYPERLINK(1)"
    assert cell.data_type == "s"


def test_an_empty_period_gives_a_book_with_only_its_header():
    empty = dataclasses.replace(samples.tracking_book(), rows=())
    ws = open_book(empty)
    assert [c.value for c in ws[HEADER_ROW]] == HEADERS
    assert ws.max_row == HEADER_ROW


def test_period_must_not_end_before_it_starts():
    with pytest.raises(ValueError, match="period_end"):
        TrackingBookData(samples.AGENCY, date(2026, 2, 1), date(2026, 1, 31))


def test_tracking_book_pdf_is_landscape_with_rows_and_official_header(tmp_path):
    pdf = render.render_tracking_book_pdf(samples.tracking_book())
    assert pdf.startswith(b"%PDF")
    path = tmp_path / "book.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    assert "841.89 x 595.276" in info.stdout  # A4 landscape, in points
    text = pdf_text(pdf, tmp_path)
    assert "Mẫu số 07" in text
    assert "SỔ THEO DÕI HỒ SƠ" in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Từ 01/01/2026 đến 31/01/2026" in text
    assert samples.CODE in text
    assert "Nguyễn Thị Hồng Nhung" in text
    assert "Hoàng Đức Thắng" in text
    assert "08:05 05/01/2026" in text


def test_a_long_tracking_book_repeats_the_column_headers_on_every_page(tmp_path):
    base = samples.tracking_book().rows[0]
    rows = tuple(
        dataclasses.replace(
            base,
            dossier_code=f"000.00.12.H23-260105-{n:04d}",
            received_at=base.received_at + timedelta(minutes=n),
        )
        for n in range(1, 61)
    )
    pdf = render.render_tracking_book_pdf(dataclasses.replace(samples.tracking_book(), rows=rows))
    pages = page_count(pdf, tmp_path)
    assert pages >= 3
    for page in range(1, pages + 1):
        assert "Mã hồ sơ" in pdf_text(pdf, tmp_path, page=page)
    last = pdf_text(pdf, tmp_path, page=pages)
    assert "000.00.12.H23-260105-0060" in last
    assert last.split()[-1] == str(pages)  # page number on top from page 2 (ND 30/2020)


def test_tracking_book_row_refuses_naive_times():
    with pytest.raises(ValueError, match="timezone-aware"):
        TrackingBookRow(
            dossier_code="x",
            procedure_name="y",
            applicant_name="z",
            received_at=datetime(2026, 1, 5, 8, 0),
            appointment_at=samples.DUE,
        )


def test_tracking_book_png_for_review(artifacts_dir, tmp_path):
    path = tmp_path / "book.pdf"
    path.write_bytes(render.render_tracking_book_pdf(samples.tracking_book()))
    target = artifacts_dir / "paper-tracking-book"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-singlefile", str(path), str(target)], check=True
    )
    assert (artifacts_dir / "paper-tracking-book.png").exists()
