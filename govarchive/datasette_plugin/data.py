"""The researcher's pages read the corpus through these plain functions of a sqlite3 connection (run in
Datasette's SQL threads by `Database.execute_fn`), so every query is testable without a server."""

from __future__ import annotations

import sqlite3
from typing import Any

Row = dict[str, Any]
Key = tuple[str, str, str]


def number(v: Any) -> Any:
    """report_stats.value is REAL (a figure may be an amount in 10k yuan); a count comes out as 2, not 2.0."""
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def _rows(conn: sqlite3.Connection, sql: str, params: Any = ()) -> list[Row]:
    cur = conn.cursor()
    cur.row_factory = sqlite3.Row
    return [dict(r) for r in cur.execute(sql, params)]


def region_range(column: str = "r.region") -> str:
    """A region matches itself and every place under it (示范省/示范市 covers 示范省/示范市/示范县), as a range
    an index on `column` can seek: every text that begins with `region/` sorts from `region/` up to, not
    including, `region0` ('0' follows '/')."""
    return f"({column} = :region OR ({column} >= :region || '/' AND {column} < :region || '0'))"


def report(conn: sqlite3.Connection, rid: int) -> Row | None:
    rows = _rows(
        conn,
        """SELECT r.id, r.site_id, r.agency, r.region, r.year, r.kind, r.title, r.template, r.published_at,
                  r.page_url, r.source_url, r.sha256, r.text, r.first_seen, r.last_seen, r.removed_at,
                  s.name AS site_name
           FROM reports r LEFT JOIN sites s ON s.id = r.site_id WHERE r.id = ?""",
        (rid,),
    )
    return rows[0] if rows else None


def sources(conn: sqlite3.Connection, rid: int) -> list[Row]:
    return _rows(
        conn,
        """SELECT rs.sha256, rs.url, rs.format, rs.first_seen, rs.last_seen, rs.removed_at,
                  d.media_type, d.size, d.filename, d.extractor, d.ocr, d.error, rs.revision,
                  rs.revision < (SELECT max(x.revision) FROM report_sources x WHERE x.report_id = rs.report_id)
                    AS superseded
           FROM report_sources rs LEFT JOIN documents d ON d.sha256 = rs.sha256
           WHERE rs.report_id = ? ORDER BY rs.first_seen, rs.url""",
        (rid,),
    )


def stats(conn: sqlite3.Connection, rid: int) -> list[Row]:
    rows = _rows(
        conn,
        """SELECT section, row, col, value, raw, row_label, col_label, placed_by, ocr
           FROM report_stats WHERE report_id = ?""",
        (rid,),
    )
    for r in rows:
        r["value"] = number(r["value"])
    return rows


def checks(conn: sqlite3.Connection, rid: int) -> list[Row]:
    return _rows(
        conn, "SELECT rule, status, detail FROM report_checks WHERE report_id = ? ORDER BY rule", (rid,)
    )


def body_name(conn: sqlite3.Connection, agency: str) -> str:
    """The body's name for any spelling of it met in a document (the name itself when none is)."""
    row = conn.execute(
        """SELECT b.name FROM body_aliases a JOIN bodies b ON b.id = a.body_id
           WHERE a.name = ? AND NOT EXISTS (SELECT 1 FROM bodies WHERE name = ?) ORDER BY b.id LIMIT 1""",
        (agency, agency),
    ).fetchone()
    return str(row[0]) if row else agency


def body_aliases(conn: sqlite3.Connection, agency: str) -> list[str]:
    """The spellings of a body met in documents, other than its name."""
    return [
        r[0]
        for r in conn.execute(
            """SELECT DISTINCT a.name FROM body_aliases a JOIN bodies b ON b.id = a.body_id
               WHERE b.name = ? AND a.name != b.name ORDER BY a.name""",
            (agency,),
        )
    ]


def regions(conn: sqlite3.Connection, year: int | None = None) -> list[Row]:
    """The expected reports of each county by status (view `region_compliance`)."""
    where, args = ("WHERE year = ?", (year,)) if year is not None else ("", ())
    return _rows(conn, f"SELECT * FROM region_compliance {where} ORDER BY year DESC, division_code", args)


def body_reports(conn: sqlite3.Connection, agency: str) -> list[Row]:
    """Every report of one body, oldest first (the body's other years)."""
    return _rows(
        conn,
        """SELECT id, year, kind, template, title, published_at, region, removed_at FROM reports
           WHERE agency = ? ORDER BY year, kind, id""",
        (agency,),
    )


