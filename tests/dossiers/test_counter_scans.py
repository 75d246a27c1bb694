"""Scans at the counter (issue 13, decisions/0037): the officer uploads a component's paper, the
worker makes a searchable PDF/A with Vietnamese OCR, the citizen finds it in "Giấy tờ của tôi".

OCR is real (ocrmypdf + Tesseract `vie`, about 2 s a page), so only the acceptance test and the
blank photo run it on pictures; the other tests run it on nothing or not at all.
PDF/A is checked with pikepdf: the XMP declaration (pdfaid:part 2, conformance B) and pikepdf's
own PDF/A validator (`pikepdf.pdfa.validate_written`). veraPDF is not packaged by Debian (it is
a Java application outside apt), so it is not used here.
"""

from __future__ import annotations

import pikepdf
import pikepdf.pdfa
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse
from huey.contrib.djhuey import HUEY

from motcua.core.models import AuditEvent
from motcua.dossiers import services
from motcua.dossiers.models import Scan
from motcua.dossiers.scanning import process_scan
from tests import scans
from tests.citizens.myspace import LAN_ID, citizen
from tests.dossiers.factories import applicant, receive
from tests.pdfs import encrypted_pdf, tiny_pdf, truncated_pdf

pytestmark = pytest.mark.django_db


def _file(data: bytes, name: str) -> ContentFile:
    return ContentFile(data, name=name)


@pytest.fixture
def dossier(world):
    return receive(world, applicant=applicant(id_number=LAN_ID, name="Nguyễn Thị Lan"))


@pytest.fixture
def inline_worker(django_capture_on_commit_callbacks):
    """The OCR task runs inline after the upload commits, as a worker would right after."""

    def upload(*args, **kwargs) -> Scan:
        was, HUEY.immediate = HUEY.immediate, True
        try:
            with django_capture_on_commit_callbacks(execute=True):
                scan = services.attach_component_scan(*args, **kwargs)
        finally:
            HUEY.immediate = was
        scan.refresh_from_db()
        return scan

    return upload


def test_a_scanned_vietnamese_paper_comes_back_as_searchable_pdfa_with_its_diacritics(
    world, dossier, inline_worker
):
    component = dossier.components.first()
    scan = inline_worker(
        world.officer,
        component_id=component.pk,
        files=[_file(scans.scan_pdf(1), "may-quet.pdf")],
    )
    assert scan.state == Scan.State.DONE, (scan.error, scan.error_detail)
    for words in ("Giấy khai sinh", "Ủy ban nhân dân xã Vĩnh Bảo", "Nguyễn Thị Hồng Nhung"):
        assert words in scan.text
    assert (scan.pages_done, scan.pages_total, scan.pdfa) == (1, 1, "2B")
    component.refresh_from_db()
    assert component.digitized and component.file.name == scan.ocr_file.name
    with component.file.open("rb") as f, pikepdf.open(f) as pdf:
        meta = pdf.open_metadata()
        assert (meta.get("pdfaid:part"), meta.get("pdfaid:conformance")) == ("2", "B")
    with component.file.open("rb") as f:
        assert pikepdf.pdfa.validate_written(f, "2b").passed
    assert scan.original.name != scan.ocr_file.name  # the upload is kept as it came

    # filed to the citizen's papers: "Giấy tờ của tôi" lists the component
    from motcua.citizens.selectors import my_components

    assert component.pk in {c.pk for c in my_components(citizen())}
    assert AuditEvent.objects.filter(action="dossier.scan_done").exists()


