"""Chứng thực bản sao điện tử từ bản chính: the leader certifies, the copy is numbered in the
book with no gap, signed by the leader then the unit, filed to the citizen's papers and
verifiable; the fee comes from the catalog, with Hải Phòng's 0-đồng subsidy."""

import datetime as dt
import re
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook
from pyhanko.pdf_utils.reader import PdfFileReader

from motcua.certification import copies, fees, services
from motcua.certification.models import CertifiedCopy
from motcua.core.models import AuditEvent
from motcua.documents.uploads import Upload
from motcua.documents.verification import verify_pdf
from tests.citizens.myspace import BACKEND, citizen

from .conftest import AT, LAN_ID


def certify(place, original_pdf, *, actor=None, pages=2, files=None, **kw):
    return services.certify_copy(
        actor or place.leader,
        unit_id=place.commune.pk,
        citizen_id=kw.pop("citizen_id", "0311 9001 2345"),
        citizen_name="Nguyễn Thị Lan",
        title=kw.pop("title", "Bằng tốt nghiệp THPT"),
        pages=pages,
        files=files or [Upload("bang.pdf", original_pdf)],
        at=kw.pop("at", AT),
        **kw,
    )


def test_the_fee_is_the_catalog_tariff_per_page_and_zero_where_the_province_subsidises(
    haiphong, hatinh
):
    day = AT.date()
    elsewhere = fees.certification_fee(unit=hatinh.commune, pages=5, day=day)
    assert elsewhere.amount_vnd == 2 * 2000 + 3 * 1000  # from the 3rd page 1.000 đ
    assert elsewhere.basis == "TT 226/2016/TT-BTC"
    assert fees.certification_fee(unit=hatinh.commune, pages=400, day=day).amount_vnd == 200_000
    subsidised = fees.certification_fee(unit=haiphong.commune, pages=5, day=day)
    assert (subsidised.amount_vnd, subsidised.tariff_vnd) == (0, 7000)
    assert "Hải Phòng" in subsidised.explanation and "NQ 43/2025" in subsidised.basis
    before = fees.certification_fee(unit=haiphong.commune, pages=1, day=dt.date(2025, 12, 31))
    assert before.amount_vnd == 2000  # the subsidy starts on 01/01/2026


def test_a_certified_copy_is_numbered_signed_by_the_leader_and_the_unit_and_verifiable(
    hatinh, original_pdf
):
    first = certify(hatinh, original_pdf)
    second = certify(hatinh, original_pdf, title="Giấy khai sinh")
    assert (first.number, second.number) == (1, 2)
    assert first.book == "01/2026/SCT/BSĐT" and first.fee_vnd == 4000
    with first.document.file.open("rb") as fh:
        data = fh.read()
    assert len(PdfFileReader(BytesIO(data)).root["/Pages"]["/Kids"]) == 3  # 2 + lời chứng
    verdict = verify_pdf(data)
    assert verdict.valid and verdict.document == first.document, verdict.problems
    assert [(s.signer, s.kind, s.covers_whole) for s in verdict.signatures] == [
        ("Phạm Văn Lãnh", "person", False),
        ("Xã Thạch Hà", "organization", True),
    ]
    assert first.citizen_id == LAN_ID
    event = AuditEvent.objects.get(action="certification.copy_certified", object_id=str(first.pk))
    assert event.changes["number"] == 1 and event.unit_id == hatinh.commune.pk


def test_the_certification_page_says_so_with_number_book_date_and_signer():
    statement = copies.Statement(
        unit_name="Xã Thạch Hà", number=7, book="01/2026/SCT/BSĐT", day=AT.date(),
        signer_name="Phạm Văn Lãnh", citizen_name="Nguyễn Thị Lan", title="Bằng THPT",
        pages=2, fee_text="4.000 đ",
    )  # fmt: skip
    html = copies.render_to_string("certification/statement.html", {"s": statement})
    for text in ("Chứng thực bản sao đúng với bản chính.", "<b>7</b>", "01/2026/SCT/BSĐT",
                 "ngày 07 tháng 12 năm 2026", "Phạm Văn Lãnh"):  # fmt: skip
        assert text in html


