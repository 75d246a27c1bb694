"""Generated scans for the OCR tests and bench/ocr.py: a Vietnamese paper rendered with
diacritics (DejaVu, as on the counter's own papers) at 300 dpi, turned a few degrees and
speckled like a scanner's output, saved as an image-only PDF (no text layer)."""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
LINES = (
    ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", BOLD, 44, True),
    ("Độc lập - Tự do - Hạnh phúc", FONT, 40, True),
    ("", FONT, 40, False),
    ("GIẤY KHAI SINH", BOLD, 64, True),
    ("Ủy ban nhân dân xã Vĩnh Bảo", FONT, 42, False),
    ("Họ, chữ đệm, tên: Nguyễn Thị Hồng Nhung", FONT, 42, False),
    ("Ngày, tháng, năm sinh: 12/03/2026", FONT, 42, False),
    ("Nơi sinh: Trạm y tế xã Vĩnh Bảo", FONT, 42, False),
    ("Giới tính: Nữ    Dân tộc: Kinh    Quốc tịch: Việt Nam", FONT, 42, False),
    ("Giấy khai sinh được cấp theo yêu cầu của người đi khai sinh", FONT, 36, False),
)


def page(*, dpi: int = 300, angle: float = 2.5, seed: int = 1, lines=LINES) -> Image.Image:
    """One A4 page in greyscale at `dpi`, rotated by `angle` degrees, with speckle noise."""
    width, height = int(8.27 * dpi), int(11.69 * dpi)
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    y = int(0.8 * dpi)
    for text, font_path, size, centred in lines:
        font = ImageFont.truetype(font_path, int(size * dpi / 300))
        if text:
            x = (width - draw.textlength(text, font=font)) / 2 if centred else int(0.9 * dpi)
            draw.text((x, y), text, font=font, fill=0)
        y += int(size * dpi / 300 * 2.0)
    image = image.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255)
    rnd = random.Random(seed)
    pixels = image.load()
    for _ in range(width * height // 400):
        pixels[rnd.randrange(width), rnd.randrange(height)] = rnd.choice((0, 90, 160))
    return image


def scan_pdf(pages: int = 1, *, dpi: int = 300, seed: int = 1) -> bytes:
    """An image-only PDF of `pages` generated pages (angles alternate +2.5 / -2 degrees); `seed`
    makes the speckles, so two calls with different seeds give different bytes."""
    images = [
        page(dpi=dpi, angle=2.5 if i % 2 == 0 else -2.0, seed=seed * 1000 + i) for i in range(pages)
    ]
    out = io.BytesIO()
    images[0].save(out, "PDF", save_all=True, append_images=images[1:], resolution=dpi)
    return out.getvalue()


def photo(*, seed: int = 1, blank: bool = False, size: tuple[int, int] = (1240, 1754)) -> bytes:
    """A phone photo (JPEG) of the paper at ~150 dpi, or of nothing (a blank grey sheet)."""
    if blank:
        image = Image.new("RGB", size, (200, 200, 200))
    else:
        image = page(dpi=150, angle=1.5, seed=seed).convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def blank_pages_pdf(pages: int) -> bytes:
    """A cheap many-page image-only PDF (small blank images): for limits, not for OCR."""
    images = [Image.new("L", (200, 280), 255) for _ in range(pages)]
    out = io.BytesIO()
    images[0].save(out, "PDF", save_all=True, append_images=images[1:], resolution=25)
    return out.getvalue()
