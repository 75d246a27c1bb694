"""The demo holds real signed results: made by the real signing calls, valid on the public
verification page, their QR opening the address `make run` serves, and one of them printed by
`make run` (demo_logins) with what the tracking form asks for.

The history's result rows all point at the demo's placeholder PDF; here a few returned dossiers
are driven through the dossier services and their result rows pointed at the placeholder the
same way, so the loader finds what it finds after `load_demo`.
"""

import io
import subprocess

import pytest
from django.core.management import call_command
from django.test import override_settings

from motcua.core.models import AuditEvent
from motcua.demo import signed_results
from motcua.demo.dossiers import PLACEHOLDER
from motcua.documents import pki
from motcua.documents.models import SignedDocument
from motcua.documents.verification import verify_pdf
from motcua.dossiers.models import Dossier, DossierDocument, Status
from motcua.dossiers.tracking_views import find_dossier
from tests.dossiers.conftest import shipped_calendar  # noqa: F401  (used by `world`)
from tests.dossiers.factories import drive_to, make_world

BASE = "http://192.168.1.20:8000"  # `make run HOST=0.0.0.0` on the commune's network


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MOTCUA_PKI_DIR = str(tmp_path / "pki")
    settings.MOTCUA_PUBLIC_BASE_URL = BASE
    pki.setup_dev_pki()


@pytest.fixture
def world(db, shipped_calendar):  # noqa: F811
    return make_world()


def returned_with_placeholder(world, n: int) -> list[Dossier]:
    """`n` returned dossiers whose signed result row points at the demo placeholder."""
    dossiers = [drive_to(world, Status.RETURNED) for _ in range(n)]
    DossierDocument.objects.filter(
        dossier__in=dossiers, kind=DossierDocument.Kind.RESULT, signed=True
    ).update(file=PLACEHOLDER)
    return dossiers


def read(fieldfile) -> bytes:
    with fieldfile.open("rb") as fh:
        return fh.read()


def qr_in_first_page(pdf: bytes, tmp_path) -> str:
    """Decode the QR code printed on page 1, as a phone camera would read the paper."""
    src = tmp_path / "signed.pdf"
    src.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "200", "-png", "-f", "1", "-l", "1", "-singlefile", src, tmp_path / "p"],
        check=True,
    )
    out = subprocess.run(
        ["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", tmp_path / "p.png"],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


def test_demo_results_are_really_signed_and_verify_as_issued_here(world, tmp_path):
    returned_with_placeholder(world, 2)

    done = signed_results.sign_results(unit=world.commune, count=2)

    assert len(done.documents) == 2 and not done.skipped
    for document in done.documents:
        content = read(document.file)
        verdict = verify_pdf(content)
        assert verdict.valid and verdict.intact and verdict.trusted, verdict.problems
        assert verdict.issued_here and verdict.document == document
        assert [s.kind for s in verdict.signatures] == ["person", "organization"]
        dossier = Dossier.objects.get(pk=document.object_id)
        # the dossier's result row now holds that very file, as approve_and_sign leaves it
        result = dossier.documents.get(kind=DossierDocument.Kind.RESULT)
        assert read(result.file) == content
        assert document.verification_code in result.note
        assert dossier.code in document.title
    batch = AuditEvent.objects.get(action="demo.results_signed", unit=world.commune)
    assert batch.changes["base_url"] == BASE + "/"
    assert sorted(batch.changes["documents"]) == sorted(d.verification_code for d in done.documents)
    assert "2 văn bản ký số thật" in signed_results.summary_line(done)


def test_the_stamped_qr_opens_the_public_verification_page_of_the_served_address(world, tmp_path):
    returned_with_placeholder(world, 1)

    (document,) = signed_results.sign_results(unit=world.commune, count=1).documents

    assert qr_in_first_page(read(document.file), tmp_path) == (
        f"{BASE}/xac-thuc/{document.verification_code}/"
    )


def test_a_second_load_for_the_same_address_signs_nothing_new(world):
    returned_with_placeholder(world, 3)
    first = signed_results.sign_results(unit=world.commune, count=2)

    again = signed_results.sign_results(unit=world.commune, count=2)

    assert again.skipped
    assert {d.pk for d in again.documents} == {d.pk for d in first.documents}
    assert SignedDocument.objects.count() == 2
    assert "đã có, giữ nguyên" in signed_results.summary_line(again)


def test_served_at_another_address_a_fresh_handful_is_signed_for_it(world, settings, tmp_path):
    """A signed file never changes, so results signed for 127.0.0.1 stay as they are and new
    ones carry the new address (make run, then make run HOST=0.0.0.0)."""
    returned_with_placeholder(world, 2)
    settings.MOTCUA_PUBLIC_BASE_URL = "http://127.0.0.1:8000"
    (old,) = signed_results.sign_results(unit=world.commune, count=1).documents

    settings.MOTCUA_PUBLIC_BASE_URL = BASE
    (new,) = signed_results.sign_results(unit=world.commune, count=1).documents

    assert new.pk != old.pk and new.object_id != old.object_id
    assert qr_in_first_page(read(new.file), tmp_path).startswith(BASE + "/xac-thuc/")
    assert verify_pdf(read(old.file)).valid  # the earlier one still verifies


def test_no_returned_dossier_means_nothing_to_sign(world):
    drive_to(world, Status.PROCESSING)

    done = signed_results.sign_results(unit=world.commune)

    assert done.documents == [] and not done.skipped
    assert not SignedDocument.objects.exists()
    assert "chưa có hồ sơ đã trả kết quả" in signed_results.summary_line(done)


def test_a_production_install_gets_no_demo_signatures(world):
    returned_with_placeholder(world, 1)

    with override_settings(SECURE=True):
        done = signed_results.sign_results(unit=world.commune)

    assert done.refused and done.documents == []
    assert not SignedDocument.objects.exists()


def test_make_run_prints_a_dossier_to_track_and_its_result_to_verify(world):
    (dossier,) = returned_with_placeholder(world, 1)
    (document,) = signed_results.sign_results(unit=world.commune, count=1).documents
    out = io.StringIO()

    call_command("demo_logins", stdout=out)

    printed = out.getvalue()
    sample = signed_results.sample()
    assert sample.dossier_code == dossier.code
    assert f"mã {dossier.code}, 4 số cuối CCCD {sample.id_digits}" in printed
    assert f"{BASE}/tra-cuu/?ma={dossier.code}" in printed
    assert f"{BASE}/xac-thuc/{document.verification_code}/" in printed
    assert f"Trang chủ cho người dân        {BASE}/" in printed
    # what is printed is enough to open the dossier on the tracking page
    assert find_dossier(sample.dossier_code, sample.id_digits) == dossier


def test_demo_logins_prints_no_sample_on_a_production_install(world):
    returned_with_placeholder(world, 1)
    signed_results.sign_results(unit=world.commune, count=1)
    out = io.StringIO()

    with override_settings(SECURE=True):
        call_command("demo_logins", stdout=out)

    assert "hồ sơ mẫu" not in out.getvalue()
    assert "4 số cuối" not in out.getvalue()
