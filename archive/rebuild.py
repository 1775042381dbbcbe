"""Commands over the archive: ingest local files, reprocess everything archived.

Everything here reads blobs and captures and rewrites only derived columns and tables, so it can be run
again at any time after the extractors improve; raw blobs are never touched.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from archive.derive import DOCUMENT_ROLES, record_capture, stored_extraction, unpack_capture
from archive.extract.encoding import header_charset
from archive.extract.filenames import safe_filename
from archive.extract.package import PACKAGE_TYPES
from archive.extract.pool import ExtractionPool
from archive.extract.sniff import sniff_file
from archive.products.monitor import refresh_agency_keys
from archive.store.corpus import Capture, now_iso
from archive.store.workspace import Workspace

logger = logging.getLogger(__name__)

INGESTIBLE = {"pdf", "doc", "docx", "wps", "xls", "xlsx", "ofd", "html", "text", *PACKAGE_TYPES}


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
    jobs: list[tuple[Path, str, str, int]] = []
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
        capture_id = ws.corpus.add_capture(
            Capture(
                url=url, status=None, fetched_at=seen, sha256=sha, size=size, role="file", content_type=media
            )
        )
        summary.counts["files"] += 1
        summary.counts["new_documents" if new else "duplicates"] += 1
        jobs.append((path, sha, url, capture_id))
        cap = ws.corpus.capture(capture_id)
        if media in PACKAGE_TYPES and cap is not None:
            for member_id in unpack_capture(ws, cap):
                member = ws.corpus.capture(member_id)
                if member is not None:
                    summary.counts["package_members"] += 1
                    jobs.append((path, member["sha256"], member["url"], member_id))

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
    for path, _sha, _url, capture_id in jobs:
        cap = ws.corpus.capture(capture_id)
        derived = record_capture(ws, cap) if cap is not None else None
        if derived is None or derived.result is None:
            continue
        if derived.result.error:
            summary.counts["extract_errors"] += 1
            summary.errors.append(f"{path}: {derived.result.error}")
        summary.counts["reports" if derived.report_id else "not_reports"] += 1
    refresh_agency_keys(ws.corpus)
    return summary


def reprocess(ws: Workspace, workers: int = 2) -> RunSummary:
    """Extract every archived report page and attachment again and rebuild the report tables."""
    summary = RunSummary()
    corpus = ws.corpus
    # Packages first: a package reader that improved may find members the crawl could not.
    for cap in corpus.conn.execute(
        f"""SELECT c.* FROM captures c JOIN documents d ON d.sha256 = c.sha256
            WHERE d.media_type IN {PACKAGE_TYPES} AND c.role IN {DOCUMENT_ROLES} ORDER BY c.fetched_at, c.id"""
    ).fetchall():
        if ws.blobs.has(cap["sha256"]):
            unpack_capture(ws, cap)
    # Each blob is extracted as the crawl extracted it: with the URL and HTTP charset of its first capture.
    rows = corpus.conn.execute(
        f"""SELECT c.sha256, c.url, c.content_type FROM captures c
            WHERE c.id IN (SELECT min(id) FROM captures WHERE sha256 IS NOT NULL
                           AND role IN {DOCUMENT_ROLES} GROUP BY sha256)"""
    ).fetchall()
    pool = ExtractionPool(workers)

    async def run() -> None:
        sem = asyncio.Semaphore(workers * 2)

        async def one(sha: str, url: str, content_type: str | None) -> None:
            async with sem:
                if not ws.blobs.has(sha):
                    summary.counts["missing_blobs"] += 1
                    summary.errors.append(f"{sha}: blob missing from the store")
                    return
                charset = header_charset(content_type)
                ex = await pool.extract(ws.blobs.path(sha), None, ws.cache_dir, url, charset)
                corpus.save_extraction(sha, ex)
                summary.counts["extracted"] += 1
                if ex.error:
                    summary.counts["extract_errors"] += 1

        await asyncio.gather(*(one(r["sha256"], r["url"], r["content_type"]) for r in rows))

    try:
        asyncio.run(run())
    finally:
        pool.close()
    rebuild_reports(ws, summary)
    return summary


def rebuild_reports(ws: Workspace, summary: RunSummary) -> None:
    """Re-derive reports from the stored extractions and captures, keeping ids and sighting history."""
    corpus = ws.corpus
    corpus.begin_rebuild()
    captures = corpus.conn.execute(
        f"""SELECT * FROM captures WHERE sha256 IS NOT NULL AND role IN {DOCUMENT_ROLES}
            ORDER BY fetched_at, id"""
    ).fetchall()
    recorded: set[tuple[int, str, str]] = set()
    for cap in captures:
        derived = record_capture(ws, cap, sighting=False)
        if derived.report_id is None:
            continue
        summary.counts["report_sources"] += 1
        recorded |= {(derived.report_id, sha, url) for sha, url in derived.sources}
    gone = corpus.finish_rebuild(recorded)
    summary.counts["reports"] = corpus.count("reports")
    summary.counts["reports_dropped"] = gone
    refresh_agency_keys(corpus)
