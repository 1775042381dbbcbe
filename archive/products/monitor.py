"""Who has not published: expected reports that are missing, late or removed (article 49 deadlines).

A report is `missing` only when the site's report list answered after its deadline and it was not there
(or files were ingested for the site since); when nobody looked since the deadline (portal unreachable, or
not crawled since) the status is `not_checked`: nothing is claimed (migration 011, column `checked_at`).

Expected reports are bodies × years (table `expected_bodies`, view `expected_reports`, migration 017),
from three sources, for each year from the site's `expected_since` (`source`):
  `sites`     the site's `expected_agencies`;
  `roster`    the site's roster file (CSV: division code, body name, kind, from, until — an operator's import
              of an official list), each body within its years;
  `inferred`  every body that published in an earlier year, from its first report on, under the site of
              that report, until a roster or `govarchive bodies end` ends it (a body merged into another is
              that one). Marked `inferred` in the output.
A body's deadline follows its kind: a government by 31 March of the next year, departments, townships,
street offices and zones by 31 January; a report's date is its `published_at`, or the day it was first
archived when the page gives none.

Names are bodies (archive/bodies/names.py, the one reader): an expected name and a report's printed name
match when they are the same body, whatever prefix of province, city or county either carries
(中宁县财政局 ≡ 中宁财政局 ≡ 中卫市中宁县财政局 ≡ 财政局 on the 中宁县 site). Nothing else is guessed.
"""

from __future__ import annotations

import re
import sqlite3
from typing import Any

from archive.bodies.gazetteer import Division
from archive.bodies.names import read_body, site_place
from archive.sites import Site
from archive.store.corpus import Corpus

STATUSES = ("missing", "late", "removed", "on_time", "not_checked", "not_due")
PROBLEMS = ("missing", "late", "removed")

ExpectedRow = tuple[str, int | None, str, str, int, int | None, str]


def region_prefixes(region: str | None, site_name: str | None) -> Division | None:
    """The place names of this site are read in (its region, else its name)."""
    return site_place(region, site_name)


def agency_key(name: str, place: Division | None) -> str:
    """What identifies the body a name means on a site of this place (archive/bodies/names.py)."""
    return read_body(re.sub(r"[\s\u3000]+", "", name), place).key


def refresh_expectations(corpus: Corpus) -> None:
    """Recompute who is expected to publish, site by site: its sites-file bodies, its roster, and every
    body that published before (cheap: one row per body)."""
    conn = corpus.conn
    rows: list[ExpectedRow] = []
    covered: set[tuple[str, int]] = set()
    sites = {r["id"]: r for r in conn.execute("SELECT * FROM sites")}
    for site in sites.values():
        since, until = site["expected_since"], site["expected_until"]
        listed: list[tuple[str, str | None, int, int | None, str, str | None]] = []
        if since is not None:
            names = [
                r[0]
                for r in conn.execute(
                    "SELECT value FROM json_each(COALESCE(?, '[]'))", (site["expected_agencies"],)
                )
            ]
            listed += [(n, None, since, until, "sites", None) for n in names if isinstance(n, str)]
        for r in conn.execute("SELECT * FROM roster WHERE site_id = ? ORDER BY rowid", (site["id"],)):
            first: int | None = r["since"] if r["since"] is not None else since
            if first is None:
                continue
            first = max(first, since) if since is not None else first
            last = min(x for x in (r["until"], until, 9999) if x is not None)
            # The roster's division code says where the name belongs (a township's list on a county's site).
            code = r["division_code"] or None
            listed.append((r["name"], r["kind"], first, None if last == 9999 else last, "roster", code))
        for name, kind, first, last, source, code in listed:
            body = corpus.resolve_body(name, site["id"], create=not corpus.read_only, place=code)
            body_kind = (
                kind
                or _kind(conn, body.body_id if body else None)
                or corpus.read_name(name, site["id"], code).kind
            )
            rows.append((site["id"], body.body_id if body else None, name, body_kind, first, last, source))
            if body is not None:
                covered.add((site["id"], body.body_id))
    for b in conn.execute(
        """SELECT b.id, b.name, b.kind, b.until_year, min(r.year) AS first,
                  (SELECT r2.site_id FROM reports r2 WHERE r2.body_id = b.id AND r2.kind = 'annual_report'
                   AND r2.site_id IS NOT NULL ORDER BY r2.year, r2.id LIMIT 1) AS site_id
           FROM bodies b JOIN reports r ON r.body_id = b.id AND r.kind = 'annual_report'
           WHERE b.merged_into IS NULL GROUP BY b.id ORDER BY b.id"""
    ):
        site = sites.get(b["site_id"])
        if site is None or (site["id"], b["id"]) in covered:
            continue
        first = max(b["first"], site["expected_since"] or b["first"])
        ends = [x for x in (b["until_year"], site["expected_until"]) if x is not None]
        rows.append(
            (site["id"], b["id"], b["name"], b["kind"], first, min(ends) if ends else None, "inferred")
        )
    if corpus.read_only:
        _shadow_expected(conn, rows)
    else:
        corpus.replace_expected_bodies(rows)


