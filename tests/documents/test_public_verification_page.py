"""Anyone can check a result: upload the PDF or open the code from the QR stamp, no login."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from .conftest import flip_byte_in_page_content, stored_bytes

VERIFY = "/xac-thuc/"


def upload(client, data: bytes, name="ket-qua.pdf", **extra):
    return client.post(
        VERIFY, {"file": SimpleUploadedFile(name, data, content_type="application/pdf")}, **extra
    )


def test_the_verification_form_is_public(client):
    response = client.get(reverse("documents:verify"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Xác thực văn bản điện tử" in text
    assert 'enctype="multipart/form-data"' in text
    assert "csrfmiddlewaretoken" in text


def test_uploaded_signed_result_is_valid_and_recognised_as_issued_by_the_commune(
    client, signed_document
):
    response = upload(client, stored_bytes(signed_document))
    assert response.status_code == 200
    text = response.content.decode()
    assert 'data-valid="true"' in text
    assert "Chữ ký số hợp lệ" in text
    assert "Đây đúng là văn bản do Xã Thạch Hà phát hành." in text
    assert signed_document.verification_code in text


def test_a_byte_changed_after_signing_is_reported_as_altered(client, signed_document):
    tampered = flip_byte_in_page_content(stored_bytes(signed_document))
    response = upload(client, tampered)
    assert response.status_code == 200
    text = response.content.decode()
    assert 'data-valid="false"' in text
    assert "Nội dung văn bản đã bị thay đổi sau khi ký." in text
    assert "Không tìm thấy văn bản này trong hệ thống" in text


def test_text_appended_after_signing_is_not_accepted(client, signed_document):
    # an incremental update that rewrites the page content after the signature
    from io import BytesIO

    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(BytesIO(stored_bytes(signed_document)))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    fake = generic.StreamObject(stream_data=b"BT /F1 24 Tf 100 700 Td (Da sua) Tj ET")
    page["/Contents"] = writer.add_object(fake)
    writer.update_container(page)
    out = BytesIO()
    writer.write(out)
    response = upload(client, out.getvalue())
    text = response.content.decode()
    assert response.status_code == 200
    assert 'data-valid="false"' in text
    assert "sau khi ký" in text


def test_an_unsigned_pdf_has_no_digital_signature(client, result_pdf, db):
    response = upload(client, result_pdf)
    assert response.status_code == 200
    text = response.content.decode()
    assert 'data-valid="false"' in text
    assert "Văn bản không có chữ ký số." in text


def test_garbage_named_pdf_gets_a_clear_message(client, db):
    response = upload(client, b"MZ\x90\x00 this is not a pdf at all", name="ket-qua.pdf")
    assert response.status_code == 400
    assert "Tệp không phải là văn bản PDF" in response.content.decode()


def test_a_truncated_signed_pdf_is_invalid_not_an_error(client, signed_document):
    data = stored_bytes(signed_document)
    response = upload(client, data[: len(data) // 2])
    assert response.status_code == 200
    assert 'data-valid="false"' in response.content.decode()


def test_no_file_chosen_asks_for_one(client, db):
    response = client.post(VERIFY, {})
    assert response.status_code == 400
    assert "Vui lòng chọn tệp PDF cần kiểm tra." in response.content.decode()


def test_an_upload_over_10_mb_is_refused(client, db):
    just_over = b"%PDF-1.7\n" + b"0" * (10 * 1024 * 1024)
    response = upload(client, just_over)
    assert response.status_code == 400
    assert "Tệp quá lớn: tối đa 10 MB." in response.content.decode()
    # a much bigger body is refused from its length, before it is read
    response = upload(client, just_over + b"0" * (1024 * 1024))
    assert response.status_code == 413
    assert "Tệp quá lớn: tối đa 10 MB." in response.content.decode()


def test_upload_without_csrf_token_is_refused(db):
    client = Client(enforce_csrf_checks=True)
    response = upload(client, b"%PDF-1.7")
    assert response.status_code == 403


def test_the_code_page_shows_a_valid_document_and_offers_the_original(client, signed_document):
    url = reverse("documents:verify_code", kwargs={"code": signed_document.verification_code})
    response = client.get(url)
    assert response.status_code == 200
    text = response.content.decode()
    assert 'data-valid="true"' in text
    assert "Văn bản do Xã Thạch Hà phát hành và ký số." in text
    assert "Giấy chứng nhận kết hôn - Nguyễn Văn Ánh" in text
    assert "Lê Văn Hùng" in text
    download = client.get(
        reverse("documents:download", kwargs={"code": signed_document.verification_code})
    )
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == stored_bytes(signed_document)


def test_the_qr_code_points_at_the_code_page(signed_document):
    from motcua.documents.services import verification_url

    assert verification_url(signed_document.verification_code) == (
        f"https://motcua.example.vn/xac-thuc/{signed_document.verification_code}/"
    )


def test_a_stored_file_altered_on_disk_shows_invalid_on_its_code_page(client, signed_document):
    path = signed_document.file.path
    with open(path, "rb") as fh:
        data = fh.read()
    with open(path, "wb") as fh:
        fh.write(flip_byte_in_page_content(data))
    response = client.get(f"/xac-thuc/{signed_document.verification_code}/")
    assert response.status_code == 200
    assert "Nội dung văn bản đã bị thay đổi sau khi ký." in response.content.decode()


@pytest.mark.parametrize("code", ["AAAAAAAAAAAAAAAA", "khong-co-ma-nay-123", "a" * 300])
def test_a_forged_code_shows_not_found(client, signed_document, code):
    response = client.get(f"/xac-thuc/{code}/")
    assert response.status_code == 404
    assert "Không tìm thấy văn bản" in response.content.decode()
    assert client.get(f"/xac-thuc/{code}/tai-ve/").status_code == 404


def test_typing_a_code_opens_its_page(client, signed_document):
    code = signed_document.verification_code
    typed = f" {code[:4].lower()} {code[4:8]}-{code[8:]} ".replace("0", "O").replace("1", "l")
    response = client.get(VERIFY, {"ma": typed})
    assert response.status_code == 302
    assert response["Location"] == f"/xac-thuc/{signed_document.verification_code}/"


def test_a_malformed_code_gets_a_clear_message(client, db):
    response = client.get(VERIFY, {"ma": "<script>"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Mã xác thực gồm 16 chữ cái và chữ số" in text
    assert "<script>" not in text


def test_too_many_checks_from_one_address_get_429_in_vietnamese(client, db, settings):
    # the limiter's clock is frozen at the start of a window of this test's own (tests/conftest.py)
    settings.MOTCUA_VERIFY_RATE_PER_MINUTE = 3
    statuses = [client.get("/xac-thuc/AAAAAAAAAAAAAAAA/").status_code for _ in range(4)]
    assert statuses == [404, 404, 404, 429]
    response = client.get("/xac-thuc/AAAAAAAAAAAAAAAA/")
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert "Quá nhiều yêu cầu" in response.content.decode()
    # another address is not affected
    assert client.get("/xac-thuc/AAAAAAAAAAAAAAAA/", REMOTE_ADDR="10.0.0.9").status_code == 404
