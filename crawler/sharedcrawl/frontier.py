"""What the crawler processes of one shared crawl hold in common: the Redis client, the crawl's keys, this
process's name, and the moves of a request between the queue and a process.

A request is in exactly one of three places, so no process's death loses it:
  * the queue: a list per band (`keys.band(band)`: one site's requests of one priority, in the order of
    their scores, each "score:request"; score = the request's turn among the sites, then its priority) and
    a sorted set of the bands with requests (`keys.queue`, band -> the score of its first request);
  * in flight with a process (`keys.inflight(process)`, a hash token -> "score:band\nrequest"): taken from the
    queue by the pop script in the same step, or held there by the spider (a list page the trap bounds let
    wait, crawler/bounds.py Verdict.WAIT), until the engine is done with it — its response or failure went
    through the spider and its items through the pipelines, or a replacement (redirect, retry, a released
    held request) is in the queue;
  * done.
A process whose `alive` key expired is dead: the recover script moves its in-flight hash back to the queue
(past the duplicate filter, which saw those requests already) in one step, so two survivors never both
requeue it. A held request of a dead process is requeued like any other: the shape's bounds were that
process's, and a crash is rare enough that letting those few pages go is better than losing them.

What stays per process: the trap bounds (each process weighs the list pages it read, so a trap costs at
most FREE + WINDOW + AHEAD pages per process; a process's held requests are let go by its own reading or at
its idle), the spider's set of URLs it requested (the shared duplicate filter decides), AutoThrottle.
Shared: the queue, the filter, the max_pages count (`keys.pages`), a site's delay (politeness.py), the
validators (validators.py).

The token of a request is the SHA-1 of its serialized bytes (the pop script computes it with
redis.sha1hex, the spider's hold with hashlib): no round trip is needed to name it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import time
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from scrapy import Request, Spider
from scrapy.utils.request import request_from_dict

from archive.products.runend import PREFIX
from archive.sharedcrawl.client import redis_client
from archive.sharedcrawl.keys import CrawlKeys, crawl_name_for, filter_buckets, process_name
from crawler.context import META_KEY, RequestContext, context_of
from crawler.middlewares.retry import NOT_BEFORE
from crawler.middlewares.throttle import SLOT_PREFIX

logger = logging.getLogger(__name__)

TOKEN = "govarchive_inflight"  # meta: the in-flight token of a request taken by this process
# retry_not_before is a time.monotonic() value: meaningless in another process, so it travels as wall time.
_NOT_BEFORE_WALL = "retry_not_before_wall"

# Take the request with the best score (the first of the band whose first is best) and record it in flight,
# in one step; the band's next request (if any) becomes its first; the queue's clock moves on to the popped
# request's turn (the enqueue script reads it). KEYS: the bands' sorted set, the in-flight hash, the clock,
# the count of queued requests; ARGV[1]: the prefix of the bands' lists (built here: the band is known only
# once popped, so the crawl needs one Redis, not a cluster).
_POP = """
while true do
  local head = redis.call('ZPOPMIN', KEYS[1])
  if #head == 0 then return false end
  local band = head[1]
  local list = ARGV[1] .. band
  local entry = redis.call('LPOP', list)
  if entry then
    local nxt = redis.call('LINDEX', list, 0)
    if nxt then
      redis.call('ZADD', KEYS[1], tonumber(string.sub(nxt, 1, string.find(nxt, ':', 1, true) - 1)), band)
    end
    local sep = string.find(entry, ':', 1, true)
    local score = string.sub(entry, 1, sep - 1)
    local data = string.sub(entry, sep + 1)
    local token = redis.sha1hex(data)
    redis.call('HSET', KEYS[2], token, score .. ':' .. band .. '\\n' .. data)
    redis.call('DECR', KEYS[4])
    local turn = math.floor((tonumber(score) + 64) / 128)  -- score = turn * 128 + order, order in ±63
    if turn > tonumber(redis.call('GET', KEYS[3]) or '0') then redis.call('SET', KEYS[3], turn) end
    return {token, data}
  end
