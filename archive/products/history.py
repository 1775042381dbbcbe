"""End-of-run history: which reports left their portal, and what the run changed.

A report not seen in this run is marked `removed_at` (it stays in the archive) when
  * one of its URLs (its page or any copy in report_sources) answered 404 or 410 in this run, or
  * it left its list: the site's crawl was complete — the run finished, a list page answered, no start
    URL answered 404/410, no request of the site failed for any other reason (timeout, 5xx, refused), the
    site's page cap was not hit — and still nothing led to the report. When more than half of a site's
    reports (and more than two) leave at once, none is marked: that is a redesign or a broken portal
    more often than a purge (logged; `held_back` in the run's counts).
A portal that answered nothing in this run (down) marks nothing. A report whose URL failed with a
transient error is left alone. Copies whose URL answered 404/410 get their own `removed_at` in
report_sources. A later sighting clears both (archive/store/corpus.py upsert_report / add_report_source).

Writes go through the corpus connection in one transaction per run.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from archive.sites import Site
from archive.store.corpus import Corpus, now_iso

GONE = (404, 410)
# More than this share of a site's reports leaving their lists at once looks like a redesigned or broken
# portal, not a purge: those removals wait for a 404 or a person (logged, counted as `held_back`).
MASS_REMOVAL_SHARE = 0.5

logger = logging.getLogger(__name__)


@dataclass
class RunResult:
    new: list[int] = field(default_factory=list)
    changed: list[int] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    errors: int = 0
    down_sites: list[str] = field(default_factory=list)
    held_back: list[int] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "new": len(self.new),
            "changed": len(self.changed),
            "removed": len(self.removed),
            "unchanged": len(self.unchanged),
            "errors": self.errors,
            "sites_down": len(self.down_sites),
            "held_back": len(self.held_back),
        }


def _run_started(corpus: Corpus, run_id: int) -> str:
    row = corpus.conn.execute("SELECT started_at FROM crawl_runs WHERE id = ?", (run_id,)).fetchone()
    if row is None:
        raise ValueError(f"no crawl run {run_id}")
    return str(row["started_at"])


def _urls(corpus: Corpus, sql: str, args: Iterable[object]) -> set[str]:
    return {r[0] for r in corpus.conn.execute(sql, tuple(args))}


def _site_complete(corpus: Corpus, run_id: int, site: Site, finished: bool, capped: bool) -> bool:
    """Did the run see all of the site? A list page answered, no start URL vanished (a redirect moves the
    captured URL, so failures are what is checked), nothing failed but 404/410, no page cap hit."""
    if not finished or capped:
        return False
    row = corpus.conn.execute(
        f"""SELECT
              EXISTS (SELECT 1 FROM captures WHERE crawl_id = ?1 AND site_id = ?2 AND role = 'list'
                      AND status = 200) AS list_ok,
              (SELECT count(*) FROM captures WHERE crawl_id = ?1 AND site_id = ?2 AND error IS NOT NULL
                 AND (status IS NULL OR status NOT IN {GONE})) AS failed,
              (SELECT count(*) FROM captures WHERE crawl_id = ?1 AND site_id = ?2 AND status IN {GONE}
                 AND url IN (SELECT value FROM json_each(?3))) AS start_gone""",
        (run_id, site.id, json.dumps(site.start_urls)),
    ).fetchone()
    return bool(row["list_ok"]) and row["failed"] == 0 and row["start_gone"] == 0


def close_run(
    corpus: Corpus, run_id: int, sites: list[Site], finished: bool, capped: set[str] | None = None
) -> RunResult:
    """Mark the removals of run `run_id` over `sites` and sort the sites' reports into new, changed,
    removed and unchanged."""
    started = _run_started(corpus, run_id)
    now = now_iso()
    out = RunResult()
    conn = corpus.conn
    with corpus.transaction():
        for site in sites:
            answered = conn.execute(
                "SELECT count(*) FROM captures WHERE crawl_id = ? AND site_id = ? AND status IN (200, 304)",
                (run_id, site.id),
            ).fetchone()[0]
            if not answered:
                out.down_sites.append(site.id)
                continue
            gone = _urls(
                corpus,
                f"SELECT url FROM captures WHERE crawl_id = ? AND site_id = ? AND status IN {GONE}",
                (run_id, site.id),
            )
            failed = _urls(
                corpus,
                f"""SELECT url FROM captures WHERE crawl_id = ? AND site_id = ? AND error IS NOT NULL
                      AND (status IS NULL OR status NOT IN {GONE})""",
                (run_id, site.id),
            )
            complete = _site_complete(corpus, run_id, site, finished, site.id in (capped or set()))
            for url in gone:
                corpus.mark_source_removed(url, now)
            unseen = conn.execute(
                "SELECT id, page_url FROM reports WHERE site_id = ? AND removed_at IS NULL AND last_seen < ?",
                (site.id, started),
            ).fetchall()
            vanished: list[int] = []
            left_list: list[int] = []
            for rep in unseen:
                urls = {rep["page_url"]} | _urls(
                    corpus, "SELECT url FROM report_sources WHERE report_id = ?", (rep["id"],)
                )
                if urls & gone:
                    vanished.append(int(rep["id"]))
                elif complete and not urls & failed:
                    left_list.append(int(rep["id"]))
            live = conn.execute(
                "SELECT count(*) FROM reports WHERE site_id = ? AND removed_at IS NULL", (site.id,)
            ).fetchone()[0]
            if len(left_list) > max(2, MASS_REMOVAL_SHARE * live):
                logger.warning(
                    "site %s: %d of %d reports left their lists at once; not marking them removed",
                    site.id,
                    len(left_list),
                    live,
                )
                out.held_back += left_list
                left_list = []
            for rid in vanished + left_list:
                corpus.mark_report_removed(rid, now)
            out.removed += vanished + left_list
        _classify_seen(corpus, [s.id for s in sites], started, out)
        out.errors = int(
            conn.execute(
                f"""SELECT count(*) FROM captures WHERE crawl_id = ? AND error IS NOT NULL
                      AND (status IS NULL OR status NOT IN {GONE})""",
                (run_id,),
            ).fetchone()[0]
        )
    return out


def _classify_seen(corpus: Corpus, site_ids: list[str], started: str, out: RunResult) -> None:
    if not site_ids:
        return
    marks = ",".join("?" * len(site_ids))
    rows = corpus.conn.execute(
        f"""SELECT r.id, r.first_seen >= ? AS is_new,
                   EXISTS (SELECT 1 FROM report_sources s WHERE s.report_id = r.id AND s.first_seen >= ?)
                     AS has_new_copy
            FROM reports r WHERE r.site_id IN ({marks}) AND r.last_seen >= ?""",
        (started, started, *site_ids, started),
    ).fetchall()
    for r in rows:
        if r["is_new"]:
            out.new.append(int(r["id"]))
        elif r["has_new_copy"]:
            out.changed.append(int(r["id"]))
        else:
            out.unchanged.append(int(r["id"]))


def mark_interrupted_runs(corpus: Corpus) -> int:
    """Runs still 'running' when a new run holds the lock died mid-way (kill, power loss): say so."""
    return corpus.mark_interrupted_runs()
