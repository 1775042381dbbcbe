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
  the page's, and an image arriving re-records its page;
  a package (ZIP, RAR, 7z) is archived whole and each member becomes a capture of its own (role `member`,
  URL `<package URL>#<member name>`) that is a copy of the report in the package's place; the package itself
  is no copy.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from dataclasses import dataclass, field, replace
from urllib.parse import quote

from archive.extract.encoding import decode_html, header_charset
from archive.extract.filenames import safe_filename
from archive.extract.package import PACKAGE_TYPES, read_package
from archive.extract.pageinfo import read_page_meta
from archive.model import Extraction, ParseResult
from archive.report.interpret import SourceContext, interpret
from archive.store.corpus import Capture, Corpus
from archive.store.reports import SourceRef
from archive.store.workspace import Workspace

logger = logging.getLogger(__name__)

DOCUMENT_ROLES = ("article", "attachment", "file", "image", "member")  # captures whose bytes are extracted


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
    )


def page_meta_of(ws: Workspace, page: sqlite3.Row) -> dict[str, str]:
    """The metadata of an archived page: as its extraction stored it, or read from its bytes by the same
    reader while the extraction is still running (an attachment can arrive before its page is extracted)."""
    doc = ws.corpus.document(page["sha256"])
    if doc is not None and doc["extracted_at"] is not None:
        return json.loads(doc["page_meta"]) if doc["page_meta"] else {}
    if not ws.blobs.has(page["sha256"]):
        return {}
    text, _ = decode_html(ws.blobs.path(page["sha256"]).read_bytes(), header_charset(page["content_type"]))
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
    """What one capture gave: its interpretation (None: nothing to interpret) and its report's id."""

    result: ParseResult | None = None
    report_id: int | None = None
    carrier: bool = False  # an article page whose attachments carry the report
    sources: list[tuple[str, str]] = field(default_factory=list)  # (sha256, url) of the copies recorded


def _linking_page(corpus: Corpus, cap: sqlite3.Row) -> sqlite3.Row | None:
    """The article page that linked to this capture's URL (its Referer, captured before it), if any."""
    if not cap["referer"]:
        return None
    page = corpus.page_capture_before(cap["referer"], cap["fetched_at"])
    if page is None or corpus.link(page["sha256"], cap["url"]) is None:
        return None
    return page


def _with_images(ws: Workspace, ex: Extraction, page_sha256: str) -> Extraction:
    """The page's extraction with the tables of its archived, extracted images appended in link order."""
    images = [
        stored_extraction(ws, row["sha256"])
        for row in ws.corpus.image_documents(page_sha256)
        if row["sha256"]
    ]
    read = [img for img in images if img is not None and img.tables]
    if not read:
        return ex
    return replace(
        ex,
        tables=[*ex.tables, *(t for img in read for t in img.tables)],
        ocr=ex.ocr or any(i.ocr for i in read),
    )


def is_package(ws: Workspace, sha256: str) -> bool:
    doc = ws.corpus.document(sha256)
    return doc is not None and doc["media_type"] in PACKAGE_TYPES


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


def store_members(ws: Workspace, package_sha256: str) -> Unpacked:
    """Read the package blob within its limits and put each member's bytes in the blob store. Touches only
    files (no database), so the crawl runs it off the reactor thread."""
    pkg = read_package(ws.blobs.path(package_sha256))
    out = Unpacked(problems=[pkg.error] if pkg.error else [])
    out.problems += [f"{e.name}: {e.error}" for e in pkg.errors]
    for member in pkg.members:
        try:
            sha, size = ws.blobs.put_bytes(member.data)
        except (OSError, ValueError) as exc:  # full disk, a member over the store's limit
            out.problems.append(f"{member.name}: not stored: {exc}")
            continue
        out.members.append(StoredMember(member.name, sha, size, member.media_type))
    return out


def record_members(ws: Workspace, cap: sqlite3.Row, unpacked: Unpacked) -> list[int]:
    """A capture per member (`<package URL>#<name>`, role `member`, the package's URL as referer), once per
    package capture; their ids."""
    corpus = ws.corpus
    if unpacked.problems:
        corpus.mark_document_error(cap["sha256"], "package: " + "; ".join(unpacked.problems))
    ids: list[int] = []
    for member in unpacked.members:
        url = f"{cap['url']}#{quote(member.name, safe='/')}"
        held = corpus.member_capture(url, cap["url"], cap["fetched_at"])
        if held is not None:
            ids.append(int(held["id"]))
            continue
        corpus.ensure_document(
            member.sha256, member.size, member.media_type, safe_filename(member.name), url, cap["fetched_at"]
        )
        member_capture = Capture(
            url=url,
            status=None,
            fetched_at=cap["fetched_at"],
            site_id=cap["site_id"],
            sha256=member.sha256,
            size=member.size,
            referer=cap["url"],
            link_text=member.name.rsplit("/", 1)[-1],
            role="member",
            crawl_id=cap["crawl_id"],
        )
        ids.append(corpus.add_capture(member_capture))
    return ids


def unpack_capture(ws: Workspace, cap: sqlite3.Row) -> list[int]:
    """store_members then record_members, for callers that run off the crawl (ingest, reprocess)."""
    return record_members(ws, cap, store_members(ws, cap["sha256"]))


def record_capture(ws: Workspace, cap: sqlite3.Row, *, sighting: bool = True) -> Derived:
    """Interpret the document of capture `cap` and record its report (if it is one)."""
    corpus = ws.corpus
    if cap["sha256"] is None or cap["role"] not in DOCUMENT_ROLES:
        return Derived()
    if cap["role"] == "image":
        page = _linking_page(corpus, cap)
        return record_capture(ws, page, sighting=sighting) if page is not None else Derived()
    if cap["role"] == "article" and corpus.has_attachments(cap["sha256"]):
        return Derived(carrier=True)
    if is_package(ws, cap["sha256"]):
        return Derived(carrier=True)  # its members are the copies
    ex = stored_extraction(ws, cap["sha256"])
    if ex is None:
        return Derived()
    if cap["role"] == "article":
        ex = _with_images(ws, ex, cap["sha256"])
    # A member stands where its package was found: the package's link text and linking page.
    origin = cap
    if cap["role"] == "member":
        origin = corpus.capture_before(cap["referer"], cap["fetched_at"]) or cap
    page = _linking_page(corpus, origin) if origin["role"] == "attachment" else None
    if page is not None:
        ctx = _context(page_meta_of(ws, page), origin["link_text"], page["link_text"])
    elif cap["role"] == "article":
        ctx = _context(ex.page_meta, cap["link_text"], cap["link_text"])
    else:
        ctx = _context({}, origin["link_text"], None)
    site_name, region = corpus.site_names().get(cap["site_id"], (None, None))
    ctx.site_name = site_name
    result = interpret(ex, ctx)
    source = SourceRef(
        sha256=cap["sha256"],
        url=cap["url"],
        site_id=cap["site_id"],
        region=region,
        page_url=page["url"] if page is not None else None,
        seen_at=cap["fetched_at"],
    )
    also = [(page["sha256"], page["url"], "html")] if page is not None else []
    report_id = corpus.record_report(result, source, also_sources=also, sighting=sighting)
    sources = [(cap["sha256"], cap["url"]), *((sha, url) for sha, url, _ in also)]
    return Derived(result=result, report_id=report_id, sources=sources if report_id else [])