end
"""
# Queue a request unless the duplicate filter (KEYS[1]: the fingerprint's bucket, ARGV[1]: its field;
# archive/sharedcrawl/keys.py filter_bucket) saw it (no fingerprint: dont_filter), in one step: a process
# killed between the filter and the queue would otherwise leave a URL marked seen that nobody fetches. The
# in-flight request it replaces (a redirect, a retry, a held request let go) is released in the same step.
# A duplicate the spider counted for the max_pages net when it built it is taken off its site's count.
# The score is the request's turn, then its priority (clamped to ±63; turn * 128 + order): start-time fair
# queueing over the sites. A site's next turn is one after its last, but never before the turn the queue
# has reached (the clock, the turn of the last request popped): the sites with work come round in turn, a
# site's new links wait for the others' requests of the same turn, and a site that was idle (or found
# late) does not jump the queue with a run of its own. Without it, ZPOPMIN takes one priority's requests in
# the order of their bytes — one site's URLs in a row, each waiting for that site's delay in the process
# that took them (benchmarks/national_crawl.py: ~5 pages/s on 300 portals with a 1 s delay). A site's turns
# are counted per priority (its band): its report found late is queued for the next turn, not behind every
# list page of that site found before it (best first within a site, as in a single-process crawl); priority
# orders the requests of one turn. A request with no site (none the spider builds) has turn 0.
# A band's turns only grow, so a request goes at the end of its band's list: the list stays in score order,
# and only a band whose list was empty enters the sorted set. Lists rather than one sorted set of requests:
# a list entry costs its bytes and ~4 more, a sorted-set member ~120 more (benchmarks/redis_frontier.py).
_ENQUEUE = """
if ARGV[4] ~= '' then redis.call('HDEL', KEYS[3], ARGV[4]) end
if ARGV[1] ~= '' and redis.call('HSETNX', KEYS[1], ARGV[1], '') == 0 then
  if ARGV[5] ~= '' then redis.call('HINCRBY', KEYS[4], ARGV[5], -1) end
  return 0
end
local order = math.max(-63, math.min(63, tonumber(ARGV[3])))
local band = ARGV[6] .. '|' .. order
local turn = 0
if ARGV[6] ~= '' then
  turn = math.max(tonumber(redis.call('HGET', KEYS[5], band) or '0') + 1,
                  tonumber(redis.call('GET', KEYS[6]) or '0') + 1)
  redis.call('HSET', KEYS[5], band, turn)
end
local score = turn * 128 + order
if redis.call('RPUSH', ARGV[7] .. band, score .. ':' .. ARGV[2]) == 1 then
  redis.call('ZADD', KEYS[2], score, band)
end
redis.call('INCR', KEYS[7])
return 1
"""


def queue_score(priority: int, turn: int = 0) -> int:
    """A request's score in the queue (lowest first), as the enqueue script computes it."""
    return turn * 128 + max(-63, min(63, -priority))


def band_of(site: str | None, priority: int) -> str:
    """The band of a site's requests of one priority, as the enqueue script names it."""
    return f"{site or ''}|{max(-63, min(63, -priority))}"


