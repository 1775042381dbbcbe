"""Redis memory per URL of a shared crawl's validators (the incremental state a later pass reads), in the
former form (one hash URL -> JSON) and in the compact form the writer seeds (archive/sharedcrawl/validators.py),
with the read rate of each.

    .venv/bin/python benchmarks/validators_memory.py [--urls 200000] [--reads 20000] [--redis URL]

Records are made like a county portal's last good captures: article pages under dated folders and attachments
with long generated names on 3,000 portals; a random SHA-256; ETags in the shapes servers send (nginx's
"mtime-size" hex, strong or W/ weak once gzipped; Apache's "inode-size-mtime"; IIS's "hex:0"; a quoted MD5;
none) and an HTTP-date Last-Modified (a few in another format, kept as text; some none), content types of
HTML and attachments. The mix (`SHAPES`) is a guess; `--etag` measures one shape alone.
Memory: INFO memory used_memory after minus before, per URL, and the encodings of the hashes (a hash holding a
value over hash-max-listpack-value, 64 bytes, or over 128 fields is a hashtable: much larger).
Reads: `--reads` HGETs one at a time with decoding, as a crawler asks one per request.

Without --redis a Debian redis-server is started on a free loopback port (nothing persisted) and stopped.
"""

from __future__ import annotations

import argparse
import email.utils
import hashlib
import json
import random
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import redis

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from archive.sharedcrawl.keys import CrawlKeys
from archive.sharedcrawl.validators import ValidatorStore, store_validators

BATCH = 1000
NOW = 1796568665  # 2026-12-06


def _nginx(r: random.Random, t: int, size: int) -> str:
    return f'"{t:x}-{size:x}"'


def _nginx_weak(r: random.Random, t: int, size: int) -> str:
    return f'W/"{t:x}-{size:x}"'


def _apache(r: random.Random, t: int, size: int) -> str:
    return f'"{size:x}-{t * 1_000_000 + r.randrange(1_000_000):x}"'


def _iis(r: random.Random, t: int, size: int) -> str:
    return f'"{r.getrandbits(56):014x}d91:0"'


def _md5(r: random.Random, t: int, size: int) -> str:
    return '"' + hashlib.md5(str(r.random()).encode()).hexdigest() + '"'


def _none(r: random.Random, t: int, size: int) -> None:
    return None


EtagShape = Callable[[random.Random, int, int], str | None]
SHAPES: dict[str, tuple[EtagShape, float]] = {
    "nginx": (_nginx, 0.35),
    "nginx-weak": (_nginx_weak, 0.15),
    "apache": (_apache, 0.15),
    "iis": (_iis, 0.10),
    "md5": (_md5, 0.10),
    "none": (_none, 0.15),
}
HTML = ["text/html", "text/html; charset=utf-8", "text/html;charset=UTF-8", "text/html; charset=GB2312"]
FILES = [
    "application/pdf",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-excel",
    "image/jpeg",
]


def records(n: int, etag: str | None, seed: int = 7) -> list[dict[str, Any]]:
    r = random.Random(seed)
    names = list(SHAPES)
    weights = [SHAPES[s][1] for s in names]
    out = []
    for i in range(n):
        site = f"http://www.{r.choice('abcdefghjkmnpqrstwxyz')}{i % 3000:04d}x.gov.cn"
        t = NOW - r.randrange(6 * 365 * 86400)
        day = time.strftime("%Y%m%d", time.gmtime(t))
        if r.random() < 0.5:
            url = f"{site}/zwgk/zfxxgk/ndbg/{day[:6]}/t{day}_{r.randrange(10**7)}.html"
            ctype = r.choice(HTML)
        else:
            url = f"{site}/zwgk/zfxxgk/ndbg/{day[:6]}/P0{day}{r.randrange(10**12):012d}.pdf"
            ctype = r.choice(FILES)
        shape = SHAPES[etag][0] if etag else SHAPES[r.choices(names, weights)[0]][0]
        roll = r.random()
        if roll < 0.85:
            lm: str | None = email.utils.formatdate(t, usegmt=True)
        elif roll < 0.88:
            lm = time.strftime("%A, %d-%b-%y %H:%M:%S GMT", time.gmtime(t))  # RFC 850: kept as text
        else:
            lm = None
        tag = shape(r, t, r.randrange(4000, 4_000_000))
        if tag is None and lm is None:
            lm = email.utils.formatdate(t, usegmt=True)  # only URLs with a validator are kept
        sha = r.getrandbits(256).to_bytes(32, "big").hex()
        out.append({"url": url, "sha256": sha, "etag": tag, "last_modified": lm, "content_type": ctype})
    return out


def _used(client: Any) -> int:
    return int(client.info("memory")["used_memory"])


def former(client: Any, keys: CrawlKeys, rows: list[dict[str, Any]]) -> None:
    """What the writer seeded before the compact form."""
    pipe = client.pipeline(transaction=False)
    for i, row in enumerate(rows):
        fields = ("sha256", "etag", "last_modified", "content_type")
        pipe.hset(keys.former_validators, row["url"], json.dumps({f: row[f] for f in fields}))
        if i % BATCH == BATCH - 1:
            pipe.execute()
    pipe.execute()


def measure(client: Any, form: str, rows: list[dict[str, Any]], reads: int) -> dict[str, Any]:
    client.flushall()
    time.sleep(0.3)
    keys = CrawlKeys("bench")
    base = _used(client)
    started = time.perf_counter()
    if form == "former":
        former(client, keys, rows)
    else:
        store_validators(client, keys, rows, len(rows))
    seeded = time.perf_counter() - started
    used = _used(client) - base
    encodings = Counter(
        client.object("encoding", k).decode() for k in client.scan_iter(keys.key("validators*"), count=10_000)
    )
    probe = random.Random(3).sample(rows, min(reads, len(rows)))
    store = ValidatorStore(client, keys)
    started = time.perf_counter()
    for row in probe:
        if form == "former":
            got = json.loads(client.hget(keys.former_validators, row["url"]))
        else:
            got = store.get(row["url"])
        assert got == {k: v for k, v in row.items() if k != "url"}, (row, got)
    read = time.perf_counter() - started
    return {
        "form": form,
        "urls": len(rows),
        "bytes_per_url": round(used / len(rows), 1),
        "mib_per_million": round(used / 2**20 * 1e6 / len(rows), 1),
        "encodings": dict(encodings),
        "seeded_per_s": round(len(rows) / seeded),
        "reads_per_s": round(len(probe) / read),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--urls", type=int, default=200_000)
    ap.add_argument("--reads", type=int, default=20_000)
    ap.add_argument("--etag", choices=list(SHAPES), help="every ETag of this shape (default: the mix)")
    ap.add_argument("--redis", help="a Redis to use (default: start one on loopback; it is FLUSHALLed)")
    args = ap.parse_args()
    from tests.conftest import redis_at

    with redis_at(args.redis, "redis-valid-") as url:
        client = redis.Redis.from_url(url)
        config = client.config_get("hash-max-listpack-*")
        print(json.dumps({k: v for k, v in config.items()}))
        rows = records(args.urls, args.etag)
        mean_url = sum(len(r["url"]) for r in rows) / len(rows)
        print(json.dumps({"mean_url_bytes": round(mean_url, 1), "etag": args.etag or "mix"}))
        for form in ("former", "compact"):
            print(json.dumps(measure(client, form, rows, args.reads)), flush=True)


if __name__ == "__main__":
    main()
