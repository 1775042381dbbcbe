"""The operator's progress line on long crawls, in place of Scrapy's LogStats.

Every `GOVARCHIVE_PROGRESS_INTERVAL` seconds (default 10; 0 turns it off) one INFO line:

    progress: 1,234 pages (41.2/s), 37 report copies, 3 errors, queue 512 (+8 in flight)

pages are responses received, the rate is over the last interval, errors are failed requests and
documents that could not be read, the queue is what the scheduler still holds. Scrapy's line ("Crawled N
pages (at N pages/min), scraped N items") counts items, which here are captures, not reports.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import create_looping_call

from archive.products.runend import PREFIX

logger = logging.getLogger(__name__)


def error_count(stats: dict[str, Any]) -> int:
    return sum(
        v
        for k, v in stats.items()
        if k.startswith((PREFIX + "errors/", PREFIX + "extract_errors/")) and isinstance(v, int)
    )


class Progress:
    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval
        self._task: Any = None
        self._last = (time.monotonic(), 0)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Progress:
        interval = crawler.settings.getfloat("GOVARCHIVE_PROGRESS_INTERVAL", 10.0)
        if interval <= 0:
            raise NotConfigured
        ext = cls(crawler, interval)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Any) -> None:
        self._last = (time.monotonic(), 0)
        self._task = create_looping_call(self.log)
        self._task.start(self.interval, now=False)

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self._task is not None and self._task.running:
            self._task.stop()

    def line(self) -> str:
        assert self.crawler.stats is not None
        stats = self.crawler.stats.get_stats()
        pages = int(stats.get("response_received_count", 0))
        now = time.monotonic()
        then, before = self._last
        rate = (pages - before) / max(now - then, 1e-6)
        self._last = (now, pages)
        engine = self.crawler.engine
        scheduler = engine.scheduler if engine is not None else None
        queued = len(scheduler) if scheduler is not None and hasattr(scheduler, "__len__") else 0
        in_flight = len(engine.downloader.active) if engine is not None else 0
        reports = int(stats.get(PREFIX + "reports_recorded", 0))
        return (
            f"progress: {pages:,} pages ({rate:.1f}/s), {reports:,} report copies, "
            f"{error_count(stats):,} errors, queue {queued:,} (+{in_flight} in flight)"
        )

    def log(self) -> None:
        logger.info("%s", self.line())
