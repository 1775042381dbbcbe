"""The one path from archive to corpus: record the report that a captured document is, reading the archive
alone (the capture, the document's stored extraction, the page that links to it, the site).

The crawl's report pipeline, `ingest` and `reprocess` all call `record_capture`, so a rebuild from the
archive gives exactly what the crawl gave.

Context rules (what a document knows besides its bytes):
  an article page that carries attachment links is no report itself: its attachments are, and the page is
  recorded as one of their copies (format `html`);
  an attachment linked from such a page takes the page's metadata (title, date, source) and the link text
  the list gave the page; one linked straight from a list page has only its own link text;
  the images in an article's body (tables published as pictures) are read with the page: their tables join
  the page's, and an image arriving re-records every page that shows it;
  a package (ZIP, RAR, 7z) is archived whole; its members (table `members`, a fact of the package's bytes)
  are documents of their own, and each is a copy of the report in the package's place, at
  `<package URL>#<member name>`; the package itself is no copy;
  a link that was redirected is matched by the URL it named (`captures.link_url`).
"""

from __future__ import annotations

import json
import logging
import sqlite3
from dataclasses import dataclass, field, replace
from urllib.parse import quote

from archive.extract.encoding import decode_html, header_charset
from archive.extract.filenames import safe_filename
from archive.extract.package import PACKAGE_TYPES, Package, read_package
from archive.extract.pageinfo import read_page_meta
from archive.model import Count, Extraction, ParseResult
from archive.report.interpret import SourceContext, interpret
from archive.store.blobs import BlobTooLarge
from archive.store.corpus import Corpus
from archive.store.reports import SourceRef, source_format
from archive.store.workspace import Workspace

logger = logging.getLogger(__name__)

DOCUMENT_ROLES = ("article", "attachment", "file", "image")  # captures whose bytes are extracted


def stored_extraction(ws: Workspace, sha256: str) -> Extraction | None:
    row = ws.corpus.document(sha256)
    if row is None or row["extracted_at"] is None:
        return None
    return Extraction(
        media_type=row["media_type"] or "unknown",
        text=row["text"] or "",
        tables=json.loads(row["tables"]) if row["tables"] else [],
        pages=row["pages"],
        extractor=row["extractor"] or "",
        ocr=bool(row["ocr"]),
        error=row["error"],
        page_meta=json.loads(row["page_meta"]) if row["page_meta"] else {},
        cells=json.loads(row["cells"]) if row["cells"] else [],
        text_places=json.loads(row["text_places"]) if row["text_places"] else [],
    )


def page_meta_of(ws: Workspace, page: sqlite3.Row) -> dict[str, str]:
    """The metadata of an archived page: as its extraction stored it, or read from its bytes by the same
    reader while the extraction is still running (an attachment can arrive before its page is extracted)."""
    doc = ws.corpus.document(page["sha256"])
    if doc is not None and doc["extracted_at"] is not None:
        return json.loads(doc["page_meta"]) if doc["page_meta"] else {}
    if not ws.blobs.has(page["sha256"]):
        return {}
    text, _ = decode_html(ws.blobs.read(page["sha256"]), header_charset(page["content_type"]))
    return read_page_meta(text)


def _context(meta: dict[str, str], link_text: str | None, list_link_text: str | None) -> SourceContext:
    return SourceContext(
        page_title=meta.get("title"),
        page_published_at=meta.get("published_at"),
        page_source=meta.get("source") or meta.get("publisher"),
        link_text=link_text,
        extra_titles=[list_link_text] if list_link_text else [],
    )


@dataclass
class Derived:
    """What recording one capture gave: the interpretations made and the report copies recorded."""

    results: list[ParseResult] = field(default_factory=list)
    recorded: list[tuple[int, str, str]] = field(default_factory=list)  # (report_id, sha256, url)
    error: str | None = None  # interpretation failed (a bug): the document carries the error

    def add(self, other: Derived) -> None:
        self.results += other.results
        self.recorded += other.recorded
        self.error = self.error or other.error


