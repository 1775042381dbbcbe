"""Extracts text and tables of report pages and attachments in a bounded worker pool."""

from __future__ import annotations

import logging
from typing import Any

from archive.extract.encoding import header_charset
from archive.extract.pool import ExtractionPool
from archive.store.workspace import Workspace
from crawler.failures import error_kind
from crawler.items import Fetched
from crawler.run import CrawlRun

logger = logging.getLogger(__name__)

EXTRACTED_ROLES = {"article", "attachment", "image"}


class ExtractPipeline:
    def __init__(self, workspace: Workspace, pool: ExtractionPool, crawler: Any = None) -> None:
        self.ws = workspace
        self.pool = pool
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> ExtractPipeline:
        run = CrawlRun.of(crawler)
        pool = ExtractionPool(run.config.extract_workers, run.config.extract_timeout)
        return cls(run.workspace, pool, crawler)

    def close_spider(self, spider: Any = None) -> None:
        self.pool.close()

    async def process_item(self, item: Any, spider: Any = None) -> Any:
        if not isinstance(item, Fetched) or item.role not in EXTRACTED_ROLES or not item.sha256:
            return item
        if item.extra.get("already_extracted"):
            return item
        path = self.ws.blobs.path(item.sha256)
        charset = header_charset(item.content_type)
        ex = await self.pool.extract(path, None, self.ws.cache_dir, item.url, charset)
        self.ws.corpus.save_extraction(item.sha256, ex)
        if self.crawler is not None:
            self.crawler.stats.inc_value("govarchive/extracted")
            if ex.error:
                self.crawler.stats.inc_value(f"govarchive/extract_errors/{error_kind(ex.error)}")
        if ex.error:
            logger.warning("extraction of %s failed: %s", item.url, ex.error)
        return item
