"""The items the spider hands to the pipelines, built from a response, a failure or a link not fetched.

Plain functions of Scrapy's response and the crawl context: what is recorded of a fetch (status, headers,
the URL the link named before redirects, the exchange, the certificate's problem) does not depend on what
the spider decided to do with the page.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from scrapy.http import Response

from archive.capture import Fetched
from archive.extract.encoding import header_charset
from archive.extract.filenames import filename_from_disposition, filename_from_url
from archive.extract.pageinfo import Link
from crawler.context import RequestContext
from crawler.discovery import is_attachment_url
from crawler.middlewares.exchange import EXCHANGE_KEY, HOPS_KEY, now_iso
from crawler.tls import response_certificate_problem

_NOT_HTML = (b"%pdf", b"pk\x03\x04", b"\xd0\xcf\x11\xe0", b"rar!", b"7z\xbc\xaf")


def header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    if value is None:
        return None
    return value.decode("latin-1") if isinstance(value, bytes) else str(value)


def declared_charset(response: Response) -> str | None:
    return header_charset(header(response, "Content-Type"))


def looks_like_html(response: Response) -> bool:
    head = response.body[:1024].lstrip().lower()
    ctype = (header(response, "Content-Type") or "").lower()
    if head.startswith(_NOT_HTML):
        return False
    return "html" in ctype or b"<html" in head or b"<!doctype" in head or b"<head" in head or not ctype


def fetched(response: Response, context: RequestContext, role: str) -> Fetched:
    """What a response is, as the pipelines record it."""
    referer: str | bytes | None = context.linked_from
    if referer is None and response.request is not None:
        referer = response.request.headers.get("Referer")
    # After a redirect, the URL the link named (links, images and pages are matched by it).
    named = (response.meta.get("redirect_urls") or [response.url])[0]
    return Fetched(
        url=response.url,
        link_url=named if named != response.url else None,
        site_id=context.site_id,
        role=role,
        fetched_at=now_iso(),
        status=response.status,
        body=response.body if response.status == 200 else None,
        content_type=header(response, "Content-Type"),
        etag=header(response, "ETag"),
        last_modified=header(response, "Last-Modified"),
        referer=referer.decode("latin-1") if isinstance(referer, bytes) else referer,
        link_text=context.link_text,
        not_modified=response.status == 304,
        previous_sha256=context.previous_sha256,
        error=None if response.status in (200, 304) else f"http {response.status}",
        tls_error=response_certificate_problem(
            getattr(response, "certificate", None), urlsplit(response.url).hostname or ""
        ),
        exchange=response.meta.get(EXCHANGE_KEY),
        hops=list(response.meta.get(HOPS_KEY, [])),
    )


def fetched_file(response: Response, context: RequestContext) -> Fetched:
    """A document, package or picture, with the file name its server or URL gives."""
    item = fetched(response, context, "image" if context.role == "image" else "attachment")
    disposition = response.headers.get("Content-Disposition")
    item.filename = filename_from_disposition(disposition) or filename_from_url(response.url)
    return item


def not_fetched(site_id: str, link: Link, referer: str, reason: str) -> Fetched:
    """A link the crawl cannot follow (ftp:, file:), recorded as a failure with its reason."""
    return Fetched(
        url=link.url,
        site_id=site_id,
        role="attachment" if is_attachment_url(link.url) else "article",
        fetched_at=now_iso(),
        error=reason,
        link_text=link.text,
        referer=referer,
    )


def failed(url: str, context: RequestContext | None, reason: str) -> Fetched:
    """A request that failed (refused, timed out, too many redirects …), under the URL its link named."""
    return Fetched(
        url=url,
        site_id=context.site_id if context else "",
        role=context.role if context else "list",
        fetched_at=now_iso(),
        error=reason,
        link_text=context.link_text if context else None,
        referer=context.linked_from if context else None,
    )
