"""Datasette metadata for the corpus: titles, descriptions, Chinese labels and canned queries."""

from __future__ import annotations

from typing import Any

from archive.report import codes
from govarchive.datasette_plugin import rates, vocab

CANNED_QUERIES: dict[str, dict[str, Any]] = {
    "figures_by_code": {
        "title": "One figure across all reports (e.g. applications received)",
        "description": "Pick a section, row and column code; every report's value, comparable across bodies and years.",
        "sql": """SELECT r.id AS report_id, r.agency, r.region, r.year, r.template,
  CASE WHEN s.value = CAST(s.value AS INTEGER) THEN CAST(s.value AS INTEGER) ELSE s.value END AS value,
  s.raw, s.row_label, s.col_label
FROM report_stats s JOIN reports r ON r.id = s.report_id
WHERE s.section = :section AND s.row = :row AND s.col = :col
ORDER BY r.year DESC, r.agency""",
    },
    "applications_overview": {
        "title": "Applications received, granted, partly granted and processed per report",
        "sql": """SELECT r.id AS report_id, r.agency, r.year,
  CAST(max(CASE WHEN s.row = 'new' THEN s.value END) AS INTEGER) AS received,
  CAST(max(CASE WHEN s.row = 'granted' THEN s.value END) AS INTEGER) AS granted,
  CAST(max(CASE WHEN s.row = 'partial' THEN s.value END) AS INTEGER) AS partly_granted,
  CAST(max(CASE WHEN s.row = 'processed_total' THEN s.value END) AS INTEGER) AS processed,
  CAST(max(CASE WHEN s.row = 'carried_forward' THEN s.value END) AS INTEGER) AS carried_forward
FROM reports r JOIN report_stats s ON s.report_id = r.id AND s.section = 'applications' AND s.col = 'total'
GROUP BY r.id ORDER BY r.year DESC, r.agency""",
    },
    "failed_checks": {
        "title": "Reports whose published figures break a consistency rule (勾稽关系)",
        "sql": """SELECT r.id AS report_id, r.agency, r.year, c.rule, c.detail
FROM report_checks c JOIN reports r ON r.id = c.report_id WHERE c.status = 'failed'
ORDER BY r.year DESC, r.agency""",
    },
    "missing_reports": {
        "title": "Expected reports that are missing, late or removed, or not checked (article 49 deadlines)",
        "description": "not_checked: no list page of the site answered after the deadline (portal down or not crawled since), so nothing is claimed; checked_at is the last time one did.",
        "sql": """SELECT site_id, agency, year, deadline, status, published_at, report_id, report_agency, checked_at
FROM expected_reports WHERE status IN ('missing', 'late', 'removed', 'not_checked') ORDER BY year DESC, site_id, agency""",
    },
    "removed_reports": {
        "title": "Reports that vanished from their portal (the archive keeps them)",
        "sql": """SELECT id, site_id, agency, year, title, page_url, removed_at, last_seen FROM reports
WHERE removed_at IS NOT NULL ORDER BY removed_at DESC""",
    },
    "crawl_history": {
        "title": "Crawl runs: new, changed, removed, unchanged reports and errors",
        "sql": """SELECT id, started_at, finished_at, status,
  json_extract(summary, '$."history/new"') AS new, json_extract(summary, '$."history/changed"') AS changed,
  json_extract(summary, '$."history/removed"') AS removed,
  json_extract(summary, '$."history/unchanged"') AS unchanged, json_extract(summary, '$."history/errors"') AS errors
FROM crawl_runs ORDER BY id DESC""",
    },
    "crawl_failures": {
        "title": "What failed in each crawl, by site and reason (requests that failed, documents that could not be read)",
        "sql": """SELECT crawl_id, site_id, reason, count(*) AS n, min(url) AS example_url FROM (
  SELECT crawl_id, COALESCE(site_id, '-') AS site_id, error AS reason, url FROM captures WHERE error IS NOT NULL
  UNION ALL
  SELECT DISTINCT c.crawl_id, COALESCE(c.site_id, '-'), 'unreadable: ' || d.error, c.url FROM captures c
  JOIN documents d ON d.sha256 = c.sha256 WHERE c.error IS NULL AND d.error IS NOT NULL
) GROUP BY crawl_id, site_id, reason ORDER BY crawl_id DESC, n DESC""",
    },
    "report_versions": {
        "title": "Reports whose file changed at the same URL: every archived version",
        "sql": """SELECT r.id, r.agency, r.year, s.url, s.sha256, s.first_seen, s.removed_at, s.sha256 = r.sha256 AS current
FROM report_sources s JOIN reports r ON r.id = s.report_id
WHERE (s.report_id, s.url) IN (SELECT report_id, url FROM report_sources GROUP BY 1, 2 HAVING count(DISTINCT sha256) > 1)
ORDER BY r.id, s.url, s.first_seen""",
    },
    "search_short": {
        "title": "Search report text for a short word (1–2 characters, e.g. 复议)",
        "description": "The full-text index finds 3+ character substrings; this scans the text for shorter ones.",
        "sql": """SELECT id, agency, year, title, substr(text, max(instr(text, :q) - 40, 1), 120) AS context
FROM reports WHERE instr(text, :q) > 0 OR instr(title, :q) > 0 ORDER BY year DESC""",
    },
}


