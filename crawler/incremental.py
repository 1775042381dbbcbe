"""Incremental crawling: conditional requests from the capture history, and the end-of-run bookkeeping.

`ConditionalRequests` (downloader middleware) adds If-None-Match / If-Modified-Since to article pages and
attachments whose last good capture is held and extracted:
  * list pages never get them: a list must be read in full every run, or new reports go unseen (also a
    page requested as an article that turned out to be a list: its last capture has role 'list');
  * article pages do: they are static once published, and a 304 article is answered with the bytes
    already held (status stays 304, `meta["revalidated"]`), so the spider still follows its attachment
    links — each revalidated in turn — and notices a removed or replaced attachment;
  * a document held but not yet extracted (a run killed in between) is fetched in full, so the
    extraction the 304 path skips is not lost.
The last capture's validators are what this run sends; Scrapy's HttpCache, JOBDIR and deltafetch are not
used (they revalidate without caching 304s, or filter every URL seen before, list pages included).

`RunBookkeeping` (extension) closes the run: removals and counts (archive/products/history.py), then the Atom
feeds (archive/products/feeds.py). It must run before `crawler.summary.CrawlSummary` (lower EXTENSIONS number) so
its counters land in the run's summary.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Request, signals
from scrapy.http import Response
from scrapy.responsetypes import responsetypes

from pipelines.workspace import run_id_for, workspace_for

logger = logging.getLogger(__name__)

CONDITIONAL_ROLES = {"article", "attachment"}
_CONDITIONAL_HEADERS = (b"If-None-Match", b"If-Modified-Since")


class ConditionalRequests:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> ConditionalRequests:
        return cls(crawler)

    def process_request(self, request: Request, spider: Any = None) -> None:
        # A redirect copies headers and meta of the first URL: decide afresh for the URL asked now.
        for name in _CONDITIONAL_HEADERS:
            request.headers.pop(name, None)
        request.meta.pop("previous_sha256", None)
        if request.meta.get("role") not in CONDITIONAL_ROLES or request.meta.get("playwright"):
            return None
        ws = workspace_for(self.crawler)
        prev = ws.corpus.conn.execute(
            """SELECT c.sha256, c.etag, c.last_modified, c.content_type FROM captures c
               JOIN documents d ON d.sha256 = c.sha256 AND d.extracted_at IS NOT NULL
               WHERE c.url = ? AND c.status IN (200, 304) AND c.role IN ('article', 'attachment')
               ORDER BY c.fetched_at DESC, c.id DESC LIMIT 1""",
            (request.url,),
        ).fetchone()
        if prev is None or not (prev["etag"] or prev["last_modified"]) or not ws.blobs.has(prev["sha256"]):
            return None
        if prev["etag"]:
            request.headers[b"If-None-Match"] = prev["etag"]
        if prev["last_modified"]:
            request.headers[b"If-Modified-Since"] = prev["last_modified"]
        request.meta["previous_sha256"] = prev["sha256"]
        request.meta["previous_content_type"] = prev["content_type"]
        return None

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        sha = request.meta.get("previous_sha256")
        if response.status != 304 or not sha:
            return response
        self.crawler.stats.inc_value("govarchive/not_modified_responses")
        if request.meta.get("role") == "attachment":
            return response  # the blob is confirmed; nothing to parse
        # An article page: hand the spider the bytes held, so it follows the page's attachments again.
        body = workspace_for(self.crawler).blobs.read(sha)
        headers = response.headers.copy()
        if request.meta.get("previous_content_type") and b"Content-Type" not in headers:
            headers[b"Content-Type"] = request.meta["previous_content_type"]
        cls = responsetypes.from_args(headers=headers, url=response.url, body=body)
        request.meta["revalidated"] = True
        return cls(url=response.url, status=304, headers=headers, body=body, request=request)


class RunBookkeeping:
    """At the end of a crawl: mark removals, count new/changed/removed/unchanged, write the feeds."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> RunBookkeeping:
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_closed(self, spider: Any, reason: str) -> None:
        from archive.products.feeds import write_feeds
        from archive.products.history import close_run

        ws = workspace_for(self.crawler)
        run_id = run_id_for(self.crawler)
        if run_id is None:
            return
        sites = getattr(spider, "sites", {})
        capped = {
            sid
            for sid, n in getattr(spider, "requests_per_site", {}).items()
            if sid in sites and n >= sites[sid].max_pages
        }
        try:
            result = close_run(ws.corpus, run_id, list(sites.values()), reason == "finished", capped)
            for key, value in result.counts().items():
                self.crawler.stats.set_value(f"govarchive/history/{key}", value)
            write_feeds(ws.corpus, ws.root / "feeds")
        except Exception:  # bookkeeping must never lose the run's summary; the log says what failed
            logger.exception("end-of-run bookkeeping failed")
            self.crawler.stats.inc_value("govarchive/errors/bookkeeping")
