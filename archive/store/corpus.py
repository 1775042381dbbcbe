"""The SQLite corpus, `corpus.db` (schema in archive/store/migrations.py).

`archive/store/` is the only code that writes it: this module (sites, crawl runs, captures, documents, links,
removals, body-name keys) and archive/store/reports.py (reports, their copies, figures and checks). Every
other module reads, or calls these methods."""

from __future__ import annotations

import errno
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
from archive.model import Extraction
from archive.sites import Site
from archive.store.faults import LOCK_TIMEOUT_S, data_folder_fault
from archive.store.migrations import MIGRATIONS, migrate
from archive.store.readonly import read_only_connection, read_only_fs
from archive.store.reports import ReportRows

# The one definition of a URL's *last good capture*: the newest article, attachment or image capture answered
# 200 or 304 whose document is held and extracted. Conditional requests revalidate it (crawler/incremental.py)
# and a shared crawl's validators are seeded from it (archive/sharedcrawl/validators.py).
LAST_GOOD_CAPTURES = """SELECT c.url, c.sha256, c.etag, c.last_modified, c.content_type FROM captures c
   JOIN documents d ON d.sha256 = c.sha256 AND d.extracted_at IS NOT NULL
   WHERE c.status IN (200, 304) AND c.role IN ('article', 'attachment', 'image')"""
_LAST_GOOD_ORDER = "c.fetched_at DESC, c.id DESC"


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
    role: str | None = None  # list | article | attachment | image | file (ingest)
    error: str | None = None
    crawl_id: int | None = None
    link_url: str | None = None  # the URL the link named, when a redirect led elsewhere
    tls_error: str | None = None  # an https answer kept despite its certificate (crawler/tls.py)


@dataclass
class Exchange:
    """One HTTP exchange as a WARC needs it (table `capture_http`): the request as sent, the status line
    and headers as received. Header lines are (name, value) pairs in the order known; values are the
    latin-1 view of the raw bytes."""

    method: str
    request_url: str
    request_headers: list[tuple[str, str]]
    status: int
    protocol: str | None
    reason: str | None
    response_headers: list[tuple[str, str]]
    fetched_at: str
    body: bytes | None = None  # a body the capture's sha256 does not name (a redirect's, an error page's)
    payload_sha256: str | None = None  # its blob, once stored
    decoded: str | None = None  # content codings removed before the payload was stored (e.g. "gzip")
    rendered: bool = False  # the payload is a browser's DOM after scripts
    source: str = "crawl"  # or "import:<file name>"


