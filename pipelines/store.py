"""Keeps the bytes of every response in the blob store and records every response in `captures`."""

from __future__ import annotations

import logging
from typing import Any

from archive.errors import error_kind
from archive.extract.sniff import sniff_bytes
from archive.store.blobs import BlobTooLarge
from archive.store.corpus import Capture, Exchange
from archive.store.workspace import Workspace
from crawler.items import Fetched
from crawler.run import guard, run_id_for, stopped, workspace_for

logger = logging.getLogger(__name__)


class StorePipeline:
    def __init__(self, workspace: Workspace, crawler: Any = None) -> None:
        self.ws = workspace
        self.crawler = crawler
        # Scrapy's stats collector; the corpus writer of a shared crawl gives its own (pipelines/writer.py).
        self.stats: Any = crawler.stats if crawler is not None else None

    @classmethod
    def from_crawler(cls, crawler: Any) -> StorePipeline:
        return cls(workspace_for(crawler), crawler)

    def _inc(self, key: str, n: int = 1) -> None:
        if self.stats is not None:
            self.stats.inc_value(f"govarchive/{key}", n)

    def process_item(self, item: Any, spider: Any = None) -> Any:
        if not isinstance(item, Fetched) or stopped(self.crawler):
            return item
        with guard(self.crawler):
            self.keep_bytes(item)
            self.record(item)
        item.body = None
        return item

    def keep_bytes(self, item: Fetched) -> None:
        """The blob store's part: the response's bytes, and the bodies of its exchange and redirect hops.
        A crawler of a shared crawl does this part itself, and the corpus writer the rest (pipelines/writer.py)."""
        if item.body is not None and item.error is None:
            try:
                item.sha256, item.size = self.ws.blobs.put_bytes(item.body)
            except BlobTooLarge as e:
                item.error = f"too large: {e}"
            except OSError as e:
                if self.ws.fault(e) is not None:
                    raise  # the data folder's failure, not this response's: the crawl stops
                item.error = f"store failed: {e}"
            if item.sha256:
                item.media_type = sniff_bytes(item.body[:65536])
        item.body = None  # the bytes are in the store now; do not carry them through the other stages
        for ex in (item.exchange, *item.hops):
            if ex is not None:
                self._keep_body(ex)

    def record(self, item: Fetched, crawl_id: int | None = None) -> None:
        """The corpus's part: the document, the page's links, the redirect hops and the capture."""
        if item.sha256 and item.error is None:
            if item.media_type is None:  # bytes stored by another process that did not say
                item.media_type = sniff_bytes(self.ws.blobs.read(item.sha256)[:65536])
            item.new_document = self.ws.corpus.ensure_document(
                item.sha256, item.size or 0, item.media_type, item.filename, item.url, item.fetched_at
            )
            self._inc("bytes", item.size or 0)
            self._inc("documents_new" if item.new_document else "documents_seen")
        if item.not_modified and item.previous_sha256:
            self._confirm_held(item)
        if item.links and item.sha256:
            self.ws.corpus.add_links(item.sha256, item.url, item.links)
        crawl_id = crawl_id if crawl_id is not None else run_id_for(self.crawler)
        for hop in item.hops:
            self._add_hop(item, hop, crawl_id)
        item.capture_id = self.ws.corpus.add_capture(
            Capture(
                url=item.url,
                status=item.status,
                fetched_at=item.fetched_at,
                site_id=item.site_id,
                content_type=item.content_type,
                sha256=item.sha256,
                size=item.size,
                etag=item.etag,
                last_modified=item.last_modified,
                referer=item.referer,
                link_url=item.link_url,
                link_text=item.link_text,
                role=item.role,
                error=item.error,
                crawl_id=crawl_id,
                tls_error=item.tls_error,
            )
        )
        if item.exchange is not None:
            self.ws.corpus.add_exchange(item.capture_id, item.exchange)
        self._inc(f"captures/{item.role}")
        if item.tls_error:
            self._inc("tls_errors")
        if item.error:
            self._inc(f"errors/{error_kind(item.error)}")
            logger.debug("not archived %s: %s", item.url, item.error)  # the spider warned once

    def _keep_body(self, ex: Exchange) -> None:
        """A body the capture does not name (a redirect's, an error page's) goes to the blob store too."""
        if ex.body:
            try:
                ex.payload_sha256, _ = self.ws.blobs.put_bytes(ex.body)
            except (OSError, BlobTooLarge) as e:
                logger.warning("body of %s %s not kept: %s", ex.status, ex.request_url, e)
        ex.body = None

    def _add_hop(self, item: Fetched, hop: Exchange, crawl_id: int | None) -> None:
        """A redirect answer on the way to this item's URL: a capture of its own (role `redirect`)."""
        capture_id = self.ws.corpus.add_capture(
            Capture(
                url=hop.request_url,
                status=hop.status,
                fetched_at=hop.fetched_at,
                site_id=item.site_id,
                content_type=next((v for k, v in hop.response_headers if k.lower() == "content-type"), None),
                referer=item.referer,
                link_text=item.link_text,
                role="redirect",
                crawl_id=crawl_id,
            )
        )
        self.ws.corpus.add_exchange(capture_id, hop)
        self._inc("captures/redirect")

    def _confirm_held(self, item: Fetched) -> None:
        """A 304: the blob already held is this URL's content. The capture names it, and keeps the
        validators the next conditional request needs when the 304 omits them."""
        item.sha256 = item.previous_sha256
        prev = self.ws.corpus.latest_capture_held(item.url)
        if prev is not None:
            item.etag = item.etag or prev["etag"]
            item.last_modified = item.last_modified or prev["last_modified"]
            item.content_type = item.content_type or prev["content_type"]
            item.size = prev["size"]
        self._inc("not_modified")
