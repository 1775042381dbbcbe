"""Records the report an extracted page or attachment is: `reports`, `report_sources`, figures and checks.

The work is archive.derive.record_capture, the same function `reprocess` and `ingest` call: it reads the
capture, the stored extraction and the linking page from the archive, nothing from the crawl's memory.
"""

from __future__ import annotations

import logging
from typing import Any

from archive.derive import record_capture
from archive.store.reports import source_format
from archive.store.workspace import Workspace
from crawler.items import Fetched
from pipelines.workspace import workspace_for

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
        for site in getattr(spider, "sites", {}).values():
            self.ws.corpus.upsert_site(site)

    def _inc(self, key: str) -> None:
        if self.crawler is not None:
            self.crawler.stats.inc_value(f"govarchive/{key}")

    def process_item(self, item: Any, spider: Any = None) -> Any:
        if (
            not isinstance(item, Fetched)
            or item.role not in ("article", "attachment", "image")
            or not item.sha256
        ):
            return item
        ids = [item.capture_id, *item.extra.get("member_captures", [])]
        for capture_id in ids:
            cap = self.ws.corpus.capture(capture_id) if capture_id is not None else None
            if cap is not None:
                self._record(cap)
        return item

    def _record(self, cap: Any) -> None:
        try:
            derived = record_capture(self.ws, cap)
        except Exception as e:  # a bug in a mapper must cost one document, not the crawl
            logger.exception("interpreting %s failed", cap["url"])
            self.ws.corpus.mark_document_error(
                cap["sha256"], f"interpretation failed: {type(e).__name__}: {e}"
            )
            self._inc("errors/interpretation")
            return
        if derived.result is not None:
            key = "reports_recorded" if derived.report_id else f"not_reports/{source_format(derived.result)}"
            self._inc(key)
