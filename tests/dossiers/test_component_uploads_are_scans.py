"""Every screen that puts a paper onto a component goes through the one scan pipeline
(decisions/0037, "one verb"): the reception form, the counter's supplement, the citizen's
online supplement and the dossier page's scan form each leave a `Scan` (judged by content,
duplicates refused, OCR queued for the worker), never a bare file on the component.

And a born-digital PDF (an exported form with its own text layer) comes back with its own
words as the scan's text, not an empty OCR. Only that test runs ocrmypdf (no Tesseract work:
the page already has text, so it takes about a second).
"""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from weasyprint import HTML

from motcua.core.models import AuditEvent
from motcua.dossiers import services
from motcua.dossiers.models import Dossier, Scan, Status
from motcua.dossiers.scanning import process_scan
from tests import scans
from tests.citizens.myspace import BACKEND, LAN_ID, citizen, drive, photo
from tests.pdfs import tiny_pdf

from .factories import CITIZEN_ID, applicant, at, receive

pytestmark = pytest.mark.django_db
RECEPTION = "/can-bo/mot-cua/tiep-nhan/"


def reception_form(world, key: str, **files) -> dict:
    first, second = world.procedure.components.order_by("order")
    return {
        "procedure": world.procedure.pk,
        "key": key,
        "applicant_kind": "1",
        "applicant_name": "Nguyễn Thị Hồng Nhung",
        "applicant_id_number": CITIZEN_ID,
        "applicant_phone": "0912 345 678",
        "applicant_address": "Thôn Đồng Bụt, xã An Hưng",
        "identity_via": "chip_card",
        "delivery": "counter",
        f"c{first.pk}_received": "on",
        f"c{first.pk}_form": "original",
        f"c{first.pk}_count": "1",
        f"c{second.pk}_received": "on",
        f"c{second.pk}_form": "copy",
        f"c{second.pk}_count": "1",
        **files,
    }


def test_a_file_given_in_the_reception_form_becomes_a_queued_scan(client, world):
    first, second = world.procedure.components.order_by("order")
    client.force_login(world.officer)
    answer = client.post(
        RECEPTION,
        reception_form(
            world,
            "k-scan",
            **{f"c{first.pk}_file": SimpleUploadedFile("to-khai.pdf", tiny_pdf("To khai"))},
        ),
    )
    assert answer.status_code == 302
    dossier = Dossier.objects.get()
    scan = Scan.objects.get()
    component = dossier.components.get(name=first.name)
    assert (scan.dossier, scan.component, scan.state) == (dossier, component, Scan.State.QUEUED)
    assert scan.created_by == world.officer and scan.pages_total == 1
    assert component.digitized and component.file.name == scan.original.name
    assert not dossier.components.get(name=second.name).digitized  # nothing given: not scanned
    assert AuditEvent.objects.filter(action="dossier.scan_component").count() == 1
    # the dossier page shows the scan's progress, as for a scan made there
    page = client.get(reverse("dossiers:counter_dossier", args=[dossier.pk])).content.decode()
    assert reverse("dossiers:counter_scan", args=[scan.pk]) in page


def test_the_reception_form_refuses_a_paper_already_scanned_for_this_applicant(client, world):
    first, second = world.procedure.components.order_by("order")
    data = tiny_pdf("Giay chung sinh cua be")
    client.force_login(world.officer)
    ok = client.post(
        RECEPTION,
        reception_form(world, "k-1", **{f"c{first.pk}_file": SimpleUploadedFile("a.pdf", data)}),
    )
    assert ok.status_code == 302
    earlier = Dossier.objects.get()
    again = client.post(
        RECEPTION,
        reception_form(world, "k-2", **{f"c{second.pk}_file": SimpleUploadedFile("b.pdf", data)}),
    )
    assert again.status_code == 400
    html = again.content.decode()
    assert "không lưu lần nữa" in html and earlier.code in html
    assert Dossier.objects.count() == 1 and Scan.objects.count() == 1  # nothing half-made
    # the same file for two papers of one dossier: refused before anything is stored
    twice = client.post(
        RECEPTION,
        reception_form(
            world,
            "k-3",
            **{
                f"c{first.pk}_file": SimpleUploadedFile("c.pdf", tiny_pdf("x")),
                f"c{second.pk}_file": SimpleUploadedFile("d.pdf", tiny_pdf("x")),
            },
        ),
    )
    assert twice.status_code == 400 and "mỗi giấy tờ một bản quét" in twice.content.decode()
    assert Dossier.objects.count() == 1


def test_the_reception_service_judges_the_upload_by_content(world):
    component = services.ComponentIn(
        name="Giấy chứng sinh", upload=(ContentFile(b"%PDF-1.4 broken", name="hong.pdf"),)
    )
    with pytest.raises(services.UploadRefused) as refused:
        services.receive_at_counter(
            world.officer,
            procedure=world.procedure,
            receiving_unit=world.commune,
            applicant=applicant(),
            components=[component],
        )
    assert refused.value.message.startswith("Giấy chứng sinh:")
    assert not Dossier.objects.exists() and not Scan.objects.exists()


