"""Extension of a shared crawl: this process alive in Redis, dead processes' work requeued, and the end.

- Joins the crawl's `crawlers` set and keeps its `alive` key (TTL GOVARCHIVE_REDIS_ALIVE_TTL, renewed every
  GOVARCHIVE_REDIS_HEARTBEAT seconds); on every beat it also requeues the in-flight requests of processes
  whose key expired (crawler/sharedcrawl/frontier.py) and wakes the engine, which otherwise polls an empty
  scheduler only every 5 s: another process may have queued work meanwhile.
- A request leaves this process's in-flight hash when the engine is done with it: the engine's slot drops
  it from `inprogress` once its response or failure went through the spider and the items through the
  pipelines (or the replacement a middleware returned is queued). Scrapy has no signal for that moment
  (response_received comes before the spider ran), so the slot's `remove_request` is wrapped (the engine's
  `_slot` is Scrapy's private part: a Scrapy without it fails at spider open, not silently).
- With the engine idle, nothing this process popped is in progress: any in-flight entry of its own but the
  spider's held requests belongs to a request dropped on its way to the queue, and is released.
- The spider stays open while the shared frontier has work: queue empty, no process with anything in
  flight (dead ones' work requeued first), seen on two idle checks in a row; then it closes as "finished"
  and the first process to see it records `frontier_drained` in the crawl's `run` hash.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import redis
from scrapy import Request, signals
from scrapy.exceptions import DontCloseSpider, NotConfigured
from twisted.internet import task

from archive.products.runend import PREFIX
from crawler.sharedcrawl.frontier import TOKEN, SharedCrawl, shared_crawl

logger = logging.getLogger(__name__)

DRAINED_CHECKS = 2  # consecutive idle checks that must see the frontier drained


class SharedFrontier:
    def __init__(self, crawler: Any, shared: SharedCrawl) -> None:
        self.crawler = crawler
        self.shared = shared
        self.loop: task.LoopingCall | None = None
        self.drained_seen = 0
        self.last_check = 0.0
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Any) -> SharedFrontier:
        shared = shared_crawl(crawler)
        if shared is None:
            raise NotConfigured("GOVARCHIVE_REDIS_URL is not set")
        return cls(crawler, shared)

    def spider_opened(self, spider: Any) -> None:
        self.shared.join()
        moved = self.shared.recover_dead()  # a previous run's processes that all died
        if moved:
            spider.logger.info("requeued %d requests of stopped crawlers", moved)
        self._wrap_remove_request()
        self.loop = task.LoopingCall(self.beat)
        self.loop.start(self.shared.heartbeat, now=False)

    def _wrap_remove_request(self) -> None:
        slot = getattr(self.crawler.engine, "_slot", None)
        if slot is None or not hasattr(slot, "remove_request"):
            raise RuntimeError(
                "this Scrapy's engine has no slot.remove_request: the shared crawl cannot track requests"
            )
        remove = slot.remove_request
        shared = self.shared
        crawler = self.crawler

        def remove_request(request: Request) -> None:
            try:
                remove(request)
            finally:
                # After the data folder failed, items are no longer kept: the request stays in flight, so
                # it goes back to the queue (to another process) instead of counting as done.
                if not _data_folder_failed(crawler):
                    shared.done(request)

        slot.remove_request = remove_request

    def beat(self) -> None:
        try:
            self.shared.renew()
            self.shared.recover_dead()
        except Exception as e:  # Redis away for a moment: the next beat tries again
            logger.warning(
                "shared crawl heartbeat failed: %s", e, exc_info=logger.isEnabledFor(logging.DEBUG)
            )
            return
        slot = getattr(self.crawler.engine, "_slot", None)
        if slot is not None and slot.closing is None:
            slot.nextcall.schedule()

    def spider_idle(self, spider: Any) -> None:
        try:
            self._idle(spider)
        except redis.RedisError as e:  # Redis away for a moment: not a reason to close as finished
            logger.warning("shared crawl: Redis unreachable at idle (%s)", e)
            raise DontCloseSpider from None

    def _idle(self, spider: Any) -> None:
        now = time.monotonic()
        if now - self.last_check < self.shared.heartbeat * 0.5:
            raise DontCloseSpider  # the engine calls this on every wake-up: check at most twice a beat
        self.last_check = now
        held = getattr(spider, "held_requests", lambda: iter(()))()
        stale = self.shared.forget_except({r.meta[TOKEN] for r in held if TOKEN in r.meta})
        if stale:
            spider.logger.debug("released %d in-flight entries of requests dropped on their way", stale)
        if not self.shared.drained():
            self.drained_seen = 0
            raise DontCloseSpider
        self.drained_seen += 1
        if self.drained_seen < DRAINED_CHECKS:
            raise DontCloseSpider
        self.shared.client.hsetnx(self.shared.keys.run, "frontier_drained", f"{time.time():.3f}")
        spider.logger.info("shared crawl %s: frontier drained", self.shared.keys.crawl)

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        try:
            self.shared.leave(finished=reason == "finished")
        except Exception:
            logger.exception("could not leave the shared crawl (the others will requeue this one's work)")


def _data_folder_failed(crawler: Any) -> bool:
    """The crawl run stopped for a failing data folder (crawler.run.CrawlRun.stop records it in the stats
    as it stops: read there, since the run depends on this package and not the other way)."""
    stats = crawler.stats
    return stats is not None and stats.get_value(PREFIX + "fault") is not None