# A process whose alive key is gone: its in-flight requests back to the queue, itself out of the crawl. Each
# goes back to the front of its band: its score is below every request queued in its band since (turns only
# grow; a held request has turn 0) — only what other dead processes gave back may be lower, and is merged —
# so a band's entries, pushed to the front best last, keep its list in score order.
_RECOVER = """
if redis.call('EXISTS', KEYS[1]) == 1 then return -1 end
local kv = redis.call('HGETALL', KEYS[2])
local bands = {}
local n = 0
for i = 1, #kv, 2 do
  local v = kv[i + 1]
  local sep = string.find(v, ':', 1, true)
  local nl = sep and string.find(v, '\\n', sep + 1, true)
  local score = sep and tonumber(string.sub(v, 1, sep - 1))
  if nl and score then
    local band = string.sub(v, sep + 1, nl - 1)
    local entries = bands[band] or {}
    entries[#entries + 1] = {score, string.sub(v, 1, sep) .. string.sub(v, nl + 1)}
    bands[band] = entries
    n = n + 1
  else  -- not this form (the crawl's start refuses earlier forms): kept aside, never guessed at
    redis.call('HSET', ARGV[2] .. '!unreadable', kv[i], v)
  end
end
for band, entries in pairs(bands) do
  -- Requests another dead process gave back before may be at the front, below some of these: merged.
  local top = -math.huge
  for _, e in ipairs(entries) do top = math.max(top, e[1]) end
  while true do
    local first = redis.call('LINDEX', ARGV[2] .. band, 0)
    if not first then break end
    local score = tonumber(string.sub(first, 1, string.find(first, ':', 1, true) - 1))
    if score >= top then break end
    entries[#entries + 1] = {score, redis.call('LPOP', ARGV[2] .. band)}
  end
  table.sort(entries, function(a, b) return a[1] > b[1] end)
  for _, e in ipairs(entries) do redis.call('LPUSH', ARGV[2] .. band, e[2]) end
  redis.call('ZADD', KEYS[3], entries[#entries][1], band)
end
redis.call('INCRBY', KEYS[5], n)
redis.call('DEL', KEYS[2])
redis.call('SREM', KEYS[4], ARGV[1])
return n
"""


# Request attributes left out of the serialized form when they hold their default: a queued request costs
# Redis memory for every byte (benchmarks/redis_frontier.py).
_DEFAULTS: dict[str, Any] = {
    "method": "GET",
    "headers": {},
    "body": b"",
    "cookies": {},
    "encoding": "utf-8",
    "priority": 0,
    "dont_filter": False,
    "flags": [],
    "cb_kwargs": {},
    "meta": {},
}
# Taken out of scrapy's dict of the request into the tuple's own places.
_PLACED = ("url", "callback", "errback", "priority")
_CONTEXT_FIELDS = fields(RequestContext)
# Context fields holding a URL that usually shares a long start with the request's (the page linking to it,
# the page whose script asked for it): kept as (length shared, the rest).
_NEAR_URL = {i for i, f in enumerate(_CONTEXT_FIELDS) if f.name in ("linked_from", "origin")}
_REFERER = b"Referer"
_NONE = "<none>"  # a request without the download slot or Referer its context implies


def _near(value: Any, url: str) -> Any:
    if not isinstance(value, str):
        return value
    n = len(os.path.commonprefix([value, url]))  # noqa: RUF071 - characters shared, not path parts
    return (n, value[n:]) if n >= 8 else value


def _far(value: Any, url: str) -> Any:
    return url[: value[0]] + value[1] if isinstance(value, tuple) else value


def _context_values(context: RequestContext, url: str) -> tuple[Any, ...]:
    """The context as its field values, trailing defaults dropped (field names are not repeated per
    request), its URLs as their difference from the request's."""
    values = [getattr(context, f.name) for f in _CONTEXT_FIELDS]
    while values and len(values) > 2 and values[-1] == _CONTEXT_FIELDS[len(values) - 1].default:
        values.pop()
    return tuple(_near(v, url) if i in _NEAR_URL else v for i, v in enumerate(values))


def _context_of(values: tuple[Any, ...], url: str) -> RequestContext:
    return RequestContext(*(_far(v, url) if i in _NEAR_URL else v for i, v in enumerate(values)))


