"""`govarchive import-warc`: responses another crawler kept (Heritrix, Browsertrix, wget --warc-file) enter
the archive as captures with their real URLs, status, headers and dates, judged as the spider judges a page
(crawler/pagekind.py: report page or list; its attachment and image links), then go through the same
store → extract → record path (archive/derive.py `record_capture`) as a crawl.

What a foreign WARC gives and how it is read:
  * `response` records: the HTTP status line, header lines and payload (chunked framing and content codings
    removed by warcio, as the crawl's payloads are); 3xx answers are captures with role `redirect`, and the
    final capture keeps the URL the link named (`link_url`), followed back through Location;
  * `revisit` records: the payload of the record they refer to (by payload digest or refers-to URI/date);
  * `request` records (matched by WARC-Concurrent-To or URI and date): method and header lines as sent, and
    the Referer, which names the linking page; without one, the first page that links the URL is taken;
  * the link text comes from the linking page's links, as the crawl took it from the list it followed.
Other record types (warcinfo, metadata, resource: e.g. wget's log) carry no HTTP exchange and are skipped.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from archive.derive import record_safely, stored_extraction
from archive.errors import GovarchiveError
from archive.extract.encoding import decode_html, header_charset
from archive.extract.filenames import filename_from_disposition, filename_from_url
from archive.extract.pageinfo import page_info
from archive.extract.pool import ExtractionPool
from archive.extract.sniff import sniff_file
from archive.products.monitor import refresh_agency_keys
from archive.rebuild import RunSummary, _extract_all, _unpack, is_package
from archive.sites import Site
from archive.store.blobs import BlobTooLarge
from archive.store.corpus import Capture, Exchange
from archive.store.workspace import Workspace
from archive.warc.records import hex_of_digest
from crawler.discovery import LinkKind, classify_link, in_domains
from crawler.images import content_images
from crawler.pagekind import read_page

logger = logging.getLogger(__name__)

HTML_TYPES = {"html", "text"}


@dataclass
class Response:
    """One HTTP response of the WARC, its payload in the blob store."""

    url: str
    fetched_at: str
    exchange: Exchange
    sha256: str | None
    size: int | None
    record_id: str | None
    warc_date: str = ""
    referer: str | None = None
    link_url: str | None = None
    link_text: str | None = None
    role: str = "attachment"
    links: list[tuple[str, str, str]] = field(default_factory=list)


class ImportError_(GovarchiveError):
    pass


def _iso(warc_date: str) -> str:
    """2026-11-30T21:50:16.123Z → 2026-11-30T21:50:16+00:00 (the corpus's form; seconds)."""
    return warc_date[:19] + "+00:00"


def _chunks(stream: Any) -> Iterator[bytes]:
    while chunk := stream.read(1 << 20):
        yield chunk


def raw_view(value: str) -> str:
    """A header value as the latin-1 view of its bytes (the crawl's form): warcio decodes header lines as
    UTF-8 when they are valid UTF-8, so such a value is encoded back to its bytes first."""
    try:
        value.encode("latin-1")
        return value
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogateescape").decode("latin-1")


def _lines(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(k, raw_view(v)) for k, v in headers]


def _header(lines: list[tuple[str, str]], name: str) -> str | None:
    return next((v for k, v in lines if k.lower() == name), None)


def read_warc(ws: Workspace, path: Path, summary: RunSummary) -> Iterator[Response]:
    """The HTTP responses of one WARC file, payloads stored; requests matched to them."""
    by_digest: dict[str, str] = {}  # WARC-Payload-Digest → blob sha256
    by_uri_date: dict[tuple[str, str], str] = {}
    requests: dict[str, tuple[str, list[tuple[str, str]]]] = {}  # response record id → (method, lines)
    requests_at: dict[tuple[str, str], tuple[str, list[tuple[str, str]]]] = {}
    out: list[Response] = []
    try:
        with open(path, "rb") as f:
            for record in ArchiveIterator(f):
                kind = record.rec_type
                uri = record.rec_headers.get_header("WARC-Target-URI")
                date = record.rec_headers.get_header("WARC-Date") or ""
                if kind == "request" and record.http_headers is not None:
                    method = record.http_headers.protocol  # warcio puts the verb in `protocol`
                    lines = _lines(record.http_headers.headers)
                    to = record.rec_headers.get_header("WARC-Concurrent-To")
                    if to:
                        requests[to] = (method, lines)
                    requests_at[(uri, date)] = (method, lines)
                    continue
                if kind not in ("response", "revisit") or record.http_headers is None or not uri:
                    summary.counts[f"skipped_{kind}"] += 1
                    continue
                http = record.http_headers
                status = int(http.get_statuscode() or 0)
                lines = _lines(http.headers)
                sha = size = None
                encodings = _header(lines, "content-encoding")
                if kind == "response":
                    try:
                        sha, size = ws.blobs.put_chunks(_chunks(record.content_stream()))
                    except (OSError, BlobTooLarge) as e:
                        summary.errors.append(f"{uri}: payload not stored: {e}")
                        continue
                    digest = record.rec_headers.get_header("WARC-Payload-Digest")
                    if digest:
                        by_digest[digest] = sha
                    by_uri_date[(uri, date)] = sha
                    if size == 0 and status != 200:
                        sha = None
                else:
                    digest = record.rec_headers.get_header("WARC-Payload-Digest") or ""
                    ref = (record.rec_headers.get_header("WARC-Refers-To-Target-URI") or "",
                           record.rec_headers.get_header("WARC-Refers-To-Date") or "")  # fmt: skip
                    sha = by_digest.get(digest) or by_uri_date.get(ref) or hex_of_digest(digest)
                    if sha is not None and not ws.blobs.has(sha):
                        summary.errors.append(f"{uri}: revisit of a payload not held ({digest})")
                        sha = None
                    size = ws.blobs.size(sha) if sha else None
                    summary.counts["revisits"] += 1
                rid = record.rec_headers.get_header("WARC-Record-ID")
                redirect = 300 <= status < 400 and status != 304
                ex = Exchange(
                    method="GET",
                    request_url=uri,
                    request_headers=[],
                    status=status,
                    protocol=http.protocol or None,
                    reason=http.statusline.partition(" ")[2] or None,
                    response_headers=lines,
                    fetched_at=_iso(date),
                    payload_sha256=sha if status != 200 else None,
                    decoded=encodings,
                    source=f"import:{path.name}",
                )
                out.append(Response(uri, _iso(date), ex, sha if status in (200, 304) and not redirect else None,
                                    size, rid, warc_date=date))  # fmt: skip
    except ArchiveLoadFailed as e:
        raise ImportError_(f"{path}: not a WARC file: {e}") from None
    for r in out:
        req = requests.get(r.record_id or "") or requests_at.get((r.url, r.warc_date))
        if req is not None:
            r.exchange.method, r.exchange.request_headers = req
            r.referer = _header(req[1], "referer")
    yield from out


def _sniff(ws: Workspace, sha256: str) -> str:
    """The blob's kind from its bytes; a file to read (a ZIP's directory, an OLE2's streams are where
    the file ends or anywhere in it, not in its head)."""
    with ws.blobs.local_path(sha256, scratch=ws.tmp_dir) as path:
        return sniff_file(path)


def _site_for(url: str, sites: list[Site]) -> Site | None:
    """The site whose start URL shares this URL's origin, else whose domains hold its host."""
    origin = url.split("/", 3)[:3]
    for site in sites:
        if any(u.split("/", 3)[:3] == origin for u in site.start_urls):
            return site
    return next((s for s in sites if in_domains(url, s.domains())), None)


def judge(ws: Workspace, responses: list[Response]) -> None:
    """Roles, link texts and referers as the spider would have set them (crawler/pagekind.py)."""
    texts: dict[str, dict[str, str]] = {}  # page URL → {linked URL: link text}
    images: set[str] = set()
    first_linker: dict[str, str] = {}
    # A redirect's target carries the URL the link named.
    named = {urljoin(r.url, _header(r.exchange.response_headers, "location") or ""): r.url for r in responses
             if r.sha256 is None and 300 <= r.exchange.status < 400 and r.exchange.status != 304}  # fmt: skip
    for r in responses:
        origin, seen = r.url, {r.url}
        while origin in named and named[origin] not in seen:  # back along the chain; a loop ends it
            origin = named[origin]
            seen.add(origin)
        r.link_url = origin if origin != r.url else None
    for r in responses:
        if (r.exchange.status >= 300 and r.exchange.status != 304) or r.sha256 is None:
            r.role = "redirect" if 300 <= r.exchange.status < 400 and r.exchange.status != 304 else "list"
            continue
        if _sniff(ws, r.sha256) not in HTML_TYPES:
            continue
        ctype = _header(r.exchange.response_headers, "content-type")
        text, _ = decode_html(ws.blobs.read(r.sha256), header_charset(ctype))
        info = page_info(text, r.url)
        links = {link.url: link.text for link in info.links}
        texts[r.url] = links
        for u in links:
            first_linker.setdefault(u, r.url)
        r.role = "list"
        r.links = []
        reading = read_page(info, text, None, year=None, from_body=False)
        if reading.is_report:
            r.role = "article"
            r.links = [(link.url, link.text, "attachment") for link in info.links
                       if classify_link(link.url, link.text) is LinkKind.ATTACHMENT]  # fmt: skip
            shown = content_images(info.doc, r.url)
            r.links += [(i.url, i.text, "image") for i in shown]
            images |= {i.url for i in shown}
    for r in responses:
        named_url = r.link_url or r.url
        r.referer = r.referer or first_linker.get(named_url)
        r.link_text = texts.get(r.referer or "", {}).get(named_url) or None
        if r.role == "attachment" and named_url in images:
            r.role = "image"
    # The spider judges a page with the link text that led to it: judge articles again with it.
    for r in responses:
        if r.role == "list" and r.link_text and r.sha256 and r.exchange.status == 200:
            ctype = _header(r.exchange.response_headers, "content-type")
            text, _ = decode_html(ws.blobs.read(r.sha256), header_charset(ctype))
            info = page_info(text, r.url)
            if read_page(info, text, r.link_text, year=None, from_body=False).is_report:
                r.role = "article"
                r.links = [(link.url, link.text, "attachment") for link in info.links
                           if classify_link(link.url, link.text) is LinkKind.ATTACHMENT]  # fmt: skip
                r.links += [(i.url, i.text, "image") for i in content_images(info.doc, r.url)]


def import_warcs(ws: Workspace, paths: list[Path], sites: list[Site], workers: int = 2) -> RunSummary:
    summary = RunSummary()
    for site in sites:
        ws.corpus.upsert_site(site)
    responses: list[Response] = []
    for path in paths:
        responses += list(read_warc(ws, path, summary))
    responses.sort(key=lambda r: r.fetched_at)
    judge(ws, responses)
    corpus = ws.corpus
    captures: list[int] = []
    for r in responses:
        owner = _site_for(r.link_url or r.url, sites)
        media = None
        if r.sha256 is not None:
            media = _sniff(ws, r.sha256)
            disposition = _header(r.exchange.response_headers, "content-disposition")
            name = filename_from_disposition(disposition.encode("latin-1") if disposition else None) \
                or filename_from_url(r.url)  # fmt: skip
            corpus.ensure_document(r.sha256, r.size or 0, media, name, r.url, r.fetched_at)
            if r.links:
                corpus.add_links(r.sha256, r.url, r.links)
        hdr = r.exchange.response_headers
        cid = corpus.add_capture(
            Capture(
                url=r.url,
                status=r.exchange.status,
                fetched_at=r.fetched_at,
                site_id=owner.id if owner else None,
                content_type=_header(hdr, "content-type"),
                sha256=r.sha256,
                size=r.size if r.sha256 else None,
                etag=_header(hdr, "etag"),
                last_modified=_header(hdr, "last-modified"),
                referer=r.referer,
                link_text=r.link_text,
                role=r.role,
                error=None
                if r.exchange.status in (200, 304) or r.role == "redirect"
                else f"http {r.exchange.status}",
                link_url=r.link_url,
            )
        )
        corpus.add_exchange(cid, r.exchange)
        captures.append(cid)
        summary.counts[f"captures/{r.role}"] += 1
    _derive(ws, captures, summary, workers)
    return summary


def _derive(ws: Workspace, capture_ids: list[int], summary: RunSummary, workers: int) -> None:
    """Extract what is new, read packages, then record every document capture (images with their pages)."""
    caps = [c for c in (ws.corpus.capture(i) for i in capture_ids) if c is not None and c["sha256"]]
    docs = [c for c in caps if c["role"] in ("article", "attachment", "image")]
    todo = {c["sha256"]: (c["sha256"], c["url"], header_charset(c["content_type"]))
            for c in docs if stored_extraction(ws, c["sha256"]) is None}  # fmt: skip
    pool = ExtractionPool(workers)
    try:
        _extract_all(ws, pool, list(todo.values()), summary)
        members: dict[str, tuple[str, str, str | None]] = {}
        for c in docs:
            if c["sha256"] in todo and is_package(ws, c["sha256"]):
                for job in _unpack(ws, c["sha256"], c["url"], c["fetched_at"]):
                    if stored_extraction(ws, job[0]) is None:
                        members.setdefault(job[0], job)
        _extract_all(ws, pool, list(members.values()), summary)
    finally:
        pool.close()
    for c in docs:
        if c["role"] == "image":
            continue  # read with the pages that show it
        derived = record_safely(ws, c)
        if derived.error:
            summary.errors.append(f"{c['url']}: {derived.error}")
        for result in derived.results:
            summary.counts["reports" if result.kind and result.year else "not_reports"] += 1
    refresh_agency_keys(ws.corpus)
