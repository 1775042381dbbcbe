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

from archive.derive import (
    DOCUMENT_ROLES,
    Derived,
    is_package,
    member_url,
    record_safely,
    save_members,
    store_members,
    stored_extraction,
)
from archive.extract.encoding import header_charset
from archive.extract.filenames import safe_filename
from archive.extract.package import PACKAGE_TYPES
from archive.extract.pool import ExtractionPool
from archive.extract.sniff import sniff_file
from archive.products.monitor import refresh_agency_keys
from archive.store.blobs import BlobTooLarge
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


def _extract_all(
    ws: Workspace, pool: ExtractionPool, jobs: list[tuple[str, str, str | None]], summary: RunSummary
) -> None:
    """Extract (sha256, url, HTTP charset) jobs in the pool and store what each gave."""

    async def run() -> None:
        sem = asyncio.Semaphore(pool.workers * 2)

        async def one(sha: str, url: str, charset: str | None) -> None:
            async with sem:
                if not ws.blobs.has(sha):
                    summary.counts["missing_blobs"] += 1
                    summary.errors.append(f"{sha}: blob missing from the store")
                    return
                with ws.blobs.local_path(sha, scratch=ws.tmp_dir) as path:  # until extracted
                    ex = await pool.extract(path, None, ws.cache_dir, url, charset)
                ws.corpus.save_extraction(sha, ex)
                summary.counts["extracted"] += 1
                if ex.error:
                    summary.counts["extract_errors"] += 1
                    summary.errors.append(f"{url}: {ex.error}")

        await asyncio.gather(*(one(*job) for job in jobs))

    asyncio.run(run())


def _unpack(ws: Workspace, sha256: str, url: str, seen_at: str) -> list[tuple[str, str, str | None]]:
    """Read a package's members into the store; the extraction jobs of its members."""
    members = save_members(ws, sha256, url, seen_at, store_members(ws, sha256))
    return [(m.sha256, member_url(url, m.name), None) for m in members]


def ingest(ws: Workspace, paths: list[Path], workers: int = 2, site_id: str | None = None) -> RunSummary:
    """Archive local files through the same store → extract → report steps a crawl uses.

    site_id: the site (a row of `sites`) the files belong to; their reports take its name and region,
    and the monitor counts them for it."""
    summary = RunSummary()
    captures: list[tuple[Path, int]] = []
    for path in _walk(paths):
        if not path.exists():
            summary.counts["missing"] += 1
            summary.errors.append(f"{path}: no such file")
            continue
        media = sniff_file(path)
        if media not in INGESTIBLE:
            summary.counts["skipped"] += 1
            # In the words `parse` uses for the same file (archive/extract: extract_file).
            why = "empty file" if path.stat().st_size == 0 else f"unsupported format: {media}"
            summary.errors.append(f"{path}: {why}")
            continue
        try:
            sha, size = ws.blobs.put_file(path)
        except (OSError, BlobTooLarge) as e:
            summary.counts["errors"] += 1
            summary.errors.append(f"{path}: cannot store: {e}")
            continue
        seen = now_iso()
        url = path.resolve().as_uri()
        new = ws.corpus.ensure_document(sha, size, media, safe_filename(path.name), url, seen)
        capture = Capture(
            url=url,
            status=None,
            fetched_at=seen,
            sha256=sha,
            size=size,
            role="file",
            content_type=media,
            site_id=site_id,
        )
        captures.append((path, ws.corpus.add_capture(capture)))
        summary.counts["files"] += 1
        summary.counts["new_documents" if new else "duplicates"] += 1
    pool = ExtractionPool(workers, temp_dir=ws.tmp_dir)
    try:
        caps = [c for c in (ws.corpus.capture(cid) for _, cid in captures) if c is not None]
        todo = {
            c["sha256"]: (c["sha256"], c["url"], None)
            for c in caps
            if stored_extraction(ws, c["sha256"]) is None
        }
        _extract_all(ws, pool, list(todo.values()), summary)
        # As the crawl does: a package newly extracted is read, and its members extracted.
        members: dict[str, tuple[str, str, str | None]] = {}
        for c in caps:
            if c["sha256"] in todo and is_package(ws, c["sha256"]):
                for job in _unpack(ws, c["sha256"], c["url"], c["fetched_at"]):
                    if stored_extraction(ws, job[0]) is None:
                        members.setdefault(job[0], job)
        summary.counts["package_members"] += len(members)
        _extract_all(ws, pool, list(members.values()), summary)
    finally:
        pool.close()
    for path, capture_id in captures:
        cap = ws.corpus.capture(capture_id)
        derived = record_safely(ws, cap) if cap is not None else Derived()
        if derived.error:
            summary.counts["errors"] += 1
            summary.errors.append(f"{path}: {derived.error}")
        for result in derived.results:
            summary.counts["reports" if result.kind and result.year else "not_reports"] += 1
    refresh_agency_keys(ws.corpus)
    return summary


