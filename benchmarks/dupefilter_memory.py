"""Redis memory of a shared crawl's duplicate filter per million URLs, by structure, with its false
positives (a URL the filter wrongly calls seen is never fetched) and its insert rate.

    .venv/bin/python benchmarks/dupefilter_memory.py [--urls 1000000] [--probes 1000000]

Each structure gets `--urls` fingerprints (SHA-1 of distinct URL strings shaped like county portals', as
Scrapy's fingerprints are: 20 random-looking bytes) through a Lua check-and-add, the step the enqueue script
takes, in pipelines of 1,000; then `--probes` fingerprints never added are checked: the false positives.
Memory is INFO memory used_memory after minus before (and MEMORY USAGE of the keys).

  set20       a set of 20-byte fingerprints (what the crawl keeps today)
  set8        a set of their first 8 bytes
  hash8       8-byte fingerprints as fields of hashes, bucketed by 4 more bytes into --buckets hashes
              (default: what the shared crawl takes for 3,130 sites, 2**18) so that each stays a listpack (Redis's
              compact encoding, ≤ 128 entries by default); what the shared crawl keeps
              (archive/sharedcrawl/keys.py filter_bucket)
  bloom       a Bloom filter in one Redis bitmap (SETBIT/GETBIT from Lua), sized for `--urls` at the rate
              given by --bloom-rate (k = 20 bits, 1e-6 by default)

Without --redis a Debian redis-server is started on a free loopback port (nothing persisted) and stopped.
"""

from __future__ import annotations

import argparse
import hashlib
import math
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import redis

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from archive.sharedcrawl.keys import filter_buckets

BATCH = 1000

_SET_ADD = "return redis.call('SADD', KEYS[1], ARGV[1])"
_SET_NEW = "return 1 - redis.call('SISMEMBER', KEYS[1], ARGV[1])"
_HASH_ADD = "return redis.call('HSETNX', KEYS[1], ARGV[1], '')"
_HASH_NEW = "return 1 - redis.call('HEXISTS', KEYS[1], ARGV[1])"
# ARGV: the bit positions; 1 when one of them was clear (a new URL), all set afterwards.
_BLOOM_ADD = """
local new = 0
for i = 1, #ARGV do
  if redis.call('SETBIT', KEYS[1], ARGV[i], 1) == 0 then new = 1 end
end
return new
"""
_BLOOM_NEW = """
for i = 1, #ARGV do
  if redis.call('GETBIT', KEYS[1], ARGV[i]) == 0 then return 1 end
end
return 0
"""


def fingerprints(n: int, salt: str) -> list[bytes]:
    return [
        hashlib.sha1(
            f"http://www.c{i % 3000:04d}.gov.cn/zwgk/ndbg/{salt}/t{i}_{i * 7919}.html".encode()
        ).digest()
        for i in range(n)
    ]


def bloom_size(n: int, rate: float) -> tuple[int, int]:
    """Bits and hash count of a Bloom filter for n items at false-positive rate `rate`."""
    bits = math.ceil(-n * math.log(rate) / math.log(2) ** 2)
    return bits, max(1, round(bits / n * math.log(2)))


def bloom_positions(fp: bytes, bits: int, k: int) -> list[int]:
    """k positions by double hashing (Kirsch–Mitzenmacher) over two 64-bit halves of the fingerprint."""
    h1 = int.from_bytes(fp[:8], "little")
    h2 = int.from_bytes(fp[8:16], "little") | 1
    return [(h1 + i * h2) % bits for i in range(k)]


Step = Callable[[Any, bytes], None]


