"""Opens a `crawl_runs` row when the crawl starts and closes it with the crawl's counters."""

from __future__ import annotations

import logging
from typing import Any

from scrapy import signals

from pipelines.workspace import workspace_for

logger = logging.getLogger(__name__)

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


class CrawlSummary:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> CrawlSummary:
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Any) -> None:
        ws = workspace_for(self.crawler)
        self.crawler._govarchive_run_id = ws.corpus.start_run(sorted(getattr(spider, "sites", {})))

    def spider_closed(self, spider: Any, reason: str) -> None:
        ws = workspace_for(self.crawler)
        summary = summarize(self.crawler.stats.get_stats())
        summary["finish_reason"] = reason
        run_id = getattr(self.crawler, "_govarchive_run_id", None)
        if run_id is not None:
            ws.corpus.finish_run(run_id, "finished" if reason == "finished" else reason, summary)
        self.crawler._govarchive_summary = summary
        logger.info("crawl summary: %s", summary)
