"""Whoever handles a dossier can open the scans made at the counter (and the dossier's papers)
through expiring links bound to them and to the file; nobody else can, and nothing is cached."""

import re

import pytest
from django.core import signing
from django.core.files.base import ContentFile

from motcua.dossiers import file_links, services
from motcua.dossiers.models import DossierDocument

from .factories import at, attach, receive

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 40


@pytest.fixture
def scanned(world):
    return receive(
        world,
        at(2026, 11, 2, 9),
        components=[
            services.ComponentIn(
                name="Giấy chứng sinh", file=ContentFile(PDF, name="giay-chung-sinh.pdf")
            ),
            services.ComponentIn(name="Ảnh CCCD của mẹ", file=ContentFile(PNG, name="cccd.png")),
            services.ComponentIn(name="Tờ khai đăng ký khai sinh"),
        ],
    )


def component(dossier, name):
    return dossier.components.get(name=name)


def link(user, dossier, row, owner=file_links.COMPONENT):
    return file_links.url_for(user, dossier.pk, owner, row)


def page_links(html: str) -> list[str]:
    return re.findall(r'<a href="([^"]+)"[^>]*data-testid="file-link"', html)


def test_specialist_sees_the_birth_certificate_scanned_at_the_counter(client, world, scanned):
    client.force_login(world.specialist)
    html = client.get(f"/can-bo/ho-so/{scanned.pk}/").content.decode()
    assert 'data-testid="file-frame"' in html  # PDF previewed in an iframe
    assert 'data-testid="file-image"' in html  # the PNG as an image
    urls = [u for u in html.split('src="') if u.startswith(f"/can-bo/ho-so/{scanned.pk}/tep/")]
    assert len(urls) == 2
    response = client.get(urls[0].split('"', 1)[0])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store, private"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline")
    assert b"".join(response.streaming_content) == PDF


def test_image_scan_is_served_as_an_image(client, world, scanned):
    client.force_login(world.leader)
    response = client.get(link(world.leader, scanned, component(scanned, "Ảnh CCCD của mẹ")))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline")
    # the page that frames it may be this site only, not another one
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]


def test_counter_screen_previews_the_scans_too(client, world, scanned):
    client.force_login(world.officer)
    html = client.get(f"/can-bo/mot-cua/ho-so/{scanned.pk}/").content.decode()
    assert html.count('data-testid="file-preview"') == 2
    first = page_links(html)[0]
    assert client.get(first).status_code == 200


def test_dossier_papers_open_through_signed_links(client, world, scanned):
    document = attach(world, scanned, DossierDocument.Kind.RECEIPT)
    client.force_login(world.specialist)
    html = client.get(f"/can-bo/ho-so/{scanned.pk}/").content.decode()
    url = link(world.specialist, scanned, document, file_links.DOCUMENT)
    assert url.split("/tep/")[0] in html
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


def test_another_units_staff_get_404_even_with_a_link_made_for_them(client, world, scanned):
    client.force_login(world.other_leader)
    response = client.get(link(world.other_leader, scanned, component(scanned, "Giấy chứng sinh")))
    assert response.status_code == 404
    assert "Không tìm thấy tệp" in response.content.decode()
    assert b"%PDF" not in response.content


def test_a_link_forwarded_to_someone_else_is_refused(client, world, scanned):
    url = link(world.specialist, scanned, component(scanned, "Giấy chứng sinh"))
    client.force_login(world.other_leader)
    response = client.get(url)
    assert response.status_code == 403
    assert "Liên kết này không dành cho bạn" in response.content.decode()


def test_tampered_link_is_refused_with_a_vietnamese_page(client, world, scanned):
    url = link(world.specialist, scanned, component(scanned, "Giấy chứng sinh"))
    client.force_login(world.specialist)
    token = url.rstrip("/").rsplit("/", 1)[-1]
    forged = url.replace(token, token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb"))
    response = client.get(forged)
    assert response.status_code == 403
    assert "Liên kết xem tệp không hợp lệ" in response.content.decode()
    assert response["Cache-Control"] == "no-store, private"


def test_a_link_to_another_file_of_the_same_dossier_cannot_be_rewritten(client, world, scanned):
    """The dossier number in the address must be the one signed into the token."""
    url = link(world.specialist, scanned, component(scanned, "Giấy chứng sinh"))
    other = receive(world, at(2026, 11, 2, 10))
    client.force_login(world.specialist)
    response = client.get(url.replace(f"/ho-so/{scanned.pk}/", f"/ho-so/{other.pk}/"))
    assert response.status_code == 403


def test_link_expires_after_ten_minutes(client, world, scanned, monkeypatch):
    made_at = 1_800_000_000.0
    monkeypatch.setattr(signing.time, "time", lambda: made_at)
    url = link(world.specialist, scanned, component(scanned, "Giấy chứng sinh"))
    client.force_login(world.specialist)
    monkeypatch.setattr(signing.time, "time", lambda: made_at + 9 * 60)
    assert client.get(url).status_code == 200
    monkeypatch.setattr(signing.time, "time", lambda: made_at + 10 * 60 + 1)
    response = client.get(url)
    assert response.status_code == 403
    assert "Liên kết xem tệp đã hết hạn" in response.content.decode()


def test_missing_stored_file_gives_a_clear_page_not_500(client, world, scanned):
    row = component(scanned, "Giấy chứng sinh")
    url = link(world.specialist, scanned, row)
    row.file.storage.delete(row.file.name)
    client.force_login(world.specialist)
    response = client.get(url)
    assert response.status_code == 404
    assert "Tệp đã lưu không còn trên máy chủ" in response.content.decode()


def test_a_replaced_file_needs_a_new_link(client, world, scanned):
    row = component(scanned, "Giấy chứng sinh")
    url = link(world.specialist, scanned, row)
    row.file.save("giay-chung-sinh-moi.pdf", ContentFile(PDF), save=True)
    client.force_login(world.specialist)
    assert client.get(url).status_code == 404


def test_anonymous_visitor_is_sent_to_sign_in(client, world, scanned):
    url = link(world.specialist, scanned, component(scanned, "Giấy chứng sinh"))
    response = client.get(url)
    assert response.status_code == 302
    assert "/tep/" not in response["Location"].split("?")[0]
