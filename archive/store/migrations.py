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


# Which documents an article page links to, with their text: attachments (kind `attachment`) and the
# images in its body (kind `image`). A fact of the page's bytes (keyed by its SHA-256), written when the page
# is stored, so interpretation reads from the archive alone whether a page is a report itself, the carrier
# of its attachments, or a report whose tables are images (archive/derive.py).
_M004_LINKS = """
        CREATE TABLE links (
            page_sha256 TEXT NOT NULL, page_url TEXT NOT NULL, url TEXT NOT NULL, text TEXT,
            kind TEXT NOT NULL DEFAULT 'attachment',
            PRIMARY KEY (page_sha256, url)
        );
        CREATE INDEX links_url ON links(url, page_url);
"""


# The labels of the canonical codes (report-format.md), seeded once; a vocabulary change is a new step
# (tests/test_corpus.py compares this table with archive/report/codes.py).
_M005_CODES = """
        INSERT OR IGNORE INTO codes(section, kind, code, label) VALUES
            ('active', 'section', 'active', '主动公开政府信息情况'),
            ('applications', 'section', 'applications', '收到和处理政府信息公开申请情况'),
            ('appeals', 'section', 'appeals', '政府信息公开行政复议、行政诉讼情况'),
            ('active', 'row', 'art20_1.regulations', '规章'),
            ('active', 'row', 'art20_1.normative_docs', '规范性文件'),
            ('active', 'row', 'art20_5.licensing', '行政许可'),
            ('active', 'row', 'art20_5.other_services', '其他对外管理服务事项'),
            ('active', 'row', 'art20_6.penalty', '行政处罚'),
            ('active', 'row', 'art20_6.coercion', '行政强制'),
            ('active', 'row', 'art20_8.fees', '行政事业性收费'),
            ('active', 'row', 'art20_9.procurement', '政府集中采购'),
            ('active', 'col', 'made', '本年新制作数量'),
            ('active', 'col', 'published', '本年新公开数量'),
            ('active', 'col', 'total_public', '对外公开总数量'),
            ('active', 'col', 'prev_items', '上一年项目数量'),
            ('active', 'col', 'change', '本年增/减'),
            ('active', 'col', 'decisions', '处理决定数量'),
            ('active', 'col', 'projects', '采购项目数量'),
            ('active', 'col', 'amount_10k_yuan', '采购总金额'),
            ('active', 'col', 'issued', '本年制发件数'),
            ('active', 'col', 'repealed', '本年废止件数'),
            ('active', 'col', 'in_force', '现行有效件数'),
            ('applications', 'row', 'new', '一、本年新收政府信息公开申请数量'),
            ('applications', 'row', 'carried_over', '二、上年结转政府信息公开申请数量'),
            ('applications', 'row', 'granted', '三（一）予以公开'),
            ('applications', 'row', 'partial', '三（二）部分公开（区分处理的，只计这一情形，不计其他情形）'),
            ('applications', 'row', 'denied.state_secret', '三（三）1. 属于国家秘密'),
            ('applications', 'row', 'denied.prohibited_by_law', '三（三）2. 其他法律行政法规禁止公开'),
            ('applications', 'row', 'denied.security_stability', '三（三）3. 危及“三安全一稳定”'),
            ('applications', 'row', 'denied.third_party', '三（三）4. 保护第三方合法权益'),
            ('applications', 'row', 'denied.internal_affairs', '三（三）5. 属于三类内部事务信息'),
            ('applications', 'row', 'denied.process_info', '三（三）6. 属于四类过程性信息'),
            ('applications', 'row', 'denied.enforcement_file', '三（三）7. 属于行政执法案卷'),
            ('applications', 'row', 'denied.query_service', '三（三）8. 属于行政查询事项'),
            ('applications', 'row', 'unavailable.not_held', '三（四）1. 本机关不掌握相关政府信息'),
            ('applications', 'row', 'unavailable.needs_creation', '三（四）2. 没有现成信息需要另行制作'),
            ('applications', 'row', 'unavailable.unclear', '三（四）3. 补正后申请内容仍不明确'),
            ('applications', 'row', 'not_processed.petition', '三（五）1. 信访举报投诉类申请'),
            ('applications', 'row', 'not_processed.repeated', '三（五）2. 重复申请'),
            ('applications', 'row', 'not_processed.publication', '三（五）3. 要求提供公开出版物'),
            ('applications', 'row', 'not_processed.excessive', '三（五）4. 无正当理由大量反复申请'),
            ('applications', 'row', 'not_processed.confirmation', '三（五）5. 要求行政机关确认或重新出具已获取信息'),
            ('applications', 'row', 'other', '三（六）其他处理'),
            ('applications', 'row', 'other.no_correction', '三（六）1. 申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请'),
            ('applications', 'row', 'other.no_fee', '三（六）2. 申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请'),
            ('applications', 'row', 'other.other', '三（六）3. 其他'),
            ('applications', 'row', 'processed_total', '三（七）总计'),
            ('applications', 'row', 'carried_forward', '四、结转下年度继续办理'),
            ('applications', 'col', 'natural_person', '自然人'),
            ('applications', 'col', 'commercial', '商业企业'),
            ('applications', 'col', 'research', '科研机构'),
            ('applications', 'col', 'social_welfare', '社会公益组织'),
            ('applications', 'col', 'legal_service', '法律服务机构'),
            ('applications', 'col', 'other_org', '其他'),
            ('applications', 'col', 'total', '总计'),
            ('appeals', 'row', 'review', '行政复议'),
            ('appeals', 'row', 'litigation_direct', '行政诉讼—未经复议直接起诉'),
            ('appeals', 'row', 'litigation_after_review', '行政诉讼—复议后起诉'),
            ('appeals', 'col', 'upheld', '结果维持'),
            ('appeals', 'col', 'corrected', '结果纠正'),
            ('appeals', 'col', 'other', '其他结果'),
            ('appeals', 'col', 'pending', '尚未审结'),
            ('appeals', 'col', 'total', '总计');
"""


