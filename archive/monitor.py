"""Which expected reports are missing, late or removed (article 49 deadlines; view `expected_reports`)."""

from __future__ import annotations

from typing import Any

from archive.corpus import Corpus
from archive.sites import Site

STATUSES = ("missing", "late", "removed", "on_time", "not_due")


def expected_reports(
    corpus: Corpus, year: int | None = None, site_ids: list[str] | None = None
) -> list[dict[str, Any]]:
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


def format_table(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "no expected reports (set expected_agencies and expected_since in the sites file)"
    lines = [f"{'site':<12}{'year':<6}{'status':<9}{'deadline':<12}{'published':<12}agency"]
    for r in rows:
        lines.append(
            f"{r['site_id']:<12}{r['year']:<6}{r['status']:<9}{r['deadline']:<12}"
            f"{(r['published_at'] or '-'):<12}{r['agency']}"
        )
    counts = {s: sum(1 for r in rows if r["status"] == s) for s in STATUSES if s != "not_due"}
    lines.append("  ".join(f"{k}: {v}" for k, v in counts.items()))
    return "\n".join(lines)