def values_of(conn: sqlite3.Connection, report_ids: list[int], keys: list[Key]) -> dict[tuple[int, Key], Any]:
    """{(report_id, (section, row, col)): value} for the given reports and codes."""
    if not report_ids or not keys:
        return {}
    marks = ",".join("?" * len(report_ids))
    out: dict[tuple[int, Key], Any] = {}
    wanted = set(keys)
    for r in _rows(
        conn,
        f"SELECT report_id, section, row, col, value FROM report_stats WHERE report_id IN ({marks})",
        report_ids,
    ):
        k = (r["section"], r["row"], r["col"])
        if k in wanted:
            out[(r["report_id"], k)] = number(r["value"])
    return out


def figure(
    conn: sqlite3.Connection,
    key: Key,
    *,
    region: str = "",
    year: int | None = None,
    agency: str = "",
) -> list[Row]:
    """One figure in every report (optionally of a region, a year or a body): comparable across bodies."""
    where = ["s.section = :section", "s.row = :row", "s.col = :col"]
    params: dict[str, Any] = {"section": key[0], "row": key[1], "col": key[2]}
    if region:
        where.append(region_range())
        params["region"] = region
    if year is not None:
        # With a place or a body, their index leads (+ keeps SQLite from reading a whole year's reports).
        where.append("+r.year = :year" if region or agency else "r.year = :year")
        params["year"] = year
    if agency:
        where.append("r.agency = :agency")
        params["agency"] = agency
    # A place or a body names few reports: read them first (their index), then each one's figure by key,
    # instead of the figure in all 100,000 reports (CROSS JOIN fixes the order for SQLite's planner).
    joined = "reports r CROSS JOIN report_stats s" if region or agency else "report_stats s JOIN reports r"
    rows = _rows(
        conn,
        f"""SELECT r.id AS report_id, r.agency, r.region, r.year, r.kind, r.template, s.value, s.raw,
                   s.placed_by
            FROM {joined} ON r.id = s.report_id
            WHERE {" AND ".join(where)} ORDER BY r.year, r.agency, r.id""",
        params,
    )
    for r in rows:
        r["value"] = number(r["value"])
    return rows


# More bodies or regions than this and a filter is a text box with suggestions, not a select: a national
# corpus has ~100,000 bodies, whose <option>s alone would be megabytes on every page.
CHOICES_LIMIT = 400


def choices(conn: sqlite3.Connection) -> dict[str, Any]:
    """The values the filters offer: years, regions (every level; only the top two when there are too many),
    bodies (none when there are too many: `agencies_complete` False), kinds."""
    years = [
        r["year"]
        for r in _rows(conn, "SELECT DISTINCT year FROM reports WHERE year IS NOT NULL ORDER BY year DESC")
    ]
    regions: set[str] = set()
    for r in _rows(conn, "SELECT DISTINCT region FROM reports WHERE region IS NOT NULL AND region != ''"):
        parts = r["region"].split("/")
        regions.update("/".join(parts[: i + 1]) for i in range(len(parts)))
    regions_complete = len(regions) <= CHOICES_LIMIT
    if not regions_complete:
        regions = {r for r in regions if r.count("/") <= 1}
    agencies = [
        r["agency"]
        for r in _rows(
            conn,
            "SELECT DISTINCT agency FROM reports WHERE agency IS NOT NULL ORDER BY agency LIMIT ?",
            (CHOICES_LIMIT + 1,),
        )
    ]
    agencies_complete = len(agencies) <= CHOICES_LIMIT
    kinds = [
        r["kind"]
        for r in _rows(conn, "SELECT DISTINCT kind FROM reports WHERE kind IS NOT NULL ORDER BY kind")
    ]
    return {
        "years": years,
        "regions": sorted(regions),
        "regions_complete": regions_complete,
        "agencies": agencies if agencies_complete else [],
        "agencies_complete": agencies_complete,
        "kinds": kinds,
    }


def counts(conn: sqlite3.Connection) -> dict[str, int]:
    """How many years, bodies and regions (of reports) the corpus has, for the home page."""
    row = conn.execute(
        "SELECT count(DISTINCT year), count(DISTINCT agency), count(DISTINCT region) FROM reports"
    ).fetchone()
    return {"years": row[0], "bodies": row[1], "regions": row[2]}


def region_exists(conn: sqlite3.Connection, region: str) -> bool:
    """Some report is of this region or of a place under it."""
    return bool(
        conn.execute(
            "SELECT 1 FROM reports WHERE region = ? OR (region > ? || '/' AND region < ? || '0') LIMIT 1",
            (region, region, region),
        ).fetchone()
    )


