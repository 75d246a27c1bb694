"""A result signed by a commune validates with pyHanko against the development root."""

from io import BytesIO

import pytest
from django.core.management import call_command
from PIL import Image
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature

from motcua.core.models import AuditEvent
from motcua.documents import pki
from motcua.documents.models import SignedDocument
from motcua.documents.services import sign_and_store
from motcua.documents.signing import SigningError

from .conftest import render_first_page, stored_bytes


def test_signed_result_validates_against_the_dev_root(signed_document):
    reader = PdfFileReader(BytesIO(stored_bytes(signed_document)))
    (sig,) = reader.embedded_signatures
    # pyHanko's sync API calls asyncio.run: not in a thread where a browser test's loop runs
    status = pki.run_outside_event_loop(
        validate_pdf_signature, sig, signer_validation_context=pki.validation_context()
    )
    assert status.bottom_line
    assert status.intact and status.valid and status.trusted
    assert status.signing_cert.subject.native["common_name"] == "Xã Thạch Hà"
    assert status.signing_cert.subject.native["organization_name"] == "UBND Xã Thạch Hà"
    assert sig.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES
    assert sig.sig_object["/Reason"] == "Ký số kết quả giải quyết TTHC"


def test_stamp_is_visible_with_qr_code_on_the_first_page(signed_document, artifacts_dir):
    pdf = stored_bytes(signed_document)
    reader = PdfFileReader(BytesIO(pdf))
    (sig,) = reader.embedded_signatures
    annot = sig.sig_field
    assert "/AP" in annot and "/N" in annot["/AP"]
    llx, lly, urx, ury = (float(v) for v in annot["/Rect"])
    assert urx - llx > 200 and ury - lly > 60
    assert annot["/P"].get_object() == reader.root["/Pages"]["/Kids"][0].get_object()

    png = render_first_page(pdf, artifacts_dir / "signed-result.png", dpi=100)
    image = Image.open(png).convert("L")
    scale = 100 / 72
    height = image.height
    box = (int(llx * scale), int(height - ury * scale), int(urx * scale), int(height - lly * scale))
    stamp = image.crop(box)
    dark = sum(stamp.histogram()[:128])
    assert dark > 0.05 * stamp.width * stamp.height  # QR modules and text are drawn


def test_signing_is_recorded_with_an_unguessable_code_and_audited(signed_document):
    doc = SignedDocument.objects.get()
    assert doc == signed_document
    assert len(doc.verification_code) == 16
    assert set(doc.verification_code) <= set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
    assert doc.object_type == "dossiers.dossier" and doc.object_id == "42"
    assert doc.certificate_subject.startswith("Common Name: Xã Thạch Hà")
    event = AuditEvent.objects.get(action="document.signed")
    assert event.object_id == str(doc.pk)
    assert event.unit_id == doc.unit_id
    assert event.changes["sha256"] == doc.sha256


def test_two_results_get_different_codes(commune, result_pdf):
    codes = {
        sign_and_store(
            actor=None, unit=commune, pdf_bytes=result_pdf, title=f"Kết quả {i}", signer_name="A"
        ).verification_code
        for i in range(2)
    }
    assert len(codes) == 2


def test_a_file_that_is_not_a_pdf_is_not_signed_and_nothing_is_recorded(commune):
    with pytest.raises(SigningError):
        sign_and_store(
            actor=None, unit=commune, pdf_bytes=b"<html>", title="x", signer_name="Lê Văn Hùng"
        )
    assert not SignedDocument.objects.exists()
    assert not AuditEvent.objects.filter(action="document.signed").exists()


def test_setup_dev_pki_is_idempotent(pki_dir, capsys):
    call_command("setup_dev_pki")
    root = (pki_dir / "root.pem").read_bytes()
    call_command("setup_dev_pki")
    assert (pki_dir / "root.pem").read_bytes() == root
    assert "already present" in capsys.readouterr().out
    assert "không dùng thật" in pki.ROOT_CN


def test_each_commune_signs_with_its_own_certificate(commune, other_commune):
    first, second = pki.get_signer(commune), pki.get_signer(other_commune)
    assert first.signing_cert.subject.native["common_name"] == "Xã Thạch Hà"
    assert second.signing_cert.subject.native["common_name"] == "Xã Cẩm Xuyên"
    assert first.signing_cert.serial_number != second.signing_cert.serial_number
    # the same commune keeps its certificate
    assert pki.get_signer(commune).signing_cert.dump() == first.signing_cert.dump()


def test_qr_code_in_the_stamp_encodes_the_verification_url(signed_document, tmp_path):
    """Read the printed QR back from a 300 dpi rendering, module by module."""
    import segno

    from motcua.documents.services import verification_url

    pdf = stored_bytes(signed_document)
    reader = PdfFileReader(BytesIO(pdf))
    (sig,) = reader.embedded_signatures
    llx, lly, urx, ury = (float(v) for v in sig.sig_field["/Rect"])
    dpi = 300
    image = Image.open(render_first_page(pdf, tmp_path / "page.png", dpi=dpi)).convert("L")
    s = dpi / 72
    inset = 6  # skip the stamp's border line
    stamp = image.crop(
        (
            int(llx * s) + inset,
            int(image.height - ury * s) + inset,
            int(urx * s) - inset,
            int(image.height - lly * s) - inset,
        )
    )
    dark = stamp.point(lambda p: 255 if p < 128 else 0)
    columns = [any(dark.getpixel((x, y)) for y in range(dark.height)) for x in range(dark.width)]
    x0 = columns.index(True)
    x1 = next(x for x in range(x0, dark.width) if not any(columns[x : x + 15]))  # quiet zone
    left = stamp.crop((x0, 0, x1, stamp.height))
    _, y0, _, y1 = left.point(lambda p: 255 if p < 128 else 0).getbbox()
    x0, x1 = 0, left.width
    expected = segno.make(verification_url(signed_document.verification_code), error="m").matrix
    n = len(expected)
    cell_w, cell_h = (x1 - x0) / n, (y1 - y0) / n
    read = [
        [
            left.getpixel((int(x0 + (c + 0.5) * cell_w), int(y0 + (r + 0.5) * cell_h))) < 128
            for c in range(n)
        ]
        for r in range(n)
    ]
    assert read == [[bool(v) for v in row] for row in expected]
