"""The end of a crawl run, as the single-process crawl (crawler/run.py) and a shared crawl's corpus writer
(pipelines/writer.py) both write it: removals and counts (history), the Atom feeds, and the failures by
site and reason."""

from __future__ import annotations

from collections import Counter

from archive.errors import error_kind
from archive.products.feeds import write_feeds
from archive.products.history import close_run
from archive.sites import Site
from archive.store.workspace import Workspace


def end_of_run(
    ws: Workspace, run_id: int, sites: list[Site], finished: bool, capped: set[str]
) -> dict[str, int]:
    """Write the run's end; return its counters (`history/…`, `failures/<site>/<reason kind>`)."""
    result = close_run(ws.corpus, run_id, sites, finished, capped)
    out = {f"history/{key}": value for key, value in result.counts().items()}
    write_feeds(ws.corpus, ws.root / "feeds")
    out.update(
        Counter(f"failures/{site}/{error_kind(reason)}" for site, reason in ws.corpus.run_failures(run_id))
    )
    return out
