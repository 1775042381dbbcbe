"""One crawl run: the data folder and the `crawl_runs` row, owned by one extension from open to close.

`CrawlRun` opens the workspace when the crawler is set up, starts the run at spider_opened and, at
spider_closed, marks removals and counts new/changed/removed/unchanged (archive/products/history.py),
writes the Atom feeds (archive/products/feeds.py), closes the run with its summary and closes the
workspace. Results go to the crawl's stats (`govarchive/…` keys); `summarize` turns stats into the
run's summary, for the `crawl_runs` row and for `govarchive crawl`, which reads the stats after the
process ends.

Other components reach the run through `CrawlRun.of(crawler)` (Scrapy's `get_extension`), or the helpers
at the end of this module (`workspace_for`, `run_id_for`, `guard`, `stopped`) that the pipelines and
middlewares use.

When the data folder itself fails (full, read-only, the database locked by another process) the pipelines'
`guard` stops the crawl at the first write that fails, and the fault is the run's result
(`govarchive/fault`): the command line prints it as one line. Removals are never computed from such a run.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext, suppress
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.utils.defer import deferred_from_coro

from archive.errors import DataFolderError
from archive.products.runend import PREFIX, summarize
from archive.store.workspace import Workspace
from crawler.config import CrawlConfig

if TYPE_CHECKING:
    from crawler.sharedcrawl.frontier import SharedCrawl

logger = logging.getLogger(__name__)
_RUN_ATTR = "_govarchive_crawl_run"


class CrawlRun:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.config = CrawlConfig.from_settings(crawler.settings)
        self.workspace = Workspace(self.config.data_dir, max_bytes=self.config.max_bytes)
        self.shared: SharedCrawl | None = None  # unless the crawl is shared through Redis
        if self.config.redis_url:
            from crawler.sharedcrawl.frontier import shared_crawl  # not imported by a crawl of its own

            self.shared = shared_crawl(crawler)
        self.run_id: int | None = None  # the crawl_runs row, from spider_opened on
        self.fault: DataFolderError | None = None  # the data folder failed: the crawl stops
        self._closing: Any = None  # the Deferred closing the spider after a fault (kept alive)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlRun:
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    @classmethod
    def of(cls, crawler: Crawler) -> CrawlRun:
        # Remembered on the crawler (which it lives and dies with): pipelines ask for every item, and Scrapy
        # looks an extension up by a scan of them all (~5 µs).
        run = getattr(crawler, _RUN_ATTR, None)
        if run is None:
            run = crawler.get_extension(cls)
            if run is None:
                raise RuntimeError("crawler.run.CrawlRun is not enabled (EXTENSIONS)")
            setattr(crawler, _RUN_ATTR, run)
        return run

    @property
    def stats(self) -> Any:
        assert self.crawler.stats is not None
        return self.crawler.stats

    @contextmanager
    def guard(self) -> Iterator[None]:
        """Around a component's writes: the data folder failing stops the crawl (the block is abandoned);
        any other error passes through."""
        try:
            yield
        except Exception as exc:
            fault = self.workspace.fault(exc)
            if fault is None:
                raise
            self.stop(fault)

    def stop(self, fault: DataFolderError) -> None:
        """Stop the crawl for good: every write after this one would fail the same way."""
        if self.fault is not None:
            return
        self.fault = fault
        self.stats.set_value(PREFIX + "fault", str(fault))
        logger.debug("stopping the crawl: %s", fault)  # the command line prints it, once
        if self.crawler.engine is not None:
            self._closing = deferred_from_coro(self.crawler.engine.close_spider_async(reason="data_folder"))

    def spider_opened(self, spider: Any) -> None:
        if self.shared is not None:
            return  # the run's row is the corpus writer's
        with self.guard():
            self.run_id = self.workspace.corpus.start_run(sorted(getattr(spider, "sites", {})))

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self.shared is not None:
            self.stats.set_value(PREFIX + "finish_reason", reason)
            from crawler.sharedcrawl.frontier import publish_stats

            with suppress(Exception):  # Redis gone: the writer's counts from the corpus still stand
                publish_stats(self.shared, self.stats.get_stats())
            self.workspace.close()
            return
        if self.run_id is not None and self.fault is None:
            self._bookkeeping(spider, reason)
        self.stats.set_value(PREFIX + "finish_reason", reason)
        summary = summarize(self.stats.get_stats())
        if self.run_id is not None:
            status = "finished" if reason == "finished" else reason
            # A failing data folder may refuse this too: the run stays 'running', the next marks it interrupted.
            with suppress(Exception):
                self.workspace.corpus.finish_run(self.run_id, status, summary)
        logger.debug("crawl summary: %s", summary)  # people read the formatted one; the run row keeps it
        self.workspace.close()

    def _bookkeeping(self, spider: Any, reason: str) -> None:
        """Removals and counts, the feeds, failures by site (archive/products/runend.py)."""
        from archive.products.runend import end_of_run

        assert self.run_id is not None
        ws = self.workspace
        sites = getattr(spider, "sites", {})
        capped = {
            sid
            for sid, n in getattr(spider, "requests_per_site", {}).items()
            if sid in sites and n >= sites[sid].max_pages
        }
        try:
            counts = end_of_run(ws, self.run_id, list(sites.values()), reason == "finished", capped)
            for key, value in counts.items():
                self.stats.set_value(PREFIX + key, value)
        except Exception as exc:  # bookkeeping must never lose the run's summary; the log says what failed
            fault = ws.fault(exc)
            if fault is not None:
                self.stop(fault)
                return
            logger.exception("end-of-run bookkeeping failed")
            self.stats.inc_value(PREFIX + "errors/bookkeeping")


# How a pipeline (or middleware) reaches the data folder and the run of its crawl.


def workspace_for(crawler: Crawler) -> Workspace:
    return CrawlRun.of(crawler).workspace


def run_id_for(crawler: Crawler | None) -> int | None:
    return CrawlRun.of(crawler).run_id if crawler is not None else None


def guard(crawler: Crawler | None) -> AbstractContextManager[None]:
    """Around a pipeline's work: the data folder failing stops the crawl (CrawlRun.guard)."""
    return CrawlRun.of(crawler).guard() if crawler is not None else nullcontext()


def stopped(crawler: Crawler | None) -> bool:
    """The data folder failed: nothing more is written."""
    return crawler is not None and CrawlRun.of(crawler).fault is not None
