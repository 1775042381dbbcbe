"""The incremental state of a shared crawl: each URL's last good capture (its validators) in one Redis hash.

`keys.validators` maps a URL to JSON {sha256, etag, last_modified, content_type}. The corpus's single
writer fills it once at crawl start with `seed_validators`, from the corpus's one definition of a last good
capture (archive.store.corpus.LAST_GOOD_CAPTURES, which conditional requests read on corpus.db); every
crawler process reads it (crawler/sharedcrawl/validators.py) instead of a corpus.db of its own. Only
captures with an ETag or a Last-Modified are kept: without them no conditional request is made anyway.
"""

from __future__ import annotations

import json
from typing import Any

from archive.sharedcrawl.keys import CrawlKeys
from archive.store.corpus import Corpus

FIELDS = ("sha256", "etag", "last_modified", "content_type")
BATCH = 1000


def seed_validators(corpus: Corpus, client: Any, keys: CrawlKeys) -> int:
    """Fill the crawl's validators from corpus.db; how many URLs."""
    pipe = client.pipeline(transaction=False)
    n = 0
    for row in corpus.last_good_captures():
        if not (row["etag"] or row["last_modified"]):
            continue
        pipe.hset(keys.validators, row["url"], json.dumps({f: row[f] for f in FIELDS}))
        n += 1
        if n % BATCH == 0:
            pipe.execute()
    pipe.execute()
    return n