def test_the_same_file_twice_is_told_and_not_stored_twice(world, dossier):
    first, second = dossier.components.all()[:2]
    data = tiny_pdf("Giay khai sinh")
    services.attach_component_scan(
        world.officer, component_id=first.pk, files=[_file(data, "a.pdf")]
    )
    with pytest.raises(services.DuplicateScan) as same_dossier:
        services.attach_component_scan(
            world.officer, component_id=second.pk, files=[_file(data, "b.pdf")]
        )
    assert dossier.code in same_dossier.value.message
    # another dossier of the same applicant at the same commune: told too
    later = receive(world, applicant=applicant(id_number=LAN_ID, name="Nguyễn Thị Lan"))
    with pytest.raises(services.DuplicateScan):
        services.attach_component_scan(
            world.officer, component_id=later.components.first().pk, files=[_file(data, "c.pdf")]
        )
    assert Scan.objects.count() == 1
    # another applicant's dossier may hold a copy of the same form: not this applicant's
    stranger = receive(world)
    services.attach_component_scan(
        world.officer, component_id=stranger.components.first().pk, files=[_file(data, "d.pdf")]
    )
    assert Scan.objects.count() == 2


def test_the_counter_page_says_a_duplicate_encrypted_or_damaged_upload_is_refused(
    client, world, dossier
):
    component = dossier.components.first()
    url = reverse("dossiers:counter_scan_upload", args=[dossier.pk, component.pk])
    client.force_login(world.officer)
    locked = encrypted_pdf(tiny_pdf(), owner_password="chu-so-huu")
    response = client.post(url, {"tep": _file(locked, "khoa.pdf")})
    assert response.status_code == 400
    assert "mật khẩu hoặc mã hóa" in response.content.decode()
    response = client.post(url, {"tep": _file(truncated_pdf(tiny_pdf()), "hong.pdf")})
    assert response.status_code == 400 and "bị hỏng" in response.content.decode()
    response = client.post(url, {"tep": _file(b"", "rong.pdf")})
    assert response.status_code == 400 and "rỗng" in response.content.decode()
    photo = scans.photo(blank=True, size=(60, 80))
    response = client.post(url, {"tep": [_file(tiny_pdf(), "a.pdf"), _file(photo, "b.jpg")]})
    assert response.status_code == 400 and "không gộp PDF với" in response.content.decode()
    response = client.post(url, {"tep": _file(b"MZ\x90\x00 not a paper", "anh.jpg")})
    assert response.status_code == 400 and "không phải ảnh" in response.content.decode()
    assert not Scan.objects.exists()
    ok = client.post(url, {"tep": _file(tiny_pdf(), "quet.pdf")})
    assert ok.status_code == 302
    again = client.post(url, {"tep": _file(tiny_pdf(), "quet-lai.pdf")})
    assert again.status_code == 400 and "không lưu lần nữa" in again.content.decode()
    assert Scan.objects.count() == 1


def test_a_200_page_scan_is_stored_and_queued_without_ocr_in_the_request(
    client, world, dossier, settings
):
    component = dossier.components.first()
    url = reverse("dossiers:counter_scan_upload", args=[dossier.pk, component.pk])
    client.force_login(world.officer)
    assert (
        client.post(url, {"tep": _file(scans.blank_pages_pdf(200), "so-dia-chinh.pdf")}).status_code
        == 302
    )
    scan = Scan.objects.get()
    assert (scan.state, scan.pages_total, scan.pages_done) == (Scan.State.QUEUED, 200, 0)
    settings.MOTCUA_SCAN_MAX_PAGES = 150
    response = client.post(url, {"tep": _file(scans.blank_pages_pdf(151), "qua-dai.pdf")})
    assert response.status_code == 400
    assert "tối đa 150 trang" in response.content.decode()


