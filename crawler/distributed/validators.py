"""The incremental state of a shared crawl: each URL's last good capture (its validators) in one Redis hash.

`keys.validators` maps a URL to JSON {sha256, etag, last_modified, content_type}. The corpus's single
writer fills it once at crawl start with `seed_validators` (the very query crawler.incremental uses on
corpus.db); every crawler process reads it in ConditionalRequests instead of a corpus.db of its own. Only
captures with an ETag or a Last-Modified are kept: without them no conditional request is made anyway.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from archive.dist.keys import CrawlKeys
from crawler.distributed.shared import shared_crawl
from crawler.incremental import LAST_GOOD_CAPTURES, LAST_GOOD_ORDER

FIELDS = ("sha256", "etag", "last_modified", "content_type")
BATCH = 1000


def seed_validators(corpus: Any, client: Any, keys: CrawlKeys) -> int:
    """Fill the crawl's validators from corpus.db (`corpus`: archive.store.corpus.Corpus); how many URLs."""
    rows = corpus.conn.execute(f"{LAST_GOOD_CAPTURES} ORDER BY c.url, {LAST_GOOD_ORDER}")
    pipe = client.pipeline(transaction=False)
    last: str | None = None
    n = 0
    for row in rows:
        if row["url"] == last:
            continue  # an older capture of a URL already taken
        last = row["url"]
        if not (row["etag"] or row["last_modified"]):
            continue
        pipe.hset(keys.validators, row["url"], json.dumps({f: row[f] for f in FIELDS}))
        n += 1
        if n % BATCH == 0:
            pipe.execute()
    pipe.execute()
    return n


class SharedValidators:
    def __init__(self, client: Any, keys: CrawlKeys) -> None:
        self.client = client
        self.keys = keys

    @classmethod
    def of(cls, crawler: Any) -> SharedValidators:
        shared = shared_crawl(crawler)
        if shared is None:
            raise RuntimeError("SharedValidators needs GOVARCHIVE_REDIS_URL")
        return cls(shared.client, shared.keys)

    def get(self, url: str) -> Mapping[str, Any] | None:
        raw = self.client.hget(self.keys.validators, url)
        return json.loads(raw) if raw else None
