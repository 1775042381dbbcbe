"""The corpus schema, created and changed only by these recorded steps.

Each step runs once, in a transaction, and is recorded in `_migrations`; applying the list to a database
that already has some steps applies only the rest. Never edit a step that has shipped: add a new one.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

# A step is one SQL script; `migrate` wraps it with its record in a single transaction. (A Python callable
# would be wrong here: sqlite3's executescript() commits first, which would break the step's atomicity.)
Step = str


_M001_INITIAL = """
        CREATE TABLE sites (
            id TEXT PRIMARY KEY, name TEXT NOT NULL, region TEXT, start_urls TEXT NOT NULL,
            allowed_domains TEXT, expected_agencies TEXT, expected_since INTEGER, expected_until INTEGER
        );
        CREATE TABLE agency_names (
            site_id TEXT NOT NULL, name TEXT NOT NULL, key TEXT NOT NULL, PRIMARY KEY (site_id, name)
        );
        CREATE INDEX agency_names_key ON agency_names(site_id, key);
        CREATE TABLE crawl_runs (
            id INTEGER PRIMARY KEY, started_at TEXT NOT NULL, finished_at TEXT, sites TEXT,
            status TEXT, summary TEXT
        );
        CREATE TABLE captures (
            id INTEGER PRIMARY KEY, url TEXT NOT NULL, fetched_at TEXT NOT NULL, status INTEGER,
            content_type TEXT, sha256 TEXT, size INTEGER, etag TEXT, last_modified TEXT, site_id TEXT,
            referer TEXT, link_text TEXT, role TEXT, error TEXT, crawl_id INTEGER
        );
        CREATE INDEX captures_url ON captures(url, fetched_at);
        CREATE INDEX captures_sha ON captures(sha256);
        CREATE INDEX captures_site ON captures(site_id, fetched_at);
        CREATE TABLE documents (
            sha256 TEXT PRIMARY KEY, size INTEGER NOT NULL, media_type TEXT, filename TEXT,
            first_url TEXT, first_seen TEXT NOT NULL, text TEXT, pages INTEGER, extractor TEXT,
            ocr INTEGER NOT NULL DEFAULT 0, error TEXT, tables TEXT, page_meta TEXT, extracted_at TEXT
        );
        CREATE TABLE reports (
            id INTEGER PRIMARY KEY, site_id TEXT, agency TEXT, region TEXT, year INTEGER, kind TEXT,
            title TEXT, template TEXT, published_at TEXT, page_url TEXT, sha256 TEXT, text TEXT,
            first_seen TEXT NOT NULL, last_seen TEXT NOT NULL, removed_at TEXT,
            UNIQUE (site_id, agency, year, kind)
        );
        CREATE INDEX reports_year ON reports(year, agency);
        CREATE TABLE report_sources (
            report_id INTEGER NOT NULL REFERENCES reports(id), sha256 TEXT NOT NULL, url TEXT NOT NULL,
            format TEXT, first_seen TEXT, last_seen TEXT, removed_at TEXT,
            PRIMARY KEY (report_id, sha256, url)
        );
        CREATE INDEX report_sources_sha ON report_sources(sha256);
        CREATE TABLE report_stats (
            report_id INTEGER NOT NULL REFERENCES reports(id), section TEXT NOT NULL, row TEXT NOT NULL,
            col TEXT NOT NULL, value REAL, raw TEXT, row_label TEXT, col_label TEXT,
            ocr INTEGER NOT NULL DEFAULT 0, source_sha256 TEXT,
            PRIMARY KEY (report_id, section, row, col)
        );
        CREATE INDEX report_stats_code ON report_stats(section, row, col);
        CREATE TABLE report_checks (
            report_id INTEGER NOT NULL REFERENCES reports(id), rule TEXT NOT NULL, status TEXT NOT NULL,
            detail TEXT, PRIMARY KEY (report_id, rule)
        );
        CREATE TABLE codes (
            section TEXT NOT NULL, kind TEXT NOT NULL, code TEXT NOT NULL, label TEXT NOT NULL,
            PRIMARY KEY (section, kind, code)
        );