def test_a_paper_brought_for_a_supplement_at_the_counter_becomes_a_scan(client, world):
    dossier = drive_to_supplement(world)
    client.force_login(world.officer)
    url = reverse("dossiers:counter_resubmit", args=[dossier.pk])
    photo_bytes = scans.photo(blank=True, size=(60, 80))
    answer = client.post(url, {"item0_file": SimpleUploadedFile("bo-sung.jpg", photo_bytes)})
    assert answer.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == Status.RECEIVED  # back where it paused, the clock running again
    scan = Scan.objects.get()
    assert scan.from_photos and scan.state == Scan.State.QUEUED
    assert scan.component.name == "Bản sao giấy chứng sinh" and scan.component.digitized


def test_a_supplement_paper_already_in_the_dossier_is_refused_and_the_clock_stays(client, world):
    dossier = receive(world, applicant=applicant())
    data = tiny_pdf("Ban sao giay chung sinh")
    services.attach_component_scan(
        world.officer,
        component_id=dossier.components.first().pk,
        files=[ContentFile(data, name="a.pdf")],
    )
    dossier = drive_to_supplement(world, dossier)
    client.force_login(world.officer)
    url = reverse("dossiers:counter_resubmit", args=[dossier.pk])
    answer = client.post(url, {"item0_file": SimpleUploadedFile("b.pdf", data)})
    assert answer.status_code == 400 and "không lưu lần nữa" in answer.content.decode()
    dossier.refresh_from_db()
    assert dossier.status == Status.AWAITING_SUPPLEMENT and Scan.objects.count() == 1


def drive_to_supplement(world, dossier=None) -> Dossier:
    dossier = dossier or receive(world, applicant=applicant())
    return services.request_supplement(
        world.officer,
        dossier_id=dossier.pk,
        items=["Bản sao giấy chứng sinh"],
        reason="Thiếu bản sao giấy chứng sinh",
    )


def test_the_citizens_online_supplement_becomes_a_scan_of_theirs(client, world):
    lan = citizen(LAN_ID, "Nguyễn Thị Lan")
    first = drive(world, Status.AWAITING_SUPPLEMENT, LAN_ID, at(2026, 11, 2))
    second = drive(world, Status.AWAITING_SUPPLEMENT, LAN_ID, at(2026, 11, 3))
    client.force_login(lan, backend=BACKEND)
    for dossier in (first, second):  # the same photo for two of her own dossiers: both kept
        answer = client.post(
            f"/cong-dan/ho-so/{dossier.code}/bo-sung/",
            {
                "version": dossier.version,
                "ghi_chu": "",
                "giay": [SimpleUploadedFile("giay.jpg", photo(), "image/jpeg")],
            },
        )
        assert answer.status_code == 302, answer.content.decode()[:500]
    assert Scan.objects.filter(created_by=lan, state=Scan.State.QUEUED).count() == 2
    scan = Scan.objects.filter(dossier=first).get()
    assert scan.component.digitized and scan.component.file.name == scan.original.name


def test_the_dossier_pages_scan_form_makes_a_scan(client, world):
    dossier = receive(world, at(2026, 11, 2, 9))
    component = dossier.components.first()
    client.force_login(world.officer)
    url = reverse("dossiers:defect_fix_component", args=[dossier.pk, component.pk])
    assert client.post(url, {"file": SimpleUploadedFile("a.pdf", tiny_pdf())}).status_code == 302
    assert Scan.objects.get().component == component


BORN_DIGITAL = """<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"></head>
<body style="font-family: 'DejaVu Sans'"><h1>ĐƠN ĐỀ NGHỊ CẤP BẢN SAO TRÍCH LỤC</h1>
<p>Kính gửi: Ủy ban nhân dân xã Vĩnh Bảo</p>
<p>Người yêu cầu: Nguyễn Thị Hồng Nhung</p></body></html>"""


def test_a_born_digital_pdf_gives_its_own_text(world, settings):
    settings.MOTCUA_OCRMYPDF_COMMAND = ""
    dossier = receive(world, applicant=applicant())
    component = dossier.components.first()
    exported = HTML(string=BORN_DIGITAL).write_pdf()
    scan = services.attach_component_scan(
        world.officer,
        component_id=component.pk,
        files=[ContentFile(exported, name="don-xuat-tu-may.pdf")],
    )
    process_scan(scan.pk)
    scan.refresh_from_db()
    assert scan.state == Scan.State.DONE, (scan.error, scan.error_detail)
    for words in (
        "ĐƠN ĐỀ NGHỊ CẤP BẢN SAO",
        "Ủy ban nhân dân xã Vĩnh Bảo",
        "Nguyễn Thị Hồng Nhung",
    ):
        assert words in scan.text
    assert "OCR skipped" not in scan.text and not scan.no_text
