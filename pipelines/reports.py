"""Records the report an extracted page or attachment is: `reports`, `report_sources`, figures and checks.

The work is archive.derive.record_capture, the same function `reprocess` and `ingest` call: it reads the
capture, the stored extraction and the linking page from the archive, nothing from the crawl's memory.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from typing import Any

from archive.derive import DOCUMENT_ROLES, record_safely
from archive.store.reports import source_format
from archive.store.workspace import Workspace
from crawler.items import Fetched
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

    def _inc(self, key: str) -> None:
        if self.crawler is not None:
            self.crawler.stats.inc_value(f"govarchive/{key}")

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


def record_counted(ws: Workspace, cap: sqlite3.Row, count: Callable[[str], None]) -> None:
    """Record the capture's report (derive.record_safely) and count what it was, under the names the
    crawl's summary shows; the single-process pipeline and a shared crawl's writer both count this way."""
    derived = record_safely(ws, cap)
    if derived.error:
        count("errors/interpretation")
    for result in derived.results:
        is_report = result.kind is not None and result.year is not None
        count("reports_recorded" if is_report else f"not_reports/{source_format(result)}")
