"""Rates and rankings in SQL, generated from archive/report/measures.py (the one definition): the SQL of the
ranking page /compare/rates and of Datasette's canned query `rates`. tests/test_research_units.py holds it to
the numbers measures.compute gives in Python (which the release uses)."""

from __future__ import annotations

import sqlite3
from typing import Any

from archive.report import measures
from archive.store.migrations import has_table
from govarchive.datasette_plugin.data import Row, _rows, number, region_range


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _sum(names: tuple[str, ...]) -> str:
    """SQL + over quantity columns: NULL when any is NULL, as measures._sum."""
    return "(" + " + ".join(f"q.{n}" for n in names) + ")"


def body_kind_sql(agency: str = "r.agency", known: str | None = None) -> str:
    """measures.body_kind in SQL: the bodies table's kind (`known`) when there is one, else the name's
    ending (the same lists of endings)."""
    name = f"trim({agency})"
    town = " OR ".join(f"{name} LIKE {_lit('%' + e)}" for e in measures.TOWNSHIP_ENDINGS)
    gov = " OR ".join(f"{name} LIKE {_lit('%' + e)}" for e in measures.GOVERNMENT_ENDINGS)
    by_name = f"CASE WHEN {town} THEN 'township' WHEN {gov} THEN 'government' ELSE 'department' END"
    if known is None:
        return by_name
    cases = " ".join(f"WHEN {_lit(k)} THEN {_lit(v)}" for k, v in measures.DEADLINE_KIND.items())
    return f"COALESCE(CASE {known} {cases} END, {by_name})"


_KNOWN_KIND = "(SELECT b.kind FROM bodies b WHERE b.id = r.body_id)"


def deadline_sql() -> str:
    cases = " ".join(
        f"WHEN {_lit(kind)} THEN '-{m:02d}-{d:02d}'" for kind, (m, d) in measures.DEADLINES.items()
    )
    return f"CASE WHEN q.year IS NOT NULL THEN (q.year + 1) || (CASE q.body_kind {cases} END) END"


def rates_sql(where: str, has_population: bool = True, has_bodies: bool = True) -> str:
    """One row per annual report matching `where` (over `reports r`): its quantities, population, deadline,
    on-time (1/0/NULL) and every rate (unrounded), as measures.compute and measures.on_time give them."""
    index = {c: i for i, c in enumerate(measures.FIGURE_CODES)}
    pivot = ",\n    ".join(
        f"max(CASE WHEN s.section = {_lit(c[0])} AND s.row = {_lit(c[1])} AND s.col = {_lit(c[2])} "
        f"THEN s.value END) AS f{i}"
        for c, i in index.items()
    )
    wanted = ", ".join(f"({_lit(c[0])}, {_lit(c[1])}, {_lit(c[2])})" for c in measures.FIGURE_CODES)
    quantities = ",\n    ".join(
        "(" + " + ".join(f"f.f{index[c]}" for c in q.codes) + f") AS {q.name}" for q in measures.QUANTITIES
    )
    population = (
        """(SELECT n.population FROM (SELECT p.population, abs(p.year - f.year) AS distance, p.year
           FROM populations p WHERE p.region = f.region) n ORDER BY n.distance, n.year DESC LIMIT 1)"""
        if has_population
        else "NULL"
    )
    rates = []
    for r in measures.RATES:
        den = _sum(r.denominator) + "".join(f" - {_sum((m,))}" for m in r.minus)
        rates.append(
            f"CASE WHEN {den} > 0 THEN {_sum(r.numerator)} * {float(r.scale)} / ({den}) END AS {r.name}"
        )
    rate_sql = ",\n  ".join(rates)
    return f"""WITH f AS (
  SELECT r.id, r.agency, r.region, r.year, r.template, r.published_at,
    {body_kind_sql(known=_KNOWN_KIND if has_bodies else None)} AS body_kind,
    {pivot}
  FROM reports r LEFT JOIN report_stats s ON s.report_id = r.id
    AND (s.section, s.row, s.col) IN (VALUES {wanted})
  WHERE r.kind = 'annual_report' AND r.id IN (SELECT r.id FROM reports r WHERE {where})
  GROUP BY r.id
), q AS (
  SELECT f.id AS report_id, f.agency, f.region, f.year, f.template, f.published_at, f.body_kind,
    {quantities},
    {population} AS {measures.POPULATION}
  FROM f
), d AS (SELECT q.*, {deadline_sql()} AS deadline FROM q)
SELECT q.*,
  CASE WHEN q.deadline IS NULL OR q.published_at IS NULL OR substr(q.published_at, 1, 10) NOT GLOB
    '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]' THEN NULL
    ELSE substr(q.published_at, 1, 10) <= q.deadline END AS on_time,
  {rate_sql}
FROM d q"""


def has_populations(conn: sqlite3.Connection) -> bool:
    return has_table(conn, "populations")


def has_bodies(conn: sqlite3.Connection) -> bool:
    return has_table(conn, "bodies")