# --- packages ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredMember:
    name: str
    sha256: str
    size: int
    media_type: str


@dataclass
class Unpacked:
    members: list[StoredMember] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def is_package(ws: Workspace, sha256: str) -> bool:
    return ws.corpus.media_type(sha256) in PACKAGE_TYPES


def member_url(package_url: str, name: str) -> str:
    return f"{package_url}#{quote(name, safe='/')}"


def store_members(ws: Workspace, package_sha256: str) -> Unpacked:
    """Read the package blob within its limits and put each member's bytes in the blob store. Touches only
    files (no database), so the crawl runs it off the reactor thread."""
    try:
        data = ws.blobs.read(package_sha256)
    except OSError as exc:  # as read_package answers a file it cannot read
        pkg = Package("unknown", error=f"cannot read package: {exc}")
    else:
        pkg = read_package(data)
    out = Unpacked(problems=[pkg.error] if pkg.error else [])
    out.problems += [f"{e.name}: {e.error}" for e in pkg.errors]
    for member in pkg.members:
        try:
            sha, size = ws.blobs.put_bytes(member.data)
        except (OSError, ValueError, BlobTooLarge) as exc:  # a member over the store's limit
            if ws.fault(exc) is not None:
                raise  # the data folder's failure (full, read-only), not the member's: nothing is recorded
            out.problems.append(f"{member.name}: not stored: {exc}")
            continue
        out.members.append(StoredMember(member.name, sha, size, member.media_type))
    return out


def save_members(
    ws: Workspace, package_sha256: str, package_url: str, seen_at: str, unpacked: Unpacked
) -> list[StoredMember]:
    """Record the members of a package (documents of their own) and the problems met reading it."""
    corpus = ws.corpus
    for m in unpacked.members:
        url = member_url(package_url, m.name)
        corpus.ensure_document(m.sha256, m.size, m.media_type, safe_filename(m.name), url, seen_at)
    corpus.replace_members(
        package_sha256, [(m.name, m.sha256, m.size, m.media_type) for m in unpacked.members]
    )
    if unpacked.problems:
        corpus.mark_document_error(package_sha256, "package: " + "; ".join(unpacked.problems))
    return unpacked.members


# --- recording ------------------------------------------------------------------------------------------


def _linking_page(corpus: Corpus, cap: sqlite3.Row) -> sqlite3.Row | None:
    """The article page whose link led to this capture (its referer, captured before it), or else an
    article page captured before it that links it (a list's 下载 link may have been followed first)."""
    named = cap["link_url"] or cap["url"]
    page = corpus.page_capture_before(cap["referer"], cap["fetched_at"]) if cap["referer"] else None
    if page is not None and corpus.link(page["sha256"], named) is not None:
        return page
    return corpus.article_linking(named, cap["fetched_at"])


def _with_images(ws: Workspace, ex: Extraction, page_sha256: str) -> Extraction:
    """The page's extraction with the tables of its archived, extracted images appended in link order."""
    rows = ws.corpus.image_documents(page_sha256)
    images = [stored_extraction(ws, row["sha256"]) for row in rows if row["sha256"]]
    read = [img for img in images if img is not None and img.tables]
    if not read:
        return ex
    tables = [*ex.tables, *(t for img in read for t in img.tables)]
    # The images' cells are places in other documents: only the page's own cells keep theirs.
    return replace(ex, tables=tables, ocr=ex.ocr or any(i.ocr for i in read))


