"""The end of a crawl run, as the single-process crawl (crawler/run.py) and a shared crawl's corpus writer
(archive/sharedcrawl/writer.py) both write it: removals and counts (history), the Atom feeds, and the failures by
site and reason; and the run's summary made of its counters (`summarize`)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from archive.errors import error_kind
from archive.products.feeds import write_feeds
from archive.products.health import record_site_runs
from archive.products.history import close_run
from archive.sites import Site
from archive.store.workspace import Workspace

PREFIX = "govarchive/"


def summarize(stats: dict[str, Any]) -> dict[str, Any]:
    """The crawl's own counters plus the framework's request and response totals."""
    out: dict[str, Any] = {k[len(PREFIX) :]: v for k, v in stats.items() if k.startswith(PREFIX)}
    for key in ("downloader/request_count", "downloader/response_bytes", "retry/count", "item_scraped_count"):
        if key in stats:
            out[key.replace("downloader/", "")] = stats[key]
    for key, value in stats.items():
        if key.startswith("downloader/response_status_count/"):
            out["status/" + key.rsplit("/", 1)[-1]] = value
    return out


def end_of_run(
    ws: Workspace, run_id: int, sites: list[Site], finished: bool, capped: set[str]
) -> dict[str, Any]:
    """Write the run's end; return its counters (`history/…`, `failures/<site>/<reason kind>`) and the
    sites whose discovery yield fell (`flagged/<site>`: why)."""
    result = close_run(ws.corpus, run_id, sites, finished, capped)
    out: dict[str, Any] = {f"history/{key}": value for key, value in result.counts().items()}
    for site_run in record_site_runs(ws.corpus, run_id, [s.id for s in sites], finished):
        if site_run.flag:
            out[f"flagged/{site_run.site_id}"] = site_run.flag
    write_feeds(ws.corpus, ws.root / "feeds")
    out.update(
        Counter(f"failures/{site}/{error_kind(reason)}" for site, reason in ws.corpus.run_failures(run_id))
    )
    return out
