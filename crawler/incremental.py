"""Incremental crawling: conditional requests from the capture history, and the end-of-run bookkeeping.

`ConditionalRequests` (downloader middleware) adds If-None-Match / If-Modified-Since to article pages and
attachments whose last good capture (archive.store.corpus.LAST_GOOD_CAPTURES) is held and extracted:
  * list pages never get them: a list must be read in full every run, or new reports go unseen (also a
    page requested as an article that turned out to be a list: its last capture has role 'list');
  * article pages do: they are static once published, and a 304 article is answered with the bytes
    already held (status stays 304, the context says `revalidated`), so the spider still follows its attachment
    links — each revalidated in turn — and notices a removed or replaced attachment;
  * a document held but not yet extracted (a run killed in between) is fetched in full, so the
    extraction the 304 path skips is not lost.
The last capture's validators are what this run sends, read into memory once, when the first conditional
request is asked (~250 bytes per URL held; a query per request cost more than the rest of the middleware),
as a shared crawl seeds them: a URL captured earlier in the same run is not revalidated within it. Scrapy's HttpCache, JOBDIR and deltafetch are not used (they revalidate without caching
304s, or filter every URL seen before, list pages included).
The end-of-run bookkeeping (removals, counts, feeds) belongs to the crawl run: crawler/run.py.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from scrapy import Request
from scrapy.http import Response
from scrapy.responsetypes import responsetypes

from crawler.context import context_of, set_context
from crawler.run import workspace_for

logger = logging.getLogger(__name__)

CONDITIONAL_ROLES = {"article", "attachment", "image"}
_CONDITIONAL_HEADERS = (b"If-None-Match", b"If-Modified-Since")


class ConditionalRequests:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        # A shared crawl (GOVARCHIVE_REDIS_URL) reads them from Redis, where the corpus's writer put them.
        shared = None
        if crawler.settings.get("GOVARCHIVE_REDIS_URL"):
            from crawler.sharedcrawl.validators import SharedValidators

            shared = SharedValidators.of(crawler)
        self.shared = shared
        # url → (sha256, etag, last_modified, content_type), as the corpus held them when first asked
        self._held: dict[str, tuple[str, str | None, str | None, str | None]] | None = None

    def validators_of(self, url: str) -> Mapping[str, Any] | None:
        if self.shared is not None:
            return self.shared.get(url)
        if self._held is None:
            self._held = workspace_for(self.crawler).corpus.validators()
        held = self._held.get(url)
        if held is None:
            return None
        return dict(zip(("sha256", "etag", "last_modified", "content_type"), held, strict=True))

    @classmethod
    def from_crawler(cls, crawler: Any) -> ConditionalRequests:
        return cls(crawler)

    def process_request(self, request: Request, spider: Any = None) -> None:
        # A redirect copies headers and meta of the first URL: decide afresh for the URL asked now.
        for name in _CONDITIONAL_HEADERS:
            request.headers.pop(name, None)
        ctx = context_of(request)
        if ctx is None:
            return None  # robots.txt and the like
        if ctx.previous_sha256 is not None:
            ctx = ctx.but(previous_sha256=None, previous_content_type=None)
            set_context(request, ctx)
        if ctx.role not in CONDITIONAL_ROLES or request.meta.get("playwright"):
            return None
        ws = workspace_for(self.crawler)
        prev = self.validators_of(request.url)
        if prev is None or not (prev["etag"] or prev["last_modified"]) or not ws.blobs.has(prev["sha256"]):
            return None
        if prev["etag"]:
            request.headers[b"If-None-Match"] = prev["etag"]
        if prev["last_modified"]:
            request.headers[b"If-Modified-Since"] = prev["last_modified"]
        set_context(
            request, ctx.but(previous_sha256=prev["sha256"], previous_content_type=prev["content_type"])
        )
        return None

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        ctx = context_of(request)
        sha = ctx.previous_sha256 if ctx is not None else None
        if ctx is None or response.status != 304 or not sha:
            return response
        self.crawler.stats.inc_value("govarchive/not_modified_responses")
        if ctx.role in ("attachment", "image"):
            return response  # the blob is confirmed; nothing to parse
        # An article page: hand the spider the bytes held, so it follows the page's attachments again.
        body = workspace_for(self.crawler).blobs.read(sha)
        headers = response.headers.copy()
        if ctx.previous_content_type and b"Content-Type" not in headers:
            headers[b"Content-Type"] = ctx.previous_content_type
        cls = responsetypes.from_args(headers=headers, url=response.url, body=body)
        set_context(request, ctx.but(revalidated=True))
        return cls(url=response.url, status=304, headers=headers, body=body, request=request)
