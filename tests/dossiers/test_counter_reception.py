"""The counter officer receives an in-person dossier through the reception screen."""

import re
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from motcua.catalog.models import Component
from motcua.dossiers.models import Dossier, DossierDocument, IdentityVia, Status
from tests import scans
from tests.pdfs import encrypted_pdf, tiny_pdf, truncated_pdf

from .factories import CITIZEN_ID

pytestmark = pytest.mark.django_db

RECEPTION = "/can-bo/mot-cua/tiep-nhan/"
CODE_RE = re.compile(r"\d{3}\.\d{2}\.12\.H23-\d{6}-\d{4}")
NAME = "Nguyễn Thị Hồng Nhung"
PDF = tiny_pdf("Giay chung sinh")
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 40


def pdftotext(content: bytes) -> str:
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=content, capture_output=True, check=True
    )
    return " ".join(out.stdout.decode("utf-8").split())  # words wrap across lines


def form_data(w, key="k-1", **over):
    data = {
        "procedure": w.procedure.pk,
        "key": key,
        "applicant_kind": "1",
        "applicant_name": NAME,
        "applicant_id_number": CITIZEN_ID,
        "applicant_phone": "0912 345 678",
        "applicant_address": "Thôn Đồng Bụt, xã An Hưng",
        "applicant_email": "",
        "identity_via": IdentityVia.CHIP_CARD,
        "delivery": "counter",
        "action": "receive",
    }
    for c in w.procedure.components.all():
        data[f"c{c.pk}_received"] = "on"
        data[f"c{c.pk}_form"] = "original"
        data[f"c{c.pk}_count"] = "1"
    data.update(over)
    return data


@pytest.fixture
def officer_client(client, world):
    client.force_login(world.officer)
    return client


def test_procedure_search_works_without_diacritics(officer_client, world):
    page = officer_client.get(RECEPTION, {"q": "dang ky khai sinh"})
    assert page.status_code == 200
    assert "Đăng ký khai sinh" in page.content.decode()
    live = officer_client.get(reverse("dossiers:counter_procedure_search"), {"q": "khai sinh"})
    assert f"?thu_tuc={world.procedure.pk}" in live.content.decode()


def test_another_units_procedure_is_not_offered(officer_client, world):
    from .factories import make_procedure

    foreign = make_procedure(world.other, name="Chứng thực chữ ký")
    page = officer_client.get(RECEPTION, {"q": "chung thuc"})
    assert "Chứng thực chữ ký" not in page.content.decode()
    assert officer_client.get(RECEPTION, {"thu_tuc": foreign.pk}).status_code == 404


def test_reception_gives_a_code_a_due_date_and_a_receipt_with_the_applicant_name(
    officer_client, world
):
    form = officer_client.get(RECEPTION, {"thu_tuc": world.procedure.pk}).content.decode()
    key = re.search(r'name="key" value="([^"]+)"', form).group(1)
    answer = officer_client.post(RECEPTION, form_data(world, key=key))
    assert answer.status_code == 302
    dossier = Dossier.objects.get()
    assert answer.url == reverse("dossiers:counter_dossier", args=[dossier.pk]) + "?moi=1"
    assert dossier.status == Status.RECEIVED
    assert dossier.identity_verified and dossier.identity_verified_via == IdentityVia.CHIP_CARD
    assert dossier.components.count() == 2

    done = officer_client.get(answer.url).content.decode()
    assert CODE_RE.fullmatch(dossier.code)
    assert dossier.code in done
    assert "Hẹn trả kết quả" in done
    assert dossier.due_at.astimezone(dossier.due_at.tzinfo).strftime("%Y") in done
    assert "In giấy tiếp nhận" in done and "Tiếp nhận hồ sơ mới" in done

    receipt = officer_client.get(reverse("dossiers:counter_paper", args=[dossier.pk, "receipt"]))
    assert receipt["Content-Type"] == "application/pdf"
    text = pdftotext(receipt.content)
    assert dossier.code in text
    assert NAME in text
    assert "Tờ khai đăng ký khai sinh" in text


def test_double_submitted_reception_makes_one_dossier(officer_client, world):
    first = officer_client.post(RECEPTION, form_data(world, key="same-key"))
    second = officer_client.post(RECEPTION, form_data(world, key="same-key"))
    assert Dossier.objects.count() == 1
    assert first.url == second.url


def test_bad_citizen_id_is_refused_in_vietnamese_and_nothing_is_saved(officer_client, world):
    answer = officer_client.post(RECEPTION, form_data(world, applicant_id_number="0012345"))
    assert answer.status_code == 400
    assert "Số định danh cá nhân phải gồm đúng 12 chữ số." in answer.content.decode()
    assert Dossier.objects.count() == 0
    # what the officer typed is still there
    assert NAME in answer.content.decode()


