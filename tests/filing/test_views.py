"""The filing pages as a citizen's phone uses them (Django's test client, signed in as the
citizen the sign-in makes): the whole flow, refusals, and what the pages say."""

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from motcua.dossiers.models import Dossier, OnlineFiling
from motcua.eforms import engine
from motcua.filing import services
from motcua.filing.models import Draft

from .factories import HUNG, ID_PAPER, LAN, child_answers, jpeg, make_citizen
from .walk import earlier_dossier


@pytest.fixture
def lan(fw, client):
    user = make_citizen(LAN)
    client.force_login(user)
    return user


def _fields(html: str) -> dict:
    """The values a browser would post back from the page's inputs (text-like and checked)."""
    values = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or "csrfmiddlewaretoken" in tag:
            continue
        kind = re.search(r'type="([^"]+)"', tag)
        kind = kind.group(1) if kind else "text"
        value = re.search(r'value="([^"]*)"', tag)
        if kind in ("radio", "checkbox") and "checked" not in tag:
            continue
        if kind in ("submit", "file"):
            continue
        values[name.group(1)] = value.group(1) if value else ""
    return values


def test_the_procedure_page_offers_online_filing(fw, client):
    page = client.get(reverse("catalog:procedure_detail", args=[fw.birth.pk]))
    assert 'data-testid="action-online"' in page.content.decode()
    assert reverse("filing:start", args=[fw.birth.pk]) in page.content.decode()


