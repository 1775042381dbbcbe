"""Lossless WARC from the archive: captures + `capture_http` + blobs → WARC 1.1 records, with a CDXJ index.

Per capture, in the order fetched: a `response` record (its payload read from the blob store) and the
`request` record that asked for it; a redirect hop is a response of its own (3xx, its Location); a payload
already written in this collection, and every 304 answer, is a `revisit` (identical-payload-digest) that
points at the response that holds the payload (WARC-Refers-To-Target-URI/-Date and WARC-Refers-To). A 304
whose original lies outside the selection pulls that original in first, so a collection is self-contained.
Captures made before migration 008 carry no exchange: their header lines are rebuilt from the capture's
columns (Content-Type, ETag, Last-Modified) and the records say so (WARC-Govarchive-Reconstructed).
Ingested local files (role `file`) and failures that received nothing are no HTTP exchange: not written.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import BinaryIO

from archive.store.blobs import BlobReader
from archive.store.corpus import Corpus
from archive.warc import records as rec
from archive.warc.cdxj import CdxEntry, cdxj_text

SOFTWARE = "govarchive (warcio)"


@dataclass
class Selection:
    """Which captures to export: a site, a date range (inclusive, YYYY-MM-DD), report ids; all by default."""

    site_id: str | None = None
    since: str | None = None
    until: str | None = None
    report_ids: list[int] = field(default_factory=list)


_ROW = """SELECT c.*, h.method, h.request_url, h.request_headers, h.protocol, h.reason, h.response_headers,
                 h.payload_sha256, h.decoded, h.rendered
          FROM captures c LEFT JOIN capture_http h ON h.capture_id = c.id"""


def capture_row(corpus: Corpus, capture_id: int) -> sqlite3.Row | None:
    """One capture with its exchange, as CollectionWriter.add takes it."""
    row: sqlite3.Row | None = corpus.conn.execute(f"{_ROW} WHERE c.id = ?", (capture_id,)).fetchone()
    return row


def select_captures(corpus: Corpus, sel: Selection) -> list[sqlite3.Row]:
    where, args = ["c.role IS NOT 'file'", "c.status IS NOT NULL"], []
    if sel.site_id:
        where.append("c.site_id = ?")
        args.append(sel.site_id)
    if sel.since:
        where.append("c.fetched_at >= ?")
        args.append(sel.since)
    if sel.until:
        where.append("substr(c.fetched_at, 1, 10) <= ?")
        args.append(sel.until)
    if sel.report_ids:
        urls = _report_urls(corpus, sel.report_ids)
        where.append(f"c.url IN ({', '.join('?' * len(urls)) or 'NULL'})")
        args += sorted(urls)
    sql = f"""{_ROW} WHERE {" AND ".join(where)} ORDER BY c.fetched_at, c.id"""
    return corpus.conn.execute(sql, args).fetchall()


def _report_urls(corpus: Corpus, report_ids: list[int]) -> set[str]:
    """The URLs of the reports' copies (package members by their package), their pages' images, and the
    redirects that led to them (followed through Location)."""
    marks = ", ".join("?" * len(report_ids))
    rows = corpus.conn.execute(
        f"""SELECT url, sha256 FROM report_sources WHERE report_id IN ({marks})
            UNION SELECT page_url, NULL FROM reports WHERE id IN ({marks}) AND page_url IS NOT NULL""",
        [*report_ids, *report_ids],
    ).fetchall()
    urls = {r["url"].split("#", 1)[0] for r in rows}
    for r in rows:
        if r["sha256"]:
            urls |= {i["url"] for i in corpus.conn.execute(
                "SELECT url FROM links WHERE page_sha256 = ? AND kind = 'image'", (r["sha256"],))}  # fmt: skip
    named = corpus.conn.execute(
        f"SELECT link_url FROM captures WHERE link_url IS NOT NULL AND url IN ({', '.join('?' * len(urls))})",
        sorted(urls),
    )
    todo = {r[0] for r in named}
    while todo:  # a chain of redirects, hop by hop
        urls |= todo
        hops = corpus.conn.execute(
            f"""SELECT h.response_headers FROM captures c JOIN capture_http h ON h.capture_id = c.id
                WHERE c.role = 'redirect' AND c.url IN ({", ".join("?" * len(todo))})""",
            sorted(todo),
        ).fetchall()
        todo = {v for h in hops for k, v in json.loads(h[0]) if k.lower() == "location"} - urls
    return urls


class CollectionWriter:
    """Writes captures as records into one WARC file and keeps their CDXJ entries."""

    def __init__(
        self, path: Path, blobs: BlobReader, corpus: Corpus | None = None, freshen_304: bool = False
    ) -> None:
        self.path = path
        self.freshen_304 = freshen_304
        # payload sha256 → the original response's (protocol, status line, header lines), for freshening
        self.held_http: dict[str, tuple[str, str, list[tuple[str, str]]]] = {}
        self.blobs = blobs
        self.corpus = corpus
        self.out: BinaryIO = open(path, "wb")  # noqa: SIM115 - closed by close()
        self.w = rec.writer(self.out)
        self.held: dict[str, tuple[str, str, str]] = {}  # payload sha256 → (URI, WARC-Date, record id)
        self.entries: list[CdxEntry] = []
        self.counts: Counter[str] = Counter()
        info = {"software": SOFTWARE, "format": "WARC File Format 1.1",
                "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"}  # fmt: skip
        self.w.write_record(self.w.create_warcinfo_record(path.name, info))

    def close(self) -> None:
        self.out.close()

    def _write(self, record: rec.ArcWarcRecord, url: str, date: str, mime: str, status: str) -> None:
        offset = self.out.tell()
        self.w.write_record(record)
        digest = record.rec_headers.get_header("WARC-Payload-Digest") or ""
        self.entries.append(
            CdxEntry(url, date, mime, status, digest, self.out.tell() - offset, offset, self.path.name)
        )
        self.counts[record.rec_type] += 1

    def add(self, cap: sqlite3.Row) -> None:
        """The records of one capture row of `select_captures`."""
        if cap["role"] == "file" or cap["status"] is None:
            self.counts["skipped"] += 1
            return
        status = int(cap["status"])
        payload_sha = cap["sha256"] if status == 200 else cap["payload_sha256"]
        if status == 304 and cap["sha256"] and cap["sha256"] not in self.held:
            self._pull_original(cap["sha256"])
        date = rec.warc_date(cap["fetched_at"])
        url = cap["url"]
        extra: dict[str, str] = {}
        if cap["method"] is None:
            method, req_lines, protocol, reason = "GET", [], "HTTP/1.1", None
            headers = [(k, v) for k, v in (("Content-Type", cap["content_type"]), ("ETag", cap["etag"]),
                                           ("Last-Modified", cap["last_modified"])) if v]  # fmt: skip
            extra[rec.RECONSTRUCTED_FIELD] = "headers from the capture's columns (captured before 008)"
        else:
            method, req_lines = cap["method"], [tuple(x) for x in json.loads(cap["request_headers"])]
            protocol, reason = cap["protocol"], cap["reason"]
            headers = [tuple(x) for x in json.loads(cap["response_headers"])]
        if cap["rendered"]:
            extra[rec.RENDERED_FIELD] = "chromium via scrapy-playwright: the payload is the DOM after scripts"
        mime = (cap["content_type"] or "unknown").split(";")[0].strip() or "unknown"
        if status == 304 or (payload_sha and payload_sha in self.held):
            # identical payload already in the collection (or a 304: the payload held is this URL's)
            original = self.held.get(cap["sha256"] or "") if status == 304 else self.held[payload_sha]
            if original is not None:
                http = rec.response_headers(protocol, status, reason, headers)
                if status == 304 and self.freshen_304 and cap["sha256"] in self.held_http:
                    http = self._freshened(cap["sha256"], headers)
                    extra[rec.RECEIVED_FIELD] = f"{protocol or 'HTTP/1.1'} {status} {reason or ''}".strip()
                digest = rec.payload_digest(cap["sha256"] if status == 304 else payload_sha)
                record = rec.revisit_record(self.w, url, date, http, digest, original, extra)
                self._write(record, url, date, "warc/revisit", http.get_statuscode())
                self._request(record, url, date, method, req_lines)
                return
        size = 0
        stream: BinaryIO = BytesIO()
        if payload_sha and self.blobs.has(payload_sha):
            size = self.blobs.size(payload_sha)
            stream = self.blobs.open(payload_sha)
        elif payload_sha:
            self.counts["missing_blobs"] += 1
        reframe = bool(cap["decoded"]) or bool(cap["rendered"]) or cap["method"] is None
        http = rec.response_headers(
            protocol, status, reason, rec.payload_headers(headers, size, reframe=reframe)
        )
        try:
            record = rec.response_record(self.w, url, date, http, stream, size, extra)
            self._write(record, url, date, mime, str(status))
        finally:
            stream.close()
        if payload_sha and size:
            record_id = record.rec_headers.get_header("WARC-Record-ID")
            self.held[payload_sha] = (url, date, record_id)
            self.held_http[payload_sha] = (http.protocol, http.statusline, list(http.headers))
        self._request(record, url, date, method, req_lines)

    def _freshened(self, sha256: str, received: list[tuple[str, str]]) -> rec.RawHeaders:
        """A 304 as a replay tool needs it: the original's status line and header lines, updated by the
        header lines the 304 carried (RFC 9111 4.3.4); the 304's own status line goes in a WARC field."""
        protocol, statusline, original = self.held_http[sha256]
        names = {k.lower() for k, _ in received} - set(rec.FRAMING)
        lines = [(k, v) for k, v in original if k.lower() not in names]
        lines += [(k, v) for k, v in received if k.lower() in names]
        return rec.RawHeaders(statusline, lines, protocol=protocol)

    def _request(
        self, response: rec.ArcWarcRecord, url: str, date: str, method: str, lines: list[tuple[str, str]]
    ) -> None:
        http = rec.request_headers(url, method, lines)
        record = rec.request_record(
            self.w, url, date, http, response.rec_headers.get_header("WARC-Record-ID")
        )
        self.w.write_record(record)
        self.counts["request"] += 1

    def _pull_original(self, sha256: str) -> None:
        """Write the first 200 capture of this payload, so a 304's revisit has its original here."""
        if self.corpus is None:
            return
        row = self.corpus.conn.execute(
            f"{_ROW} WHERE c.sha256 = ? AND c.status = 200 ORDER BY c.fetched_at, c.id LIMIT 1", (sha256,)
        ).fetchone()
        if row is not None:
            self.add(row)


@dataclass
class Exported:
    warc: Path
    cdxj: Path
    counts: Counter[str]
    entries: list[CdxEntry]


def export_warc(
    corpus: Corpus,
    blobs: BlobReader,
    sel: Selection,
    out_dir: Path,
    name: str | None = None,
    freshen_304: bool = False,
) -> Exported:
    """One gzip WARC (a member per record) and its sorted CDXJ index in `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = name or "govarchive-" + datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    writer = CollectionWriter(out_dir / f"{stem}.warc.gz", blobs, corpus, freshen_304)
    try:
        write_all(writer, select_captures(corpus, sel))
    finally:
        writer.close()
    cdxj = out_dir / f"{stem}.cdxj"
    cdxj.write_text(cdxj_text(writer.entries), encoding="utf-8")
    return Exported(writer.path, cdxj, writer.counts, writer.entries)


def write_all(writer: CollectionWriter, captures: Iterable[sqlite3.Row]) -> None:
    for cap in captures:
        writer.add(cap)
