"""A site's download_delay held across all processes of a shared crawl, not per process.

Before a request to a site with a delay is downloaded, it takes the site's next slot time from Redis in one
step (slot = max(now, next); next = slot + delay; the wait is slot - now, all on Redis's clock so the
machines' clocks do not matter) and waits for it without blocking the reactor. Placed after the retry
backoff (550) and the other middlewares that may wait, so the slot is taken as late as possible.

Each process's own download slot and its AutoThrottle (crawler/middlewares/throttle.py) still apply; the
spacing asked of Redis is the larger of the site's delay and this process's throttled delay, so a slot
taken here is not pushed back by the local one. What remains: a process whose site concurrency is used up
queues a request after its slot came, which can bring two starts closer than the delay; and a process takes
up to CONCURRENT_REQUESTS requests from the shared queue whatever their site, so requests waiting here for
a slow site's slots hold places another process could have used (with many sites in one crawl they mix).
"""

from __future__ import annotations

import asyncio
from typing import Any

from scrapy import Request
from scrapy.exceptions import NotConfigured

from crawler.context import context_of
from crawler.middlewares.throttle import SLOT_PREFIX
from crawler.sharedcrawl.frontier import SharedCrawl, shared_crawl

_TAKE_SLOT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local nxt = tonumber(redis.call('GET', KEYS[1]) or '0')
local slot = math.max(now, nxt)
local delay = tonumber(ARGV[1])
redis.call('SET', KEYS[1], slot + delay, 'PX', delay + 60000)
return slot - now
"""


class SharedSiteSlots:
    def __init__(self, crawler: Any, shared: SharedCrawl) -> None:
        self.crawler = crawler
        self.shared = shared
        self._take = shared.client.register_script(_TAKE_SLOT)

    @classmethod
    def from_crawler(cls, crawler: Any) -> SharedSiteSlots:
        shared = shared_crawl(crawler)
        if shared is None:
            raise NotConfigured("GOVARCHIVE_REDIS_URL is not set")
        return cls(crawler, shared)

    async def process_request(self, request: Request, spider: Any = None) -> None:
        context = context_of(request)
        if context is None:
            return  # robots.txt
        site = getattr(self.crawler.spider, "sites", {}).get(context.site_id)
        if site is None or not site.download_delay:
            return
        delay = site.download_delay
        engine = self.crawler.engine
        local = engine.downloader.slots.get(SLOT_PREFIX + site.id) if engine else None
        if local is not None:
            delay = max(delay, local.delay)
        wait_ms = int(self._take(keys=[self.shared.keys.site_slot(site.id)], args=[int(delay * 1000)]))
        if wait_ms > 0:
            await asyncio.sleep(wait_ms / 1000)