def test_ocr_not_installed_keeps_the_scan_attached_says_why_and_can_be_retried(
    client, world, dossier, settings
):
    settings.MOTCUA_OCRMYPDF_COMMAND = "/khong-co/ocrmypdf"
    component = dossier.components.first()
    scan = services.attach_component_scan(
        world.officer, component_id=component.pk, files=[_file(tiny_pdf(), "quet.pdf")]
    )
    process_scan(scan.pk)
    scan.refresh_from_db()
    component.refresh_from_db()
    assert (scan.state, scan.error) == (Scan.State.FAILED, Scan.Error.OCR_MISSING)
    assert component.digitized and component.file.name == scan.original.name

    client.force_login(world.officer)
    page = client.get(reverse("dossiers:counter_dossier", args=[dossier.pk])).content.decode()
    assert "chưa cài phần mềm nhận dạng chữ" in page and "Bản quét gốc vẫn được lưu" in page

    with pytest.raises(PermissionDenied):
        services.retry_scan(world.specialist, scan_id=scan.pk)
    response = client.post(reverse("dossiers:counter_scan_retry", args=[scan.pk]))
    assert response.status_code == 302
    scan.refresh_from_db()
    assert scan.state == Scan.State.QUEUED
    settings.MOTCUA_OCRMYPDF_COMMAND = ""
    process_scan(scan.pk)  # the PDF already has its text: kept, nothing to recognise
    scan.refresh_from_db()
    assert scan.state == Scan.State.DONE and scan.attempts == 2


def test_a_photo_that_is_not_a_paper_says_no_text_was_recognised(
    client, world, dossier, inline_worker
):
    component = dossier.components.first()
    scan = inline_worker(
        world.officer,
        component_id=component.pk,
        files=[_file(scans.photo(blank=True, size=(600, 800)), "anh.jpg")],
    )
    assert scan.state == Scan.State.DONE and scan.no_text and scan.from_photos
    client.force_login(world.officer)
    part = client.get(reverse("dossiers:counter_scan", args=[scan.pk])).content.decode()
    assert "Không nhận dạng được chữ" in part


def test_only_the_receiving_units_counter_officers_scan_retry_and_correct(client, world, dossier):
    component = dossier.components.first()
    for outsider in (world.specialist, world.leader, world.manager, world.other_officer):
        with pytest.raises(PermissionDenied):
            services.attach_component_scan(
                outsider, component_id=component.pk, files=[_file(tiny_pdf(), "q.pdf")]
            )
    assert not Scan.objects.exists()
    scan = services.attach_component_scan(
        world.officer, component_id=component.pk, files=[_file(tiny_pdf(), "q.pdf")]
    )
    with pytest.raises(PermissionDenied):
        services.set_scan_document_type(
            world.specialist, scan_id=scan.pk, document_type="Giấy khai sinh"
        )
    # another unit's officer: the pages are 404, the POST does not reach the service
    client.force_login(world.other_officer)
    assert client.get(reverse("dossiers:counter_scan", args=[scan.pk])).status_code == 404
    url = reverse("dossiers:counter_scan_upload", args=[dossier.pk, component.pk])
    assert client.post(url, {"tep": _file(tiny_pdf("x"), "q.pdf")}).status_code == 404
    assert client.post(reverse("dossiers:counter_scan_type", args=[scan.pk])).status_code == 404
    # a specialist of the unit sees the dossier but the page offers no upload, and a POST fails
    client.force_login(world.specialist)
    assert client.post(url, {"tep": _file(tiny_pdf("y"), "q.pdf")}).status_code in (403, 404)
    assert Scan.objects.count() == 1


