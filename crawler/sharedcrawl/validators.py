"""The read side of a shared crawl's incremental state: a URL's validators from the crawl's Redis hashes, which
the corpus writer seeded (archive/sharedcrawl/validators.py), for ConditionalRequests (crawler/incremental.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from archive.sharedcrawl.keys import CrawlKeys
from archive.sharedcrawl.validators import ValidatorStore
from crawler.sharedcrawl.frontier import shared_crawl


class SharedValidators:
    def __init__(self, client: Any, keys: CrawlKeys) -> None:
        self.store = ValidatorStore(client, keys)

    @classmethod
    def of(cls, crawler: Any) -> SharedValidators:
        shared = shared_crawl(crawler)
        if shared is None:
            raise RuntimeError("SharedValidators needs GOVARCHIVE_REDIS_URL")
        return cls(shared.client, shared.keys)

    def get(self, url: str) -> Mapping[str, Any] | None:
        return self.store.get(url)
