"""Keeps the bytes of every response in the blob store and records every response in `captures`: the Scrapy
side of archive.capture's `keep_bytes` and `record`, which do the work."""

from __future__ import annotations

from typing import Any

from archive import capture
from archive.capture import Fetched
from archive.store.workspace import Workspace
from crawler.run import guard, run_id_for, stopped, workspace_for


class StorePipeline:
    def __init__(self, workspace: Workspace, crawler: Any = None) -> None:
        self.ws = workspace
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> StorePipeline:
        return cls(workspace_for(crawler), crawler)

    def _inc(self, key: str, n: int) -> None:
        if self.crawler is not None:
            self.crawler.stats.inc_value(f"govarchive/{key}", n)

    def process_item(self, item: Any, spider: Any = None) -> Any:
        if not isinstance(item, Fetched) or stopped(self.crawler):
            return item
        with guard(self.crawler):
            capture.keep_bytes(self.ws, item)
            capture.record(self.ws, item, run_id_for(self.crawler), self._inc)
        item.body = None
        return item
