"""A citizen's photographed or scanned paper becomes one PDF, judged by its content; every bad
file is refused with a Vietnamese message naming it, never a server error."""

import io
import subprocess

import pytest
from PIL import Image

from motcua.documents.uploads import Upload, UploadRefused, paper_pdf
from tests.pdfs import encrypted_pdf, tiny_pdf, truncated_pdf

ROTATE_90_CW = 6  # EXIF orientation: the phone was held upright, the sensor stored it sideways


def photo(width=4000, height=3000, *, orientation=None, fmt="JPEG", mode="RGB") -> bytes:
    image = Image.new(mode, (width, height), "white" if mode == "RGB" else (255, 255, 255, 0))
    for x in range(0, width, 50):  # some content, so the JPEG is not trivially small
        image.paste("black" if mode == "RGB" else (0, 0, 0, 255), (x, 0, x + 5, height))
    out = io.BytesIO()
    if orientation:
        exif = Image.Exif()
        exif[0x0112] = orientation
        exif[0x8825] = {2: (21.0, 2.0, 0.0)}  # GPS latitude: where the villager lives
        image.save(out, fmt, exif=exif)
    else:
        image.save(out, fmt)
    return out.getvalue()


WHOLE = photo(800, 600)
TRUNCATED = WHOLE[: len(WHOLE) // 2]  # the upload stopped halfway


def pdf_info(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "paper.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "9", str(path)], capture_output=True, text=True, check=True
    ).stdout
    return "\n".join(" ".join(line.split()) for line in out.splitlines())


def refused(files) -> UploadRefused:
    with pytest.raises(UploadRefused) as caught:
        paper_pdf(files)
    return caught.value


def test_phone_photos_become_one_upright_scaled_down_pdf_without_their_location(tmp_path):
    pages = [
        Upload("trang-1.jpg", photo(orientation=ROTATE_90_CW)),
        Upload("trang-2.jpg", photo()),
    ]
    paper = paper_pdf(pages)
    assert (paper.pages, paper.from_photos) == (2, True)
    info = pdf_info(paper.pdf, tmp_path)
    assert "Pages: 2" in info
    # 4000 x 3000 stored sideways -> upright 3000 x 4000 -> 1500 x 2000 px at 150 dpi
    assert "Page 1 size: 720 x 960 pts" in info
    assert "Page 2 size: 960 x 720 pts" in info
    assert len(paper.pdf) < sum(len(p.data) for p in pages)
    assert b"Exif" not in paper.pdf and b"GPS" not in paper.pdf


def test_a_screenshot_with_transparency_and_a_small_photo_are_kept_at_their_size(tmp_path):
    paper = paper_pdf(
        [
            Upload("chup-man-hinh.png", photo(720, 1600, fmt="PNG", mode="RGBA")),
            Upload("nho.webp", photo(600, 800, fmt="WEBP")),
        ]
    )
    info = pdf_info(paper.pdf, tmp_path)
    assert "Page 1 size: 345.6 x 768 pts" in info  # 720 x 1600 px, not scaled up
    assert "Page 2 size: 288 x 384 pts" in info


def test_a_scanned_pdf_is_kept_as_it_is():
    data = tiny_pdf()
    paper = paper_pdf([Upload("giay-khai-sinh.pdf", data)])
    assert (paper.pdf, paper.pages, paper.from_photos) == (data, 1, False)


@pytest.mark.parametrize(
    ("files", "code"),
    [
        ([], "none"),
        ([Upload("rong.jpg", b"")], "empty"),
        ([Upload("trang.jpg", b"<html><script>alert(1)</script></html>")], "not_supported"),
        ([Upload("anh.jpg", b"MZ\x90\x00" + b"\x00" * 200)], "not_supported"),  # a program
        ([Upload("cat-do.jpg", TRUNCATED)], "not_supported"),
        ([Upload("dong.gif", photo(100, 100, fmt="GIF"))], "not_supported"),
        ([Upload("a.pdf", tiny_pdf()), Upload("b.jpg", photo(100, 100))], "mixed"),
        ([Upload("a.pdf", tiny_pdf()), Upload("b.pdf", tiny_pdf())], "mixed"),
    ],
)
def test_bad_files_are_refused_by_their_content(files, code):
    error = refused(files)
    assert error.code == code
    assert error.message and "Traceback" not in error.message


def test_a_half_uploaded_photo_is_refused_even_after_weasyprint_relaxed_pillow():
    import weasyprint  # noqa: F401 - sets ImageFile.LOAD_TRUNCATED_IMAGES for the process
    from PIL import ImageFile

    assert ImageFile.LOAD_TRUNCATED_IMAGES
    assert refused([Upload("cat-do.jpg", TRUNCATED)]).code == "not_supported"
    assert ImageFile.LOAD_TRUNCATED_IMAGES  # left as WeasyPrint wants it


def test_protected_and_damaged_pdfs_are_refused_naming_the_file():
    error = refused([Upload("khoa.pdf", encrypted_pdf(tiny_pdf(), owner_password="x"))])
    assert error.code == "encrypted" and "“khoa.pdf”" in error.message
    assert refused([Upload("hong.pdf", truncated_pdf(tiny_pdf()))]).code == "damaged"


def test_limits_are_checked_before_anything_is_decoded(settings):
    settings.MOTCUA_UPLOAD_MAX_BYTES = 50_000
    big = photo(3000, 3000)
    assert len(big) > 50_000
    error = refused([Upload("to.jpg", big)])
    assert error.code == "too_big" and "“to.jpg”" in error.message
    settings.MOTCUA_UPLOAD_MAX_PAGES = 2
    small = photo(50, 50)
    assert refused([Upload(f"{i}.jpg", small) for i in range(3)]).code == "too_many"


def test_a_decompression_bomb_is_refused_from_its_header():
    # a valid PNG whose header claims 60000 x 60000 pixels (3.6 gigapixels), a few KB on disk
    image = Image.new("1", (60000, 60000))
    out = io.BytesIO()
    image.save(out, "PNG")
    assert len(out.getvalue()) < 2_000_000
    assert refused([Upload("bom.png", out.getvalue())]).code in ("too_large", "not_supported")
