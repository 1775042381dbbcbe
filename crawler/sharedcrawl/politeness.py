"""A site's download_delay held across all processes of a shared crawl, not per process.

Two steps per request to a site with a delay, both on Redis's clock (the machines' clocks do not matter):
  * take a slot: slot = max(now, next); next = slot + spacing; wait slot - now without blocking the reactor
    (the slots spread the processes' requests for one site over time);
  * depart: once awake, the request leaves only when no other request to the site is in flight (from any
    process) and the last one's answer (or failure) came at least `spacing` ago; else it waits and asks
    again. It then marks the site busy until its own answer comes (or the mark expires: a process killed
    mid-fetch), and the answer stamps the site's last activity.
So a site with a delay gets one request at a time from the whole crawl, each `spacing` after the previous
answer (the delay counted from the end of a fetch, as wget --wait counts it; a portal answering in r
seconds gets one request per spacing + r). Spacing from departures alone is not enough: a request that
reaches the portal late (its process's reactor busy, a new connection, a machine under load: 0.3–1 s
measured on 2 loaded cores) lands closer than the delay to the next one, from this process or another —
and a request's answer always comes after the portal saw it.
The spacing is the larger of the site's delay and this process's throttled delay (crawler/middlewares/
throttle.py), plus GOVARCHIVE_POLITENESS_MARGIN (default 0.1 s, for the network's jitter on the next
request's way).

robots.txt (a request with no context, fetched by each process) counts for the site whose start URL has
its origin, as a portal's limiter counts it. Placed after the retry backoff (550) and the other middlewares
that may wait, so the slot is taken as late as possible (940).

What remains: a delayed site's `concurrency` above 1 goes unused in a shared crawl (one request at a
time); a process takes up to CONCURRENT_REQUESTS requests from the shared queue whatever their site, so
requests waiting here hold places another site's requests could have used — the queue takes the sites in
turn (crawler/sharedcrawl/frontier.py), so these waits stay short while many sites have work, and only the
last, largest sites of a pass wait on their own delay (benchmarks/national_crawl.py, docs/national-crawl.md).
"""

from __future__ import annotations

import asyncio
import itertools
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from archive.sites import Site
from crawler.context import context_of
from crawler.middlewares.throttle import SLOT_PREFIX
from crawler.sharedcrawl.frontier import SharedCrawl, shared_crawl

DEFAULT_MARGIN = 0.1  # seconds added to every site's spacing (GOVARCHIVE_POLITENESS_MARGIN)

_TAKE_SLOT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local nxt = tonumber(redis.call('GET', KEYS[1]) or '0')
local slot = math.max(now, nxt)
local delay = tonumber(ARGV[1])
redis.call('SET', KEYS[1], slot + delay, 'PX', delay + 60000)
return slot - now
"""
# The departure: KEYS[1] the site's in-flight mark (a request's token), KEYS[2] its last answer (ms).
# 0 when the request may leave (marked in flight for ARGV[3] ms at most), else the ms to wait before asking
# again: the spacing when a request is in flight (its answer plus the spacing is later still).
_DEPART = """
local spacing = tonumber(ARGV[1])
if redis.call('EXISTS', KEYS[1]) == 1 then return spacing end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local last = tonumber(redis.call('GET', KEYS[2]) or '0')
if now - last < spacing then return last + spacing - now end
redis.call('SET', KEYS[1], ARGV[2], 'PX', tonumber(ARGV[3]))
return 0
"""
# The answer (or failure) of the request holding the in-flight mark: the mark goes, the time is stamped.
_ANSWERED = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
redis.call('SET', KEYS[2], now, 'PX', tonumber(ARGV[2]) + 60000)
return 0
"""
_SPACED = "govarchive_spaced"  # meta: (site id, token, spacing ms) of a request in flight to its site


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


class SharedSiteSlots:
    def __init__(self, crawler: Any, shared: SharedCrawl) -> None:
        self.crawler = crawler
        self.shared = shared
        self.margin = crawler.settings.getfloat("GOVARCHIVE_POLITENESS_MARGIN", DEFAULT_MARGIN)
        self._take = shared.client.register_script(_TAKE_SLOT)
        self._depart = shared.client.register_script(_DEPART)
        self._answered = shared.client.register_script(_ANSWERED)
        self._by_origin: dict[str, Site] | None = None
        # A mark left by a process killed mid-fetch expires after the longest a fetch may take.
        self.busy_ms = int((crawler.settings.getfloat("DOWNLOAD_TIMEOUT", 180.0) + 10) * 1000)
        self._tokens = itertools.count()

    @classmethod
    def from_crawler(cls, crawler: Any) -> SharedSiteSlots:
        shared = shared_crawl(crawler)
        if shared is None:
            raise NotConfigured("GOVARCHIVE_REDIS_URL is not set")
        return cls(crawler, shared)

    def _sites(self) -> dict[str, Site]:
        return getattr(self.crawler.spider, "sites", {})

    def site_of(self, request: Request) -> Site | None:
        """The site a request counts for: its context's, or for robots.txt the site it is the origin of."""
        context = context_of(request)
        if context is not None:
            return self._sites().get(context.site_id)
        if not request.url.endswith("/robots.txt"):
            return None
        if self._by_origin is None:
            self._by_origin = {}
            for site in self._sites().values():
                for url in site.start_urls:
                    self._by_origin.setdefault(_origin(url), site)
        return self._by_origin.get(_origin(request.url))

    async def process_request(self, request: Request, spider: Any = None) -> None:
        site = self.site_of(request)
        if site is None or not site.download_delay:
            return
        delay = site.download_delay
        engine = self.crawler.engine
        local = engine.downloader.slots.get(SLOT_PREFIX + site.id) if engine else None
        if local is not None:
            delay = max(delay, local.delay)
        spacing_ms = int((delay + self.margin) * 1000)
        wait_ms = int(self._take(keys=[self.shared.keys.site_slot(site.id)], args=[spacing_ms]))
        if wait_ms > 0:
            await asyncio.sleep(wait_ms / 1000)
        token = f"{self.shared.process}:{next(self._tokens)}"
        keys = [self.shared.keys.site_busy(site.id), self.shared.keys.site_answered(site.id)]
        # The mark outlives this request's own timeout (a render or a large file may set a longer one).
        timeout_s = request.meta.get("download_timeout")
        busy_ms = max(self.busy_ms, int((float(timeout_s) + 10) * 1000)) if timeout_s else self.busy_ms
        while (left_ms := int(self._depart(keys=keys, args=[spacing_ms, token, busy_ms]))) > 0:
            await asyncio.sleep(left_ms / 1000)
        request.meta[_SPACED] = (site.id, token, spacing_ms)

    def _answered_now(self, request: Request) -> None:
        spaced = request.meta.pop(_SPACED, None)
        if spaced is not None:
            site_id, token, spacing_ms = spaced
            keys = [self.shared.keys.site_busy(site_id), self.shared.keys.site_answered(site_id)]
            self._answered(keys=keys, args=[token, spacing_ms])

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        self._answered_now(request)
        return response

    def process_exception(self, request: Request, exception: Exception, spider: Any = None) -> None:
        self._answered_now(request)