def test_missing_name_is_refused(officer_client, world):
    answer = officer_client.post(RECEPTION, form_data(world, applicant_name="  "))
    assert answer.status_code == 400
    assert Dossier.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("giay-chung-sinh.pdf", PNG, "có đuôi không khớp với nội dung"),
        ("giay-chung-sinh.pdf", b"MZ\x90\x00 not a document", "không phải PDF, JPEG hoặc PNG"),
        ("anh.png", PDF, "có đuôi không khớp với nội dung"),
        # a PDF is parsed, not judged by "%PDF-": protected or broken files are refused
        ("ban-sao.pdf", encrypted_pdf(PDF, owner_password="chu-so-huu"), "đang đặt mật khẩu"),
        ("ban-sao.pdf", encrypted_pdf(PDF, owner_password="a", user_password="b"), "mật khẩu"),
        ("ban-sao.pdf", truncated_pdf(PDF), "tệp bị hỏng hoặc không đầy đủ"),
    ],
)
def test_scan_that_is_not_what_it_claims_is_rejected(officer_client, world, name, content, message):
    component = world.procedure.components.first()
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    answer = officer_client.post(RECEPTION, form_data(world, **{f"c{component.pk}_file": upload}))
    assert answer.status_code == 400
    assert message in answer.content.decode()
    assert Dossier.objects.count() == 0


def test_scan_larger_than_10_mb_is_rejected(officer_client, world):
    component = world.procedure.components.first()
    upload = SimpleUploadedFile("lon.pdf", PDF + b"0" * (10 * 1024 * 1024), "application/pdf")
    answer = officer_client.post(RECEPTION, form_data(world, **{f"c{component.pk}_file": upload}))
    assert answer.status_code == 400
    assert "lớn hơn 10 MB" in answer.content.decode()


def test_real_scans_mark_components_digitized(officer_client, world):
    first, second = world.procedure.components.order_by("order")
    files = {
        f"c{first.pk}_file": SimpleUploadedFile("to-khai.pdf", PDF),
        f"c{second.pk}_file": SimpleUploadedFile(
            "chung-sinh.JPG", scans.photo(blank=True, size=(60, 80))
        ),
    }
    officer_client.post(RECEPTION, form_data(world, **files))
    dossier = Dossier.objects.get()
    assert dossier.all_components_digitized
    assert dossier.components.filter(digitized=True).count() == 2
    assert dossier.scans.count() == 2  # through the scan pipeline (decisions/0037)


def test_components_the_state_holds_are_not_asked_and_not_on_the_receipt(officer_client, world):
    Component.objects.create(
        procedure=world.procedure, order=3, name="Giấy xác nhận cư trú", from_state_data=True
    )
    page = officer_client.get(RECEPTION, {"thu_tuc": world.procedure.pk}).content.decode()
    assert "Không cần nộp" in page
    officer_client.post(RECEPTION, form_data(world))
    dossier = Dossier.objects.get()
    assert dossier.components.filter(from_state_data=True, name="Giấy xác nhận cư trú").exists()
    text = pdftotext(
        officer_client.get(reverse("dossiers:counter_paper", args=[dossier.pk, "receipt"])).content
    )
    assert "Giấy xác nhận cư trú" not in text


def test_unticked_component_is_not_recorded(officer_client, world):
    first = world.procedure.components.order_by("order").first()
    data = form_data(world)
    del data[f"c{first.pk}_received"]
    officer_client.post(RECEPTION, data)
    assert list(Dossier.objects.get().components.values_list("name", flat=True)) == [
        "Giấy chứng sinh"
    ]


def test_refusal_at_reception_attaches_the_letter_and_ends_refused(officer_client, world):
    reason = "Thủ tục không thuộc thẩm quyền của Ủy ban nhân dân xã."
    answer = officer_client.post(
        RECEPTION, form_data(world, action="refuse", refusal_reason=reason)
    )
    dossier = Dossier.objects.get()
    assert dossier.status == Status.REFUSED
    letter = dossier.documents.get(kind=DossierDocument.Kind.REFUSAL_LETTER)
    assert letter.file.read().startswith(b"%PDF-")
    assert "Đã từ chối tiếp nhận" in officer_client.get(answer.url).content.decode()
    paper = officer_client.get(reverse("dossiers:counter_paper", args=[dossier.pk, "refusal"]))
    text = pdftotext(paper.content)
    assert "thẩm quyền" in text and NAME in text


def test_refusal_without_reason_is_refused(officer_client, world):
    answer = officer_client.post(RECEPTION, form_data(world, action="refuse", refusal_reason=""))
    assert answer.status_code == 400
    assert "Phải ghi rõ lý do từ chối tiếp nhận." in answer.content.decode()
    assert Dossier.objects.count() == 0


def test_specialist_cannot_open_the_reception_screen(client, world):
    client.force_login(world.specialist)
    assert client.get(RECEPTION).status_code == 403


def test_postal_delivery_is_printed_on_the_receipt(officer_client, world):
    officer_client.post(RECEPTION, form_data(world, delivery="post"))
    dossier = Dossier.objects.get()
    text = pdftotext(
        officer_client.get(reverse("dossiers:counter_paper", args=[dossier.pk, "receipt"])).content
    )
    assert "bưu chính" in text
