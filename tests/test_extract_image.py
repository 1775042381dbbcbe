"""Tables published as pictures: sniffed by signature, told from logos and banners by content, read by
the OCR path into the same Extraction as a scanned page."""

from __future__ import annotations

import functools
import io
import tempfile
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from archive.extract import extract_file
from archive.extract.ocr.image import extract_image, has_grid, holds_table
from archive.extract.sniff import sniff_bytes
from archive.model import Extraction
from tests.eval.ocr_engines import SCANS, truth
from tests.eval.scanlike import FONT, red_seal

pytestmark = [pytest.mark.ocr]


@functools.cache
def table_picture(fmt: str = "PNG") -> bytes:
    """Both tables of a scanned page cut out and shrunk to 900 px, as a portal's article would show them."""
    with Image.open(SCANS / "r2021-grey150" / "page-3.jpg") as page:
        crop = page.crop((80, 80, page.width - 80, 1200))
    small = crop.resize((900, round(crop.height * 900 / crop.width)), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    (small.convert("P") if fmt == "GIF" else small.convert("RGB")).save(buf, fmt)
    return buf.getvalue()


@functools.cache
def picture_extraction() -> Extraction:
    """The PNG picture through the production entry point (sniffed, dispatched, OCRed)."""
    with tempfile.TemporaryDirectory(prefix="govarchive-test-") as tmp:
        path = Path(tmp) / "table"  # no extension: the bytes say what it is
        path.write_bytes(table_picture())
        return extract_file(path)


def _banner() -> bytes:
    img = Image.new("RGB", (1200, 200), (180, 20, 20))
    draw = ImageDraw.Draw(img)
    draw.rectangle((10, 10, 1190, 190), outline=(255, 255, 255), width=4)
    font = ImageFont.truetype(str(FONT), 80) if FONT.exists() else None
    draw.text((50, 50), "中宁县人民政府 2024", font=font, fill=(255, 220, 0))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def _empty_grid() -> bytes:
    """A ruled form without a single figure (a blank calendar, an empty template)."""
    img = Image.new("L", (1200, 800), 255)
    draw = ImageDraw.Draw(img)
    for k in range(6):
        draw.line((50, 50 + 140 * k, 1150, 50 + 140 * k), fill=0, width=2)
    for k in range(6):
        draw.line((50 + 220 * k, 50, 50 + 220 * k, 750), fill=0, width=2)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


@pytest.mark.parametrize(("fmt", "kind"), [("PNG", "png"), ("JPEG", "jpeg"), ("GIF", "gif"), ("BMP", "bmp")])
def test_images_are_sniffed_by_signature(fmt: str, kind: str) -> None:
    assert sniff_bytes(table_picture(fmt)[:64]) == kind


def test_text_starting_like_a_bitmap_is_not_one() -> None:
    assert sniff_bytes("BMW 2024年政府信息公开工作年度报告".encode()) == "text"


def test_table_picture_reads_like_a_scanned_page() -> None:
    ext = picture_extraction()
    assert ext.error is None, ext.error
    assert ext.media_type == "png" and ext.ocr is True and ext.pages == 1
    assert ext.extractor.startswith(("rapidocr", "tesseract"))
    assert [(len(g), len(g[0])) for g in ext.tables] == [(21, 10), (4, 15)]
    # The appeals table's figures are the report's, in the template's column order.
    appeals = {
        (s["row"], s["col"]): s["raw"] for s in truth("r2021-grey150")["stats"] if s["section"] == "appeals"
    }
    order = [
        (r, c)
        for r in ("review", "litigation_direct", "litigation_after_review")
        for c in ("upheld", "corrected", "other", "pending", "total")
    ]
    assert ext.tables[1][-1] == [appeals[k] for k in order]
    assert "申请人情况" in ext.text


def test_only_pictures_of_tables_hold_tables() -> None:
    assert holds_table(table_picture("JPEG"))
    banner = _banner()
    assert not holds_table(banner)
    seal = io.BytesIO()
    red_seal(200).save(seal, "PNG")  # a logo: transparent background, red ink
    assert not holds_table(seal.getvalue())
    grid = _empty_grid()
    assert has_grid(grid) and not holds_table(grid)  # ruled, but no figures


def test_broken_image_is_an_error_value(tmp_path: Path) -> None:
    path = tmp_path / "broken.png"
    path.write_bytes(table_picture()[:300])
    ext = extract_image(path)
    assert ext.error is not None and "image" in ext.error
    assert not holds_table(b"\x89PNG\r\n\x1a\n garbage")
