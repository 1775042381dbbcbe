"""Text and table grids out of every format an annual report comes in.

`extract_file` is the one entry point: it sniffs the bytes when no media type is given, dispatches to
the format's reader and never raises — any failure comes back as `Extraction(error=...)`.

Grids follow one convention in every format (archive.extract.grid): positions covered by a merged cell
repeat the anchor's text, except under a figure, where they are None.
"""

from __future__ import annotations

import traceback
from pathlib import Path

from archive.cellplaces import split
from archive.extract.limits import MAX_FILE_BYTES
from archive.extract.sniff import sniff_file
from archive.model import Extraction

__all__ = ["extract_bytes_html", "extract_file"]


def extract_bytes_html(
    data: bytes, declared_charset: str | None = None, url: str | None = None
) -> Extraction:
    """An HTML page already in memory (the crawler has the response body and its HTTP charset)."""
    from archive.extract.html import extract_html

    try:
        return placed(extract_html(data, declared_charset, url))
    except Exception as exc:  # never raise into the crawl
        return Extraction("html", error=f"HTML extraction failed: {type(exc).__name__}: {exc}")


def _dispatch(
    path: Path, media_type: str, cache_dir: Path | None, url: str | None, charset: str | None
) -> Extraction:
    if media_type == "pdf":
        from archive.extract.pdf import extract_pdf

        return extract_pdf(path)
    if media_type == "docx":
        from archive.extract.docx import extract_docx

        return extract_docx(path)
    if media_type in ("doc", "wps"):
        from archive.extract.office import extract_office

        return extract_office(path, media_type, cache_dir=cache_dir)
    if media_type == "xlsx":
        from archive.extract.xlsx import extract_xlsx

        return extract_xlsx(path)
    if media_type == "xls":
        from archive.extract.xlsx import extract_xls

        return extract_xls(path)
    if media_type == "ofd":
        from archive.extract.ofd import extract_ofd

        return extract_ofd(path)
    if media_type in ("zip", "rar", "7z"):
        from archive.extract.package import extract_package

        return extract_package(path, media_type, cache_dir=cache_dir)
    if media_type in ("png", "jpeg", "gif", "bmp"):
        from archive.extract.ocr.image import extract_image

        return extract_image(path)
    if media_type == "html":
        return extract_bytes_html(path.read_bytes(), charset, url)
    if media_type == "text":
        from archive.extract.encoding import decode_html

        text, _ = decode_html(path.read_bytes(), charset)
        return Extraction("text", text=text, extractor="text")
    return Extraction(media_type, error=f"unsupported format: {media_type}")


def extract_file(
    path: Path,
    media_type: str | None = None,
    *,
    cache_dir: Path | None = None,
    url: str | None = None,
    charset: str | None = None,
) -> Extraction:
    """Extract text and tables from the file at `path`; never raises.

    cache_dir: where DOC/WPS conversions are kept (by SHA-256 of the file). url: the page's address (helps
    trafilatura). charset: the HTTP-declared charset of an HTML/text response, if the caller kept it."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return Extraction(
                media_type or "unknown", error=f"file too large: {size} bytes > limit {MAX_FILE_BYTES}"
            )
        if size == 0:
            return Extraction(media_type or "unknown", error="empty file")
        kind = media_type or sniff_file(path)
        result = _dispatch(path, kind, cache_dir, url, charset)
    except MemoryError:
        return Extraction(media_type or "unknown", error="out of memory while extracting")
    except Exception as exc:  # the contract: a bad document is an error value, never a crash
        where = traceback.extract_tb(exc.__traceback__)[-1]
        return Extraction(
            media_type or "unknown",
            error=f"extraction failed: {type(exc).__name__}: {exc} ({Path(where.filename).name}:{where.lineno})",
        )
    if not result.media_type:
        result.media_type = kind
    return placed(result)


def placed(ex: Extraction) -> Extraction:
    """The extraction with plain grids and the places of their cells in `cells` (archive/cellplaces.py)."""
    if ex.tables and not ex.cells:
        ex.tables, ex.cells = split(ex.tables)
    return ex
