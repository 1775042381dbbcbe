"""One figure across reports (/compare/figure), paged: a national corpus has it in 100,000 reports, which as
one page were 15 MB of HTML and 15 s. Each page reads PAGE rows in reports_listing's order; the count of the
whole selection comes from an index; the chart and the number of bodies, which need every value, are drawn
only for a selection of at most WHOLE reports (a province's years, a city, a body)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from govarchive.datasette_plugin.data import Key, Row, _rows, number, region_range

PAGE = 100
WHOLE = 5000  # a province's six years of reports (~4,000 at 100k) still get the chart
# reports_listing's whole order (year, agency, region, kind, template, then its rowid): a page walks the index.
ORDER = "r.year, r.agency, r.region, r.kind, r.template, r.id"
COLUMNS = "r.id AS report_id, r.agency, r.region, r.year, r.kind, r.template, s.value, s.raw, s.placed_by"


@dataclass(frozen=True)
class Selection:
    key: Key
    region: str = ""
    year: int | None = None
    agency: str = ""

    def narrowed(self) -> bool:
        return bool(self.region or self.agency or self.year is not None)


def _where(sel: Selection) -> tuple[str, dict[str, Any]]:
    clauses: list[str] = []
    params: dict[str, Any] = {"section": sel.key[0], "row": sel.key[1], "col": sel.key[2]}
    if sel.region:
        clauses.append(region_range())
        params["region"] = sel.region
    if sel.year is not None:
        # With a place or a body, their index leads (+ keeps SQLite from reading a whole year's reports).
        clauses.append("+r.year = :year" if sel.region or sel.agency else "r.year = :year")
        params["year"] = sel.year
    if sel.agency:
        clauses.append("r.agency = :agency")
        params["agency"] = sel.agency
    return " AND ".join(clauses) or "1", params


# The reports first (their index, in the page's order), then each one's figure by its key: CROSS JOIN keeps
# SQLite from reading the figure in every report and sorting them.
JOINED = """reports r CROSS JOIN report_stats s
            ON s.report_id = r.id AND s.section = :section AND s.row = :row AND s.col = :col"""


def count(conn: sqlite3.Connection, sel: Selection) -> tuple[int, int]:
    """(reports of the selection that have the figure, reports of the selection). With no filter the first
    is read from report_stats_code alone (every figure row has its report: foreign key)."""
    sql, params = _where(sel)
    reports = int(conn.execute(f"SELECT count(*) FROM reports r WHERE {sql}", params).fetchone()[0])
    if not sel.narrowed():
        having = conn.execute(
            "SELECT count(*) FROM report_stats WHERE section = :section AND row = :row AND col = :col", params
        ).fetchone()[0]
    else:
        having = conn.execute(f"SELECT count(*) FROM {JOINED} WHERE {sql}", params).fetchone()[0]
    return int(having), reports


def page(conn: sqlite3.Connection, sel: Selection, offset: int, dense: bool) -> list[Row]:
    """PAGE rows from `offset` in ORDER. `dense` (every report of the selection has the figure): the offset
    is counted on the reports' index alone, then the page's figures read by key — a deep page of a national
    corpus costs an index walk, not a figure lookup per row skipped. A region's reports are read through its
    index and sorted instead (at most a province's thousands): walking reports_listing for its order and
    skipping the other places took 120 ms at 100,000 reports, even for a county."""
    sql, params = _where(sel)
    params = {**params, "limit": PAGE, "offset": offset}
    if dense and not sel.region:
        query = f"""SELECT {COLUMNS} FROM (SELECT r.id FROM reports r WHERE {sql}
                                           ORDER BY {ORDER} LIMIT :limit OFFSET :offset) p
                    JOIN reports r ON r.id = p.id
                    JOIN report_stats s ON s.report_id = r.id AND s.section = :section AND s.row = :row
                                           AND s.col = :col
                    ORDER BY {ORDER}"""
    else:
        query = f"SELECT {COLUMNS} FROM {JOINED} WHERE {sql} ORDER BY {ORDER} LIMIT :limit OFFSET :offset"
    rows = _rows(conn, query, params)
    for r in rows:
        r["value"] = number(r["value"])
    return rows


def whole(conn: sqlite3.Connection, sel: Selection) -> list[Row]:
    """Every row of the selection (year, body, kind, value) for its chart: call with at most WHOLE."""
    sql, params = _where(sel)
    rows = _rows(
        conn,
        f"SELECT r.agency, r.year, r.kind, s.value FROM {JOINED} WHERE {sql} ORDER BY {ORDER}",
        params,
    )
    for r in rows:
        r["value"] = number(r["value"])
    return rows
