"""OCR of scanned PDFs: pdftoppm (200 dpi) → a level grey page → an engine that reads it.

Tables come from the ruling lines in the bitmap (archive.extract.ocr.rules) fed to the same geometry as PDF
tables (archive.extract.pdftables). Engines (GOVARCHIVE_OCR_ENGINE or `engine=`):

- `rapid` (default): PP-OCRv4's recogniser from rapidocr-onnxruntime on the lines and cells the bitmap
  shows (archive.extract.ocr.rapid) — measured the most accurate and fastest on the frozen scan set
  (benchmarks/ocr_engines.py);
- `tesseract`: Debian's tesseract chi_sim TSV words as the characters, rules erased first, figure cells
  read again digits-only (archive.extract.ocr.digits).

Every step has a timeout; any failure is an error value, never an exception.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

from archive.environment import ocr_engine
from archive.extract.grid import join_lines
from archive.extract.limits import MAX_PDF_PAGES
from archive.extract.ocr import rapid
from archive.extract.ocr.digits import digit_pass
from archive.extract.ocr.lexicon import snap_grid
from archive.extract.ocr.rules import deskew, erase_rules, in_tables, page_rules
from archive.extract.ocr.tess import OcrError, run_tool
from archive.extract.pagejoin import join_pages
from archive.extract.pdftables import Char, Table, fill
from archive.model import Extraction

DPI = 200
PAGE_TIMEOUT = 90.0
# A rendered page's pixels: A2 at 200 dpi. A larger page (a poster, or a fuzzed MediaBox of 5 m) is
# rendered at a lower resolution instead, so one page never needs more than ~0.3 GB (colour bitmap, grey
# copy, deskew) nor minutes of OCR. Found by fuzzing: a 50-inch blank page took 61 s and 1.8 GB.
MAX_PAGE_PIXELS = 16_000_000
MIN_DPI = 20
ENGINES = ("rapid", "tesseract")
DEFAULT_ENGINE = "rapid"


def engine_name(engine: str | None = None) -> str:
    """The engine asked for (argument, else GOVARCHIVE_OCR_ENGINE), falling back to tesseract when the
    default's package is not installed."""
    name = engine or ocr_engine() or DEFAULT_ENGINE
    if name not in ENGINES:
        raise ValueError(f"unknown OCR engine {name!r}; known: {', '.join(ENGINES)}")
    if name == "rapid" and not rapid.available() and engine is None:
        return "tesseract"
    return name


def page_grey(image: Image.Image) -> Image.Image:
    """A rendered page as grey, colour dropped first: the lightest channel of each pixel, so a red seal
    (or any coloured stamp) stamped over the text turns pale while black print stays black."""
    if image.mode == "L":
        return image
    rgb = np.asarray(image.convert("RGB"))
    return Image.fromarray(rgb.max(axis=2))


def tool_version() -> str:
    try:
        out = subprocess.run(["tesseract", "--version"], capture_output=True, timeout=10, text=True).stdout
    except (OSError, subprocess.SubprocessError):
        return "tesseract"
    match = re.search(r"tesseract\s+([\d.]+)", out)
    return f"tesseract-{match.group(1)}" if match else "tesseract"


def _words(tsv: str, dpi: int) -> tuple[str, list[Char]]:
    """Page text (lines as tesseract groups them) and the words as characters with boxes in points."""
    scale = 72 / dpi
    lines: dict[tuple[str, str, str], list[str]] = {}
    chars: list[Char] = []
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5" or not cols[11].strip():
            continue
        left, top, width, height = (int(v) for v in cols[6:10])
        word = cols[11].strip().strip("|｜")  # remnants of rules read as bars
        if not word:
            continue
        lines.setdefault((cols[2], cols[3], cols[4]), []).append(word)
        chars.append(Char(word, left * scale, top * scale, (left + width) * scale, (top + height) * scale))
    return "\n".join(join_lines(words) for words in lines.values()), chars


def _tesseract_page(
    gray: Image.Image, dpi: int, tmp: Path, name: str, timeout: float, lang: str, faint: bool = False
) -> tuple[str, list[Table]]:
    segs, tables = page_rules(gray, dpi, faint)
    clean = tmp / f"clean-{name}"
    cleaned = erase_rules(gray, [s for s in segs if in_tables(s, tables)], dpi)
    cleaned.save(clean)
    tsv = run_tool(
        ["tesseract", str(clean), "stdout", "-l", lang, "--psm", "3", "--dpi", str(dpi), "tsv"],
        timeout,
        "tesseract",
    )
    text, chars = _words(tsv, dpi)
    for t in tables:
        chars = fill(t, chars)
        digit_pass(cleaned, t, tmp, dpi, timeout)
    return text, tables