def test_refusals_take_no_number(hatinh, haiphong, original_pdf):
    with pytest.raises(PermissionDenied):  # a counter officer does not sign certifications
        certify(hatinh, original_pdf, actor=hatinh.officer)
    with pytest.raises(PermissionDenied):  # another commune's leader
        certify(hatinh, original_pdf, actor=haiphong.leader)
    with pytest.raises(ValidationError) as wrong_pages:
        certify(hatinh, original_pdf, pages=3)
    assert "có 2 trang, khác số trang đã nhập (3)" in str(wrong_pages.value)
    with pytest.raises(ValidationError) as not_a_paper:
        certify(hatinh, original_pdf, files=[Upload("bang.pdf", b"MZ\x90 not a pdf")])
    assert "bang.pdf" in str(not_a_paper.value)
    with pytest.raises(ValidationError):
        certify(hatinh, original_pdf, citizen_id="12345")
    assert certify(hatinh, original_pdf).number == 1


def test_a_failure_after_the_number_is_taken_gives_it_back(hatinh, original_pdf, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(copies, "copy_with_statement", broken)
    with pytest.raises(RuntimeError):
        certify(hatinh, original_pdf)
    monkeypatch.undo()
    assert certify(hatinh, original_pdf).number == 1
    assert CertifiedCopy.objects.count() == 1


def test_the_copy_is_in_the_citizens_papers_and_the_book_lists_it(client, hatinh, original_pdf):
    entry = certify(hatinh, original_pdf)
    lan = citizen(LAN_ID, "Nguyễn Thị Lan")
    client.force_login(lan, backend=BACKEND)
    text = client.get("/cong-dan/giay-to/").content.decode()
    assert 'data-kind="certified"' in text and "Bằng tốt nghiệp THPT" in text
    assert f"/xac-thuc/{entry.document.verification_code}/" in text
    client.force_login(hatinh.officer)  # the counter reads the book, cannot certify
    book = re.sub(r"\s+", " ", client.get("/can-bo/chung-thuc/").content.decode())
    assert "Số 1, quyển 01/2026/SCT/BSĐT" in book and "••••••••2345" in book
    assert LAN_ID not in book and 'data-testid="certify-new"' not in book
    sheet = load_workbook(BytesIO(client.get("/can-bo/chung-thuc/?tai=xlsx").content)).active
    assert sheet["A3"].value == 1 and sheet["F3"].value == "Bằng tốt nghiệp THPT"
    assert client.get("/can-bo/chung-thuc/moi/").status_code == 403


def test_the_leaders_form_certifies_and_says_the_fee(client, haiphong, original_pdf):
    client.force_login(haiphong.leader)
    tariff = client.get("/can-bo/chung-thuc/moi/").content.decode()
    assert "Xã Vĩnh Bảo: 1 trang 0 đ, 3 trang 0 đ." in tariff and "Hải Phòng" in tariff
    form = {
        "unit": haiphong.commune.pk,
        "citizen_id": LAN_ID,
        "citizen_name": "Nguyễn Thị Lan",
        "title": "Bằng tốt nghiệp THPT",
        "pages": "2",
    }
    missing = client.post("/can-bo/chung-thuc/moi/", form)
    assert missing.status_code == 400 and "Chọn tệp bản chính" in missing.content.decode()
    upload = SimpleUploadedFile("bang.pdf", original_pdf, content_type="application/pdf")
    done = client.post("/can-bo/chung-thuc/moi/", {**form, "files": upload}, follow=True)
    text = done.content.decode()
    assert "Đã chứng thực bản sao: số 1, quyển số" in text and "phí 0 đ" in text
