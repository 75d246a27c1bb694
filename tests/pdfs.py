"""Small PDFs for upload tests, made in memory: a valid one-page file, the same file protected
by an owner password only or by a user password (pyHanko's writer, AES-256), and broken ones."""

from io import BytesIO


def tiny_pdf(text: str = "Giay to quet") -> bytes:
    """A valid one-page PDF (ASCII text in Helvetica: no font to embed)."""
    stream = b"BT /F1 14 Tf 72 770 Td (%s) Tj ET" % text.encode("ascii")
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R"
        b"/Resources<</Font<</F1 5 0 R>>>>>>",
        b"<</Length %d>>stream\n%s\nendstream" % (len(stream) + 1, stream),
        b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def encrypted_pdf(pdf: bytes, *, owner_password: str, user_password: str = "") -> bytes:
    """`pdf` encrypted; with an empty user password it opens without asking (owner only)."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.pdf_utils.writer import copy_into_new_writer

    writer = copy_into_new_writer(PdfFileReader(BytesIO(pdf)))
    writer.encrypt(owner_password, user_password)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def truncated_pdf(pdf: bytes) -> bytes:
    """The first half of a file, as an interrupted upload or copy leaves it."""
    return pdf[: len(pdf) // 2]