def encode(request: Request, spider: Spider) -> bytes:
    """The request as it travels through Redis: a pickled tuple (url, callback, errback, priority, context,
    rest). Callbacks go by spider method name; the RequestContext as its values; `rest` is what else of
    scrapy's dict of the request differs from a default — meta without this process's own values and
    without the download slot the context names, headers without a Referer equal to the context's
    `linked_from` (the spider sets both from the same page). A queued request costs Redis memory for every
    byte: 471 bytes as scrapy's dict without defaults, 244 so (benchmarks/redis_frontier.py)."""
    d = request.to_dict(spider=spider)
    meta = dict(d.get("meta") or {})  # to_dict hands out the request's own meta dict
    meta.pop(TOKEN, None)
    not_before = meta.pop(NOT_BEFORE, None)
    if not_before is not None:
        meta[_NOT_BEFORE_WALL] = time.time() + (not_before - time.monotonic())
    context = meta.pop(META_KEY, None)
    values: tuple[Any, ...] | None = None
    if isinstance(context, RequestContext):
        values = _context_values(context, request.url)
        # What decode restores when absent; when the request has none of it, that is said instead.
        slot = meta.pop("download_slot", _NONE)
        if slot != SLOT_PREFIX + context.site_id:
            meta["download_slot"] = slot
        if context.linked_from is not None:
            headers = dict(d["headers"])
            referer = headers.pop(_REFERER, _NONE)
            if referer != [context.linked_from.encode()]:
                headers[_REFERER] = referer
            d["headers"] = headers
    elif context is not None:
        meta[META_KEY] = context  # not the crawl's: kept as it is
    d["meta"] = meta
    rest = {k: v for k, v in d.items() if k not in _PLACED and not (k in _DEFAULTS and v == _DEFAULTS[k])}
    placed = (d["url"], d["callback"], d["errback"], d["priority"])
    return pickle.dumps((*placed, values, rest or None), protocol=pickle.HIGHEST_PROTOCOL)


def decode(data: bytes, spider: Spider) -> Request:
    url, callback, errback, priority, values, rest = pickle.loads(data)
    d = {**(rest or {}), "url": url, "callback": callback, "errback": errback, "priority": priority}
    meta = d.setdefault("meta", {})
    wall = meta.pop(_NOT_BEFORE_WALL, None)
    if wall is not None:
        meta[NOT_BEFORE] = time.monotonic() + (wall - time.time())
    if isinstance(values, tuple):
        context = _context_of(values, d["url"])
        meta[META_KEY] = context
        meta.setdefault("download_slot", SLOT_PREFIX + context.site_id)
        if context.linked_from is not None:
            d["headers"] = {_REFERER: [context.linked_from.encode()], **d.get("headers", {})}
        if meta.get("download_slot") == _NONE:
            del meta["download_slot"]
        headers = d.get("headers")
        if headers and headers.get(_REFERER) == _NONE:
            del headers[_REFERER]
    elif values is not None:
        meta[META_KEY] = values
    return request_from_dict(d, spider=spider)