def measure(client: Any, name: str, n: int, probes: int, add: Step, new: Step, prefix: str) -> dict[str, Any]:
    client.flushall()
    time.sleep(0.5)
    base = int(client.info("memory")["used_memory"])
    started = time.perf_counter()
    pipe = client.pipeline(transaction=False)
    for i, fp in enumerate(fingerprints(n, "a")):
        add(pipe, fp)
        if i % BATCH == BATCH - 1:
            pipe.execute()
    pipe.execute()
    filled = time.perf_counter() - started
    used = int(client.info("memory")["used_memory"]) - base
    false_positives = 0
    pipe = client.pipeline(transaction=False)
    fresh = fingerprints(probes, "b")
    for start in range(0, probes, BATCH):
        for fp in fresh[start : start + BATCH]:
            new(pipe, fp)  # checked only: the filter stays at n URLs
        false_positives += sum(1 for r in pipe.execute() if int(r) == 0)
    keys = list(client.scan_iter(match=prefix + "*", count=10_000))
    encodings = {client.object("encoding", k) for k in keys[:200]}
    return {
        "structure": name,
        "urls": n,
        "mib_per_million": used / 2**20 * 1_000_000 / n,
        "bytes_per_url": used / n,
        "keys": len(keys),
        "encodings": sorted(e.decode() if isinstance(e, bytes) else str(e) for e in encodings),
        "adds_per_s": n / filled,
        "false_positives": false_positives,
        "probes": probes,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--urls", type=int, default=1_000_000)
    ap.add_argument("--probes", type=int, default=1_000_000)
    ap.add_argument("--bloom-rate", type=float, default=1e-6)
    ap.add_argument("--buckets", type=int, default=filter_buckets(3130), help="hash8's buckets")
    ap.add_argument("--only", default="set20,set8,hash8,bloom")
    ap.add_argument("--redis", help="a Redis to use (default: start one on loopback; it is FLUSHALLed)")
    args = ap.parse_args()
    from tests.conftest import redis_at

    with redis_at(args.redis, "redis-df-") as url:
        client = redis.Redis.from_url(url)
        set_add = client.register_script(_SET_ADD)
        hash_add = client.register_script(_HASH_ADD)
        bloom_add = client.register_script(_BLOOM_ADD)
        set_new = client.register_script(_SET_NEW)
        hash_new = client.register_script(_HASH_NEW)
        bloom_new = client.register_script(_BLOOM_NEW)
        buckets = args.buckets
        bits, k = bloom_size(args.urls, args.bloom_rate)

        def bucket(fp: bytes) -> list[str]:
            return [f"df:hash8:{int.from_bytes(fp[8:12], 'little') % buckets}"]

        structures: dict[str, tuple[Step, Step]] = {
            "set20": (
                lambda p, fp: set_add(keys=["df:set20"], args=[fp], client=p),
                lambda p, fp: set_new(keys=["df:set20"], args=[fp], client=p),
            ),
            "set8": (
                lambda p, fp: set_add(keys=["df:set8"], args=[fp[:8]], client=p),
                lambda p, fp: set_new(keys=["df:set8"], args=[fp[:8]], client=p),
            ),
            "hash8": (
                lambda p, fp: hash_add(keys=bucket(fp), args=[fp[:8]], client=p),
                lambda p, fp: hash_new(keys=bucket(fp), args=[fp[:8]], client=p),
            ),
            "bloom": (
                lambda p, fp: bloom_add(keys=["df:bloom"], args=bloom_positions(fp, bits, k), client=p),
                lambda p, fp: bloom_new(keys=["df:bloom"], args=bloom_positions(fp, bits, k), client=p),
            ),
        }
        print(
            f"redis {client.info('server')['redis_version']}; {args.urls:,} URLs, {args.probes:,} probes; "
            f"hash8 {buckets:,} buckets; bloom {bits:,} bits ({bits / 8 / 2**20:.1f} MiB), k={k}, "
            f"rate {args.bloom_rate:g}",
            flush=True,
        )
        print(
            "| structure | MiB per million URLs | bytes per URL | adds/s | false positives / probes | encoding |"
        )
        print("|---|---:|---:|---:|---:|---|")
        for name in args.only.split(","):
            add, new = structures[name]
            r = measure(client, name, args.urls, args.probes, add, new, f"df:{name}")
            print(
                f"| {name} | {r['mib_per_million']:.1f} | {r['bytes_per_url']:.1f} | {r['adds_per_s']:,.0f} | "
                f"{r['false_positives']} / {r['probes']:,} | {', '.join(r['encodings'])} ({r['keys']:,} keys) |",
                flush=True,
            )


if __name__ == "__main__":
    main()