# How a figure was placed on the template (archive.model.Stat.placed_by): label, number, order, derived.
# NULL for figures stored before the mapper recorded it (reprocess fills it).
_M006_STATS_PLACED_BY = """
ALTER TABLE report_stats ADD COLUMN placed_by TEXT;
"""


# What a crawl and a rebuild must agree on, kept as facts of the bytes and of the fetch:
# - the members of a package (ZIP/RAR/7z), read once per package blob, each a document of its own;
# - the URL a link named when the server redirected it elsewhere (captures.url is where the bytes came from);
# - the URL of the copy a report's figures come from (the best copy's address, beside reports.sha256).
# The full-text index is rewritten only when a report's title or text changes.
_M007_MEMBERS_LINKS_SOURCES = """
        CREATE TABLE members (
            package_sha256 TEXT NOT NULL, name TEXT NOT NULL, sha256 TEXT NOT NULL, size INTEGER NOT NULL,
            media_type TEXT, PRIMARY KEY (package_sha256, name)
        );
        CREATE INDEX members_sha ON members(sha256);
        ALTER TABLE captures ADD COLUMN link_url TEXT;
        CREATE INDEX captures_link_url ON captures(link_url);
        ALTER TABLE reports ADD COLUMN source_url TEXT;
        UPDATE reports SET source_url = (SELECT min(rs.url) FROM report_sources rs
                                         WHERE rs.report_id = reports.id AND rs.sha256 = reports.sha256)
        WHERE sha256 IS NOT NULL;
        DROP TRIGGER reports_au;
        CREATE TRIGGER reports_au AFTER UPDATE OF title, text ON reports BEGIN
            INSERT INTO reports_fts(reports_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
            INSERT INTO reports_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
        END;
"""


