"""Extracts text and tables of report pages and attachments in a bounded worker pool."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from archive.capture import Fetched
from archive.derive import DOCUMENT_ROLES, is_package, member_url, save_members, store_members
from archive.errors import error_kind
from archive.extract.encoding import header_charset
from archive.extract.pool import ExtractionPool
from archive.store.workspace import Workspace
from crawler.run import CrawlRun, guard, stopped

logger = logging.getLogger(__name__)


class ExtractPipeline:
    def __init__(self, workspace: Workspace, pool: ExtractionPool, crawler: Any = None) -> None:
        self.ws = workspace
        self.pool = pool
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> ExtractPipeline:
        run = CrawlRun.of(crawler)
        pool = ExtractionPool(
            run.config.extract_workers, run.config.extract_timeout, temp_dir=run.workspace.tmp_dir
        )
        return cls(run.workspace, pool, crawler)

    def close_spider(self, spider: Any = None) -> None:
        self.pool.close()

    async def process_item(self, item: Any, spider: Any = None) -> Any:
        if not isinstance(item, Fetched) or item.role not in DOCUMENT_ROLES or not item.sha256:
            return item
        if stopped(self.crawler):
            return item
        with guard(self.crawler):
            await self._process(item, item.sha256)
        return item

    async def _process(self, item: Fetched, sha256: str) -> None:
        if item.extra.get("already_extracted"):
            if is_package(self.ws, sha256):
                members = self.ws.corpus.members(sha256)
                if not members:  # held from before the members table, or its reading failed
                    await self._unpack(sha256, item.url, item.fetched_at)
                else:  # a run killed between recording the members and extracting them
                    await self._extract_members(item.url, [(m["name"], m["sha256"]) for m in members])
            return
        await self._extract(sha256, item.url, header_charset(item.content_type))
        if is_package(self.ws, sha256):
            await self._unpack(sha256, item.url, item.fetched_at)

    async def _extract(self, sha256: str, url: str, charset: str | None) -> None:
        with self.ws.blobs.local_path(sha256, scratch=self.ws.tmp_dir) as path:  # until extracted
            ex = await self.pool.extract(path, None, self.ws.cache_dir, url, charset)
        self.ws.stop_if_full(ex.error)
        self.ws.corpus.save_extraction(sha256, ex)
        if self.crawler is not None:
            self.crawler.stats.inc_value("govarchive/extracted")
            if ex.error:
                self.crawler.stats.inc_value(f"govarchive/extract_errors/{error_kind(ex.error)}")
        if ex.error:
            logger.warning("extraction of %s failed: %s", url, ex.error)

    async def _unpack(self, sha256: str, url: str, seen_at: str) -> None:
        """Each member of a package is archived and extracted as a document of its own."""
        unpacked = await asyncio.to_thread(store_members, self.ws, sha256)  # inflating: off the reactor
        members = save_members(self.ws, sha256, url, seen_at, unpacked)
        await self._extract_members(url, [(m.name, m.sha256) for m in members])
        if self.crawler is not None:
            self.crawler.stats.inc_value("govarchive/package_members", len(unpacked.members))

    async def _extract_members(self, url: str, members: list[tuple[str, str]]) -> None:
        """Extract the members (name, sha256) not extracted yet."""
        for name, sha256 in members:
            doc = self.ws.corpus.document(sha256)
            if doc is not None and doc["extracted_at"] is None:
                await self._extract(sha256, member_url(url, name), None)