def _template_order_sql() -> str:
    """One report's figures in the order its template prints them (二、三、四, rows top to bottom), with
    English labels: the positions come from archive/report/codes.py through the plugin's vocabulary."""

    def lit(text: str) -> str:
        return "'" + text.replace("'", "''") + "'"

    values = ",\n".join(
        f"({lit(tpl)}, {lit(s)}, {lit(r)}, {lit(c)}, {i}, {lit(vocab.row_en(s, r))}, {lit(vocab.col_en(s, c))})"
        for tpl in codes.TEMPLATES
        for i, (s, r, c) in enumerate(vocab.code_order(tpl))
    )
    return f"""WITH ord(template, section, row, col, position, row_en, col_en) AS (VALUES
{values})
SELECT s.report_id, r.agency, r.year, s.section, s.row, s.col, s.row_label, s.col_label, o.row_en, o.col_en,
  CASE WHEN s.value = CAST(s.value AS INTEGER) THEN CAST(s.value AS INTEGER) ELSE s.value END AS value,
  s.raw, s.placed_by
FROM report_stats s JOIN reports r ON r.id = s.report_id
LEFT JOIN ord o ON o.template = r.template AND o.section = s.section AND o.row = s.row AND o.col = s.col
WHERE s.report_id = :report_id
ORDER BY o.position IS NULL, o.position, s.section, s.row, s.col"""


CANNED_QUERIES["report_figures"] = {
    "title": "One report's figures in its template's order (二、三、四), with English labels",
    "description": "The report page /report/<id> lays the same figures out as the template's tables.",
    "sql": _template_order_sql(),
    "hide_sql": True,
}


def _rates_description() -> str:
    from archive.report import measures

    formulas = "; ".join(f"{r.name} = {r.formula()}" for r in measures.RATES)
    return (
        "The measures of a region's bodies (and the places under it) in a year, ranked by :measure (one of "
        + ", ".join(measures.RATE)
        + "). A blank rate: a figure it needs is blank or its denominator is 0. "
        + formulas
        + f"; on_time: {measures.ON_TIME_FORMULA['en']}. The page /compare/rates shows the same."
    )


CANNED_QUERIES["rates"] = {
    "title": "Rates and rankings of a region's bodies in a year (比率与排名)",
    "description": _rates_description(),
    "sql": rates.canned_sql(),
    "hide_sql": True,
}


def _labelled(section: str) -> str:
    rows = {
        "active": codes.ACTIVE_ROWS,
        "applications": codes.APPLICATION_ROWS,
        "appeals": codes.APPEAL_ROWS,
    }[section]
    return "; ".join(f"{k} = {v}" for k, v in rows.items())