# What a lossless WARC needs of each HTTP exchange, beside the capture (issue 12): the request as sent
# (method, URL, header lines in order), the status line and header lines as received, and the body's blob
# when `captures.sha256` does not name it (a redirect's or an error page's body). The payload stays in the
# blob store only. `decoded`: content codings the crawler removed before storing the payload; `rendered`:
# the payload is a browser's DOM after scripts (scrapy-playwright), not the bytes the server sent.
# Redirect hops are captures of their own with role 'redirect' (status 3xx, Location among the headers).
_M008_CAPTURE_HTTP = """
        CREATE TABLE capture_http (
            capture_id INTEGER PRIMARY KEY REFERENCES captures(id),
            method TEXT NOT NULL, request_url TEXT NOT NULL, request_headers TEXT NOT NULL,
            protocol TEXT, reason TEXT, response_headers TEXT NOT NULL,
            payload_sha256 TEXT, decoded TEXT, rendered INTEGER NOT NULL DEFAULT 0, source TEXT
        );
        CREATE INDEX capture_http_payload ON capture_http(payload_sha256);
"""


# The monitor must not cry wolf: a report is `missing` only when the site's report list answered after the
# deadline; otherwise nobody looked (portal unreachable, or not crawled since) and it is `not_checked`.
# `checked_at` is the last time a list page of the site answered (a capture with role `list`, no error);
# it is UTC, the deadline a date in China (UTC+8).
_M011_EXPECTED_NOT_CHECKED = """
        DROP VIEW expected_reports;
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
            ) AS rid,
            (
                SELECT max(c.fetched_at) FROM captures c
                WHERE c.site_id = e.site_id AND c.role = 'list' AND c.error IS NULL AND c.status < 400
            ) AS checked_at
            FROM expected e
        )
        SELECT m.site_id, m.agency, m.year, m.deadline,
               CASE
                   WHEN r.id IS NULL AND m.deadline >= date('now') THEN 'not_due'
                   WHEN r.id IS NULL AND (m.checked_at IS NULL
                                          OR substr(datetime(m.checked_at, '+8 hours'), 1, 10) <= m.deadline)
                       THEN 'not_checked'
                   WHEN r.id IS NULL THEN 'missing'
                   WHEN r.removed_at IS NOT NULL THEN 'removed'
                   WHEN COALESCE(r.published_at, substr(r.first_seen, 1, 10)) <= m.deadline THEN 'on_time'
                   ELSE 'late'
               END AS status,
               r.id AS report_id, r.agency AS report_agency, r.published_at, r.first_seen, r.removed_at,
               m.checked_at
        FROM matched m
        LEFT JOIN reports r ON r.id = m.rid;
"""


# An https answer kept despite a bad certificate (expired, self-signed, another host's) says so.
_M012_CAPTURES_TLS_ERROR = """
        ALTER TABLE captures ADD COLUMN tls_error TEXT;
"""


# A national corpus (100,000 reports, 20 million figures; benchmarks/corpus_scale.py) asks for indexes the
# first ones lacked, so that searches and Datasette's facets read indexes, not report rows of a few kB each:
# - a body's reports (the report page's other years, the body facet, the writer's upsert), with the region
#   so the body facet of a region reads no row;
# - a site's reports with their region (the site facet; the monitor's per-site pass at the end of a crawl);
# - the listing columns (year, body, region, kind, template) in one covering index: a search finding tens
#   of thousands of reports filters and orders them here, and the year, kind and template facets read no
#   row (it replaces reports_year, its prefix);
# - the last two characters of each title and text: a two-character word is found through the trigrams it
#   begins, except at the very end of a title or text, where these find it
#   (govarchive/datasette_plugin/search.py);
# - the figures of one code in report order (report_stats_code gains report_id): Datasette's figures table
#   filtered by a code lists its first rows without sorting 100,000 of them.
_M013_SCALE_INDEXES = """
        CREATE INDEX reports_agency ON reports(agency, year, kind, region);
        CREATE INDEX reports_site ON reports(site_id, region);
        CREATE INDEX reports_listing ON reports(year, agency, region, kind, template);
        DROP INDEX reports_year;
        CREATE INDEX reports_title_end ON reports(substr(title, -2));
        CREATE INDEX reports_text_end ON reports(substr(text, -2));
        DROP INDEX report_stats_code;
        CREATE INDEX report_stats_code ON report_stats(section, row, col, report_id);
"""