def record_capture(ws: Workspace, cap: sqlite3.Row, *, sighting: bool = True) -> Derived:
    """Interpret the document(s) of capture `cap` and record the report copies they are."""
    corpus = ws.corpus
    if cap["sha256"] is None or cap["role"] not in DOCUMENT_ROLES:
        return Derived()
    if cap["role"] == "image":
        # Read again every page that shows it (the image is not a new sighting of those pages).
        out = Derived()
        for page in corpus.pages_showing(cap["link_url"] or cap["url"]):
            out.add(record_capture(ws, page, sighting=False))
        return out
    if cap["role"] == "article" and corpus.has_attachments(cap["sha256"]):
        return Derived()  # its attachments are the report; it is recorded as their copy
    if is_package(ws, cap["sha256"]):
        out = Derived()
        for m in corpus.members(cap["sha256"]):
            out.add(_record_safely(ws, cap, m["sha256"], member_url(cap["url"], m["name"]), sighting))
        return out
    return _record_safely(ws, cap, cap["sha256"], cap["url"], sighting)


def _record_safely(ws: Workspace, cap: sqlite3.Row, sha256: str, url: str, sighting: bool) -> Derived:
    """_record_document, where a bug in interpretation costs this one document (the error is kept on it),
    never its package's other members nor the run."""
    try:  # interpretation writes nothing; record_report is one transaction of its own
        return _record_document(ws, cap, sha256, url, sighting)
    except Exception as exc:
        if ws.fault(exc) is not None:
            raise  # the data folder failing is no fact of this document
        logger.exception("interpreting %s failed", url)
        error = f"interpretation failed: {type(exc).__name__}: {exc}"
        ws.corpus.mark_document_error(sha256, error)
        return Derived(error=error)


def _record_document(ws: Workspace, cap: sqlite3.Row, sha256: str, url: str, sighting: bool) -> Derived:
    """Record the document `sha256`, found as capture `cap` (itself, or a member of the package it holds)."""
    corpus = ws.corpus
    ex = stored_extraction(ws, sha256)
    if ex is None:
        return Derived()
    if cap["role"] == "article":
        ex = _with_images(ws, ex, sha256)
    page = _linking_page(corpus, cap) if cap["role"] == "attachment" else None
    if page is not None:
        ctx = _context(page_meta_of(ws, page), cap["link_text"], page["link_text"])
    elif cap["role"] == "article":
        ctx = _context(ex.page_meta, cap["link_text"], cap["link_text"])
    else:
        ctx = _context({}, cap["link_text"], None)
    site_name, region = corpus.site_names().get(cap["site_id"], (None, None))
    ctx.site_name = site_name
    result = interpret(ex, ctx)
    source = SourceRef(
        sha256=sha256,
        url=url,
        site_id=cap["site_id"],
        region=region,
        page_url=page["url"] if page is not None else None,
        seen_at=cap["fetched_at"],
    )
    also = [(page["sha256"], page["url"], "html")] if page is not None else []
    report_id = corpus.record_report(result, source, also_sources=also, sighting=sighting)
    if report_id is None:
        return Derived(results=[result])
    recorded = [(report_id, sha256, url), *((report_id, s, u) for s, u, _ in also)]
    return Derived(results=[result], recorded=recorded)


def record_safely(ws: Workspace, cap: sqlite3.Row, *, sighting: bool = True) -> Derived:
    """record_capture, where a bug in interpretation costs this document (an error on it), not the run."""
    try:
        return record_capture(ws, cap, sighting=sighting)
    except Exception as exc:
        if ws.fault(exc) is not None:
            raise  # the data folder failing is no fact of this document
        logger.exception("interpreting %s failed", cap["url"])
        error = f"interpretation failed: {type(exc).__name__}: {exc}"
        ws.corpus.mark_document_error(cap["sha256"], error)
        return Derived(error=error)


def record_counted(ws: Workspace, cap: sqlite3.Row, count: Count) -> None:
    """Record the capture's report (`record_safely`) and count what it was, under the names the
    crawl's summary shows; the single-process pipeline and a shared crawl's writer both count this way."""
    derived = record_safely(ws, cap)
    if derived.error:
        count("errors/interpretation", 1)
    for result in derived.results:
        is_report = result.kind is not None and result.year is not None
        count("reports_recorded" if is_report else f"not_reports/{source_format(result)}", 1)
