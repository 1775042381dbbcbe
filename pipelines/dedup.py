"""Content-hash dedup: bytes already extracted are not extracted again, whichever URL they came from
(also a 304, whose bytes are those the URL held before)."""

from __future__ import annotations

from typing import Any

from archive.capture import Fetched
from archive.store.workspace import Workspace
from crawler.run import guard, stopped, workspace_for


class ContentHashDedupPipeline:
    def __init__(self, workspace: Workspace, crawler: Any = None) -> None:
        self.ws = workspace
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> ContentHashDedupPipeline:
        return cls(workspace_for(crawler), crawler)

    def process_item(self, item: Any, spider: Any = None) -> Any:
        if isinstance(item, Fetched) and item.sha256 and not item.new_document and not stopped(self.crawler):
            with guard(self.crawler):  # a read waits for a lock too
                doc = self.ws.corpus.document(item.sha256)
            if stopped(self.crawler):
                return item
            item.extra["already_extracted"] = bool(doc is not None and doc["extracted_at"])
            # A 304 is a confirmation of what this URL held, not the same bytes found elsewhere.
            if self.crawler is not None and item.role != "list" and not item.not_modified:
                self.crawler.stats.inc_value("govarchive/duplicates")
        return item
