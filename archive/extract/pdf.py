"""PDF text and tables with pypdfium2 (Apache-2.0/BSD): text from the text layer, tables rebuilt from the
ruling lines among the page objects (see pdftables). A PDF without a text layer goes to OCR."""

from __future__ import annotations

import ctypes
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from archive.extract.limits import MAX_PDF_PAGES
from archive.extract.pagejoin import join_pages
from archive.extract.pdftables import Char, Seg, Table, fill, find_tables
from archive.model import Extraction, TextPlaces, page_place
from archive.textplaces import Shifts, token_spans

EXTRACTOR = f"pypdfium2-{pdfium.PYPDFIUM_INFO.version if hasattr(pdfium, 'PYPDFIUM_INFO') else ''}".rstrip(
    "-"
)
THIN = 3.0  # points: a filled rectangle thinner than this is a ruling line
MIN_TEXT_PER_PAGE = 20  # fewer characters per page than this: a scan (or an image-only PDF)


class PdfError(Exception):
    pass


def open_pdf(path: Path) -> pdfium.PdfDocument:
    try:
        doc = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        msg = str(exc)
        if "password" in msg.lower():
            raise PdfError("encrypted PDF") from exc
        raise PdfError(f"corrupt PDF: {msg}") from exc
    return doc


def _segments(page: pdfium.PdfPage, height: float) -> list[Seg]:
    segs: list[Seg] = []
    for obj in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_PATH,), max_depth=2):
        left, bottom, right, top = obj.get_bounds()
        w, h = right - left, top - bottom
        if h <= THIN and w > h:
            segs.append(Seg(True, height - (top + bottom) / 2, left, right))
        elif w <= THIN and h > w:
            segs.append(Seg(False, (left + right) / 2, height - top, height - bottom))
        elif _is_stroked(obj) and pdfium_c.FPDFPath_CountSegments(obj.raw) <= 5:
            # A stroked rectangle (some producers draw each cell as one): its four edges.
            y0, y1 = height - top, height - bottom
            segs += [Seg(True, y0, left, right), Seg(True, y1, left, right)]
            segs += [Seg(False, left, y0, y1), Seg(False, right, y0, y1)]
    return segs


def _is_stroked(obj: pdfium.PdfObject) -> bool:
    fill_mode, stroke = ctypes.c_int(), ctypes.c_int()
    pdfium_c.FPDFPath_GetDrawMode(obj.raw, ctypes.byref(fill_mode), ctypes.byref(stroke))
    return bool(stroke.value)


def _chars(textpage: pdfium.PdfTextPage, height: float) -> list[Char]:
    """Characters with their loose boxes (font ascent to descent): every glyph of a line then shares one
    vertical extent, so small glyphs such as “ ” stay on their line."""
    raw = textpage.raw
    box = pdfium_c.FS_RECTF()
    out = []
    for i in range(pdfium_c.FPDFText_CountChars(raw)):
        code = pdfium_c.FPDFText_GetUnicode(raw, i)
        if code in (10, 13) or pdfium_c.FPDFText_IsGenerated(raw, i) == 1:
            continue
        pdfium_c.FPDFText_GetLooseCharBox(raw, i, box)
        if box.right <= box.left:
            continue
        out.append(Char(chr(code), box.left, height - box.top, box.right, height - box.bottom))
    return out


def _token_places(
    textpage: pdfium.PdfTextPage, raw: str, text: str, page: tuple[int, float], offset: int
) -> TextPlaces:
    """[start, end, page, x0, y0, x1, y1] of each figure-like token of the page's text (archive/textplaces.py):
    start/end offsets into the whole document's text (`offset`: where this page's text begins there), `page`
    the page's number and height, the box the union of the token's characters' loose boxes (so the text
    inside it is the token). A page whose text does not index its characters one to one (characters outside
    the BMP) gives none."""
    tp = textpage.raw
    if len(raw) != pdfium_c.FPDFText_CountChars(tp):
        return []
    number, height = page
    shifts = Shifts(raw)
    box = pdfium_c.FS_RECTF()
    out: TextPlaces = []
    for start, end in token_spans(text):
        x0 = y0 = float("inf")
        x1 = y1 = float("-inf")
        boxed = True
        for j in range(start, end):
            if not pdfium_c.FPDFText_GetLooseCharBox(tp, shifts.raw_index(j), box):
                boxed = False  # the previous character's box would be taken for this one's
                break
            x0, x1 = min(x0, box.left), max(x1, box.right)
            y0, y1 = min(y0, height - box.top), max(y1, height - box.bottom)
        if boxed and x0 < x1 and y0 < y1:
            out.append([offset + start, offset + end, *page_place(number, x0, y0, x1, y1)])
    return out


def needs_ocr(text: str, pages: int) -> bool:
    """No usable text layer: almost no characters (a scan), or mostly unmapped glyphs (fonts without a
    ToUnicode map come out as private-use or replacement characters)."""
    chars = "".join(text.split())
    if len(chars) < MIN_TEXT_PER_PAGE * pages:
        return True
    junk = sum(1 for ch in chars if "\ue000" <= ch <= "\uf8ff" or ch == "\ufffd" or ord(ch) < 32)
    return junk > 0.3 * len(chars)


def extract_pdf(path: Path, *, ocr_fallback: bool = True) -> Extraction:
    try:
        doc = open_pdf(path)
    except PdfError as exc:
        return Extraction("pdf", extractor=EXTRACTOR, error=str(exc))
    try:
        n = len(doc)
        if n > MAX_PDF_PAGES:
            return Extraction(
                "pdf", pages=n, extractor=EXTRACTOR, error=f"PDF has {n} pages > limit {MAX_PDF_PAGES}"
            )
        texts: list[str] = []
        page_tables: list[list[Table]] = []
        text_places: TextPlaces = []
        height = 0.0
        offset = 0
        for number, page in enumerate(doc, start=1):
            height = page.get_height()
            textpage = page.get_textpage()
            raw = textpage.get_text_range()
            texts.append(raw.replace("\r\n", "\n").replace("\r", "\n"))
            text_places += _token_places(textpage, raw, texts[-1], (number, height), offset)
            offset += len(texts[-1]) + 1  # the \f between pages
            tables = find_tables(_segments(page, height))
            if tables:
                chars = _chars(textpage, height)
                for t in tables:
                    chars = fill(t, chars)
            page_tables.append(tables)
        text = "\f".join(texts)
    except pdfium.PdfiumError as exc:
        return Extraction("pdf", extractor=EXTRACTOR, error=f"corrupt PDF: {exc}")
    finally:
        doc.close()
    if ocr_fallback and n and needs_ocr(text, n):
        from archive.extract.ocr import ocr_pdf

        return ocr_pdf(path)
    return Extraction(
        "pdf",
        text=text,
        tables=join_pages(page_tables, height),
        pages=n,
        extractor=EXTRACTOR,
        text_places=text_places,
    )
