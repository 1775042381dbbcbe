"""Who has not published: expected reports that are missing, late or removed (article 49 deadlines).

A report is `missing` only when the site's report list answered after its deadline and it was not there;
when no list page of the site answered since the deadline (portal unreachable, or not crawled since), the
status is `not_checked`: nobody looked, so nothing is claimed (migration 011, column `checked_at`).

Expected reports come from the sites file: each `expected_agencies` body × each year from
`expected_since` (view `expected_reports`, migrations 003/004). Departments publish by 31 January of the
next year, the government itself (a name ending in 人民政府) by 31 March; a report's date is its
`published_at`, or the day it was first archived when the page gives none.

Agency names match tolerantly (`agency_key`), within one site only:
  1. all whitespace (also U+3000) is dropped and full-width parentheses become ASCII;
  2. leading names of the site's own region are dropped, with or without their 省/市/县/区/… suffix
     (region 宁夏/中卫市/中宁县: 中卫市中宁县财政局, 中宁县财政局, 中宁财政局, 财政局 → 财政局);
  3. a 县 or 区 right after a leading two- or three-character place name is dropped
     (中宁县财政局 ≡ 中宁财政局, 利通区财政局 ≡ 利通财政局).
Two names match when their keys are equal. Nothing else is guessed (no fuzzy distance).
"""

from __future__ import annotations

import re
import sqlite3
from typing import Any

from archive.sites import Site
from archive.store.corpus import Corpus

STATUSES = ("missing", "late", "removed", "on_time", "not_checked", "not_due")
PROBLEMS = ("missing", "late", "removed")

_SPACE = re.compile(r"[\s\u3000]+")
_DIVISION_SUFFIX = re.compile(r"(自治区|自治州|自治县|自治旗|特别行政区|省|市|州|盟|县|区|旗)$")
_LEADING_DIVISIONS = re.compile(r"^(?:[\u4e00-\u9fff]{2,}?(?:自治区|自治州|自治县|省|市|州|盟|县|区|旗))+")
_COUNTY_CHAR = re.compile(r"^([\u4e00-\u9fff]{2,3})[县区](?=.)")


def _clean(name: str) -> str:
    return _SPACE.sub("", name).replace("（", "(").replace("）", ")")


def region_prefixes(region: str | None, site_name: str | None) -> list[str]:
    """Names a body of this site may start with: its region's parts, with and without their suffix."""
    parts = [p for p in _clean(region or "").split("/") if p]
    lead = _LEADING_DIVISIONS.match(_clean(site_name or ""))
    if lead:
        parts += re.findall(
            r"[\u4e00-\u9fff]{2,}?(?:自治区|自治州|自治县|省|市|州|盟|县|区|旗)", lead.group()
        )
    out: set[str] = set()
    for p in parts:
        out.add(p)
        short = _DIVISION_SUFFIX.sub("", p)
        if len(short) >= 2:
            out.add(short)
    return sorted(out, key=len, reverse=True)  # longest first: 中宁县 before 中宁


def agency_key(name: str, prefixes: list[str]) -> str:
    key = _clean(name)
    stripped = True
    while stripped:
        stripped = False
        for p in prefixes:
            if key.startswith(p) and len(key) > len(p):
                key = key[len(p) :]
                stripped = True
                break
    return _COUNTY_CHAR.sub(r"\1", key)


def refresh_agency_keys(corpus: Corpus) -> None:
    """Recompute the match keys of every expected body and every report's body (cheap: a few hundred
    names), so the `expected_reports` view matches names tolerantly."""
    conn = corpus.conn
    rows: list[tuple[str, str, str]] = []
    for site in conn.execute("SELECT id, name, region, expected_agencies FROM sites").fetchall():
        prefixes = region_prefixes(site["region"], site["name"])
        names = {
            r[0]
            for r in conn.execute(
                """SELECT DISTINCT agency FROM reports WHERE agency IS NOT NULL AND (site_id = ? OR id IN (
                     SELECT rs.report_id FROM report_sources rs JOIN captures c ON c.url = rs.url
                     WHERE c.site_id = ?))""",
                (site["id"], site["id"]),
            )
        }
        names |= {
            r[0]
            for r in conn.execute(
                "SELECT value FROM json_each(COALESCE(?, '[]'))", (site["expected_agencies"],)
            )
        }
        rows += [(site["id"], n, agency_key(n, prefixes)) for n in names if isinstance(n, str)]
    if corpus.read_only:
        _shadow_agency_names(conn, rows)
    else:
        corpus.replace_agency_names(rows)


def _shadow_agency_names(conn: sqlite3.Connection, rows: list[tuple[str, str, str]]) -> None:
    """On a corpus opened read-only: the keys in a temporary table of this connection, and a temporary copy
    of the `expected_reports` view that reads them (a view of the main schema reads only the main schema's
    tables), so the monitor answers as it would after writing them, without writing."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS agency_names (site_id TEXT, name TEXT, key TEXT)")
    conn.execute("DELETE FROM temp.agency_names")
    conn.executemany("INSERT INTO temp.agency_names(site_id, name, key) VALUES (?, ?, ?)", rows)
    if conn.execute("SELECT 1 FROM sqlite_temp_master WHERE name = 'expected_reports'").fetchone():
        return
    sql = conn.execute("SELECT sql FROM main.sqlite_master WHERE type = 'view' AND name = 'expected_reports'")
    conn.execute(sql.fetchone()[0].replace("CREATE VIEW", "CREATE TEMP VIEW", 1))


def expected_reports(
    corpus: Corpus, year: int | None = None, site_ids: list[str] | None = None
) -> list[dict[str, Any]]:
    """Expected reports whose deadline has passed, with status on_time, late, missing or removed."""
    refresh_agency_keys(corpus)
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
