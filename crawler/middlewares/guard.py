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
import socket
from typing import Any
from urllib.parse import urljoin, urlsplit

from scrapy import Request, Spider
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from w3lib.url import safe_url_string

from crawler.context import context_of
from crawler.discovery import in_domains, is_attachment_url

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


def ip_of(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address an IP-literal host names, or None for a name. The resolver (inet_aton) also takes
    127.1, 0x7f.1 and 2130706433 for 127.0.0.1: those count as addresses too."""
    host = host.strip("[]").rstrip(".")
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        if not host or not all(c in "0123456789abcdefxABCDEFX." for c in host):
            return None
        try:
            ip = ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    if isinstance(ip, ipaddress.IPv6Address):  # an IPv4 address inside IPv6 is that address
        return ip.ipv4_mapped or ip.sixtofour or ip
    return ip


def forbidden_address(host: str) -> str | None:
    """Why an IP-literal host must not be fetched, or None (names and public addresses pass)."""
    ip = ip_of(host)
    if ip is None:
        return None
    if ip.is_link_local:
        return f"link-local address {ip}"
    if ip.is_loopback:
        return f"loopback address {ip}"
    if ip.is_private:
        return f"private address {ip}"
    if not ip.is_global or ip.is_multicast or ip.is_reserved:  # shared 100.64/10 (cloud metadata at
        # 100.100.100.200), reserved, multicast
        return f"non-public address {ip}"
    return None


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


# Names that resolve inside the crawler's own network. Off the site's domains (a report's file on another
# host) names are not bounded by allowed_domains, and the guard resolves nothing: these are refused by name.
_INTERNAL_SUFFIXES = (
    ".localhost",
    ".local",
    ".internal",
    ".intranet",
    ".lan",
    ".home",
    ".corp",
    ".localdomain",
)


def internal_name(host: str) -> str | None:
    """Why a host name off the site's domains must not be fetched (it names this machine or its
    network), or None."""
    host = host.strip("[]").rstrip(".").lower()
    if not host or ip_of(host) is not None:
        return None  # addresses are judged by forbidden_address
    if host == "localhost" or host.endswith(_INTERNAL_SUFFIXES) or "." not in host:
        return f"refused: {host} names a host inside this network, off the site's domains"
    return None


def trusted_networks(value: str) -> list[Network]:
    """GOVARCHIVE_TRUSTED_NETWORKS: comma-separated networks (CIDR) the operator vouches for, e.g. the
    intranet its portals and their file servers live in; never link-local."""
    out: list[Network] = []
    for part in filter(None, (p.strip() for p in value.split(","))):
        try:
            net = ipaddress.ip_network(part, strict=False)
        except ValueError:
            raise ValueError(f"GOVARCHIVE_TRUSTED_NETWORKS: {part!r} is not a network") from None
        if net.is_link_local:
            raise ValueError(f"GOVARCHIVE_TRUSTED_NETWORKS: {part!r} is link-local, never fetched")
        out.append(net)
    return out


def refusal(
    url: str,
    start_urls: list[str],
    allowed_domains: list[str] | None = None,
    trusted: list[Network] | None = None,
) -> str | None:
    """Why the crawl of a site with these start URLs must not fetch `url`, or None.

    A non-public address is fetched only when it is a start origin, when the sites file names it in the
    site's `allowed_domains`, or when it lies in a network the operator trusts (GOVARCHIVE_TRUSTED_NETWORKS):
    the operator's word. Never a link-local one."""
    try:
        scheme, host, _ = origin(url)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return "malformed URL: not fetched"
    if scheme not in FETCHED_SCHEMES:
        return f"unsupported scheme: {scheme or '(none)'}: links are not followed"
    why = forbidden_address(host)
    if why is None or origin(url) in {origin(u) for u in start_urls}:
        return None
    ip = ip_of(host)
    if ip is not None and not ip.is_link_local:
        named = {d.strip("[]").lower() for d in allowed_domains or []}
        if host.strip("[]") in named or str(ip) in named or any(ip in net for net in trusted or []):
            return None
    return f"refused: {why} is not one of the site's start origins"


def redirect_target(url: str, location: bytes) -> str:
    """The URL Scrapy's RedirectMiddleware will follow for this Location (the same steps, so that what is
    checked is what is fetched: `http:\\\\b.gov.cn` becomes http://b.gov.cn)."""
    target = safe_url_string(location)
    if location.startswith(b"//"):
        target = urlsplit(url).scheme + "://" + target.lstrip("/")
    return urljoin(url, target)