def metadata() -> dict[str, Any]:
    return {
        "title": "govarchive — 政府信息公开工作年度报告",
        "description": (
            "Annual information-disclosure reports of Chinese government bodies, archived from their portals, "
            "with every figure of their statistical tables under canonical codes."
        ),
        "databases": {
            "corpus": {
                "title": "Corpus",
                "description_html": (
                    "Researcher's pages 研究者页面: <a href='/research'>start</a> · <a href='/search'>search 检索</a>"
                    " · <a href='/compare'>compare 比较</a> · <a href='/schema'>schema 数据说明</a>"
                    " · whole exports <a href='/export/figures.csv'>figures.csv</a>"
                    " <a href='/export/reports.csv'>reports.csv</a>. A query's CSV link gives every row."
                ),
                "queries": CANNED_QUERIES,
                "tables": {
                    "reports": {
                        "title": "Reports (body × year × kind)",
                        "description": "Search finds Chinese substrings of 3+ characters (trigram); use the "
                        "search_short query for shorter words.",
                        "sort_desc": "year",
                        "facets": ["year", "kind", "template", "site_id"],
                        "fts_table": "reports_fts",
                        "fts_pk": "id",
                        "columns": {
                            "agency": "发布机关 — the body that published the report",
                            "kind": "annual_report (年度报告) or work_summary (pre-2019 政务公开工作总结)",
                            "template": "2019 = 国办公开办函〔2019〕60号, 2021 = 国办公开办函〔2021〕30号",
                            "sha256": "the archived copy the text and figures come from",
                            "removed_at": "when the portal stopped serving it (the archive keeps it)",
                        },
                    },
                    "report_stats": {
                        "title": "Figures of the statistical tables",
                        "description": "section: active (二、主动公开), applications (三、依申请), appeals (四、复议诉讼). "
                        "value is NULL where the cell was blank; raw keeps the cell text.",
                        "facets": ["section", "row", "col"],
                        "columns": {
                            "row": _labelled("applications"),
                            "row_label": "the template's Chinese label of the row",
                            "col_label": "the template's Chinese label of the column",
                            "placed_by": "how the row was placed on the template: label, number (numbering and "
                            "order, the label damaged), order, or derived (computed, not printed: 2021 other = "
                            "the sum of its three sub-rows)",
                            "src_page": "page of source_sha256 the figure was read on (PDF, OFD, scans)",
                            "src_box": "the cell's region on that page: x0,y0,x1,y1 in points from the top-left",
                            "src_table": "table (DOCX, HTML; every table in document order) or sheet (XLSX)",
                            "src_row": "row of that table as the document writes it (a spreadsheet's row number)",
                            "src_col": "cell within that row (a spreadsheet's column number)",
                            "src_element": "an HTML table written as paragraphs: XPath of the element "
                            "holding the figure",
                            "src_span": "the figure's characters in that element's text: start,end (from 0)",
                        },
                    },
                    "populations": {
                        "title": "Population of a place (常住人口), filled by the operator",
                        "description": "region: a reports.region path; the nearest year to a report's is "
                        "used for requests per 10,000 residents (query rates, /compare/rates). No row: unknown.",
                    },
                    "report_checks": {
                        "title": "Consistency rules (勾稽关系) per report",
                        "facets": ["rule", "status"],
                    },
                    "report_sources": {
                        "title": "Copies of each report (HTML page, PDF, DOCX …)",
                        "facets": ["format"],
                    },
                    "documents": {
                        "title": "Distinct archived content by SHA-256",
                        "facets": ["media_type", "extractor"],
                    },
                    "captures": {
                        "title": "Every HTTP response kept",
                        "facets": ["status", "role", "site_id"],
                    },
                    "codes": {
                        "title": "Canonical codes and their Chinese labels",
                        "facets": ["section", "kind"],
                    },
                    "expected_reports": {
                        "title": "Expected reports and their status (article 49 deadlines)",
                        "facets": ["status", "year", "site_id", "source"],
                    },
                    "bodies": {
                        "title": "Bodies (机关): one id whatever the spelling, with division code and kind",
                        "facets": ["kind", "parsed", "county"],
                    },
                    "body_aliases": {"title": "Every spelling of a body met, and where first"},
                    "body_decisions": {
                        "title": "A person's merges, splits and ends of bodies (who, when, why)"
                    },
                    "region_compliance": {
                        "title": "Expected reports by county (division code): on time, late, missing",
                        "facets": ["year"],
                    },
                },
            }
        },
    }
