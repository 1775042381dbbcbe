"""The reports page (/reports): every report, filtered by region, body, year, kind, template and failing rule,
sorted and paged with LIMIT/OFFSET over an index for each order (migration 021's indexes), so a page costs
about the same at 100,000 reports as at 100."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from govarchive.datasette_plugin.data import Row, _rows, region_range

PAGE = 50
# Each order is one index's order (reports_year_desc, reports_listing, reports_agency, reports_published), so a
# deep page walks an index instead of sorting every match.
SORTS: dict[str, str] = {
    "year_desc": "r.year DESC, r.agency, r.id",
    "year_asc": "r.year, r.agency, r.region, r.kind, r.template, r.id",  # reports_listing's whole order
    "agency": "r.agency, r.year, r.kind, r.region, r.id",
    "published_desc": "r.published_at DESC, r.id DESC",
}
NO_TEMPLATE = "none"


@dataclass
class Filters:
    region: str = ""
    agency: str = ""
    year: int | None = None
    kind: str = ""
    template: str = ""  # 2019, 2021, none (no template: a work summary, a report with no table read)
    rule: str = ""  # a consistency rule that fails
    sort: str = "year_desc"
    offset: int = 0


def where(f: Filters) -> tuple[str, dict[str, Any]]:
    clauses: list[str] = []
    params: dict[str, Any] = {}
    if f.region:
        clauses.append(region_range())  # a region and every place under it, through the region index
        params["region"] = f.region
    if f.agency:
        clauses.append("r.agency = :agency")
        params["agency"] = f.agency
    if f.year is not None:
        clauses.append("r.year = :year")
        params["year"] = f.year
    if f.kind:
        clauses.append("r.kind = :kind")
        params["kind"] = f.kind
    if f.template == NO_TEMPLATE:
        clauses.append("r.template IS NULL")
    elif f.template:
        clauses.append("r.template = :template")
        params["template"] = f.template
    if f.rule:
        clauses.append(
            "r.id IN (SELECT c.report_id FROM report_checks c WHERE c.rule = :rule AND c.status = 'failed')"
        )
        params["rule"] = f.rule
    return (" AND ".join(clauses) or "1"), params


def page(conn: sqlite3.Connection, f: Filters) -> tuple[int, list[Row]]:
    """(how many reports match, the PAGE of them at f.offset in f.sort's order) with each one's failing rules
    and number of figures read."""
    sql, params = where(f)
    total = int(conn.execute(f"SELECT count(*) FROM reports r WHERE {sql}", params).fetchone()[0])
    rows = _rows(
        conn,
        f"""SELECT r.id, r.title, r.agency, r.region, r.year, r.kind, r.template, r.published_at, r.removed_at
            FROM reports r WHERE {sql} ORDER BY {SORTS[f.sort]} LIMIT :limit OFFSET :offset""",
        {**params, "limit": PAGE, "offset": f.offset},
    )
    ids = [r["id"] for r in rows]
    if ids:
        marks = ",".join("?" * len(ids))
        failed: dict[int, list[str]] = {}
        for rid, rule in conn.execute(
            f"""SELECT report_id, rule FROM report_checks WHERE report_id IN ({marks}) AND status = 'failed'
                ORDER BY report_id, rule""",
            ids,
        ):
            failed.setdefault(rid, []).append(rule)
        counts = dict(
            conn.execute(
                f"SELECT report_id, count(value) FROM report_stats WHERE report_id IN ({marks}) GROUP BY report_id",
                ids,
            ).fetchall()
        )
        for r in rows:
            r["failed"] = failed.get(r["id"], [])
            r["figures"] = counts.get(r["id"], 0)
    return total, rows


def templates(conn: sqlite3.Connection) -> list[str]:
    """The templates the corpus has, and `none` when some report has none."""
    found = [r[0] for r in conn.execute("SELECT DISTINCT template FROM reports ORDER BY template")]
    return [t for t in found if t] + ([NO_TEMPLATE] if None in found else [])