def sql_region_rates(conn: sqlite3.Connection, region: str, year: int) -> list[Row]:
    """region_rates through the generated SQL (what Datasette's `rates` query runs)."""
    where = f"+r.year = :year AND {region_range()}" if region else "r.year = :year"
    rows = _rows(conn, rates_sql(where, has_populations(conn), has_bodies(conn)) + " ORDER BY q.agency, q.report_id",
                 {"year": year, "region": region})  # fmt: skip
    for r in rows:
        for k, v in r.items():
            r[k] = number(v)
    return rows


def region_rates(conn: sqlite3.Connection, region: str, year: int) -> list[Row]:
    """Every annual report of a region (and the places under it) in a year, with its measures, computed by
    measures.compute as the release computes them (twice as fast as the pivot in SQL at a province's scale).
    The region's index leads (+year): a year's reports are 16,000 rows of text to read at national scale."""
    where = f"+r.year = :year AND {region_range()}" if region else "r.year = :year"
    rows = _rows(
        conn,
        f"""SELECT r.id AS report_id, r.agency, r.region, r.year, r.template, r.published_at,
                   {_KNOWN_KIND if has_bodies(conn) else "NULL"} AS known_kind
            FROM reports r WHERE r.kind = 'annual_report' AND {where} ORDER BY r.agency, r.id""",
        {"year": year, "region": region},
    )
    figures: dict[int, dict[measures.Code, float | None]] = {r["report_id"]: {} for r in rows}
    wanted = ", ".join("(?, ?, ?)" for _ in measures.FIGURE_CODES)
    flat = [part for c in measures.FIGURE_CODES for part in c]
    ids = list(figures)
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        for rid, section, row, col, value in conn.execute(
            f"""SELECT report_id, section, row, col, value FROM report_stats
                WHERE report_id IN ({",".join("?" * len(chunk))}) AND (section, row, col) IN (VALUES {wanted})""",
            [*chunk, *flat],
        ):
            figures[rid][(section, row, col)] = value
    known: dict[str, list[tuple[int, float]]] = {}
    if has_populations(conn) and rows:
        regions = sorted({r["region"] for r in rows if r["region"]})
        for place, y, population in conn.execute(
            f"SELECT region, year, population FROM populations WHERE region IN ({','.join('?' * len(regions))})",
            regions,
        ):
            known.setdefault(place, []).append((int(y), float(population)))
    for r in rows:
        population = measures.nearest_population(known.get(r["region"] or "", []), r["year"])
        r.update(measures.compute(figures[r["report_id"]], population))
        r[measures.POPULATION] = population
        known_kind = r.pop("known_kind")
        r["body_kind"] = measures.body_kind(r["agency"], known_kind)
        r["deadline"] = measures.deadline(r["year"], r["agency"], known_kind)
        r["on_time"] = measures.on_time(r["published_at"], r["year"], r["agency"], known_kind)
        for k, v in r.items():
            r[k] = number(v)
    return rows


def ranked(rows: list[Row], measure: str, ascending: bool = False) -> list[Row]:
    """`rows` ordered by `measure` (blanks last, then by body), each with its rank (ties share one; a blank
    has none)."""
    known = sorted(
        (r for r in rows if r.get(measure) is not None),
        key=lambda r: ((r[measure] if ascending else -r[measure]), r["agency"] or ""),
    )
    rank, last = 0, None
    for i, r in enumerate(known, 1):
        if r[measure] != last:
            rank, last = i, r[measure]
        r["rank"] = rank
    blank = sorted((r for r in rows if r.get(measure) is None), key=lambda r: r["agency"] or "")
    for r in blank:
        r["rank"] = None
    return known + blank


def summary(rows: list[Row]) -> dict[str, Any]:
    """The region's on-time share: reports on time ÷ reports with a known publication day."""
    known = [r["on_time"] for r in rows if r.get("on_time") is not None]
    return {
        "reports": len(rows),
        "dated": len(known),
        "on_time": sum(known),
        "on_time_share": (sum(known) / len(known)) if known else None,
    }


def canned_sql() -> str:
    """Datasette's `rates` query: the measures of a region's bodies in a year, ranked by :measure (blank
    rates last, unranked)."""
    chosen = (
        "(CASE :measure " + " ".join(f"WHEN {_lit(r.name)} THEN {r.name}" for r in measures.RATES) + " END)"
    )
    return (
        f"SELECT CASE WHEN {chosen} IS NOT NULL THEN rank() OVER (ORDER BY {chosen} IS NULL, {chosen} DESC) END"
        " AS rank, * FROM (\n"
        + rates_sql(f"+r.year = CAST(:year AS INTEGER) AND {region_range()}")
        + f"\n) ORDER BY {chosen} IS NULL, {chosen} DESC, agency"
    )


def shown(value: float | None, percent: bool) -> str:
    """A rate as a page shows it: 37.5% or 2.41; blank stays blank."""
    if value is None:
        return ""
    return f"{value * 100:.1f}%" if percent else f"{value:.2f}"
