"""Derived data from archived bytes: interpret a stored document, ingest local files, reprocess all.

Everything here reads blobs and captures and rewrites only derived columns and tables, so it can be run
again at any time after the extractors improve; raw blobs are never touched.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from archive.assemble import record_report
from archive.extract.filenames import safe_filename
from archive.extract.pool import ExtractionPool
from archive.extract.sniff import sniff_file
from archive.model import Extraction, ParseResult
from archive.products.monitor import refresh_agency_keys
from archive.report.interpret import SourceContext, context_from_page_meta, interpret
from archive.store.corpus import Capture, now_iso
from archive.store.workspace import Workspace

logger = logging.getLogger(__name__)

INGESTIBLE = {"pdf", "doc", "docx", "wps", "xls", "xlsx", "ofd", "html", "text"}


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


def parse_stored_document(
    ws: Workspace,
    sha256: str,
    page_meta: dict[str, str] | None,
    link_text: str | None,
    site_name: str | None,
) -> ParseResult | None:
    ex = stored_extraction(ws, sha256)
    if ex is None:
        return None
    ctx: SourceContext = context_from_page_meta(page_meta, link_text)
    ctx.site_name = site_name
    if page_meta and page_meta.get("link_text"):
        ctx.extra_titles.append(page_meta["link_text"])
    return interpret(ex, ctx)


@dataclass
class RunSummary:
    counts: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {**dict(self.counts), "errors": self.errors[:50]}


def _walk(paths: Iterable[Path]) -> Iterable[Path]:
    for p in paths:
        if p.is_dir():
            yield from sorted(q for q in p.rglob("*") if q.is_file() and not q.is_symlink())
        else:
            yield p


def ingest(ws: Workspace, paths: list[Path], workers: int = 2) -> RunSummary:
    """Archive local files through the same store → extract → report steps a crawl uses."""
    summary = RunSummary()
    pool = ExtractionPool(workers)
    jobs: list[tuple[Path, str, str, str]] = []
    for path in _walk(paths):
        if not path.exists():
            summary.counts["missing"] += 1
            summary.errors.append(f"{path}: no such file")
            continue
        media = sniff_file(path)
        if media not in INGESTIBLE:
            summary.counts["skipped"] += 1
            summary.errors.append(f"{path}: unsupported format: {media}")
            continue
        try:
            sha, size = ws.blobs.put_file(path)
        except OSError as e:
            summary.counts["errors"] += 1
            summary.errors.append(f"{path}: cannot read: {e}")
            continue
        seen = now_iso()
        url = path.resolve().as_uri()
        new = ws.corpus.ensure_document(sha, size, media, safe_filename(path.name), url, seen)
        ws.corpus.add_capture(
            Capture(
                url=url, status=None, fetched_at=seen, sha256=sha, size=size, role="file", content_type=media
            )
        )
        summary.counts["files"] += 1
        summary.counts["new_documents" if new else "duplicates"] += 1
        jobs.append((path, sha, url, seen))

    async def run() -> None:
        async def one(sha: str, url: str) -> None:
            if stored_extraction(ws, sha) is None:
                ex = await pool.extract(ws.blobs.path(sha), None, ws.cache_dir, url)
                ws.corpus.save_extraction(sha, ex)

        await asyncio.gather(*(one(sha, url) for _, sha, url, _ in jobs))

    try:
        asyncio.run(run())
    finally:
        pool.close()
    for path, sha, url, seen in jobs:
        result = parse_stored_document(ws, sha, None, None, None)
        if result is None:
            continue
        if result.error:
            summary.counts["extract_errors"] += 1
            summary.errors.append(f"{path}: {result.error}")
        rid = record_report(
            ws.corpus, result, sha256=sha, url=url, site_id=None, region=None, page_url=None, seen_at=seen
        )
        summary.counts["reports" if rid else "not_reports"] += 1
    refresh_agency_keys(ws.corpus)
    return summary


def reprocess(ws: Workspace, workers: int = 2) -> RunSummary:
    """Extract every archived report page and attachment again and rebuild the report tables."""
    summary = RunSummary()
    corpus = ws.corpus
    rows = corpus.conn.execute(
        """SELECT DISTINCT c.sha256, c.url FROM captures c
           WHERE c.sha256 IS NOT NULL AND c.role IN ('article', 'attachment', 'file')
           GROUP BY c.sha256"""
    ).fetchall()
    pool = ExtractionPool(workers)

    async def run() -> None:
        sem = asyncio.Semaphore(workers * 2)

        async def one(sha: str, url: str) -> None:
            async with sem:
                if not ws.blobs.has(sha):
                    summary.counts["missing_blobs"] += 1
                    summary.errors.append(f"{sha}: blob missing from the store")
                    return
                ex = await pool.extract(ws.blobs.path(sha), None, ws.cache_dir, url)
                corpus.save_extraction(sha, ex)
                summary.counts["extracted"] += 1
                if ex.error:
                    summary.counts["extract_errors"] += 1

        await asyncio.gather(*(one(r["sha256"], r["url"]) for r in rows))

    try:
        asyncio.run(run())
    finally:
        pool.close()
    rebuild_reports(ws, summary)
    return summary


def rebuild_reports(ws: Workspace, summary: RunSummary) -> None:
    """Re-derive reports from the stored extractions and captures, keeping ids and sighting history."""
    corpus = ws.corpus
    sites = {
        r["id"]: (r["name"], r["region"]) for r in corpus.conn.execute("SELECT id, name, region FROM sites")
    }
    with corpus.transaction():
        corpus.conn.execute("DELETE FROM report_stats")
        corpus.conn.execute("DELETE FROM report_checks")
        corpus.conn.execute("DELETE FROM report_sources")
        corpus.conn.execute("UPDATE reports SET sha256 = NULL")
    captures = corpus.conn.execute(
        """SELECT c.*, EXISTS (SELECT 1 FROM captures a WHERE a.referer = c.url AND a.role = 'attachment')
                  AS has_attachments
           FROM captures c WHERE c.sha256 IS NOT NULL AND c.role IN ('article', 'attachment', 'file')
           ORDER BY c.fetched_at, c.id"""
    ).fetchall()
    page_cache: dict[str, tuple[str | None, dict[str, str]]] = {}
    for cap in captures:
        if cap["role"] == "article" and cap["has_attachments"]:
            continue
        page_sha: str | None = None
        page_meta: dict[str, str] = {}
        if cap["role"] == "attachment" and cap["referer"]:
            page_sha, page_meta = page_cache.setdefault(cap["referer"], _page_of(ws, cap["referer"]))
        elif cap["role"] == "article":
            ex = stored_extraction(ws, cap["sha256"])
            page_meta = dict(ex.page_meta) if ex else {}
        if cap["role"] == "article" and cap["link_text"]:
            page_meta.setdefault("link_text", cap["link_text"])
        name, region = sites.get(cap["site_id"], (None, None))
        result = parse_stored_document(ws, cap["sha256"], page_meta, cap["link_text"], name)
        if result is None:
            continue
        also = [(page_sha, cap["referer"], "html")] if page_sha else []
        rid = record_report(
            corpus,
            result,
            sha256=cap["sha256"],
            url=cap["url"],
            site_id=cap["site_id"],
            region=region,
            page_url=cap["referer"] if page_sha else cap["url"],
            seen_at=cap["fetched_at"],
            also_sources=also,
            sighting=False,
        )
        summary.counts["report_sources"] += 1 if rid else 0
    with corpus.transaction():
        gone = corpus.conn.execute(
            "DELETE FROM reports WHERE id NOT IN (SELECT report_id FROM report_sources)"
        ).rowcount
    summary.counts["reports"] = corpus.count("reports")
    summary.counts["reports_dropped"] = gone
    refresh_agency_keys(corpus)


def _page_of(ws: Workspace, page_url: str) -> tuple[str | None, dict[str, str]]:
    row = ws.corpus.latest_good_capture(page_url)
    if row is None:
        return None, {}
    ex = stored_extraction(ws, row["sha256"])
    meta = dict(ex.page_meta) if ex else {}
    if row["link_text"]:
        meta.setdefault("link_text", row["link_text"])
    return row["sha256"], meta