# A shared crawl's corpus writer (archive/sharedcrawl/writer.py) notes each captures-stream entry it applied in the
# same transaction as the entry's rows: a writer killed before acknowledging it, and the one taking over,
# never apply it twice. Rows of a run are dropped when the run closes.
_M014_STREAM_APPLIED = """
        CREATE TABLE stream_applied (
            crawl_id INTEGER NOT NULL,
            entry TEXT NOT NULL,
            PRIMARY KEY (crawl_id, entry)
        ) WITHOUT ROWID;
"""


# A copy that calls itself a corrected version (（更正版）, （修订）) supersedes the earlier copies of its report:
# the figures come from the latest revision, the earlier copies stay as history (superseded in the view).
_M015_REPORT_SOURCES_REVISION = """
ALTER TABLE report_sources ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
"""

# Discovery health: per run and site, what was fetched and found, and why the site is flagged
# (archive/products/health.py).
_M016_SITE_RUNS = """
CREATE TABLE site_runs (
    run_id INTEGER NOT NULL REFERENCES crawl_runs(id), site_id TEXT NOT NULL,
    pages INTEGER NOT NULL, reports INTEGER NOT NULL, list_errors INTEGER NOT NULL, flag TEXT,
    PRIMARY KEY (run_id, site_id)
);
CREATE INDEX site_runs_site ON site_runs(site_id, run_id);
"""