def test_not_signed_in_goes_to_the_identity_sign_in_and_back(fw, client):
    url = reverse("filing:start", args=[fw.birth.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("citizens:start"))
    assert "next=" in response["Location"]


def test_lan_files_through_the_pages(fw, client, lan):
    earlier = earlier_dossier(fw)
    start = client.post(reverse("filing:start", args=[fw.birth.pk]))
    draft = Draft.objects.get(citizen=lan)
    assert start["Location"] == reverse("filing:step", args=[draft.pk, "nguoi_yeu_cau"])
    url = start["Location"]
    for _i in range(10):
        page = client.get(url)
        assert page.status_code == 200
        html = page.content.decode()
        if "Lấy từ VNeID" in html:
            assert "readonly" in html
        values = {**_fields(html), **child_answers()}
        response = client.post(url, values)
        assert response.status_code == 302, response.content.decode()[:3000]
        url = response["Location"]
        if "/to-khai/" not in url:
            break
    assert url == reverse("filing:case", args=[draft.pk])  # conditions: abandoned, proxy...
    assert client.post(url, {})["Location"] == reverse("filing:papers", args=[draft.pk])
    papers_url = reverse("filing:papers", args=[draft.pk])
    page = client.get(papers_url).content.decode()
    assert "Dùng lại giấy tờ bạn đã nộp" in page and earlier.code in page
    components = {c.name: c.pk for c in services.papers_for(draft)}
    photo = SimpleUploadedFile("giay-chung-sinh.jpg", jpeg(), content_type="image/jpeg")
    response = client.post(
        papers_url,
        {"action": "upload", "thanh-phan": components["Giấy chứng sinh"], "tep": [photo]},
    )
    assert response.status_code == 302
    old = earlier.components.get()
    response = client.post(
        papers_url, {"action": "reuse", "thanh-phan": components[ID_PAPER], "giay-to-cu": old.pk}
    )
    assert response.status_code == 302
    page = client.get(papers_url).content.decode()
    assert "Đã tải lên 1 trang" in page and "Dùng lại giấy tờ đã nộp" in page
    paper = draft.papers.get(component_id=components["Giấy chứng sinh"])
    pdf = client.get(reverse("filing:paper_file", args=[draft.pk, paper.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    delivery = client.get(reverse("filing:delivery", args=[draft.pk])).content.decode()
    assert 'data-testid="fee-total">0 đ' in delivery
    response = client.post(reverse("filing:delivery", args=[draft.pk]), {"nhan-ket-qua": "online"})
    assert response["Location"] == reverse("filing:review", args=[draft.pk])
    review = client.get(response["Location"]).content.decode()
    assert "Phạm Minh Khôi" in review and "Nguyễn Thị Lan" in review
    assert 'data-testid="problems"' not in review
    first = client.post(reverse("filing:submit", args=[draft.pk]))
    again = client.post(reverse("filing:submit", args=[draft.pk]))  # a double tap
    assert first["Location"] == again["Location"] == reverse("filing:done", args=[draft.pk])
    dossier = Dossier.objects.get(applicant_id_number=LAN, channel="online")
    assert dossier.status == 1
    filing = OnlineFiling.objects.get(dossier=dossier)
    assert filing.typed_fields == 3 and filing.reused_documents == 1
    done = client.get(first["Location"]).content.decode()
    assert dossier.code in done and "data:image/png;base64," in done
    assert 'data-testid="receipt-later"' in done  # Mẫu 01 once an officer accepts it
    assert client.get(reverse("filing:receipt", args=[draft.pk])).status_code == 404
    # a submitted draft's pages go to the receipt; it is no longer listed as open
    assert client.get(reverse("filing:review", args=[draft.pk]))["Location"] == first["Location"]
    assert 'data-testid="no-drafts"' in client.get(reverse("filing:home")).content.decode()


def test_the_receipt_pdf_is_there_once_the_officer_accepted(fw, client, lan):
    from motcua.dossiers import services as dossiers

    draft = services.start(citizen=lan, procedure=fw.birth)
    for key in engine.visible_steps(draft.schema.definition, services.answers_of(draft)):
        values = {**services.answers_of(draft), **child_answers()}
        draft, _e = services.save_step(draft_id=draft.pk, citizen=lan, step=key, values=values)
    services.choose_delivery(draft_id=draft.pk, citizen=lan, delivery="counter")
    dossier = services.submit(draft_id=draft.pk, citizen=lan)
    dossiers.accept_online(fw.officer, dossier_id=dossier.pk)
    pdf = client.get(reverse("filing:receipt", args=[draft.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_drafts_are_listed_for_resuming_on_another_device(fw, client, lan):
    draft = services.start(citizen=lan, procedure=fw.birth)
    other_device = client.__class__()
    other_device.force_login(lan)
    page = other_device.get(reverse("filing:home")).content.decode()
    assert "Đăng ký khai sinh" in page
    assert reverse("filing:step", args=[draft.pk, "nguoi_yeu_cau"]) in page


def test_a_bad_upload_says_why_and_keeps_the_draft(fw, client, lan):
    draft = services.start(citizen=lan, procedure=fw.birth)
    component = services.papers_for(draft)[0]
    fake = SimpleUploadedFile("anh.jpg", b"MZ\x90\x00 not a photo", content_type="image/jpeg")
    response = client.post(
        reverse("filing:papers", args=[draft.pk]),
        {"action": "upload", "thanh-phan": component.pk, "tep": [fake]},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html and "anh.jpg" in html
    assert not draft.papers.exists() and Draft.objects.get(pk=draft.pk).status == "open"
    empty = SimpleUploadedFile("rong.pdf", b"", content_type="application/pdf")
    response = client.post(
        reverse("filing:papers", args=[draft.pk]),
        {"action": "upload", "thanh-phan": component.pk, "tep": [empty]},
    )
    assert response.status_code == 400


def test_an_oversized_upload_is_refused_before_it_is_read(fw, client, lan, settings):
    settings.MOTCUA_UPLOAD_MAX_BYTES = 5_000
    draft = services.start(citizen=lan, procedure=fw.birth)
    component = services.papers_for(draft)[0]
    big = SimpleUploadedFile("to.jpg", jpeg(), content_type="image/jpeg")
    response = client.post(
        reverse("filing:papers", args=[draft.pk]),
        {"action": "upload", "thanh-phan": component.pk, "tep": [big]},
    )
    assert response.status_code == 400 and "lớn quá" in response.content.decode()


def test_posts_the_page_does_not_offer_are_refused(fw, client, lan):
    draft = services.start(citizen=lan, procedure=fw.birth)
    papers = reverse("filing:papers", args=[draft.pk])
    assert client.post(papers, {"action": "delete-everything"}).status_code == 400
    assert client.post(papers, {"action": "upload", "thanh-phan": "x"}).status_code == 400
    assert client.post(papers, {"action": "remove", "giay-to": "999999"}).status_code == 400
    reuse = {"action": "reuse", "thanh-phan": fw.birth.components.first().pk, "giay-to-cu": 1}
    assert client.post(papers, reuse).status_code == 400  # the declaration is not a paper
    delivery = reverse("filing:delivery", args=[draft.pk])
    assert client.post(delivery, {"nhan-ket-qua": "drone"}).status_code == 400
    case = reverse("filing:case", args=[draft.pk])
    assert client.post(case, {"dieu-kien": "Không có"}).status_code == 400
    assert client.get(reverse("filing:step", args=[draft.pk, "khong-co"])).status_code == 404
    assert client.get(reverse("filing:submit", args=[draft.pk])).status_code == 405
    start = reverse("filing:start", args=[fw.birth.pk])
    assert client.post(start, {"don-vi": "12345678"}).status_code == 400


def test_an_expired_draft_is_a_clear_page_with_start_again(fw, client, lan, settings):
    started = timezone.now() - dt.timedelta(days=settings.MOTCUA_DRAFT_DAYS + 1)
    draft = services.start(citizen=lan, procedure=fw.birth, now=started)
    for url in (
        reverse("filing:step", args=[draft.pk, "nguoi_yeu_cau"]),
        reverse("filing:papers", args=[draft.pk]),
        reverse("filing:review", args=[draft.pk]),
    ):
        page = client.get(url)
        assert page.status_code == 410
        assert "Hồ sơ đang soạn đã hết hạn" in page.content.decode()
    response = client.post(reverse("filing:submit", args=[draft.pk]))
    assert response.status_code == 410 and not Dossier.objects.exists()


def test_with_the_registry_down_the_citizen_is_told_why_she_types(fw, client, lan, settings):
    settings.MOTCUA_REGISTRY_DOWN = True
    page = client.post(reverse("filing:start", args=[fw.birth.pk]))
    assert page.status_code == 400 and "Nơi nộp hồ sơ" in page.content.decode()
    response = client.post(reverse("filing:start", args=[fw.birth.pk]), {"don-vi": fw.commune.pk})
    html = client.get(response["Location"]).content.decode()
    assert 'data-testid="registry-down"' in html
    assert "không kết nối được Cơ sở dữ liệu quốc gia về dân cư" in html


def test_a_procedure_asking_for_level_2_refuses_a_level_1_account(fw, client):
    fw.birth.min_identity_level = 2
    fw.birth.save()
    hung = make_citizen(HUNG)
    client.force_login(hung)
    page = client.get(reverse("filing:start", args=[fw.birth.pk]))
    assert page.status_code == 403 and 'data-testid="level-required"' in page.content.decode()
    assert not Draft.objects.exists()


def test_a_procedure_not_filed_online_has_no_filing_page(fw, client, lan):
    fw.birth.online_mode = "none"
    fw.birth.save()
    assert client.get(reverse("filing:start", args=[fw.birth.pk])).status_code == 404
    page = client.get(reverse("catalog:procedure_detail", args=[fw.birth.pk])).content.decode()
    assert 'data-testid="action-online"' not in page
