"""A paper the dossier records but the storage no longer holds (a failed restore, a replaced
disk) opens a Vietnamese 404 page that says so and what to do, never a 500."""

import pytest

from motcua.dossiers.models import DossierDocument, Status

from .factories import attach, drive_to

pytestmark = pytest.mark.django_db

MISSING = "Không đọc được tệp đã lưu"


def lose(fieldfile) -> None:
    fieldfile.storage.delete(fieldfile.name)


def test_a_dossier_paper_missing_from_the_storage_is_a_clear_404(client, world):
    d = drive_to(world, Status.PROCESSING)
    document = attach(world, d, DossierDocument.Kind.CONTROL_SHEET)
    client.force_login(world.specialist)
    url = f"/can-bo/ho-so/{d.pk}/van-ban/{document.pk}/"
    assert client.get(url).status_code == 200
    lose(document.file)
    r = client.get(url)
    assert r.status_code == 404
    html = r.content.decode()
    assert MISSING in html and "khôi phục từ bản sao lưu" in html
    assert "no-store" in r["Cache-Control"]


def test_an_apology_letter_missing_from_the_storage_is_a_clear_404(client, world):
    d = drive_to(world, Status.PROCESSING)
    client.force_login(world.specialist)
    r = client.post(
        f"/can-bo/ho-so/{d.pk}/thao-tac/extend/",
        {"version": d.version, "reason": "Chờ xác minh", "new_due_date": "2026-11-16"},
    )
    assert r.status_code == 302, r.content.decode()[:1000]
    extension = d.extensions.get()
    lose(extension.letter_file)
    r = client.get(f"/can-bo/ho-so/{d.pk}/xin-loi/{extension.pk}/")
    assert r.status_code == 404 and MISSING in r.content.decode()


def test_a_stored_letter_missing_at_the_counter_is_a_clear_404(client, world):
    d = drive_to(world, Status.PROCESSING)
    letter = attach(world, d, DossierDocument.Kind.STOP_LETTER)
    client.force_login(world.officer)
    lose(letter.file)
    r = client.get(f"/can-bo/mot-cua/ho-so/{d.pk}/giay/stop.pdf")
    assert r.status_code == 404 and MISSING in r.content.decode()


def test_a_document_of_another_units_dossier_stays_a_plain_404(client, world):
    d = drive_to(world, Status.PROCESSING)
    document = attach(world, d, DossierDocument.Kind.CONTROL_SHEET)
    client.force_login(world.other_officer)
    r = client.get(f"/can-bo/ho-so/{d.pk}/van-ban/{document.pk}/")
    assert r.status_code == 404 and MISSING not in r.content.decode()