def blob(conn: sqlite3.Connection, sha256: str) -> Row | None:
    """The document the corpus names by this SHA-256, with a report it is a copy of (for its file name)."""
    rows = _rows(
        conn,
        """SELECT d.sha256, d.media_type, d.filename, d.first_url, d.size,
                  (SELECT r.agency FROM report_sources rs JOIN reports r ON r.id = rs.report_id
                   WHERE rs.sha256 = d.sha256 ORDER BY r.id LIMIT 1) AS agency,
                  (SELECT r.year FROM report_sources rs JOIN reports r ON r.id = rs.report_id
                   WHERE rs.sha256 = d.sha256 ORDER BY r.id LIMIT 1) AS year
           FROM documents d WHERE d.sha256 = ?""",
        (sha256,),
    )
    return rows[0] if rows else None


def previous_report(conn: sqlite3.Connection, rid: int) -> Row | None:
    """The same body's report of the latest earlier year (same kind), the base of a year-over-year view."""
    rows = _rows(
        conn,
        """SELECT p.id, p.year FROM reports r JOIN reports p
             ON p.agency = r.agency AND p.kind = r.kind AND p.year < r.year
           WHERE r.id = ? ORDER BY p.year DESC, p.id LIMIT 1""",
        (rid,),
    )
    return rows[0] if rows else None


def figure_source(conn: sqlite3.Connection, sha256: str | None) -> Row | None:
    """What the extraction made of the copy a report's figures come from: its format, error, OCR, tables."""
    if not sha256:
        return None
    rows = _rows(
        conn,
        """SELECT media_type, error, ocr, pages, extractor,
                  CASE WHEN json_valid(tables) THEN json_array_length(tables) ELSE 0 END AS n_tables
           FROM documents WHERE sha256 = ?""",
        (sha256,),
    )
    return rows[0] if rows else None


def no_figures_reason(report: Row, doc: Row | None) -> tuple[str, str]:
    """Why a report has no figures, in Chinese and English, from what the corpus knows of it."""
    kind = report.get("kind")
    if kind != "annual_report":
        return (
            "这不是年度报告（而是工作总结等），没有国家模板的统计表",
            "not an annual report (a work summary or the like): it has no tables of the national template",
        )
    if doc is None:
        return "存档中没有可读取数字的文件", "no archived document to read figures from"
    if doc["error"]:
        return f"文件无法读取：{doc['error']}", f"the document could not be read: {doc['error']}"
    if doc["ocr"]:
        return (
            "这是扫描件，文字识别（OCR）未能从中读出统计表",
            "the document is a scan, and OCR read no table of the template from it",
        )
    if not doc["n_tables"]:
        return (
            "文件中没有表格，正文中也没有找到模板的统计表",
            "the document holds no table, and its text holds none of the template's",
        )
    n = doc["n_tables"]
    return (
        f"文件中有 {n} 个表格，但都不是国家模板的统计表",
        f"the document holds {n} table(s), none of them a table of the national template",
    )


def figure_place(conn: sqlite3.Connection, rid: int, key: Key) -> Row | None:
    """One figure with where it was read (migrations 020 and 032's columns) and the original it was read from: its
    media type, when it was first archived and the URL of this report's copy of it."""
    rows = _rows(
        conn,
        """SELECT s.section, s.row, s.col, s.value, s.raw, s.placed_by, s.ocr, s.source_sha256,
                  s.src_page, s.src_box, s.src_table, s.src_row, s.src_col, s.src_element, s.src_span,
                  d.media_type, d.first_seen AS archived_at, d.pages,
                  (SELECT rs.url FROM report_sources rs WHERE rs.report_id = s.report_id
                     AND rs.sha256 = s.source_sha256 ORDER BY rs.first_seen, rs.url LIMIT 1) AS source_url
           FROM report_stats s LEFT JOIN documents d ON d.sha256 = s.source_sha256
           WHERE s.report_id = ? AND s.section = ? AND s.row = ? AND s.col = ?""",
        (rid, *key),
    )
    if not rows:
        return None
    rows[0]["value"] = number(rows[0]["value"])
    return rows[0]


def document_tables(conn: sqlite3.Connection, sha256: str) -> tuple[list[Any], list[Any]]:
    """The stored grids of a document and the places of their cells (JSON columns tables and cells)."""
    import json

    row = conn.execute("SELECT tables, cells FROM documents WHERE sha256 = ?", (sha256,)).fetchone()
    if row is None:
        return [], []
    return (json.loads(row[0]) if row[0] else [], json.loads(row[1]) if row[1] else [])
