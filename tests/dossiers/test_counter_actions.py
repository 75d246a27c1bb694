"""Counter actions on a dossier: refusal, supplements, returning results, papers, the book."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from motcua.dossiers import services
from motcua.dossiers.models import Dossier, DossierDocument, Status

from .factories import drive_to
from .test_counter_reception import PDF, pdftotext

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"dossiers:{name}", args=args)


@pytest.fixture
def officer_client(client, world):
    client.force_login(world.officer)
    return client


@pytest.fixture
def other_client(client, world):
    client.force_login(world.other_officer)
    return client


def test_online_dossier_refused_from_the_counter_gets_the_letter(officer_client, world):
    dossier = drive_to(world, Status.SUBMITTED)
    reason = "Giấy chứng sinh tải lên không đọc được, đề nghị nộp lại hồ sơ."
    answer = officer_client.post(
        url("counter_refuse", dossier.pk), {"reason": reason, "version": dossier.version}
    )
    assert answer.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == Status.REFUSED
    assert dossier.documents.filter(kind=DossierDocument.Kind.REFUSAL_LETTER).count() == 1
    # the same form sent again changes nothing and says nothing alarming
    again = officer_client.post(url("counter_refuse", dossier.pk), {"reason": reason, "version": 1})
    assert again.status_code == 302
    assert dossier.documents.filter(kind=DossierDocument.Kind.REFUSAL_LETTER).count() == 1


def test_refusing_a_dossier_in_processing_answers_409_with_the_reason(officer_client, world):
    dossier = drive_to(world, Status.PROCESSING)
    answer = officer_client.post(url("counter_refuse", dossier.pk), {"reason": "Thiếu giấy tờ"})
    assert answer.status_code == 409
    assert "Không thể “Từ chối tiếp nhận” khi hồ sơ đang ở trạng thái" in answer.content.decode()
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING
    assert not dossier.documents.exists()


def test_online_dossier_accepted_at_the_counter_starts_its_clock(officer_client, world):
    dossier = drive_to(world, Status.SUBMITTED)
    officer_client.post(url("counter_accept", dossier.pk))
    dossier.refresh_from_db()
    assert dossier.status == Status.RECEIVED and dossier.due_at is not None


def test_supplement_request_attaches_mau_02_and_resubmission_resumes(officer_client, world):
    dossier = drive_to(world, Status.RECEIVED)
    answer = officer_client.post(
        url("counter_supplement", dossier.pk),
        {
            "items": "Bản chính giấy chứng sinh\nTờ khai có chữ ký của người đi khai",
            "reason": "Hồ sơ chưa đầy đủ",
            "version": dossier.version,
        },
    )
    assert answer.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == Status.AWAITING_SUPPLEMENT
    assert dossier.documents.filter(kind=DossierDocument.Kind.SUPPLEMENT_REQUEST).count() == 1
    text = pdftotext(officer_client.get(url("counter_paper", dossier.pk, "supplement")).content)
    assert "Bản chính giấy chứng sinh" in text and "Tờ khai có chữ ký" in text

    page = officer_client.get(url("counter_dossier", dossier.pk)).content.decode()
    assert "Nhận hồ sơ bổ sung" in page
    answer = officer_client.post(
        url("counter_resubmit", dossier.pk),
        {"item0_file": SimpleUploadedFile("chung-sinh.pdf", PDF)},
    )
    assert answer.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == Status.RECEIVED
    assert dossier.components.filter(name="Bản chính giấy chứng sinh", digitized=True).exists()


def test_supplement_request_without_items_is_refused(officer_client, world):
    dossier = drive_to(world, Status.RECEIVED)
    answer = officer_client.post(
        url("counter_supplement", dossier.pk), {"items": " \n ", "reason": "Thiếu"}
    )
    assert answer.status_code == 400
    assert "Phải liệt kê đầy đủ các nội dung cần bổ sung." in answer.content.decode()


def test_result_returned_at_the_counter(officer_client, world):
    dossier = drive_to(world, Status.RESULT_READY)
    listing = officer_client.get(url("counter_returns"), {"q": dossier.code}).content.decode()
    assert dossier.code in listing
    answer = officer_client.post(url("counter_return", dossier.pk), {"delivery": "counter"})
    assert answer.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == Status.RETURNED and dossier.result_delivery == "counter"
    # sent twice: no error page, still returned once
    again = officer_client.post(url("counter_return", dossier.pk), {"delivery": "counter"})
    assert again.status_code == 302
    assert dossier.events.filter(action="return_result").count() == 1


def test_returns_list_finds_by_name_without_diacritics(officer_client, world):
    dossier = drive_to(world, Status.RESULT_READY)
    listing = officer_client.get(url("counter_returns"), {"q": "nguyen van an"}).content.decode()
    assert dossier.code in listing


def test_result_by_post_needs_a_tracking_number(officer_client, world):
    dossier = drive_to(world, Status.RESULT_READY)
    answer = officer_client.post(url("counter_return", dossier.pk), {"delivery": "post"})
    assert answer.status_code == 400
    assert "Trả kết quả qua bưu chính phải có số vận đơn." in answer.content.decode()
    officer_client.post(
        url("counter_return", dossier.pk), {"delivery": "post", "tracking_number": "EB123VN"}
    )
    dossier.refresh_from_db()
    assert dossier.status == Status.RETURNED and dossier.postal_tracking_number == "EB123VN"


def test_return_without_a_result_answers_409_with_the_reason(officer_client, world):
    dossier = drive_to(world, Status.PROCESSING)
    answer = officer_client.post(url("counter_return", dossier.pk), {"delivery": "counter"})
    assert answer.status_code == 409
    assert "Không thể “Trả kết quả” khi hồ sơ đang ở trạng thái “Đang xử lý”." in (
        answer.content.decode()
    )


def test_another_units_dossier_is_404_for_papers_and_return(other_client, world):
    dossier = drive_to(world, Status.RESULT_READY)
    assert other_client.get(url("counter_paper", dossier.pk, "receipt")).status_code == 404
    assert other_client.get(url("counter_paper", dossier.pk, "control")).status_code == 404
    answer = other_client.post(url("counter_return", dossier.pk), {"delivery": "counter"})
    assert answer.status_code == 404
    assert other_client.get(url("counter_dossier", dossier.pk)).status_code == 404
    assert dossier.code not in other_client.get(url("counter_returns")).content.decode()
    assert Dossier.objects.get(pk=dossier.pk).status == Status.RESULT_READY


def test_paper_that_does_not_apply_is_404(officer_client, world):
    dossier = drive_to(world, Status.RECEIVED)
    for kind in ("refusal", "stop", "apology", "supplement", "bogus"):
        assert (
            officer_client.get(f"/can-bo/mot-cua/ho-so/{dossier.pk}/giay/{kind}.pdf").status_code
            == 404
        )
    online = drive_to(world, Status.SUBMITTED)
    assert officer_client.get(url("counter_paper", online.pk, "receipt")).status_code == 404


def test_control_sheet_and_stop_notice_are_printed(officer_client, world):
    dossier = drive_to(world, Status.STOPPED)
    stop = officer_client.get(url("counter_paper", dossier.pk, "stop"))
    assert stop["Content-Type"] == "application/pdf"
    control = pdftotext(officer_client.get(url("counter_paper", dossier.pk, "control")).content)
    assert dossier.code in control and "Tiếp nhận, chuyển hồ sơ" in control


def test_apology_letter_is_printed_after_an_extension(officer_client, world):
    from .factories import at

    dossier = drive_to(world, Status.PROCESSING)
    services.extend_with_apology(
        world.specialist,
        dossier_id=dossier.pk,
        reason="Cơ sở dữ liệu hộ tịch gặp sự cố",
        new_due_at=at(2026, 11, 16, 16),
        at=at(2026, 11, 3, 9),
    )
    text = pdftotext(officer_client.get(url("counter_paper", dossier.pk, "apology")).content)
    assert "Cơ sở dữ liệu hộ tịch gặp sự cố" in text and "16 tháng 11 năm 2026" in text


def test_tracking_book_for_a_period_as_pdf_and_xlsx(officer_client, world):
    dossier = drive_to(world, Status.RECEIVED)  # received 02/11/2026
    drive_to(world, Status.RECEIVED)  # a second one the same day
    period = {"tu": "2026-11-01", "den": "2026-11-30"}
    page = officer_client.get(url("counter_tracking_book"), period).content.decode()
    assert dossier.code in page
    pdf = officer_client.get(url("counter_tracking_book"), {**period, "dinh_dang": "pdf"})
    assert pdf["Content-Type"] == "application/pdf"
    assert dossier.code in pdftotext(pdf.content)
    xlsx = officer_client.get(url("counter_tracking_book"), {**period, "dinh_dang": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = [c.value for row in sheet.iter_rows() for c in row if c.value]
    assert dossier.code in values and "Nguyễn Văn An" in values
    empty = officer_client.get(
        url("counter_tracking_book"), {"tu": "2026-10-01", "den": "2026-10-31"}
    )
    assert dossier.code not in empty.content.decode()


def test_tracking_book_does_not_list_another_units_dossiers(other_client, world):
    dossier = drive_to(world, Status.RECEIVED)
    page = other_client.get(url("counter_tracking_book"), {"tu": "2026-11-01", "den": "2026-11-30"})
    assert dossier.code not in page.content.decode()


def test_tracking_book_with_reversed_dates_says_so(officer_client, world):
    page = officer_client.get(
        url("counter_tracking_book"), {"tu": "2026-11-30", "den": "2026-11-01"}
    )
    assert page.status_code == 400
    assert "“Đến ngày” phải sau “Từ ngày”." in page.content.decode()


def test_refusal_from_a_stale_screen_answers_409(officer_client, world):
    dossier = drive_to(world, Status.RECEIVED)
    services.request_supplement(
        world.officer, dossier_id=dossier.pk, items=["Giấy chứng sinh"], reason="Thiếu"
    )
    answer = officer_client.post(
        url("counter_refuse", dossier.pk), {"reason": "Sai thẩm quyền", "version": 1}
    )
    assert answer.status_code == 409
    assert "vui lòng tải lại trang" in answer.content.decode()
    assert not dossier.documents.filter(kind=DossierDocument.Kind.REFUSAL_LETTER).exists()


def test_receipt_qr_opens_the_public_lookup_with_the_code(settings):
    from motcua.dossiers.counter_views import lookup_url

    settings.MOTCUA_PUBLIC_BASE_URL = "https://motcua.anhung.example.vn/"
    assert lookup_url("000.01.12.H23-261123-0001") == (
        "https://motcua.anhung.example.vn/tra-cuu/?ma=000.01.12.H23-261123-0001"
    )
