"""Standalone images (PNG, JPEG, GIF, BMP): portals publish a report's tables as pictures inside the
article page. `extract_image` reads one into the same Extraction as a scanned PDF page; `holds_table`
tells a table picture from a logo, banner or photo by its content — a ruled grid of cells, most of them
figures — so only those go through OCR.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from archive.extract.grid import is_figure
from archive.extract.ocr.rules import deskew, page_rules
from archive.extract.ocr.tess import OcrError
from archive.model import Extraction, Grid

IMAGE_TYPES = ("png", "jpeg", "gif", "bmp")
MAX_PIXELS = 40_000_000  # larger than any table picture; a decompression bomb is refused
NOMINAL_DPI = 200  # a picture has no reliable resolution: scaled so a page-wide table is ~A4 at 200 dpi
PAGE_WIDTH = 1654  # A4 width at 200 dpi, in pixels
MIN_ROWS, MIN_COLS, MIN_FIGURES = 3, 2, 6


def _load(data: bytes) -> Image.Image:
    """The image's first frame as grey (colour dropped as for scans), scaled to the nominal resolution:
    a narrow screenshot is enlarged (up to 3×) so its rules and glyphs have the size the finder expects."""
    from archive.extract.ocr import MAX_PAGE_PIXELS, page_grey

    with Image.open(io.BytesIO(data)) as im:
        if im.width * im.height > MAX_PIXELS:
            raise ValueError(f"image of {im.width}×{im.height} pixels > limit {MAX_PIXELS}")
        im.seek(0)
        rgb = im.convert("RGBA")
    # Transparent pixels are paper, not ink.
    paper = Image.new("RGBA", rgb.size, (255, 255, 255, 255))
    grey = page_grey(Image.alpha_composite(paper, rgb).convert("RGB"))
    scale = min(3.0, PAGE_WIDTH / grey.width) if grey.width < PAGE_WIDTH * 0.85 else 1.0
    # Never enlarged past a large scanned page's pixels: a narrow but very tall picture would otherwise
    # triple into hundreds of megapixels.
    scale = min(scale, (MAX_PAGE_PIXELS / (grey.width * grey.height)) ** 0.5)
    if scale > 1.0:
        grey = grey.resize((round(grey.width * scale), round(grey.height * scale)), Image.Resampling.LANCZOS)
    # Thin rules of a reduced screenshot are grey, not black: stretch the darkest ink to black.
    return ImageOps.autocontrast(grey, cutoff=(0.5, 0))


def has_grid(data: bytes) -> bool:
    """A ruled table of at least 3 rows and 2 columns is drawn in the image (cheap: no OCR)."""
    try:
        grey = _load(data)
    except (OSError, ValueError, UnidentifiedImageError, Image.DecompressionBombError):
        return False
    level, _ = deskew(grey)
    _, tables = page_rules(level, NOMINAL_DPI, faint=True)
    return any(len(t.ys) - 1 >= MIN_ROWS and len(t.xs) - 1 >= MIN_COLS for t in tables)


def figure_cells(tables: list[Grid]) -> int:
    return sum(1 for grid in tables for row in grid for cell in row if is_figure(cell))


def holds_table(data: bytes) -> bool:
    """The image holds a statistical table: a ruled grid, and enough figures read in its cells."""
    if not has_grid(data):
        return False
    ext = extract_image_bytes(data)
    return ext.error is None and figure_cells(ext.tables) >= MIN_FIGURES


def media_type_of(data: bytes) -> str:
    from archive.extract.sniff import sniff_bytes

    kind = sniff_bytes(data[:64])
    return kind if kind in IMAGE_TYPES else "unknown"


def extract_image_bytes(data: bytes, engine: str | None = None) -> Extraction:
    """Text and tables of one image, as a scanned page; never raises."""
    from archive.extract.ocr import engine_name, rapid, read_level_page, tool_version

    kind = media_type_of(data)
    try:
        name = engine_name(engine)
    except ValueError as exc:
        return Extraction(kind, ocr=True, error=str(exc))
    extractor = rapid.version() if name == "rapid" else tool_version()
    try:
        grey = _load(data)
    except (OSError, ValueError, UnidentifiedImageError, Image.DecompressionBombError) as exc:
        return Extraction(kind, extractor=extractor, ocr=True, error=f"unreadable image: {exc}")
    level, _ = deskew(grey)
    try:
        with tempfile.TemporaryDirectory(prefix="govarchive-img-") as tmp:
            # A screenshot's rules may be light grey (#ccc) where a scan's are black.
            text, tables = read_level_page(level, NOMINAL_DPI, name, Path(tmp), faint=True)
    except OcrError as exc:
        return Extraction(kind, extractor=extractor, ocr=True, error=str(exc))
    return Extraction(
        kind, text=text, tables=[t.grid for t in tables], pages=1, extractor=extractor, ocr=True
    )


def extract_image(path: Path, engine: str | None = None) -> Extraction:
    """A standalone image file read into the same Extraction as a scanned PDF page (tables + text)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return Extraction("unknown", ocr=True, error=f"unreadable image: {exc}")
    return extract_image_bytes(data, engine)
