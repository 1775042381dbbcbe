"""Records the report an extracted page or attachment is: `reports`, `report_sources`, figures and checks.

The work is archive.derive.record_capture, the same function `reprocess` and `ingest` call: it reads the
capture, the stored extraction and the linking page from the archive, nothing from the crawl's memory.
"""

from __future__ import annotations

import logging
from typing import Any

from archive.capture import Fetched
from archive.derive import DOCUMENT_ROLES, record_counted
from archive.store.workspace import Workspace
from crawler.run import guard, stopped, workspace_for

logger = logging.getLogger(__name__)


class ReportPipeline:
    def __init__(self, workspace: Workspace, crawler: Any = None) -> None:
        self.ws = workspace
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> ReportPipeline:
        return cls(workspace_for(crawler), crawler)

    def open_spider(self, spider: Any = None) -> None:
        spider = spider or getattr(self.crawler, "spider", None)
        with guard(self.crawler):
            for site in getattr(spider, "sites", {}).values():
                self.ws.corpus.upsert_site(site)

    def _inc(self, key: str, n: int) -> None:
        if self.crawler is not None:
            self.crawler.stats.inc_value(f"govarchive/{key}", n)

    def process_item(self, item: Any, spider: Any = None) -> Any:
        if not isinstance(item, Fetched) or item.role not in DOCUMENT_ROLES or not item.sha256:
            return item
        if stopped(self.crawler):
            return item
        with guard(self.crawler):
            self._record(item)
        return item

    def _record(self, item: Fetched) -> None:
        cap = self.ws.corpus.capture(item.capture_id) if item.capture_id is not None else None
        if cap is not None:
            record_counted(self.ws, cap, self._inc)
