"""Turns an extracted report page or attachment into `reports`, `report_sources`, figures and checks."""

from __future__ import annotations

import logging
from typing import Any

from archive.assemble import record_report, source_format
from archive.rebuild import parse_stored_document
from archive.store.workspace import Workspace
from crawler.items import Fetched
from pipelines.workspace import workspace_for

logger = logging.getLogger(__name__)


class ReportPipeline:
    def __init__(self, workspace: Workspace, crawler: Any = None) -> None:
        self.ws = workspace
        self.crawler = crawler
        self.site_names: dict[str, tuple[str, str]] = {}

    @classmethod
    def from_crawler(cls, crawler: Any) -> ReportPipeline:
        return cls(workspace_for(crawler), crawler)

    def open_spider(self, spider: Any = None) -> None:
        spider = spider or getattr(self.crawler, "spider", None)
        for site in getattr(spider, "sites", {}).values():
            self.ws.corpus.upsert_site(site)
            self.site_names[site.id] = (site.name, site.region)

    def process_item(self, item: Any, spider: Any = None) -> Any:
        if not isinstance(item, Fetched) or item.role not in ("article", "attachment") or not item.sha256:
            return item
        if item.role == "article" and item.has_attachments:
            return item  # the attachments carry the report; this page is added as one of its copies
        site_name, region = self.site_names.get(item.site_id, (None, None))
        meta = dict(item.page_meta)
        try:
            result = parse_stored_document(self.ws, item.sha256, meta, item.link_text, site_name)
        except Exception as e:  # a bug in a mapper must cost one document, not the crawl
            logger.exception("interpreting %s failed", item.url)
            self.ws.corpus.conn.execute(
                "UPDATE documents SET error = COALESCE(error, ?) WHERE sha256 = ?",
                (f"interpretation failed: {type(e).__name__}: {e}"[:500], item.sha256),
            )
            if self.crawler is not None:
                self.crawler.stats.inc_value("govarchive/errors/interpretation")
            return item
        if result is None:
            return item
        also: list[tuple[str, str, str]] = []
        if item.role == "attachment" and item.page_sha256 and item.page_url:
            also.append((item.page_sha256, item.page_url, "html"))
        report_id = record_report(
            self.ws.corpus,
            result,
            sha256=item.sha256,
            url=item.url,
            site_id=item.site_id,
            region=region,
            page_url=item.page_url or item.url,
            seen_at=item.fetched_at,
            also_sources=also,
        )
        if self.crawler is not None:
            key = "reports_recorded" if report_id else f"not_reports/{source_format(result)}"
            self.crawler.stats.inc_value(f"govarchive/{key}")
        item.extra["report_id"] = report_id
        return item