"""


# trigram finds Chinese substrings of 3+ characters; Datasette's search box uses this table.
_M002_FTS = """
        CREATE VIRTUAL TABLE reports_fts USING fts5(
            title, text, content='reports', content_rowid='id', tokenize='trigram'
        );
        CREATE TRIGGER reports_ai AFTER INSERT ON reports BEGIN
            INSERT INTO reports_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
        END;
        CREATE TRIGGER reports_ad AFTER DELETE ON reports BEGIN
            INSERT INTO reports_fts(reports_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
        END;
        CREATE TRIGGER reports_au AFTER UPDATE ON reports BEGIN
            INSERT INTO reports_fts(reports_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
            INSERT INTO reports_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
        END;
"""


# Article 49: departments publish by 31 January, the government itself (…人民政府) by 31 March. A report
# is one row across portals (first site in reports.site_id), so a site's expected body matches any
# report one of whose copies that site served, by name or by its tolerant key in agency_names
# (archive/products/monitor.py); `expected_until` bounds the years a site expects.
_M003_EXPECTED_REPORTS = """
        CREATE VIEW expected_reports AS
        WITH RECURSIVE years(year) AS (
            SELECT 1990 UNION ALL SELECT year + 1 FROM years WHERE year < CAST(strftime('%Y', 'now') AS INTEGER)
        ),
        expected AS (
            SELECT s.id AS site_id, a.value AS agency, y.year AS year,
                   printf('%04d-%s', y.year + 1,
                          CASE WHEN a.value LIKE '%人民政府' THEN '03-31' ELSE '01-31' END) AS deadline
            FROM sites s, json_each(COALESCE(s.expected_agencies, '[]')) a, years y
            WHERE s.expected_since IS NOT NULL AND y.year >= s.expected_since
              AND y.year <= COALESCE(s.expected_until, 9999)
        ),
        matched AS (
            SELECT e.*, (
                SELECT r.id FROM reports r
                WHERE r.year = e.year AND r.kind = 'annual_report'
                  AND (r.site_id = e.site_id OR r.id IN (
                        SELECT rs.report_id FROM report_sources rs JOIN captures c ON c.url = rs.url
                        WHERE c.site_id = e.site_id))
                  AND (r.agency = e.agency OR r.agency IN (
                        SELECT b.name FROM agency_names a JOIN agency_names b
                          ON b.site_id = a.site_id AND b.key = a.key
                        WHERE a.site_id = e.site_id AND a.name = e.agency))
                ORDER BY r.removed_at IS NOT NULL, COALESCE(r.published_at, r.first_seen), r.id
                LIMIT 1
            ) AS rid
            FROM expected e
        )
        SELECT m.site_id, m.agency, m.year, m.deadline,
               CASE
                   WHEN r.id IS NULL AND m.deadline >= date('now') THEN 'not_due'
                   WHEN r.id IS NULL THEN 'missing'
                   WHEN r.removed_at IS NOT NULL THEN 'removed'
                   WHEN COALESCE(r.published_at, substr(r.first_seen, 1, 10)) <= m.deadline THEN 'on_time'
                   ELSE 'late'
               END AS status,
               r.id AS report_id, r.agency AS report_agency, r.published_at, r.first_seen, r.removed_at
        FROM matched m
        LEFT JOIN reports r ON r.id = m.rid;
"""


# How a figure was placed on the template (archive.model.Stat.placed_by): label, number, order, derived.
# NULL for figures stored before the mapper recorded it (reprocess fills it).
_M004_STATS_PLACED_BY = """
ALTER TABLE report_stats ADD COLUMN placed_by TEXT;
"""


MIGRATIONS: list[tuple[str, Step]] = [
    ("001_initial", _M001_INITIAL),
    ("002_fts_trigram", _M002_FTS),
    ("003_expected_reports", _M003_EXPECTED_REPORTS),
    ("004_stats_placed_by", _M004_STATS_PLACED_BY),
]


def applied(db: sqlite3.Connection) -> list[str]:
    db.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    return [r[0] for r in db.execute("SELECT name FROM _migrations ORDER BY name")]


def migrate(db: sqlite3.Connection, steps: list[tuple[str, Step]] | None = None) -> list[str]:
    """Apply every step not yet recorded; return the names applied now."""
    done = set(applied(db))
    ran: list[str] = []
    for name, step in steps if steps is not None else MIGRATIONS:
        if name in done:
            continue
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        try:
            db.executescript(
                f"BEGIN IMMEDIATE;\n{step}\n;INSERT INTO _migrations(name, applied_at) VALUES ('{name}', '{stamp}');\nCOMMIT;"
            )
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        ran.append(name)
    return ran