# One body, one identity (issue 19): a report belongs to a body (`bodies`: a stable id, its canonical name,
# kind, division code and place, the county it counts under), whatever spelling a copy prints
# (`body_aliases`: every spelling met, where first; `report_sources.printed_agency` the copy's own).
# `body_decisions` are a person's merges, splits and ends (who, when, why): never derived, re-applied by
# `reprocess`. Expectations (`expected_bodies`, written by the monitor from the sites file, a roster file and
# every body that published before) replace the sites-file names of 003/011; a body's deadline follows its
# kind (government 31 March, every other 31 January); a file ingested for a site counts as a look at it.
# `region_compliance` counts the expected reports of each county by status (the watchdog's table).
# `agency_names` (the monitor's tolerant keys of 001) goes: bodies are those keys.
# Existing rows get their bodies when the corpus is next opened (archive/store/corpus.py); `reprocess`
# folds the reports of one body printed in two spellings into one.
_M017_BODIES = """
CREATE TABLE bodies (
    id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, name TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,
    division_code TEXT, place TEXT, county_code TEXT, county TEXT, parsed INTEGER NOT NULL,
    merged_into INTEGER REFERENCES bodies(id), until_year INTEGER
);
CREATE INDEX bodies_county ON bodies(county_code);
CREATE TABLE body_aliases (
    name TEXT NOT NULL, site_id TEXT NOT NULL, body_id INTEGER NOT NULL REFERENCES bodies(id),
    url TEXT, first_seen TEXT, PRIMARY KEY (name, site_id)
);
CREATE INDEX body_aliases_body ON body_aliases(body_id);
CREATE TABLE body_decisions (
    id INTEGER PRIMARY KEY, action TEXT NOT NULL, subject TEXT NOT NULL, other TEXT, year INTEGER,
    why TEXT NOT NULL, who TEXT NOT NULL, at TEXT NOT NULL
);
ALTER TABLE reports ADD COLUMN body_id INTEGER REFERENCES bodies(id);
CREATE INDEX reports_body ON reports(body_id, year, kind);
ALTER TABLE report_sources ADD COLUMN body_id INTEGER REFERENCES bodies(id);
ALTER TABLE report_sources ADD COLUMN printed_agency TEXT;
DROP TABLE agency_names;
CREATE TABLE roster (
    site_id TEXT NOT NULL, division_code TEXT, name TEXT NOT NULL, kind TEXT, since INTEGER, until INTEGER
);
CREATE TABLE expected_bodies (
    site_id TEXT NOT NULL, body_id INTEGER, agency TEXT NOT NULL, kind TEXT NOT NULL, since INTEGER NOT NULL,
    until INTEGER, source TEXT NOT NULL
);
DROP VIEW expected_reports;
CREATE VIEW expected_reports AS
WITH RECURSIVE years(year) AS (
    SELECT 1990 UNION ALL SELECT year + 1 FROM years WHERE year < CAST(strftime('%Y', 'now') AS INTEGER)
),
expected AS (
    SELECT e.site_id, e.body_id, e.agency, e.kind, e.source, y.year,
           printf('%04d-%s', y.year + 1, CASE WHEN e.kind = 'government' THEN '03-31' ELSE '01-31' END)
             AS deadline
    FROM expected_bodies e JOIN years y ON y.year >= e.since AND y.year <= COALESCE(e.until, 9999)
),
matched AS (
    SELECT e.*, (
        SELECT r.id FROM reports r
        WHERE r.body_id = e.body_id AND r.year = e.year AND r.kind = 'annual_report'
        ORDER BY r.removed_at IS NOT NULL, COALESCE(r.published_at, r.first_seen), r.id
        LIMIT 1
    ) AS rid,
    (
        SELECT max(c.fetched_at) FROM captures c
        WHERE c.site_id = e.site_id AND c.error IS NULL
          AND ((c.role = 'list' AND c.status < 400) OR c.role = 'file')
    ) AS checked_at
    FROM expected e
)
SELECT m.site_id, m.agency, m.year, m.deadline,
       CASE
           WHEN r.id IS NULL AND m.deadline >= date('now') THEN 'not_due'
           WHEN r.id IS NULL AND (m.checked_at IS NULL
                                  OR substr(datetime(m.checked_at, '+8 hours'), 1, 10) <= m.deadline)
               THEN 'not_checked'
           WHEN r.id IS NULL THEN 'missing'
           WHEN r.removed_at IS NOT NULL THEN 'removed'
           WHEN COALESCE(r.published_at, substr(r.first_seen, 1, 10)) <= m.deadline THEN 'on_time'
           ELSE 'late'
       END AS status,
       r.id AS report_id, r.agency AS report_agency, r.published_at, r.first_seen, r.removed_at,
       m.checked_at, m.body_id, m.kind AS body_kind, m.source, m.source = 'inferred' AS inferred
FROM matched m
LEFT JOIN reports r ON r.id = m.rid;
CREATE VIEW region_compliance AS
SELECT COALESCE(b.county_code, '') AS division_code, COALESCE(b.county, '') AS region, e.year,
       count(*) AS expected, sum(e.status = 'on_time') AS on_time, sum(e.status = 'late') AS late,
       sum(e.status = 'missing') AS missing, sum(e.status = 'removed') AS removed,
       sum(e.status = 'not_checked') AS not_checked
FROM expected_reports e LEFT JOIN bodies b ON b.id = e.body_id
WHERE e.status != 'not_due'
GROUP BY 1, 2, e.year;
"""