# Kept for callers of the name before bodies (crawler/warcimport.py, archive/rebuild.py).
refresh_agency_keys = refresh_expectations


def _kind(conn: sqlite3.Connection, body_id: int | None) -> str | None:
    if body_id is None:
        return None
    row = conn.execute("SELECT kind FROM bodies WHERE id = ?", (body_id,)).fetchone()
    return str(row[0]) if row else None


def _shadow_expected(conn: sqlite3.Connection, rows: list[ExpectedRow]) -> None:
    """On a corpus opened read-only: the expectations in a temporary table of this connection, and
    temporary copies of the views that read them (a view of the main schema reads only the main schema's
    tables), so the monitor answers as it would after writing them, without writing."""
    conn.execute(
        """CREATE TEMP TABLE IF NOT EXISTS expected_bodies (site_id TEXT, body_id INTEGER, agency TEXT,
             kind TEXT, since INTEGER, until INTEGER, source TEXT)"""
    )
    conn.execute("DELETE FROM temp.expected_bodies")
    conn.executemany("INSERT INTO temp.expected_bodies VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    for view in ("expected_reports", "region_compliance"):
        if conn.execute("SELECT 1 FROM sqlite_temp_master WHERE name = ?", (view,)).fetchone():
            continue
        sql = conn.execute("SELECT sql FROM main.sqlite_master WHERE type = 'view' AND name = ?", (view,))
        conn.execute(sql.fetchone()[0].replace("CREATE VIEW", "CREATE TEMP VIEW", 1))


def expected_reports(
    corpus: Corpus, year: int | None = None, site_ids: list[str] | None = None
) -> list[dict[str, Any]]:
    """Expected reports whose deadline has passed, with status on_time, late, missing or removed."""
    refresh_expectations(corpus)
    sql = "SELECT * FROM expected_reports WHERE status != 'not_due'"
    args: list[Any] = []
    if year is not None:
        sql += " AND year = ?"
        args.append(year)
    if site_ids:
        sql += f" AND site_id IN ({','.join('?' * len(site_ids))})"
        args.extend(site_ids)
    sql += " ORDER BY site_id, year, agency"
    return [dict(r) for r in corpus.conn.execute(sql, args)]


def sync_sites(corpus: Corpus, sites: list[Site]) -> None:
    """The sites file is the source of who must publish; keep the corpus copy current."""
    for site in sites:
        corpus.upsert_site(site)


def region_rollup(corpus: Corpus, year: int | None = None) -> list[dict[str, Any]]:
    """Expected reports counted by county (division code) and year: on time, late, not at all. Call after
    expected_reports (which refreshes the expectations)."""
    sql = "SELECT * FROM region_compliance"
    args: list[Any] = []
    if year is not None:
        sql += " WHERE year = ?"
        args.append(year)
    return [dict(r) for r in corpus.conn.execute(sql + " ORDER BY division_code, year", args)]


def format_rollup(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return ""
    lines = [
        "by region (county-level division):",
        f"  {'code':<8}{'year':<6}{'expected':>9}{'on_time':>9}{'late':>6}{'missing':>9}  region",
    ]
    for r in rows:
        lines.append(
            f"  {r['division_code'] or '-':<8}{r['year']:<6}{r['expected']:>9}{r['on_time']:>9}{r['late']:>6}"
            f"{r['missing']:>9}  {r['region'] or '-'}"
        )
    return "\n".join(lines)


def status_counts(rows: list[dict[str, Any]]) -> dict[str, int]:
    return {s: sum(1 for r in rows if r["status"] == s) for s in STATUSES if s != "not_due"}


def format_table(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "no expected reports (set expected_agencies and expected_since in the sites file)"
    site_w = max(6, *(len(r["site_id"]) + 2 for r in rows))
    status_w = max(len(s) for s in STATUSES) + 2
    lines = [f"{'site':<{site_w}}{'year':<6}{'status':<{status_w}}{'deadline':<12}{'published':<12}agency"]
    for r in rows:
        found = r.get("report_agency")
        alias = f"  (as {found})" if found and found != r["agency"] else ""
        alias += "  [inferred]" if r.get("inferred") else ""
        lines.append(
            f"{r['site_id']:<{site_w}}{r['year']:<6}{r['status']:<{status_w}}{r['deadline']:<12}"
            f"{(r['published_at'] or '-'):<12}{r['agency']}{alias}"
        )
    counts = status_counts(rows)
    lines.append("  ".join(f"{k}: {v}" for k, v in counts.items() if k != "not_checked" or v))
    if counts["not_checked"]:
        last = {r["site_id"]: r.get("checked_at") for r in rows if r["status"] == "not_checked"}
        lines.append(
            "not_checked: no list page of the site answered after the deadline ("
            + ", ".join(f"{site}: last answered {when or 'never'}" for site, when in sorted(last.items()))
            + "); crawl it, then ask again"
        )
    return "\n".join(lines)