def reprocess(ws: Workspace, workers: int = 2) -> RunSummary:
    """Extract every archived document again (packages read again) and rebuild the report tables."""
    summary = RunSummary()
    corpus = ws.corpus
    # Each blob is extracted as the crawl extracted it: with the URL and HTTP charset of its first capture.
    firsts = corpus.conn.execute(
        f"""SELECT * FROM captures WHERE id IN (
              SELECT min(id) FROM captures WHERE sha256 IS NOT NULL AND role IN ({_marks(DOCUMENT_ROLES)})
              GROUP BY sha256)
            ORDER BY fetched_at, id""",
        DOCUMENT_ROLES,
    ).fetchall()
    pool = ExtractionPool(workers, temp_dir=ws.tmp_dir)
    try:
        _extract_all(
            ws, pool, [(c["sha256"], c["url"], header_charset(c["content_type"])) for c in firsts], summary
        )
        # Packages are read again (a better reader may find more), then every member is extracted again.
        members: dict[str, tuple[str, str, str | None]] = {}
        for c in firsts:
            if is_package(ws, c["sha256"]) and ws.blobs.has(c["sha256"]):
                for job in _unpack(ws, c["sha256"], c["url"], c["fetched_at"]):
                    members.setdefault(job[0], job)
        # A member also captured on its own was extracted above, as the crawl extracted it first.
        captured = {c["sha256"] for c in firsts}
        members = {sha: job for sha, job in members.items() if sha not in captured}
        summary.counts["package_members"] += len(members)
        _extract_all(ws, pool, list(members.values()), summary)
    finally:
        pool.close()
    rebuild_reports(ws, summary)
    return summary


def rebuild_reports(ws: Workspace, summary: RunSummary) -> None:
    """Re-derive reports from the stored extractions and captures, keeping ids and sighting history; in
    one transaction, so an interrupted rebuild leaves the corpus as it was."""
    corpus = ws.corpus
    recorded: set[tuple[int, str, str]] = set()
    with corpus.transaction():  # captures read inside it: a crawl writing meanwhile waits for the end
        # Images are read with the pages that show them: every page is recorded here with all its images.
        captures = corpus.conn.execute(
            f"""SELECT * FROM captures WHERE sha256 IS NOT NULL AND role IN ({_marks(DOCUMENT_ROLES)})
                  AND role != 'image' ORDER BY fetched_at, id""",
            DOCUMENT_ROLES,
        ).fetchall()
        corpus.begin_rebuild()
        for cap in captures:
            derived = record_safely(ws, cap, sighting=False)
            if derived.error:
                summary.counts["interpretation_errors"] += 1
                summary.errors.append(f"{cap['url']}: {derived.error}")
            recorded |= set(derived.recorded)
        summary.counts["report_sources"] = len(recorded)
        summary.counts["reports_dropped"] = corpus.finish_rebuild(recorded)
        refresh_agency_keys(corpus)
    summary.counts["reports"] = corpus.count("reports")


def _marks(values: tuple[str, ...]) -> str:
    return ", ".join("?" * len(values))


def decide(
    ws: Workspace, action: str, subject: str, other: str | None, year: int | None, why: str, who: str
) -> str:
    """Record a person's decision about bodies (merge B into A, split a spelling off on a site — `other`,
    needed when several sites printed it —, end a body after a year), apply it and re-derive the reports so they follow; what was done, in one line. Raises
    ValueError, with the reason, for a decision that names no body or changes nothing."""
    corpus = ws.corpus
    why = why.strip()
    if not why:
        raise ValueError("say why (--why): the decision is kept with its reason")
    if action == "split":  # `other`: the site whose spelling is split off (the only one that printed it)
        sites = sorted(
            r[0]
            for r in corpus.conn.execute(
                "SELECT DISTINCT site_id FROM body_aliases WHERE name = ?", (subject,)
            )
        )
        if not sites:
            raise ValueError(f"no spelling {subject!r} was met (govarchive bodies lists them)")
        if other is None and len(sites) > 1:
            raise ValueError(
                f"{subject!r} was met on {len(sites)} sites ({', '.join(sites)}): say which (--site)"
            )
        site = other if other is not None else sites[0]
        if site not in sites:
            raise ValueError(f"{subject!r} was not met on site {site!r} (met on: {', '.join(sites)})")
        keys: tuple[str, str | None] = (subject, site)
    else:
        a = corpus.find_body(subject)
        if a is None:
            raise ValueError(f"no body {subject!r} (an id, a body's name or a spelling met)")
        b = corpus.find_body(other) if other is not None else None
        if action == "merge" and (b is None or b == a):
            raise ValueError(f"no other body {other!r} to merge into {subject!r}")
        keys = (str(a), str(b) if b is not None else None)
    with corpus.transaction():
        corpus.record_decision(action, keys[0], keys[1], year, why, who, now_iso())
        corpus.apply_decisions()
        rebuild_reports(ws, RunSummary())
    return f"{action} recorded ({who}: {why}); reports re-derived"
