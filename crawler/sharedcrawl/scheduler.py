"""scrapy-redis's scheduler and duplicate filter on the keys of one shared crawl (archive.sharedcrawl.keys).

The queue persists (a crawl resumes when every process died); the duplicate filter keeps Scrapy's own
request fingerprints (their first 8 bytes, in bucketed hashes: archive/sharedcrawl/keys.py filter_bucket)
instead of scrapy-redis's set of 40-character hex digests. A popped request is in flight with this process until the engine
is done with it (crawler/sharedcrawl/frontier.py); the filter, the queue and the release of the in-flight
request a new one replaces (a redirect, a retry, a held list page let go) are one step (a Lua script).
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Request, Spider
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.scheduler import Scheduler

from crawler.context import context_of
from crawler.sharedcrawl.frontier import TOKEN, SharedCrawl, decode, encode, shared_crawl

logger = logging.getLogger(__name__)


class SharedDupeFilter(RFPDupeFilter):
    def __init__(self, server: Any, key: str, fingerprinter: Any, shared: SharedCrawl | None = None) -> None:
        super().__init__(server, key)
        self.fingerprinter = fingerprinter
        self.shared = shared

    def request_fingerprint(self, request: Request) -> bytes:
        return bytes(self.fingerprinter.fingerprint(request))

    def request_seen(self, request: Request) -> bool:
        """The filter's own check (the scheduler checks and queues in one step, SharedCrawl.enqueue)."""
        if self.shared is None:
            raise RuntimeError("SharedDupeFilter needs its shared crawl")
        return self.shared.seen(self.request_fingerprint(request))

    def close(self, reason: str = "") -> None:
        pass  # the fingerprints belong to the shared crawl, not to this process


class SharedScheduler(Scheduler):
    shared: SharedCrawl
    spider: Spider

    @classmethod
    def from_crawler(cls, crawler: Any) -> SharedScheduler:
        shared = shared_crawl(crawler)
        if shared is None:
            raise RuntimeError("SharedScheduler needs GOVARCHIVE_REDIS_URL")
        df = SharedDupeFilter(shared.client, shared.keys.dupefilter, crawler.request_fingerprinter, shared)
        scheduler = cls(server=shared.client, persist=True, queue_key=shared.keys.queue, dupefilter=df)
        scheduler.stats = crawler.stats
        scheduler.shared = shared
        return scheduler

    def open(self, spider: Spider) -> None:
        self.spider = spider
        self.shared.size_filter(len(getattr(spider, "sites", {})))
        queued = len(self)
        if queued:
            spider.logger.info("joining shared crawl %s: %d requests queued", self.shared.keys.crawl, queued)

    def close(self, reason: str) -> None:
        pass  # persist: the queue and the filter are the crawl's

    def __len__(self) -> int:
        return int(self.shared.client.get(self.shared.keys.queued) or 0)

    def has_pending_requests(self) -> bool:
        return bool(self.shared.client.zcard(self.shared.keys.queue))

    def enqueue_request(self, request: Request) -> bool:
        token = request.meta.pop(TOKEN, None)  # a replacement (or a held request) of one in flight here
        context = context_of(request)
        # Built by the spider, so counted for the max_pages net (ReportsSpider._request); a redirect's target
        # and a retry are the middlewares'.
        counted = context is not None and not request.dont_filter and "redirect_urls" not in request.meta
        queued = self.shared.enqueue(
            encode(request, self.spider),
            request.priority,
            None if request.dont_filter else self.df.request_fingerprint(request),
            token,
            context.site_id if counted and context is not None else None,
            context.site_id if context is not None else None,
        )
        if not queued:
            self.df.log(request, self.spider)
            return False
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def _release(self, token: str) -> None:
        if token in self.shared.held:
            self.shared.held.discard(token)
            self.shared.client.hdel(self.shared.inflight, token)

    def next_request(self) -> Request | None:
        got = self.shared.pop()
        if got is None:
            return None
        token, data = got
        try:
            request = decode(data, self.spider)
        except Exception:
            logger.exception("a queued request could not be read; dropped")
            self._release(token)
            return None
        request.meta[TOKEN] = token
        if self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request