def token_of(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()


@dataclass
class SharedCrawl:
    client: Any  # redis.Redis (its stubs mix sync and async results)
    keys: CrawlKeys
    process: str
    alive_ttl: float  # seconds without renewal after which this process counts as dead
    heartbeat: float  # seconds between renewals (and checks of the others)
    held: set[str] = field(default_factory=set)  # tokens in this process's in-flight hash
    buckets: int = 0  # the duplicate filter's, once size_filter ran

    def __post_init__(self) -> None:
        self._pop = self.client.register_script(_POP)
        self._recover = self.client.register_script(_RECOVER)
        self._enqueue = self.client.register_script(_ENQUEUE)

    @property
    def inflight(self) -> str:
        return self.keys.inflight(self.process)

    # --- requests between the queue and this process ----------------------------------------------------

    def pop(self) -> tuple[str, bytes] | None:
        """The queue's best request, now in flight with this process: (token, bytes)."""
        got = self._pop(
            keys=[self.keys.queue, self.inflight, self.keys.clock, self.keys.queued],
            args=[self.keys.band("")],
        )
        if not got:
            return None
        token = got[0].decode() if isinstance(got[0], bytes) else str(got[0])
        self.held.add(token)
        return token, bytes(got[1])

    def enqueue(
        self,
        data: bytes,
        priority: int,
        fingerprint: bytes | None,
        token: str | None,
        counted_site: str | None,
        site: str | None = None,
    ) -> bool:
        """Queue a serialized request of `site` unless `fingerprint` was seen; release `token`; a duplicate
        counted for `counted_site` by the spider is uncounted. False: a duplicate."""
        if token is not None:
            if token in self.held:
                self.held.discard(token)
            else:
                token = None  # not in flight here (a replacement of a request already released)
        bucket, field = self._bucket(fingerprint) if fingerprint else (self.keys.dupefilter, b"")
        keys = [
            bucket,
            self.keys.queue,
            self.inflight,
            self.keys.pages,
            self.keys.turns,
            self.keys.clock,
            self.keys.queued,
        ]
        args = [field, data, -priority, token or "", counted_site or "", site or "", self.keys.band("")]
        return bool(self._enqueue(keys=keys, args=args))

    def size_filter(self, sites: int) -> int:
        """The duplicate filter's bucket count: the crawl's first process sets it from its number of sites,
        the others read it (every process must bucket alike)."""
        self.client.set(self.keys.filter_size, filter_buckets(sites), nx=True)
        self.buckets = int(self.client.get(self.keys.filter_size))
        return self.buckets

    def _bucket(self, fingerprint: bytes) -> tuple[str, bytes]:
        if not self.buckets:
            raise RuntimeError("the shared crawl's duplicate filter is not sized (size_filter)")
        return self.keys.filter_bucket(fingerprint, self.buckets)

    def seen(self, fingerprint: bytes) -> bool:
        """Whether the duplicate filter had the fingerprint (it has it now)."""
        bucket, field = self._bucket(fingerprint)
        return not self.client.hsetnx(bucket, field, b"")

    def hold(self, request: Request, spider: Spider) -> None:
        """Keep a request that waits in this process's memory in its in-flight hash too."""
        data = encode(request, spider)
        token = token_of(data)
        context = context_of(request)
        band = band_of(context.site_id if context is not None else None, request.priority)
        self.client.hset(self.inflight, token, f"{queue_score(request.priority)}:{band}\n".encode() + data)
        request.meta[TOKEN] = token
        self.held.add(token)

    def done(self, request: Request) -> None:
        """The engine is done with a request (or it was dropped, or replaced by one now queued)."""
        token = request.meta.get(TOKEN)
        if token is not None and token in self.held:
            self.held.discard(token)
            self.client.hdel(self.inflight, token)

    def pages(self, site_id: str) -> int:
        """Requests made for a site by all processes, duplicates of one another's taken off (max_pages)."""
        return int(self.client.hget(self.keys.pages, site_id) or 0)

    def count_page(self, site_id: str) -> int:
        """One more request built for a site: counted when built, as the single-process spider counts, so
        a page's links are counted before the scraper hands them to the scheduler; the new total."""
        return int(self.client.hincrby(self.keys.pages, site_id, 1))

    def forget_except(self, tokens: set[str]) -> int:
        """Release every token of this process but `tokens`. Called with the engine idle (nothing popped is
        in progress) and the spider's held requests as `tokens`: a request dropped on its way to the queue
        (a spider middleware, a request_scheduled handler) would otherwise keep the crawl from draining."""
        stale = self.held - tokens
        if stale:
            self.client.hdel(self.inflight, *stale)
            self.held -= stale
        return len(stale)

    # --- the processes of the crawl ---------------------------------------------------------------------

    def join(self) -> None:
        pipe = self.client.pipeline()
        pipe.sadd(self.keys.crawlers, self.process)
        pipe.set(self.keys.alive(self.process), str(time.time()), px=int(self.alive_ttl * 1000))
        pipe.execute()

    def renew(self) -> None:
        """Stay alive. Should the key have expired (a stall longer than the TTL), another process may have
        requeued this one's requests: they may be fetched twice, never lost; rejoin."""
        if not self.client.pexpire(self.keys.alive(self.process), int(self.alive_ttl * 1000)):
            logger.warning(
                "this crawler's alive key had expired: its in-flight requests may be fetched twice"
            )
            self.join()

    def recover_dead(self) -> int:
        """Requeue the in-flight requests of every process of the crawl that stopped renewing."""
        moved = 0
        for raw in self.client.smembers(self.keys.crawlers):
            name = raw.decode() if isinstance(raw, bytes) else str(raw)
            if name == self.process:
                continue
            n = int(
                self._recover(
                    keys=[
                        self.keys.alive(name),
                        self.keys.inflight(name),
                        self.keys.queue,
                        self.keys.crawlers,
                        self.keys.queued,
                    ],
                    args=[name, self.keys.band("")],
                )
            )
            if n > 0:
                logger.warning("crawler %s stopped: %d of its requests are back in the queue", name, n)
                moved += n
        return moved

    def drained(self) -> bool:
        """Nothing queued, nothing in flight with any process (dead ones' requests were requeued first)."""
        self.recover_dead()
        if self.client.zcard(self.keys.queue):
            return False
        members = {
            m.decode() if isinstance(m, bytes) else str(m) for m in self.client.smembers(self.keys.crawlers)
        }
        pipe = self.client.pipeline()
        for name in members | {self.process}:
            pipe.hlen(self.keys.inflight(name))
        return not any(pipe.execute())

    def leave(self, finished: bool) -> None:
        """A process that finished leaves the crawl; one that stopped otherwise keeps its in-flight hash for
        the others (or the next run) to requeue, and only gives up its alive key."""
        pipe = self.client.pipeline()
        pipe.delete(self.keys.alive(self.process))
        if finished and not self.held:
            pipe.delete(self.inflight)
            pipe.srem(self.keys.crawlers, self.process)
        pipe.execute()


def crawl_keys(settings: Any, sites_file: Path | None) -> CrawlKeys:
    """GOVARCHIVE_CRAWL_NAME, or the digest of the sites file: processes with the same file join one crawl."""
    name = settings.get("GOVARCHIVE_CRAWL_NAME")
    if not name:
        name = crawl_name_for(sites_file or Path(settings.get("GOVARCHIVE_SITES") or "sites.toml"))
    return CrawlKeys(name)


_ATTR = "_govarchive_shared_crawl"


def shared_crawl(crawler: Any, sites_file: Path | None = None) -> SharedCrawl | None:
    """The shared crawl of this crawler (made once), or None when GOVARCHIVE_REDIS_URL is not set."""
    existing = getattr(crawler, _ATTR, None)
    if existing is not None:
        return existing
    settings = crawler.settings
    url = settings.get("GOVARCHIVE_REDIS_URL")
    if not url:
        return None
    if sites_file is None and getattr(crawler, "spider", None) is not None:
        sites_file = getattr(crawler.spider, "sites_file", None)
    shared = SharedCrawl(
        client=redis_client(url),
        keys=crawl_keys(settings, sites_file),
        process=process_name(),
        alive_ttl=settings.getfloat("GOVARCHIVE_REDIS_ALIVE_TTL", 10.0),
        heartbeat=settings.getfloat("GOVARCHIVE_REDIS_HEARTBEAT", 1.0),
    )
    setattr(crawler, _ATTR, shared)
    return shared


def publish_stats(shared: SharedCrawl, stats: dict[str, Any]) -> None:
    """A crawler process of a shared crawl closing: its counters are added to the crawl's (the writer's
    summary reads them) and it counts as closed (all its captures are published)."""
    pipe = shared.client.pipeline()
    for key, value in stats.items():
        if isinstance(value, int) and not isinstance(value, bool) and key.startswith(_ADDED_UP):
            pipe.hincrby(shared.keys.stats, key, value)
    if stats.get(PREFIX + "finish_reason") != "finished":  # stopped short: the run removes nothing
        pipe.hincrby(shared.keys.stats, PREFIX + "unfinished_processes", 1)
    pipe.sadd(shared.keys.closed, shared.process)
    pipe.execute()


# The counters `summarize` reads: added up over the crawler processes (a killed process's are lost; what it
# archived is not).
_ADDED_UP = (PREFIX, "downloader/request_count", "downloader/response_", "retry/count", "item_scraped_count")
