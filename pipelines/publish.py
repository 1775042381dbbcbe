"""The item side of a crawler in a shared crawl (`govarchive crawl --redis`): the response's bytes go to the
shared blob store, the rest of the item to the crawl's captures stream, where the one corpus writer
(archive/sharedcrawl/writer.py) records it exactly as the single-process pipelines would.

Only the blob store is shared between crawler processes; corpus.db has one writer. A capture is published
only after its bytes are stored, so the writer never records a capture whose blob is missing.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import redis

from archive.capture import Fetched, fetched_to_json, keep_bytes
from archive.errors import DataFolderError
from archive.sharedcrawl.keys import CAPTURES_GROUP
from archive.sharedcrawl.streams import Stream
from archive.store.workspace import Workspace
from crawler.run import CrawlRun, guard, stopped

logger = logging.getLogger(__name__)

_REDIS_ATTEMPTS = 5


class PublishPipeline:
    def __init__(self, workspace: Workspace, stream: Stream, crawler: Any = None) -> None:
        self.ws = workspace
        self.stream = stream
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> PublishPipeline:
        run = CrawlRun.of(crawler)
        if run.shared is None:
            raise RuntimeError("PublishPipeline needs GOVARCHIVE_REDIS_URL (a shared crawl)")
        stream = Stream(run.shared.client, run.shared.keys.captures, CAPTURES_GROUP)
        return cls(run.workspace, stream, crawler)

    def process_item(self, item: Any, spider: Any = None) -> Any:
        if not isinstance(item, Fetched) or stopped(self.crawler):
            return item
        with guard(self.crawler):
            keep_bytes(self.ws, item)  # as the single-process StorePipeline keeps them
            self._publish(item)
        return item

    def _publish(self, item: Fetched) -> None:
        payload = {"item": fetched_to_json(item)}
        for attempt in range(_REDIS_ATTEMPTS):
            try:
                self.stream.add(payload)
                break
            except (redis.ConnectionError, redis.TimeoutError) as e:
                if attempt == _REDIS_ATTEMPTS - 1:
                    # Redis gone: nothing more can be shared; the bytes stay in the store for the next run.
                    raise DataFolderError(f"Redis unreachable ({e}): the shared crawl cannot go on") from e
                time.sleep(0.2 * 2**attempt)
        if self.crawler is not None:
            # captures/<role> is the writer's count, as it records them
            self.crawler.stats.inc_value("govarchive/published")
