"""How a pipeline (or middleware) reaches the data folder and the run of its crawl: through the crawl-run
extension (`crawler.run.CrawlRun`), which owns both."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext

from scrapy.crawler import Crawler

from archive.store.workspace import Workspace
from crawler.run import CrawlRun


def workspace_for(crawler: Crawler) -> Workspace:
    return CrawlRun.of(crawler).workspace


def run_id_for(crawler: Crawler | None) -> int | None:
    return CrawlRun.of(crawler).run_id if crawler is not None else None


def guard(crawler: Crawler | None) -> AbstractContextManager[None]:
    """Around a pipeline's work: the data folder failing stops the crawl (crawler.run.CrawlRun.guard)."""
    return CrawlRun.of(crawler).guard() if crawler is not None else nullcontext()


def stopped(crawler: Crawler | None) -> bool:
    """The data folder failed: nothing more is written."""
    return crawler is not None and CrawlRun.of(crawler).fault is not None
