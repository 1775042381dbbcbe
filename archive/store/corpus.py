"""The SQLite corpus: the one place that writes `corpus.db` (schema in archive/store/migrations.py)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from archive.errors import CorpusError
from archive.model import Check, Extraction, ReportMeta, Stat
from archive.report import codes
from archive.sites import Site
from archive.store.migrations import migrate


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class Capture:
    url: str
    status: int | None
    fetched_at: str
    site_id: str | None = None
    content_type: str | None = None
    sha256: str | None = None
    size: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    referer: str | None = None
    link_text: str | None = None
    role: str | None = None  # list | article | attachment | file (ingest)
    error: str | None = None
    crawl_id: int | None = None


class Corpus:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            self.conn.row_factory = sqlite3.Row
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self.conn.execute("PRAGMA foreign_keys=ON")
            status = self.conn.execute("PRAGMA quick_check").fetchone()[0]
            if status != "ok":
                raise CorpusError(f"{self.path}: database is corrupt ({status}); restore it from a backup")
            migrate(self.conn)
        except sqlite3.DatabaseError as e:
            raise CorpusError(f"{self.path}: cannot open the corpus: {e}") from None
        self.db = sqlite_utils.Database(self.conn)
        self._fill_codes()

    def close(self) -> None:
        # Fold the WAL back into the main file so read-only (immutable) readers see everything.
        with suppress(sqlite3.DatabaseError):
            self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    # --- reference data ------------------------------------------------------------------------------

    def _fill_codes(self) -> None:
        rows: list[dict[str, str]] = []
        for sec, label in codes.SECTIONS.items():
            rows.append({"section": sec, "kind": "section", "code": sec, "label": label})
        for row, label in codes.ACTIVE_ROWS.items():
            rows.append({"section": "active", "kind": "row", "code": row, "label": label})
        for tpl in codes.TEMPLATES:
            for row in codes.ACTIVE_ROWS_BY_TEMPLATE[tpl]:
                for c in codes.active_columns(tpl, row):
                    rows.append({"section": "active", "kind": "col", "code": c.code, "label": c.label})
        for row, label in codes.APPLICATION_ROWS.items():
            rows.append({"section": "applications", "kind": "row", "code": row, "label": label})
        for c in codes.APPLICATION_COLUMNS:
            rows.append({"section": "applications", "kind": "col", "code": c.code, "label": c.label})
        for row, label in codes.APPEAL_ROWS.items():
            rows.append({"section": "appeals", "kind": "row", "code": row, "label": label})
        for c in codes.APPEAL_COLUMNS:
            rows.append({"section": "appeals", "kind": "col", "code": c.code, "label": c.label})
        with self.transaction():
            self.conn.executemany(
                "INSERT OR IGNORE INTO codes(section, kind, code, label) VALUES (:section, :kind, :code, :label)",
                rows,
            )

    def upsert_site(self, site: Site) -> None:
        self.conn.execute(
            """INSERT INTO sites(id, name, region, start_urls, allowed_domains, expected_agencies, expected_since,
                 expected_until)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT(id) DO UPDATE SET name=excluded.name, region=excluded.region,
                 start_urls=excluded.start_urls, allowed_domains=excluded.allowed_domains,
                 expected_agencies=excluded.expected_agencies, expected_since=excluded.expected_since,
                 expected_until=excluded.expected_until""",
            (
                site.id,
                site.name,
                site.region,
                json.dumps(site.start_urls, ensure_ascii=False),
                json.dumps(site.domains(), ensure_ascii=False),
                json.dumps(site.expected_agencies, ensure_ascii=False),
                site.expected_since,
                site.expected_until,
            ),
        )

    # --- crawl runs and captures ---------------------------------------------------------------------

    def start_run(self, site_ids: list[str]) -> int:
        cur = self.conn.execute(
            "INSERT INTO crawl_runs(started_at, sites, status) VALUES (?, ?, 'running')",
            (now_iso(), json.dumps(site_ids)),
        )
        return int(cur.lastrowid or 0)

    def finish_run(self, run_id: int, status: str, summary: dict[str, Any]) -> None:
        self.conn.execute(
            "UPDATE crawl_runs SET finished_at=?, status=?, summary=? WHERE id=?",
            (now_iso(), status, json.dumps(summary, ensure_ascii=False, sort_keys=True), run_id),
        )

    def add_capture(self, c: Capture) -> int:
        cur = self.conn.execute(
            """INSERT INTO captures(url, fetched_at, status, content_type, sha256, size, etag, last_modified,
                 site_id, referer, link_text, role, error, crawl_id)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                c.url,
                c.fetched_at,
                c.status,
                c.content_type,
                c.sha256,
                c.size,
                c.etag,
                c.last_modified,
                c.site_id,
                c.referer,
                c.link_text,
                c.role,
                c.error,
                c.crawl_id,
            ),
        )
        return int(cur.lastrowid or 0)

    def latest_good_capture(self, url: str) -> sqlite3.Row | None:
        """The newest capture of `url` that holds bytes (for conditional requests)."""
        row: sqlite3.Row | None = self.conn.execute(
            "SELECT * FROM captures WHERE url=? AND sha256 IS NOT NULL ORDER BY fetched_at DESC, id DESC LIMIT 1",
            (url,),
        ).fetchone()
        return row

    # --- documents -----------------------------------------------------------------------------------

    def ensure_document(
        self, sha256: str, size: int, media_type: str, filename: str | None, url: str | None, seen_at: str
    ) -> bool:
        """Record distinct content once; True when it is new."""
        cur = self.conn.execute(
            """INSERT OR IGNORE INTO documents(sha256, size, media_type, filename, first_url, first_seen)
               VALUES (?, ?, ?, ?, ?, ?)""",
            (sha256, size, media_type, filename, url, seen_at),
        )
        return cur.rowcount == 1

    def document(self, sha256: str) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self.conn.execute(
            "SELECT * FROM documents WHERE sha256=?", (sha256,)
        ).fetchone()
        return row

    def save_extraction(self, sha256: str, ex: Extraction) -> None:
        self.conn.execute(
            """UPDATE documents SET media_type=?, text=?, pages=?, extractor=?, ocr=?, error=?, tables=?,
                 page_meta=?, extracted_at=? WHERE sha256=?""",
            (
                ex.media_type,
                ex.text,
                ex.pages,
                ex.extractor,
                int(ex.ocr),
                ex.error,
                json.dumps(ex.tables, ensure_ascii=False) if ex.tables else None,
                json.dumps(ex.page_meta, ensure_ascii=False) if ex.page_meta else None,
                now_iso(),
                sha256,
            ),
        )

    # --- reports -------------------------------------------------------------------------------------

    def upsert_report(
        self,
        site_id: str | None,
        meta: ReportMeta,
        region: str | None,
        page_url: str | None,
        seen_at: str,
        sighting: bool = True,
    ) -> int:
        """One row per body × year × kind; a sighting moves last_seen and clears removed_at (a rebuild
        from the archive, `sighting=False`, leaves that history alone)."""
        # A body's report is one row wherever it was found (county and city portals often both carry it);
        # only a report whose body is unknown stays tied to its site.
        if meta.agency:
            row = self.conn.execute(
                "SELECT id FROM reports WHERE agency = ? AND year IS ? AND kind IS ? ORDER BY id LIMIT 1",
                (meta.agency, meta.year, meta.kind),
            ).fetchone()
        else:
            row = self.conn.execute(
                "SELECT id FROM reports WHERE site_id IS ? AND agency IS NULL AND year IS ? AND kind IS ?",
                (site_id, meta.year, meta.kind),
            ).fetchone()
        if row is None:
            cur = self.conn.execute(
                """INSERT INTO reports(site_id, agency, region, year, kind, title, template, published_at,
                     page_url, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    site_id,
                    meta.agency,
                    region,
                    meta.year,
                    meta.kind,
                    meta.title,
                    meta.template,
                    meta.published_at,
                    page_url,
                    seen_at,
                    seen_at,
                ),
            )
            return int(cur.lastrowid or 0)
        self.conn.execute(
            """UPDATE reports SET title=COALESCE(title, ?), published_at=COALESCE(published_at, ?),
                 page_url=COALESCE(page_url, ?), template=COALESCE(?, template),
                 first_seen=min(first_seen, ?) WHERE id=?""",
            (meta.title, meta.published_at, page_url, meta.template, seen_at, row["id"]),
        )
        if sighting:
            self.conn.execute(
                "UPDATE reports SET last_seen=max(last_seen, ?), removed_at=NULL WHERE id=?",
                (seen_at, row["id"]),
            )
        return int(row["id"])

    def add_report_source(
        self, report_id: int, sha256: str, url: str, fmt: str, seen_at: str, sighting: bool = True
    ) -> None:
        update = (
            "last_seen=max(last_seen, excluded.last_seen), removed_at=NULL"
            if sighting
            else "format=excluded.format"
        )
        self.conn.execute(
            f"""INSERT INTO report_sources(report_id, sha256, url, format, first_seen, last_seen)
               VALUES (?, ?, ?, ?, ?, ?)
               ON CONFLICT(report_id, sha256, url) DO UPDATE SET {update}""",
            (report_id, sha256, url, fmt, seen_at, seen_at),
        )

    def set_report_content(
        self,
        report_id: int,
        sha256: str,
        text: str,
        template: str | None,
        stats: list[Stat],
        checks: list[Check],
    ) -> None:
        """Make `sha256` the source the report's text and figures come from (replacing the previous one)."""
        self.conn.execute(
            "UPDATE reports SET sha256=?, text=?, template=COALESCE(?, template) WHERE id=?",
            (sha256, text, template, report_id),
        )
        self.conn.execute("DELETE FROM report_stats WHERE report_id=?", (report_id,))
        self.conn.executemany(
            """INSERT OR REPLACE INTO report_stats(report_id, section, row, col, value, raw, row_label,
                 col_label, ocr, source_sha256, placed_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [
                (
                    report_id,
                    s.section,
                    s.row,
                    s.col,
                    s.value,
                    s.raw,
                    s.row_label,
                    s.col_label,
                    int(s.ocr),
                    sha256,
                    s.placed_by or None,
                )
                for s in stats
            ],
        )
        self.conn.execute("DELETE FROM report_checks WHERE report_id=?", (report_id,))
        self.conn.executemany(
            "INSERT OR REPLACE INTO report_checks(report_id, rule, status, detail) VALUES (?, ?, ?, ?)",
            [(report_id, c.rule, c.status, c.detail) for c in checks],
        )

    def report(self, report_id: int) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self.conn.execute(
            "SELECT * FROM reports WHERE id=?", (report_id,)
        ).fetchone()
        return row

    def count(self, table: str) -> int:
        return int(self.conn.execute(f"SELECT count(*) FROM [{table}]").fetchone()[0])