# Where each figure was read, so a researcher can see it in the original (issue 21, citable figures):
# documents.cells holds, beside `tables`, the place of every cell (JSON, archive/model.py `Where.to_json`);
# a figure's place is copied to its report_stats row: `src_page` and `src_box` ("x0,y0,x1,y1", points from
# the page's top-left) for PDF, OFD and scans; `src_table`, `src_row`, `src_col` (1-based, the document's
# own numbering; for spreadsheets sheet, row and column) for DOCX, XLSX and HTML.
_M020_FIGURE_PLACES = """
ALTER TABLE documents ADD COLUMN cells TEXT;
ALTER TABLE report_stats ADD COLUMN src_page INTEGER;
ALTER TABLE report_stats ADD COLUMN src_box TEXT;
ALTER TABLE report_stats ADD COLUMN src_table INTEGER;
ALTER TABLE report_stats ADD COLUMN src_row INTEGER;
ALTER TABLE report_stats ADD COLUMN src_col INTEGER;
"""

# The population of a place, filled by the operator (a census, a statistical yearbook): the denominator of
# "requests per 10,000 residents" (archive/report/measures.py). Keyed by the reports' region path; blank
# (no row) is unknown. Not derived: reprocess leaves it alone.
_M021_RATES_LISTING = """
CREATE TABLE populations (
    region TEXT NOT NULL, year INTEGER NOT NULL, population INTEGER NOT NULL CHECK (population > 0),
    source TEXT, PRIMARY KEY (region, year)
);
-- The reports page (/reports): one index per order it offers and per filter that is no prefix of one, so
-- a page of 50 at 100,000 reports reads an index, not the table (govarchive/datasette_plugin/listing.py).
CREATE INDEX reports_year_desc ON reports(year DESC, agency, id);
CREATE INDEX reports_published ON reports(published_at, id);
CREATE INDEX reports_region ON reports(region, year);
CREATE INDEX report_checks_failed ON report_checks(rule, report_id) WHERE status = 'failed';
"""

# Places of figures read from a document's text (tables rebuilt from a PDF's text layer, an HTML table written
# as paragraphs; archive/textplaces.py): documents.text_places holds the place of each figure-like token of
# `text` (JSON [start, end, *place]); a figure placed in an HTML block gets report_stats.src_element (the
# block's XPath) and src_span ("start,end": its characters in that element's text). PDF text figures use
# src_page/src_box as table cells do.
_M032_TEXT_PLACES = """
ALTER TABLE documents ADD COLUMN text_places TEXT;
ALTER TABLE report_stats ADD COLUMN src_element TEXT;
ALTER TABLE report_stats ADD COLUMN src_span TEXT;
"""

MIGRATIONS: list[tuple[str, Step]] = [
    ("001_initial", _M001_INITIAL),
    ("002_fts_trigram", _M002_FTS),
    ("003_expected_reports", _M003_EXPECTED_REPORTS),
    ("004_links", _M004_LINKS),
    ("005_codes", _M005_CODES),
    ("006_stats_placed_by", _M006_STATS_PLACED_BY),
    ("007_members_links_sources", _M007_MEMBERS_LINKS_SOURCES),
    ("008_capture_http", _M008_CAPTURE_HTTP),
    ("011_expected_not_checked", _M011_EXPECTED_NOT_CHECKED),
    ("012_captures_tls_error", _M012_CAPTURES_TLS_ERROR),
    ("013_scale_indexes", _M013_SCALE_INDEXES),
    ("014_stream_applied", _M014_STREAM_APPLIED),
    ("015_report_sources_revision", _M015_REPORT_SOURCES_REVISION),
    ("016_site_runs", _M016_SITE_RUNS),
    ("017_bodies", _M017_BODIES),
    ("020_figure_places", _M020_FIGURE_PLACES),
    ("021_rates_listing", _M021_RATES_LISTING),
    ("032_text_places", _M032_TEXT_PLACES),
]


def has_table(db: sqlite3.Connection, name: str) -> bool:
    """Whether the corpus has table `name`: a reader of a corpus an older version made (read-only, not
    migrated) leaves out what a later migration added."""
    return bool(
        db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone()
    )


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
