"""Discovery health per site and run: what a crawl of each site fetched and found, and whether its yield fell.

Portals restructure every year; a site whose crawl finds fewer reports than the run before, or whose list
pages now answer 404, is flagged the day it breaks, not at the deadline. Written at the end of every run
(`site_runs`), read by the crawl's summary, `govarchive monitor` and the findings feed.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from archive.store.corpus import Corpus


@dataclass(frozen=True)
class SiteRun:
    site_id: str
    pages: int  # responses captured (any status)
    reports: int  # distinct reports with a copy captured in the run
    list_errors: int  # list pages that answered 404/410 or failed
    flag: str | None  # why the site needs a look, or None


def _numbers(conn: sqlite3.Connection, run_id: int, site_id: str) -> tuple[int, int, int]:
    pages = conn.execute(
        "SELECT count(*) FROM captures WHERE crawl_id = ? AND site_id = ?", (run_id, site_id)
    ).fetchone()[0]
    captured = {
        r[0]
        for r in conn.execute(
            "SELECT url FROM captures WHERE crawl_id = ? AND site_id = ? AND status IN (200, 304)",
            (run_id, site_id),
        )
    }
    # A copy inside a package is `<package URL>#<member>`: reached when its package was.
    reports = len(
        {
            r[0]
            for r in conn.execute(
                "SELECT s.report_id, s.url FROM report_sources s JOIN reports r ON r.id = s.report_id "
                "WHERE r.site_id = ?",
                (site_id,),
            )
            if r[1] in captured or r[1].partition("#")[0] in captured
        }
    )
    list_errors = conn.execute(
        """SELECT count(*) FROM captures WHERE crawl_id = ? AND site_id = ? AND role = 'list'
           AND (status IN (404, 410) OR (status IS NULL AND error IS NOT NULL))""",
        (run_id, site_id),
    ).fetchone()[0]
    return int(pages), int(reports), int(list_errors)


def _previous(conn: sqlite3.Connection, run_id: int, site_id: str) -> sqlite3.Row | None:
    row: sqlite3.Row | None = conn.execute(
        "SELECT * FROM site_runs WHERE site_id = ? AND run_id < ? ORDER BY run_id DESC LIMIT 1",
        (site_id, run_id),
    ).fetchone()
    return row


def judge(reports: int, list_errors: int, before: sqlite3.Row | None) -> str | None:
    """Why a site's yield looks broken against its previous run, or None."""
    if before is None:
        return "no report found" if reports == 0 else None
    if before["reports"] > 0 and reports == 0:
        return f"no report found (the run before found {before['reports']})"
    if reports < before["reports"]:
        return f"{reports} reports found, {before['reports']} the run before"
    if list_errors > before["list_errors"]:
        return f"{list_errors} list pages failed, {before['list_errors']} the run before"
    return None


def record_site_runs(
    corpus: Corpus, run_id: int, site_ids: list[str], finished: bool = True
) -> list[SiteRun]:
    """Write the run's `site_runs` rows (one per site crawled); return them. A run that stopped short is
    recorded but judges nothing (it may simply not have got there)."""
    conn = corpus.conn
    out: list[SiteRun] = []
    for site_id in site_ids:
        pages, reports, list_errors = _numbers(conn, run_id, site_id)
        before = _previous(conn, run_id, site_id)
        flag = judge(reports, list_errors, before) if finished else None
        out.append(SiteRun(site_id, pages, reports, list_errors, flag))
    with corpus.transaction():
        conn.executemany(
            """INSERT OR REPLACE INTO site_runs(run_id, site_id, pages, reports, list_errors, flag)
               VALUES (?, ?, ?, ?, ?, ?)""",
            [(run_id, r.site_id, r.pages, r.reports, r.list_errors, r.flag) for r in out],
        )
    return out


def flagged_sites(corpus: Corpus) -> list[dict[str, object]]:
    """Each site's latest run, where it is flagged: for the monitor and the findings feed (nothing from a
    corpus older than `site_runs` opened read-only)."""
    try:
        rows = corpus.conn.execute(
            """SELECT r.run_id, r.site_id, r.pages, r.reports, r.list_errors, r.flag, c.started_at
           FROM site_runs r JOIN crawl_runs c ON c.id = r.run_id
           WHERE r.run_id = (SELECT max(run_id) FROM site_runs x WHERE x.site_id = r.site_id)
             AND r.flag IS NOT NULL
           ORDER BY r.site_id"""
        ).fetchall()
    except sqlite3.OperationalError:
        return []
    keys = ("run_id", "site_id", "pages", "reports", "list_errors", "flag", "started_at")
    return [dict(zip(keys, tuple(row), strict=True)) for row in rows]