class Corpus(ReportRows):
    read_only = False

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.conn = sqlite3.connect(self.path, timeout=LOCK_TIMEOUT_S, isolation_level=None)
            self.conn.row_factory = sqlite3.Row
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self.conn.execute("PRAGMA foreign_keys=ON")
            status = self.conn.execute("PRAGMA quick_check").fetchone()[0]
            if status != "ok":
                raise CorpusError(f"{self.path}: database is corrupt ({status}); restore it from a backup")
            ran = migrate(self.conn)
        except sqlite3.DatabaseError as e:
            fault = data_folder_fault(self.path.parent, e)  # read-only, locked: not the corpus's fault
            if fault is None and read_only_fs(self.path):  # SQLite says only "unable to open database file"
                fault = data_folder_fault(self.path.parent, OSError(errno.EROFS, str(e)))
            raise fault or CorpusError(f"{self.path}: cannot open the corpus: {e}") from None
        self.db = sqlite_utils.Database(self.conn)
        self._savepoints = 0
        self._site_names: dict[str, tuple[str, str | None]] | None = None
        if "017_bodies" in ran:
            with self.transaction():
                self.backfill_bodies()

    @classmethod
    def reader(cls, path: Path) -> Corpus:
        """The corpus opened read-only, for commands that only ask (`monitor`): nothing is written, not even
        a migration, so it works on a corpus.db the user cannot write. A corpus that still needs a migration
        is opened as usual (the migration is a write; a read-only folder then stops with its one line)."""
        path = Path(path)
        if not path.is_file():
            raise CorpusError(f"{path}: no corpus here")
        try:
            conn = read_only_connection(path, LOCK_TIMEOUT_S)
            applied = {r[0] for r in conn.execute("SELECT name FROM _migrations")}
        except sqlite3.DatabaseError as e:
            raise CorpusError(f"{path}: cannot open the corpus: {e}") from None
        if any(name not in applied for name, _ in MIGRATIONS):
            conn.close()
            return cls(path)
        self = cls.__new__(cls)
        self.path, self.conn, self.read_only = path, conn, True
        self.conn.row_factory = sqlite3.Row
        self.db = sqlite_utils.Database(self.conn)
        self._savepoints = 0
        self._site_names = None
        return self

    def close(self) -> None:
        if self.read_only:
            self.conn.close()
            return
        # Fold the WAL back into the main file so read-only (immutable) readers see everything.
        with suppress(sqlite3.DatabaseError):
            self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All or nothing. Nested inside an open transaction it is a savepoint, so a rebuild can hold the
        whole corpus change in one transaction while the steps it calls keep their own."""
        if self.conn.in_transaction:
            self._savepoints += 1
            name = f"sp{self._savepoints}"
            self.conn.execute(f"SAVEPOINT {name}")
            try:
                yield
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute(f"ROLLBACK TO {name}")
                    self.conn.execute(f"RELEASE {name}")
                raise
            self.conn.execute(f"RELEASE {name}")
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
            self.conn.execute("COMMIT")
        except BaseException:
            if self.conn.in_transaction:  # SQLite may have rolled back already (a failed COMMIT, a full disk)
                self.conn.execute("ROLLBACK")
            raise

    def upsert_site(self, site: Site) -> None:
        self._site_names = None
        self.db.table("sites").upsert(
            {
                "id": site.id,
                "name": site.name,
                "region": site.region,
                "start_urls": json.dumps(site.start_urls, ensure_ascii=False),
                "allowed_domains": json.dumps(site.domains(), ensure_ascii=False),
                "expected_agencies": json.dumps(site.expected_agencies, ensure_ascii=False),
                "expected_since": site.expected_since,
                "expected_until": site.expected_until,
            },
            pk="id",
        )
        if site.roster:
            self.replace_roster(site.id, [(c, n, k, f, u) for c, n, k, f, u in site.roster_rows])

    def site_names(self) -> dict[str, tuple[str, str | None]]:
        """site id → (name, region), read once (upsert_site forgets it)."""
        if self._site_names is None:
            rows = self.conn.execute("SELECT id, name, region FROM sites")
            self._site_names = {r["id"]: (r["name"], r["region"]) for r in rows}
        return self._site_names

    # --- crawl runs and captures ---------------------------------------------------------------------

    def start_run(self, site_ids: list[str]) -> int:
        cur = self.conn.execute(
            "INSERT INTO crawl_runs(started_at, sites, status) VALUES (?, ?, 'running')",
            (now_iso(), json.dumps(site_ids)),
        )
        return int(cur.lastrowid or 0)

    def mark_interrupted_runs(self) -> int:
        """Runs still 'running' when a new run holds the lock died mid-way (kill, power loss): say so."""
        cur = self.conn.execute(
            "UPDATE crawl_runs SET status = 'interrupted' WHERE status = 'running' AND finished_at IS NULL"
        )
        return cur.rowcount

    def finish_run(self, run_id: int, status: str, summary: dict[str, Any]) -> None:
        self.conn.execute(
            "UPDATE crawl_runs SET finished_at=?, status=?, summary=? WHERE id=?",
            (now_iso(), status, json.dumps(summary, ensure_ascii=False, sort_keys=True), run_id),
        )

    # --- a shared crawl's captures stream: the entries a run applied (archive/sharedcrawl/writer.py) ----

    def stream_entry_applied(self, run_id: int, entry: str) -> bool:
        row = self.conn.execute(
            "SELECT 1 FROM stream_applied WHERE crawl_id = ? AND entry = ?", (run_id, entry)
        ).fetchone()
        return row is not None

    def captured_in_run(
        self, run_id: int, url: str, role: str, status: int | None, sha256: str | None
    ) -> bool:
        """The run holds a capture of this URL with this role, status and bytes already."""
        row = self.conn.execute(
            """SELECT 1 FROM captures WHERE url = ? AND crawl_id = ? AND role = ? AND status IS ?
               AND sha256 IS ? LIMIT 1""",
            (url, run_id, role, status, sha256),
        ).fetchone()
        return row is not None

    def note_stream_entry(self, run_id: int, entry: str) -> None:
        """In the transaction that wrote the entry's rows: both commit, or neither."""
        self.conn.execute("INSERT INTO stream_applied(entry, crawl_id) VALUES (?, ?)", (entry, run_id))

    def forget_stream_entries(self, run_id: int | None = None) -> None:
        """The entries noted by `run_id` (closed), or by every run no longer running (None)."""
        if run_id is not None:
            self.conn.execute("DELETE FROM stream_applied WHERE crawl_id = ?", (run_id,))
        else:
            self.conn.execute(
                "DELETE FROM stream_applied WHERE crawl_id NOT IN (SELECT id FROM crawl_runs WHERE status = 'running')"
            )

    def run_failures(self, run_id: int) -> list[tuple[str, str]]:
        """(site id, reason) of each failure in a run: requests that failed, and documents fetched in it
        that could not be read (one per document and site)."""
        rows = self.conn.execute(
            """SELECT COALESCE(site_id, '-'), error FROM captures WHERE crawl_id = ? AND error IS NOT NULL
               UNION ALL
               SELECT site, error FROM (
                 SELECT DISTINCT COALESCE(c.site_id, '-') AS site, d.sha256, d.error || '' AS error
                 FROM captures c JOIN documents d ON d.sha256 = c.sha256
                 WHERE c.crawl_id = ? AND c.error IS NULL AND d.error IS NOT NULL)""",
            (run_id, run_id),
        )
        return [(r[0], r[1]) for r in rows]

    def add_capture(self, c: Capture) -> int:
        # Plain SQL: one row per response on the crawl's hot path.
        cur = self.conn.execute(
            """INSERT INTO captures(url, fetched_at, status, content_type, sha256, size, etag, last_modified,
                 site_id, referer, link_text, role, error, crawl_id, link_url, tls_error)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
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
                c.link_url,
                c.tls_error,
            ),
        )
        return int(cur.lastrowid or 0)

    def add_exchange(self, capture_id: int, ex: Exchange) -> None:
        self.conn.execute(
            """INSERT OR REPLACE INTO capture_http(capture_id, method, request_url, request_headers, protocol,
                 reason, response_headers, payload_sha256, decoded, rendered, source)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                capture_id,
                ex.method,
                ex.request_url,
                json.dumps(ex.request_headers, ensure_ascii=False),
                ex.protocol,
                ex.reason,
                json.dumps(ex.response_headers, ensure_ascii=False),
                ex.payload_sha256,
                ex.decoded,
                int(ex.rendered),
                ex.source,
            ),
        )

    def capture(self, capture_id: int) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self.conn.execute(
            "SELECT * FROM captures WHERE id=?", (capture_id,)
        ).fetchone()
        return row

    def page_capture_before(self, url: str, fetched_at: str) -> sqlite3.Row | None:
        """The newest capture of the article page `url` that holds bytes, taken no later than `fetched_at`."""
        row: sqlite3.Row | None = self.conn.execute(
            """SELECT * FROM captures WHERE url=? AND sha256 IS NOT NULL AND role='article' AND fetched_at<=?
               ORDER BY fetched_at DESC, id DESC LIMIT 1""",
            (url, fetched_at),
        ).fetchone()
        return row

    def article_linking(self, url: str, fetched_at: str) -> sqlite3.Row | None:
        """The newest capture of an article page, taken no later than `fetched_at`, that links `url` as an
        attachment (whichever page's link the crawl happened to follow first)."""
        row: sqlite3.Row | None = self.conn.execute(
            """SELECT c.* FROM links l JOIN captures c ON c.sha256 = l.page_sha256
               WHERE l.url = ? AND l.kind = 'attachment' AND c.role = 'article' AND c.fetched_at <= ?
               ORDER BY c.fetched_at DESC, c.id DESC LIMIT 1""",
            (url, fetched_at),
        ).fetchone()
        return row

    def pages_showing(self, image_url: str) -> list[sqlite3.Row]:
        """The newest capture of every (URL, bytes) of the article pages whose body shows this image."""
        return self.conn.execute(
            """SELECT * FROM captures WHERE id IN (
                 SELECT max(c.id) FROM captures c JOIN links l ON l.page_sha256 = c.sha256
                 WHERE l.url = ? AND l.kind = 'image' AND c.role = 'article' GROUP BY c.url, c.sha256)
               ORDER BY fetched_at, id""",
            (image_url,),
        ).fetchall()

    def latest_capture_held(self, url: str) -> sqlite3.Row | None:
        """The newest capture of `url` that holds bytes, whatever its status, role or extraction (what a
        304 confirming them copies its size and validators from: pipelines/store.py)."""
        row: sqlite3.Row | None = self.conn.execute(
            "SELECT * FROM captures WHERE url=? AND sha256 IS NOT NULL ORDER BY fetched_at DESC, id DESC LIMIT 1",
            (url,),
        ).fetchone()
        return row

    def last_good_capture(self, url: str) -> dict[str, Any] | None:
        """The last good capture of `url` (see LAST_GOOD_CAPTURES): url, sha256, etag, last_modified,
        content_type."""
        row = self.conn.execute(
            f"{LAST_GOOD_CAPTURES} AND c.url = ? ORDER BY {_LAST_GOOD_ORDER} LIMIT 1", (url,)
        ).fetchone()
        return dict(row) if row is not None else None

    def validators(self) -> dict[str, tuple[str, str | None, str | None, str | None]]:
        """url → (sha256, etag, last_modified, content_type) of every URL's last good capture that has an
        ETag or a Last-Modified: read once by a crawl (crawler/incremental.py), not once per request, as a
        shared crawl seeds them (archive/sharedcrawl/validators.py)."""
        out: dict[str, tuple[str, str | None, str | None, str | None]] = {}
        for row in self.last_good_captures():
            if row["etag"] or row["last_modified"]:  # only what a conditional request can use
                out[row["url"]] = (row["sha256"], row["etag"], row["last_modified"], row["content_type"])
        return out

    def last_good_captures(self) -> Iterator[sqlite3.Row]:
        """Every URL's last good capture, by URL."""
        last: str | None = None
        for row in self.conn.execute(f"{LAST_GOOD_CAPTURES} ORDER BY c.url, {_LAST_GOOD_ORDER}"):
            if row["url"] != last:  # older captures of a URL already given are skipped
                last = row["url"]
                yield row

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

    def add_links(self, page_sha256: str, page_url: str, links: list[tuple[str, str, str]]) -> None:
        """The documents (url, text, kind) the article page with these bytes links to; kind is
        `attachment` or `image`."""
        self.db.table("links").insert_all(
            (
                {"page_sha256": page_sha256, "page_url": page_url, "url": u, "text": text, "kind": kind}
                for u, text, kind in links
            ),
            ignore=True,
        )

    def has_attachments(self, page_sha256: str) -> bool:
        row = self.conn.execute(
            "SELECT 1 FROM links WHERE page_sha256=? AND kind='attachment' LIMIT 1", (page_sha256,)
        ).fetchone()
        return row is not None

    def link(self, page_sha256: str, url: str) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self.conn.execute(
            "SELECT * FROM links WHERE page_sha256=? AND url=?", (page_sha256, url)
        ).fetchone()
        return row

    def image_documents(self, page_sha256: str) -> list[sqlite3.Row]:
        """The images of an article page in link order, each with the SHA-256 of its newest capture (None
        while it is not archived); a capture is the image's when it came from the URL the page named,
        redirected or not."""
        return self.conn.execute(
            """SELECT l.url, (SELECT c.sha256 FROM captures c
                               WHERE (c.link_url = l.url OR (c.link_url IS NULL AND c.url = l.url))
                                 AND c.sha256 IS NOT NULL ORDER BY c.fetched_at DESC, c.id DESC LIMIT 1) AS sha256
               FROM links l WHERE l.page_sha256 = ? AND l.kind = 'image' ORDER BY l.rowid""",
            (page_sha256,),
        ).fetchall()

    def replace_members(self, package_sha256: str, members: list[tuple[str, str, int, str]]) -> None:
        """The members (name, sha256, size, media type) of the package with these bytes."""
        with self.transaction():
            self.conn.execute("DELETE FROM members WHERE package_sha256 = ?", (package_sha256,))
            self.db.table("members").insert_all(
                {"package_sha256": package_sha256, "name": n, "sha256": s, "size": size, "media_type": m}
                for n, s, size, m in members
            )

    def members(self, package_sha256: str) -> list[sqlite3.Row]:
        return self.conn.execute(
            "SELECT * FROM members WHERE package_sha256 = ? ORDER BY rowid", (package_sha256,)
        ).fetchall()

    def media_type(self, sha256: str) -> str | None:
        row = self.conn.execute("SELECT media_type FROM documents WHERE sha256 = ?", (sha256,)).fetchone()
        return row[0] if row else None

    def document(self, sha256: str) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self.conn.execute(
            "SELECT * FROM documents WHERE sha256=?", (sha256,)
        ).fetchone()
        return row

    def save_extraction(self, sha256: str, ex: Extraction) -> None:
        self.conn.execute(
            # A worker that timed out or died reports "unknown": the type sniffed at storage stays.
            """UPDATE documents SET media_type=COALESCE(NULLIF(?, 'unknown'), media_type), text=?, pages=?,
                 extractor=?, ocr=?, error=?, tables=?, page_meta=?, cells=?, text_places=?, extracted_at=?
                 WHERE sha256=?""",
            (
                ex.media_type,
                ex.text,
                ex.pages,
                ex.extractor,
                int(ex.ocr),
                ex.error,
                json.dumps(ex.tables, ensure_ascii=False) if ex.tables else None,
                json.dumps(ex.page_meta, ensure_ascii=False) if ex.page_meta else None,
                json.dumps(ex.cells, separators=(",", ":")) if ex.cells else None,
                json.dumps(ex.text_places, separators=(",", ":")) if ex.text_places else None,
                now_iso(),
                sha256,
            ),
        )

    def mark_document_error(self, sha256: str, error: str) -> None:
        """Keep the first error a document met (extraction's, else interpretation's)."""
        self.conn.execute(
            "UPDATE documents SET error = COALESCE(error, ?) WHERE sha256 = ?", (error[:500], sha256)
        )

    # --- monitoring ----------------------------------------------------------------------------------

    def replace_expected_bodies(
        self, rows: list[tuple[str, int | None, str, str, int, int | None, str]]
    ) -> None:
        """(site_id, body_id, agency, kind, since, until, source) of every body expected to publish
        (archive/products/monitor.py)."""
        with self.transaction():
            self.conn.execute("DELETE FROM expected_bodies")
            self.conn.executemany(
                """INSERT INTO expected_bodies(site_id, body_id, agency, kind, since, until, source)
                   VALUES (?, ?, ?, ?, ?, ?, ?)""",
                rows,
            )

    def replace_roster(self, site_id: str, rows: list[tuple[str, str, str, int | None, int | None]]) -> None:
        """The roster file of a site: (division code, body name, kind, from year, until year)."""
        with self.transaction():
            self.conn.execute("DELETE FROM roster WHERE site_id = ?", (site_id,))
            self.conn.executemany(
                "INSERT INTO roster(site_id, division_code, name, kind, since, until) VALUES (?, ?, ?, ?, ?, ?)",
                [(site_id, *r) for r in rows],
            )

    def mark_source_removed(self, url: str, at: str) -> None:
        self.conn.execute(
            "UPDATE report_sources SET removed_at = ? WHERE url = ? AND removed_at IS NULL", (at, url)
        )

    def mark_report_removed(self, report_id: int, at: str) -> None:
        self.conn.execute("UPDATE reports SET removed_at = ? WHERE id = ?", (at, report_id))

    def count(self, table: str) -> int:
        return int(self.conn.execute(f"SELECT count(*) FROM [{table}]").fetchone()[0])