def _page_sizes(path: Path) -> list[tuple[float, float]]:
    """Each page's size in points: the larger of its MediaBox (what pdftoppm renders) and its visible box."""
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        raise OcrError(f"OCR: unreadable PDF: {exc}") from None
    try:
        sizes = []
        for k in range(min(len(doc), MAX_PDF_PAGES)):
            page = doc[k]
            x0, y0, x1, y1 = page.get_mediabox()
            w, h = page.get_size()
            sizes.append((max(abs(x1 - x0), w), max(abs(y1 - y0), h)))
            page.close()
        return sizes
    except pdfium.PdfiumError as exc:
        raise OcrError(f"OCR: unreadable PDF: {exc}") from None
    finally:
        doc.close()


def page_dpi(size: tuple[float, float], dpi: int) -> int:
    """The resolution a page is rendered at: `dpi`, lowered for a page that would pass MAX_PAGE_PIXELS."""
    pixels = (size[0] * dpi / 72) * (size[1] * dpi / 72)
    if pixels <= MAX_PAGE_PIXELS:
        return dpi
    return max(MIN_DPI, int(dpi * (MAX_PAGE_PIXELS / pixels) ** 0.5))


def read_level_page(
    gray: Image.Image,
    dpi: int,
    engine: str,
    tmp: Path,
    timeout: float = PAGE_TIMEOUT,
    lang: str = "chi_sim",
    faint: bool = False,
) -> tuple[str, list[Table]]:
    """Text and tables of one level grey page (a scanned PDF page or a standalone image) by `engine`,
    table labels snapped to the template's lexicon; `faint`: light grey rules count (a screenshot's).
    Raises OcrError when a tool fails."""
    if engine == "rapid":
        text, tables = rapid.read_page(gray, dpi, faint)
    else:
        text, tables = _tesseract_page(gray, dpi, tmp, f"page-{id(gray)}.png", timeout, lang, faint)
    for t in tables:
        snap_grid(t.grid)
    return text, tables


def ocr_pdf(
    path: Path,
    *,
    dpi: int = DPI,
    page_timeout: float = PAGE_TIMEOUT,
    lang: str = "chi_sim",
    engine: str | None = None,
) -> Extraction:
    name = engine_name(engine)
    extractor = rapid.version() if name == "rapid" else tool_version()
    for tool in ("pdftoppm", "tesseract") if name == "tesseract" else ("pdftoppm",):
        if shutil.which(tool) is None:
            return Extraction(
                "pdf", extractor=extractor, ocr=True, error=f"OCR unavailable: {tool} not installed"
            )
    texts: list[str] = []
    page_tables: list[list[Table]] = []
    height = 0.0
    try:
        with tempfile.TemporaryDirectory(prefix="govarchive-ocr-") as tmp:
            for k, size in enumerate(_page_sizes(path), start=1):
                res = page_dpi(size, dpi)
                # One page at a time, colour and uncompressed (PPM, ~12 MB at 200 dpi): a seal's colour is
                # what tells it from the print under it, and only one page bitmap is ever on disk.
                image = Path(tmp) / "page.ppm"
                run_tool(
                    [
                        "pdftoppm",
                        "-r",
                        str(res),
                        "-f",
                        str(k),
                        "-l",
                        str(k),
                        "-singlefile",
                        str(path),
                        str(image)[:-4],
                    ],
                    page_timeout,
                    "pdftoppm",
                )
                with Image.open(image) as im:
                    if im.width * im.height > 2 * MAX_PAGE_PIXELS:  # a page box pdfium did not report
                        raise OcrError(f"OCR: page {k} renders to {im.width}×{im.height} pixels")
                    gray, _ = deskew(page_grey(im))
                image.unlink()
                height = gray.size[1] * 72 / res
                text, tables = read_level_page(gray, res, name, Path(tmp), page_timeout, lang)
                texts.append(text)
                page_tables.append(tables)
            if not texts:
                return Extraction("pdf", extractor=extractor, ocr=True, error="OCR: no pages to render")
    except OcrError as exc:
        return Extraction("pdf", extractor=extractor, ocr=True, error=str(exc))
    except OSError as exc:
        return Extraction("pdf", extractor=extractor, ocr=True, error=f"OCR failed: {exc}")
    return Extraction(
        "pdf",
        text="\f".join(texts),
        tables=join_pages(page_tables, height),
        pages=len(texts),
        extractor=extractor,
        ocr=True,
    )
