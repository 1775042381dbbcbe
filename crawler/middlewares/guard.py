"""Where the crawl may go: every refusal is a recorded failure with its reason, never a silent drop.

- Only http(s) is fetched (Scrapy would also fetch ftp: and file: URLs).
- A request to an IP address that is loopback, private, link-local (169.254.169.254 is the cloud metadata
  service), reserved or multicast is refused unless it is the origin (scheme, host, port) of one of its
  site's start URLs: a portal's redirect must not turn the crawler against the machine or network it runs
  in. Host names are not resolved here (that would block the reactor); allowed_domains bound them.
- A redirect is checked before it is followed (this middleware sits between the downloader and Scrapy's
  RedirectMiddleware, so it sees the 3xx first): a loop (the target is already in the chain), a target
  off the site's allowed domains, or a forbidden scheme or address fails the request with that reason.
  Scrapy's own off-site filter would drop such a redirect at scheduling, leaving no trace.

Refusals raise `Refused`, an IgnoreRequest, so the request's errback (the spider's `on_error`) records a
capture with the reason (crawler/failures.py).
"""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urljoin, urlsplit

from scrapy import Request, Spider
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

from crawler.context import context_of
from crawler.discovery import in_domains

FETCHED_SCHEMES = ("http", "https")


class Refused(IgnoreRequest):
    """A request the crawl must not make; `reason` is what the capture records."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port or {"http": 80, "https": 443}.get(scheme)
    except ValueError:
        port = None
    return scheme, (parts.hostname or "").lower(), port


def forbidden_address(host: str) -> str | None:
    """Why an IP-literal host must not be fetched, or None (names and public addresses pass)."""
    try:
        ip = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None
    if ip.is_link_local:
        return f"link-local address {ip}"
    if ip.is_loopback:
        return f"loopback address {ip}"
    if ip.is_private:
        return f"private address {ip}"
    if ip.is_reserved or ip.is_multicast or ip.is_unspecified:
        return f"reserved address {ip}"
    return None


def refusal(url: str, start_urls: list[str]) -> str | None:
    """Why the crawl of a site with these start URLs must not fetch `url`, or None."""
    scheme, host, _ = origin(url)
    if scheme not in FETCHED_SCHEMES:
        return f"unsupported scheme: {scheme or '(none)'}: links are not followed"
    why = forbidden_address(host)
    if why is not None and origin(url) not in {origin(u) for u in start_urls}:
        return f"refused: {why} is not one of the site's start origins"
    return None


class RequestGuard:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> RequestGuard:
        return cls(crawler)

    def _site(self, request: Request) -> Any:
        context = context_of(request)
        spider = self.crawler.spider
        sites = getattr(spider, "sites", {})
        return sites.get(context.site_id) if context is not None else None

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        site = self._site(request)
        if site is None:
            return  # robots.txt and other framework requests
        why = refusal(request.url, site.start_urls)
        if why is not None:
            raise Refused(why)

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        location = response.headers.get("Location")
        if response.status not in (301, 302, 303, 307, 308) or not location:
            return response
        site = self._site(request)
        if site is None:
            return response
        target = urljoin(request.url, location.decode("latin-1").strip())
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if target in chain:
            hops = " → ".join([*chain[chain.index(target) :], target])
            raise Refused(f"redirect loop: {hops}")
        why = refusal(target, site.start_urls)
        if why is not None:
            raise Refused(f"redirect to {target} {why.removeprefix('refused: ')}")
        if not in_domains(target, site.domains()):
            raise Refused(f"redirect off the site's domains to {target}: not followed")
        return response
