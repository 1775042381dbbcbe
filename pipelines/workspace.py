"""How a pipeline (or middleware) reaches the data folder and the run of its crawl: through the crawl-run
extension (`crawler.run.CrawlRun`), which owns both."""

from __future__ import annotations

from scrapy.crawler import Crawler

from archive.store.workspace import Workspace
from crawler.run import CrawlRun


def workspace_for(crawler: Crawler) -> Workspace:
    return CrawlRun.of(crawler).workspace


def run_id_for(crawler: Crawler | None) -> int | None:
    return CrawlRun.of(crawler).run_id if crawler is not None else None