def test_the_officer_corrects_the_document_type_and_it_is_audited(client, world, dossier):
    component = dossier.components.first()
    scan = services.attach_component_scan(
        world.officer, component_id=component.pk, files=[_file(tiny_pdf(), "q.pdf")]
    )
    assert scan.document_type == component.name
    with pytest.raises(ValidationError):
        services.set_scan_document_type(world.officer, scan_id=scan.pk, document_type="Bất kỳ")
    client.force_login(world.officer)
    response = client.post(
        reverse("dossiers:counter_scan_type", args=[scan.pk]),
        {"document_type": "Giấy khai sinh"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and "Giấy khai sinh" in response.content.decode()
    scan.refresh_from_db()
    assert scan.document_type == "Giấy khai sinh"
    event = AuditEvent.objects.get(action="dossier.scan_document_type")
    assert event.changes["document_type"] == [component.name, "Giấy khai sinh"]


def test_the_progress_partial_polls_while_ocr_runs_and_stops_when_done(client, world, dossier):
    scan = services.attach_component_scan(
        world.officer,
        component_id=dossier.components.first().pk,
        files=[_file(scans.blank_pages_pdf(3), "ba-trang.pdf")],
    )
    client.force_login(world.officer)
    url = reverse("dossiers:counter_scan", args=[scan.pk])
    queued = client.get(url).content.decode()
    assert "Đang chờ nhận dạng chữ" in queued and "0/3 trang" in queued and "hx-trigger" in queued
    services.begin_scan(scan_id=scan.pk)
    services.scan_progress(scan_id=scan.pk, pages_done=2)
    running = client.get(url).content.decode()
    assert "Đang nhận dạng chữ" in running and "2/3 trang" in running and "hx-trigger" in running
    services.finish_scan(
        scan_id=scan.pk, ocr_pdf=ContentFile(tiny_pdf()), text="Giấy khai sinh", pdfa="2B"
    )
    done = client.get(url).content.decode()
    assert "hx-trigger" not in done and "Giấy khai sinh" in done and "PDF/A-2B" in done


def test_a_scan_whose_worker_died_is_said_interrupted_and_can_be_retried(client, world, dossier):
    import datetime as dt

    from django.utils import timezone

    scan = services.attach_component_scan(
        world.officer,
        component_id=dossier.components.first().pk,
        files=[_file(scans.blank_pages_pdf(1), "mot-trang.pdf")],
    )
    with pytest.raises(ValidationError):  # queued, not failed: nothing to retry
        services.retry_scan(world.officer, scan_id=scan.pk)
    services.begin_scan(scan_id=scan.pk, at=timezone.now() - dt.timedelta(hours=1))
    client.force_login(world.officer)
    part = client.get(reverse("dossiers:counter_scan", args=[scan.pk])).content.decode()
    assert "bị gián đoạn" in part and "hx-trigger" not in part
    assert client.post(reverse("dossiers:counter_scan_retry", args=[scan.pk])).status_code == 302
    scan.refresh_from_db()
    assert scan.state == Scan.State.QUEUED


def test_the_staff_dossier_page_leads_the_counter_officer_to_the_scans(client, world, dossier):
    url = reverse("dossiers:dossier_detail", args=[dossier.pk])
    client.force_login(world.officer)
    assert 'data-testid="go-scan"' in client.get(url).content.decode()
    client.force_login(world.specialist)
    assert 'data-testid="go-scan"' not in client.get(url).content.decode()


def _fake_ocrmypdf(code: str) -> str:
    """A stand-in for the OCR command: Python running `code` (written without spaces, as the
    setting is split on whitespace); the arguments the pipeline appends are ignored."""
    import sys

    return f"{sys.executable} -c {code}"


def test_ocr_progress_is_reported_page_by_page_and_a_hung_ocr_is_killed_at_its_time_limit(
    world, dossier, settings, monkeypatch, tmp_path
):
    from motcua.documents import ocr

    src, dst = tmp_path / "in.pdf", tmp_path / "out.pdf"
    src.write_bytes(tiny_pdf())
    settings.MOTCUA_OCRMYPDF_COMMAND = _fake_ocrmypdf(
        "__import__('sys').stderr.write('MOTCUA-PROGRESS'+chr(32)+'1/2'+chr(10));"
        "__import__('sys').exit(7)"
    )
    seen: list[int] = []
    with pytest.raises(ocr.OcrFailed) as failed:
        ocr.run(src, dst, pages=2, progress=seen.append)
    assert failed.value.code == "error" and seen == [1]

    settings.MOTCUA_OCRMYPDF_COMMAND = _fake_ocrmypdf("__import__('time').sleep(30)")
    settings.MOTCUA_OCR_SECONDS_PER_PAGE = 1
    monkeypatch.setattr(ocr, "BASE_SECONDS", 0)
    scan = services.attach_component_scan(
        world.officer,
        component_id=dossier.components.first().pk,
        files=[_file(tiny_pdf(), "q.pdf")],
    )
    process_scan(scan.pk)
    scan.refresh_from_db()
    assert (scan.state, scan.error) == (Scan.State.FAILED, Scan.Error.TIMEOUT)