# Start origins on private addresses of the sites being crawled: the browser (render_js sites) may load
# those and nothing else private, but for the networks the operator trusts. Filled by the spider when it
# starts (one crawl per process).
BROWSER_PRIVATE_ORIGINS: set[tuple[str, str, int | None]] = set()
BROWSER_TRUSTED_NETWORKS: list[Network] = []


def browser_request_refused(request: Any) -> bool:
    """scrapy-playwright's PLAYWRIGHT_ABORT_REQUEST: the browser fetches redirects, frames, scripts and
    XHR itself, past the downloader middlewares; no request to a private, link-local or reserved address
    (other than a crawled site's own start origin) and no scheme but http(s) (and data:/blob:) leaves it."""
    url = str(getattr(request, "url", ""))
    if url.startswith(("data:", "blob:", "about:")):
        return False
    try:
        scheme, host, _ = origin(url)
    except ValueError:
        return True
    if scheme not in FETCHED_SCHEMES:
        return True
    if origin(url) in BROWSER_PRIVATE_ORIGINS:
        return False
    if forbidden_address(host) is None:
        return internal_name(host) is not None  # localhost, *.internal …: this machine's network by name
    ip = ip_of(host)
    return ip is None or ip.is_link_local or not any(ip in net for net in BROWSER_TRUSTED_NETWORKS)


MAX_VERDICTS = 10_000  # origins whose verdict is remembered (a crawl meets a few hundred)


class RequestGuard:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.trusted = trusted_networks(crawler.settings.get("GOVARCHIVE_TRUSTED_NETWORKS") or "")
        # A request's verdict depends on its site and its origin alone: judged once per origin, not per
        # request (address parsing and the start origins cost ~50 µs a request).
        self._verdicts: dict[tuple[str, str, str, int | None], str | None] = {}

    @classmethod
    def from_crawler(cls, crawler: Any) -> RequestGuard:
        return cls(crawler)

    def _site(self, request: Request) -> Any:
        context = context_of(request)
        spider = self.crawler.spider
        sites = getattr(spider, "sites", {})
        return sites.get(context.site_id) if context is not None else None

    @staticmethod
    def _file_elsewhere(request: Request, target: str) -> bool:
        """A report's own file may be served from another host (a file server, a CDN): a request the
        spider made for one (allow_offsite), or a link that names a report and redirects to a document.
        The redirected request keeps the permission (Scrapy's off-site filter reads it)."""
        context = context_of(request)
        named = (
            context is not None and context.role in ("article", "attachment") and is_attachment_url(target)
        )
        if not (named or request.meta.get("allow_offsite")) or request.meta.get("offsite_hops", 0) >= 1:
            return False  # one hop off the site's domains, never a chain of them
        request.meta["allow_offsite"] = True
        request.meta["offsite_hops"] = request.meta.get("offsite_hops", 0) + 1
        return True

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        site = self._site(request)
        if site is None:
            return  # robots.txt and other framework requests
        try:
            key = (site.id, *origin(request.url))
        except ValueError:  # e.g. an unclosed IPv6 bracket
            raise Refused("malformed URL: not fetched") from None
        if key in self._verdicts:
            why = self._verdicts[key]
        else:
            why = self._verdict(request.url, site)
            if len(self._verdicts) < MAX_VERDICTS:
                self._verdicts[key] = why
        if why is not None:
            raise Refused(why)

    def _verdict(self, url: str, site: Any) -> str | None:
        why = refusal(url, site.start_urls, site.allowed_domains, self.trusted)
        if why is None and not in_domains(url, site.domains()):
            why = internal_name(urlsplit(url).hostname or "")  # a report's file elsewhere
        return why

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        location = response.headers.get("Location")
        if response.status not in (301, 302, 303, 307, 308) or not location:
            return response
        site = self._site(request)
        if site is None:
            return response
        target = redirect_target(request.url, location)
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if target in chain:
            hops = " → ".join([*chain[chain.index(target) :], target])
            raise Refused(f"redirect loop: {hops}")
        why = refusal(target, site.start_urls, site.allowed_domains, self.trusted)
        if why is not None:
            raise Refused(f"redirect to {target} {why.removeprefix('refused: ')}")
        if not in_domains(target, site.domains()) and not self._file_elsewhere(request, target):
            raise Refused(f"redirect off the site's domains to {target}: not followed")
        return response
