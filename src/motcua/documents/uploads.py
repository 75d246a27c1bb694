"""A citizen's paper uploaded from a phone becomes one PDF the system can keep, show and sign.

Villagers photograph their papers: a birth certificate is two or three JPEG pages of 3-12
megapixels each, turned sideways, sometimes a screenshot in PNG. Kept as they come they fill
the storage, cost the villager's data plan again when downloaded, and an officer opens four
files for one paper. So each paper becomes one PDF here:

- what a file is, is judged by its content: Pillow must open and decode it as JPEG, PNG or
  WebP, or it must parse as a PDF (`documents.pdfs.check_pdf`: encrypted and damaged refused);
  the name and the browser's content type are not believed;
- empty, oversized (`MOTCUA_UPLOAD_MAX_BYTES`) and too many files (`MOTCUA_UPLOAD_MAX_PAGES`)
  are refused before anything is decoded, and an image of absurd dimensions (a "decompression
  bomb") is refused from its header;
- photos are turned upright (EXIF orientation), scaled down to `MOTCUA_UPLOAD_MAX_SIDE` pixels
  on the long side, re-encoded as JPEG (which also drops their location metadata), and
  combined in the order given, one page each;
- a PDF is kept as it is, alone: one paper is one PDF or a set of photos, never a mix.

Every refusal is an `UploadRefused` with a Vietnamese message naming the file.
"""

from __future__ import annotations

import contextlib
import io
import threading
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from .pdfs import PdfRefused, check_pdf

IMAGE_FORMATS = frozenset({"JPEG", "PNG", "WEBP"})
MAX_PIXELS = 50_000_000  # a 50 MP photo is already more than any phone in a village takes
JPEG_QUALITY = 80
A4_DPI = 150  # the page size a viewer shows: the long side of a 2000 px photo is ~34 cm
A4_LONG_INCHES = 11.69


class UploadRefused(ValueError):
    """The upload cannot be kept; `message` says why, in Vietnamese."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(code)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class Upload:
    """One uploaded file as the form received it."""

    name: str
    data: bytes


@dataclass(frozen=True)
class Paper:
    """The PDF kept for a paper, and what it was made of."""

    pdf: bytes
    pages: int
    from_photos: bool


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.0f}"


def _check_sizes(files: list[Upload], most: int) -> None:
    if not files:
        raise UploadRefused(_("Chưa chọn tệp nào."), "none")
    if len(files) > most:
        raise UploadRefused(
            _("Mỗi giấy tờ chụp tối đa %(n)s trang; bạn đã chọn %(k)s tệp.")
            % {"n": most, "k": len(files)},
            "too_many",
        )
    limit = settings.MOTCUA_UPLOAD_MAX_BYTES
    for f in files:
        if not f.data:
            raise UploadRefused(
                _("Tệp “%(name)s” rỗng (0 byte). Hãy chụp hoặc chọn lại.") % {"name": f.name},
                "empty",
            )
        if len(f.data) > limit:
            raise UploadRefused(
                _("Tệp “%(name)s” lớn hơn %(mb)s MB. Hãy chụp lại với độ phân giải thấp hơn.")
                % {"name": f.name, "mb": _mb(limit)},
                "too_big",
            )


def _not_supported(name: str) -> UploadRefused:
    return UploadRefused(
        _(
            "Tệp “%(name)s” không phải ảnh (JPEG, PNG) hay văn bản PDF đọc được. Hãy chụp lại "
            "giấy tờ bằng máy ảnh của điện thoại hoặc chọn tệp PDF."
        )
        % {"name": name},
        "not_supported",
    )


_STRICT = threading.Lock()


@contextlib.contextmanager
def _strict_decoding():
    """Decode with truncated files refused. WeasyPrint, once imported, sets Pillow's
    LOAD_TRUNCATED_IMAGES for the whole process (it renders what it can); a photo whose upload
    stopped halfway would then be padded with grey and kept. The flag is process-wide, so it is
    lowered only around our own decoding (WeasyPrint embeds only the system's own images)."""
    with _STRICT:
        before = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = before


def _open_image(f: Upload) -> Image.Image:
    """The decoded, upright image, or UploadRefused (never a Pillow exception)."""
    try:
        with warnings.catch_warnings(), _strict_decoding():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(f.data))
            if image.format not in IMAGE_FORMATS:
                raise _not_supported(f.name)
            if image.width * image.height > MAX_PIXELS:
                raise UploadRefused(
                    _("Ảnh “%(name)s” có kích thước quá lớn.") % {"name": f.name}, "too_large"
                )
            image.load()  # decode now: a truncated or corrupt file fails here, not later
            upright = ImageOps.exif_transpose(image)
    except UploadRefused:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        SyntaxError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        raise _not_supported(f.name) from exc
    return upright if upright is not None else image


def _page(image: Image.Image, side: int) -> Image.Image:
    """RGB (transparency on white), at most `side` pixels on the long side."""
    if image.mode in ("RGBA", "LA", "P"):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    elif image.mode != "RGB":
        image = image.convert("RGB")
    if max(image.size) > side:
        image.thumbnail((side, side), Image.Resampling.LANCZOS)
    # Re-encoded as JPEG: the PDF embeds JPEG pages (small) and no EXIF (no GPS location).
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True)
    buffer.seek(0)
    return Image.open(buffer)


def paper_pdf(
    files: list[Upload],
    *,
    max_files: int | None = None,
    max_side: int | None = None,
    a4: bool = False,
) -> Paper:
    """One PDF for one paper from the files a citizen picked (see the module docstring).

    The counter's scans (`dossiers.scanning`) allow more photos (`max_files`) and keep more
    pixels (`max_side`) for OCR, and with `a4` each photo's page is as long as an A4 sheet, so
    the resolution the PDF states (what Tesseract is told) is the photo's real one."""
    _check_sizes(files, max_files or settings.MOTCUA_UPLOAD_MAX_PAGES)
    pdfs = [f for f in files if f.data.startswith(b"%PDF-")]
    if pdfs:
        if len(files) > 1:
            raise UploadRefused(
                _(
                    "Một giấy tờ là một tệp PDF, hoặc các ảnh chụp từng trang; không gộp PDF với "
                    "ảnh hay nhiều tệp PDF với nhau."
                ),
                "mixed",
            )
        try:
            count = check_pdf(pdfs[0].data)
        except PdfRefused as exc:
            raise UploadRefused(f"“{pdfs[0].name}”: {exc.message}", exc.code) from exc
        return Paper(pdf=pdfs[0].data, pages=count, from_photos=False)
    side = max_side or settings.MOTCUA_UPLOAD_MAX_SIDE
    pages = [_page(_open_image(f), side) for f in files]
    out = io.BytesIO()
    resolution = float(A4_DPI)
    if a4:  # the long side of the largest photo is 29.7 cm: 2970 px say 254 dpi
        resolution = max(max(p.size) for p in pages) / A4_LONG_INCHES
    pages[0].save(
        out, "PDF", save_all=True, append_images=pages[1:], resolution=resolution, title="motcua"
    )
    return Paper(pdf=out.getvalue(), pages=len(pages), from_photos=True)
