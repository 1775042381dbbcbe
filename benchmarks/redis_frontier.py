"""Redis memory per million queued URLs of a shared crawl, and the push/pop rates of its scheduler.

Requests are built by the reports spider's own `_request` (its meta: the download slot and the
RequestContext with link text and linking page; the Referer header; the errback) for URLs shaped like real
county portals' (article pages under dated folders, attachments with long generated names, pager pages),
serialized exactly as the shared scheduler queues them (crawler/sharedcrawl/frontier.py `encode`) and
fingerprinted by Scrapy's fingerprinter as its duplicate filter does.

Memory: `--urls` (1,000,000) requests of 200 sites through the scheduler's enqueue script (duplicate filter,
turns, the sites' bands), in pipelines of 1,000 (faster than one round trip each); `MEMORY USAGE` of the
queue (the bands' lists and their sorted set) and of the filter's buckets, and `INFO memory` used_memory
before and after, per million URLs.
Rates: `--rate-urls` requests through `SharedScheduler.enqueue_request` (filter, queue and the release of
the in-flight request it replaces, one Lua script: what a crawling process pays per new link; the spider's
max_pages count is one HINCRBY more per request it builds), then popped by `next_request` (the pop script that records
them in flight, and decoding) and released as the engine does once a request is done.

    .venv/bin/python benchmarks/redis_frontier.py [--urls 1000000] [--rate-urls 20000] [--redis URL]

Without --redis a Debian redis-server is started on a free loopback port (nothing persisted) and stopped.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import redis
import scrapy
from scrapy.utils.request import RequestFingerprinter
from scrapy.utils.test import get_crawler

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from archive.sharedcrawl.keys import CrawlKeys
from archive.sites import Site
from crawler.context import RequestContext
from crawler.sharedcrawl.frontier import SharedCrawl, encode
from crawler.sharedcrawl.scheduler import SharedDupeFilter, SharedScheduler
from crawler.spiders.reports import PRIORITY, ReportsSpider

BATCH = 1000
SECTIONS = ["zwgk/zfxxgk/ndbg", "xxgk/gkml/gknb", "zfxxgk/fdzdgknr/ndbg", "col/col1229", "xxgk/bmxxgk/zfbm"]
AGENCIES = [
    "发展和改革局",
    "教育局",
    "公安局",
    "民政局",
    "财政局",
    "人力资源和社会保障局",
    "自然资源局",
    "农业农村局",
]


def portal_request(spider: ReportsSpider, site: Site, i: int, rng: random.Random) -> scrapy.Request:
    """The i-th request of a realistic crawl: mostly articles and attachments, some pager pages."""
    host = f"http://www.{site.id}.gov.cn"
    section = SECTIONS[i % len(SECTIONS)]
    year = 2015 + i % 10
    list_url = f"{host}/{section}/index_{i % 40}.html"
    agency = AGENCIES[i % len(AGENCIES)]
    title = f"某某县{agency}{year}年政府信息公开工作年度报告"
    kind = i % 10
    if kind < 5:
        url = f"{host}/{section}/{year + 1}01/t{year + 1}01{rng.randint(10, 28)}_{rng.randint(10**6, 10**7)}.html"
        context = RequestContext(site.id, "article", title, 2)
        callback, priority = spider.parse_page, PRIORITY["article"]
    elif kind < 9:
        url = f"{host}/{section}/{year + 1}01/P0{year + 1}01{rng.randint(10**14, 10**15)}.pdf"
        context = RequestContext(site.id, "attachment", title + ".pdf")
        callback, priority = spider.parse_attachment, PRIORITY["attachment"]
    else:
        url = f"{host}/{section}/index_{i}.html"
        context = RequestContext(site.id, "list", str(i % 40 + 1), 1)
        callback, priority = spider.parse_page, PRIORITY["pager"]
    return spider._request(site, url, context, callback=callback, priority=priority, referer=list_url)


def used_memory(client: Any) -> int:
    return int(client.info("memory")["used_memory"])


def memory(
    client: Any, spider: ReportsSpider, sites: list[Site], n: int, keys: CrawlKeys
) -> dict[str, float]:
    fingerprinter = RequestFingerprinter()
    rng = random.Random(1)
    shared = SharedCrawl(client, keys, "bench", 10.0, 1.0)
    shared.size_filter(len(sites))
    pipe = client.pipeline(transaction=False)
    piped = SharedCrawl(pipe, keys, "bench", 10.0, 1.0)  # the enqueue script, queued in the pipeline
    piped.buckets = shared.buckets
    base = used_memory(client)
    started = time.perf_counter()
    for i in range(n):
        site = sites[i % len(sites)]
        request = portal_request(spider, site, i, rng)
        fingerprint = fingerprinter.fingerprint(request)
        piped.enqueue(encode(request, spider), request.priority, fingerprint, None, None, site.id)
        if i % BATCH == BATCH - 1:
            pipe.execute()
    pipe.execute()
    elapsed = time.perf_counter() - started
    total = used_memory(client) - base
    dupefilter = sum(
        int(client.memory_usage(k, samples=0)) for k in client.scan_iter(f"{keys.dupefilter}:*", count=10_000)
    )
    queue = int(client.memory_usage(keys.queue, samples=0)) + sum(
        int(client.memory_usage(k, samples=0)) for k in client.scan_iter(keys.band("*"), count=10_000)
    )
    per_million = 1_000_000 / n / 2**20
    return {
        "urls": n,
        "filled_s": elapsed,
        "queue_mib_per_million": queue * per_million,
        "dupefilter_mib_per_million": dupefilter * per_million,
        "used_memory_mib_per_million": total * per_million,
        "request_bytes_mean": sum(
            len(encode(portal_request(spider, sites[0], i, rng), spider)) for i in range(1000)
        )
        / 1000,
        "queued": int(client.get(keys.queued) or 0),
        "fingerprints": sum(
            int(client.hlen(k)) for k in client.scan_iter(f"{keys.dupefilter}:*", count=10_000)
        ),
    }


def rates(url: str, spider: ReportsSpider, sites: list[Site], n: int, keys: CrawlKeys) -> dict[str, float]:
    crawler = get_crawler(settings_dict={"REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7"})
    shared = SharedCrawl(redis.Redis.from_url(url), keys, "bench", 10.0, 1.0)
    scheduler = SharedScheduler(
        server=shared.client,
        persist=True,
        queue_key=keys.queue,
        dupefilter=SharedDupeFilter(shared.client, keys.dupefilter, crawler.request_fingerprinter),
    )
    scheduler.shared = shared
    scheduler.open(spider)  # sizes the duplicate filter
    rng = random.Random(2)
    requests = [portal_request(spider, sites[i % len(sites)], i, rng) for i in range(n)]
    shared.join()
    started = time.perf_counter()
    for request in requests:
        scheduler.enqueue_request(request)
    pushed = time.perf_counter() - started
    started = time.perf_counter()
    popped = 0
    while (request := scheduler.next_request()) is not None:
        shared.done(request)
        popped += 1
    popped_s = time.perf_counter() - started
    shared.leave(finished=True)
    return {"rate_urls": n, "push_per_s": n / pushed, "pop_per_s": popped / popped_s, "popped": popped}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--urls", type=int, default=1_000_000)
    parser.add_argument("--rate-urls", type=int, default=20_000)
    parser.add_argument("--redis", help="a Redis to use (default: start one on loopback)")
    args = parser.parse_args()
    from tests.conftest import redis_at

    with redis_at(args.redis, "redis-bench-") as url:
        sites = [
            Site(id=f"county{i:04d}", name="某某县", start_urls=[f"http://www.county{i:04d}.gov.cn/"])
            for i in range(200)
        ]
        spider = ReportsSpider(sites=sites)
        client = redis.Redis.from_url(url)
        keys = CrawlKeys("bench-" + uuid.uuid4().hex[:6])
        print(f"redis {client.info('server')['redis_version']}, {args.urls:,} URLs", flush=True)
        result = rates(url, spider, sites, args.rate_urls, CrawlKeys(keys.crawl + "-rates"))
        print(
            f"scheduler: {result['push_per_s']:,.0f} pushes/s (filter + queue + release), "
            f"{result['pop_per_s']:,.0f} pops/s (in flight + decode + release), {result['rate_urls']:,} requests",
            flush=True,
        )
        mem = memory(client, spider, sites, args.urls, keys)
        print(
            f"memory per million URLs: queue {mem['queue_mib_per_million']:.0f} MiB, duplicate filter "
            f"{mem['dupefilter_mib_per_million']:.0f} MiB, used_memory {mem['used_memory_mib_per_million']:.0f} MiB "
            f"(mean request {mem['request_bytes_mean']:.0f} bytes serialized; filled in {mem['filled_s']:.0f} s; "
            f"{mem['queued']:,} queued, {mem['fingerprints']:,} fingerprints)",
            flush=True,
        )
        for key in client.scan_iter(f"govarchive:{keys.crawl}*"):
            client.delete(key)


if __name__ == "__main__":
    main()
