"""The `reports` spider: from a site's start URLs toward its annual reports and their attachments.

Plain static portals are handled here; CMS families that hide their lists (script-written pagers, XML
data proxies, JSON APIs) plug in through `crawler.families`. The spider decides what to fetch and hands
every response to the pipelines as a `Fetched` item; it writes nothing itself.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from archive.extract.encoding import decode_html, header_charset
from archive.extract.filenames import filename_from_disposition, filename_from_url
from archive.extract.pageinfo import Link, PageInfo, page_info
from archive.report.meta import classify_title
from archive.sites import Site, load_sites, select_sites
from crawler import families
from crawler.discovery import LinkKind, classify_link, in_domains, is_attachment_url, url_pattern
from crawler.failures import failure_reason
from crawler.items import Fetched

# Request priorities: finish what leads to reports before wandering into more sections.
PRIORITY = {"attachment": 30, "article": 20, "pager": 10, "section": 0}
LIST_REPORT_LINKS = 3  # a page that links to this many reports is a list, whatever its title says
# Requests per (site, URL shape with digits blanked): calendars and endless pagers share one shape,
# real lists rarely need more than this many pages or sections of one shape.
PATTERN_CAP = {"section": 100, "pager": 2000}
SLOT_PREFIX = "site:"


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    if value is None:
        return None
    return value.decode("latin-1") if isinstance(value, bytes) else str(value)


class ReportsSpider(scrapy.Spider):
    name = "reports"

    def __init__(
        self,
        site: str | None = None,
        sites_file: str | None = None,
        sites: list[Site] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if sites is None:
            path = Path(sites_file or "sites.toml")
            ids = [s for s in (site or "").split(",") if s]
            sites = select_sites(load_sites(path), ids)
        self.sites: dict[str, Site] = {s.id: s for s in sites}
        self.allowed_domains = sorted({d for s in sites for d in s.domains()})
        self.requests_per_site: Counter[str] = Counter()
        self.requests_per_pattern: Counter[tuple[str, str]] = Counter()
        self.requested: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> ReportsSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.configure(crawler.settings)
        return spider

    def configure(self, settings: Any) -> None:
        """Per-site politeness as download slots; the browser handler when a site needs rendering.

        Runs before the settings freeze, so `scrapy crawl reports` gets the same set-up as `govarchive crawl`.
        """
        if getattr(settings, "frozen", False):
            return
        slots = dict(settings.getdict("DOWNLOAD_SLOTS"))
        for site in self.sites.values():
            slot: dict[str, Any] = {
                "concurrency": site.concurrency or settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN")
            }
            if site.download_delay is not None:
                # A delay the site asked for is a floor: no jitter below it (AutoThrottle keeps it too).
                slot.update({"delay": site.download_delay, "jitter": 0.0})
            slots[SLOT_PREFIX + site.id] = slot
        settings.set("DOWNLOAD_SLOTS", slots, priority="spider")
        if any(s.render_js for s in self.sites.values()):
            handler = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"
            settings.set("DOWNLOAD_HANDLERS", {"http": handler, "https": handler}, priority="spider")

    # --- requests ------------------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        for site in self.sites.values():
            for url in site.start_urls:
                special = families.start_requests(self, site, url)
                reqs = (
                    special
                    if special is not None
                    else [self.page_request(site, url, depth=0, role="list", link_text=None, referer=None)]
                )
                for req in reqs:
                    if req is not None:
                        yield req

    def _allowed(self, site: Site, url: str, kind: str = "other") -> bool:
        if url in self.requested:
            return False  # asked for already: the caps below count distinct URLs, not repeated links
        if not in_domains(url, site.domains()):
            self.crawler.stats.inc_value("govarchive/skipped/offsite")
            return False
        if any(re.search(p, url) for p in site.deny):
            self.crawler.stats.inc_value("govarchive/skipped/denied")
            return False
        if self.requests_per_site[site.id] >= site.max_pages:
            self.crawler.stats.inc_value("govarchive/skipped/max_pages")
            return False
        cap = PATTERN_CAP.get(kind)
        if cap is not None:
            key = (site.id, url_pattern(url))
            if self.requests_per_pattern[key] >= cap:
                self.crawler.stats.inc_value("govarchive/skipped/pattern_cap")
                return False
            self.requests_per_pattern[key] += 1
        self.requested.add(url)
        return True

    def _base_meta(self, site: Site, role: str, link_text: str | None) -> dict[str, Any]:
        meta: dict[str, Any] = {
            "site_id": site.id,
            "role": role,
            "link_text": link_text,
            "download_slot": SLOT_PREFIX + site.id,
        }
        return meta

    def page_request(
        self,
        site: Site,
        url: str,
        *,
        depth: int,
        role: str,
        link_text: str | None,
        referer: str | None,
        priority: int | None = None,
        kind: str = "section",
        extra: dict[str, Any] | None = None,
    ) -> scrapy.Request | None:
        """A request for an HTML page; `kind` (section, pager, article) picks its priority and caps."""
        if not self._allowed(site, url, kind):
            return None
        self.requests_per_site[site.id] += 1
        meta = self._base_meta(site, role, link_text)
        meta["depth"] = depth
        meta.update(extra or {})
        if priority is None:
            priority = PRIORITY.get(kind, 0)
        if site.render_js and role == "list":
            meta["playwright"] = True
            # Scripts draw the list after load: wait until the page stops fetching.
            meta["playwright_page_goto_kwargs"] = {"wait_until": "networkidle"}
        headers = {"Referer": referer} if referer else None
        return scrapy.Request(
            url,
            callback=self.parse_page,
            errback=self.on_error,
            meta=meta,
            priority=priority,
            headers=headers,
        )

    def attachment_request(
        self, site: Site, url: str, *, link_text: str | None, referer: str | None
    ) -> scrapy.Request | None:
        if not self._allowed(site, url):
            return None
        self.requests_per_site[site.id] += 1
        meta = self._base_meta(site, "attachment", link_text)
        headers = {"Referer": referer} if referer else None
        return scrapy.Request(
            url,
            callback=self.parse_attachment,
            errback=self.on_error,
            meta=meta,
            priority=PRIORITY["attachment"],
            headers=headers,
        )

    def data_request(
        self,
        site: Site,
        url: str,
        *,
        family: str,
        depth: int,
        referer: str | None,
        formdata: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> scrapy.Request | None:
        """A call to a family's data endpoint (XML proxy, JSON API): a list page in data form."""
        if not self._allowed(site, url, "pager"):
            return None
        self.requests_per_site[site.id] += 1
        meta = self._base_meta(site, "list", None)
        meta.update({"depth": depth, "family": family, "referer_url": referer, **(extra or {})})
        headers = {"Referer": referer} if referer else None
        if formdata is not None:
            return scrapy.FormRequest(
                url,
                formdata=formdata,
                callback=self.parse_data,
                errback=self.on_error,
                meta=meta,
                priority=PRIORITY["pager"],
                headers=headers,
            )
        return scrapy.Request(
            url,
            callback=self.parse_data,
            errback=self.on_error,
            meta=meta,
            priority=PRIORITY["pager"],
            headers=headers,
        )

    # --- responses -----------------------------------------------------------------------------------

    def _fetched(self, response: Response, role: str) -> Fetched:
        meta = response.meta
        referer = response.request.headers.get("Referer") if response.request else None
        return Fetched(
            url=response.url,
            site_id=meta["site_id"],
            role=role,
            fetched_at=now_iso(),
            status=response.status,
            body=response.body if response.status == 200 else None,
            content_type=_header(response, "Content-Type"),
            etag=_header(response, "ETag"),
            last_modified=_header(response, "Last-Modified"),
            referer=referer.decode("latin-1") if isinstance(referer, bytes) else referer,
            link_text=meta.get("link_text"),
            not_modified=response.status == 304,
            previous_sha256=meta.get("previous_sha256"),
            error=None if response.status in (200, 304) else f"http {response.status}",
        )

    def parse_page(self, response: Response) -> Iterator[Any]:
        site = self.sites[response.meta["site_id"]]
        # A 304 page arrives with the bytes held (crawler.incremental) and is parsed like a 200.
        if response.status != 200 and not response.meta.get("revalidated"):
            yield self._fetched(response, response.meta.get("role", "list"))
            return
        if is_attachment_url(response.url) or not self._looks_like_html(response):
            # A link that turned out to be a document (e.g. a report linked straight from a list).
            yield from self.parse_attachment(response)
            return
        text, _ = decode_html(response.body, self._declared_charset(response))
        info = page_info(text, response.url)
        kinds = [(link, classify_link(link.url, link.text)) for link in info.links]
        if self._is_article(site, response, info, kinds):
            yield from self._article(site, response, info, kinds)
            return
        page = self._fetched(response, "list")
        yield page
        # Family requests first: they know more (roles, form fields), and the first request of a URL wins.
        yield from self.family_requests(site, response, info)
        yield from self.follow_links(site, response.url, kinds, depth=response.meta.get("depth", 0))

    def _is_article(self, site: Site, response: Response, info: PageInfo, kinds: list[Any]) -> bool:
        if response.meta.get("assume_report"):
            # A detail page reached from a body name: a report unless its own title says otherwise.
            return not any("look-alike" in classify_title(t).reason for t in info.titles[:2])
        if families.is_family_list(site, response, info):
            return False
        report_links = sum(1 for _, k in kinds if k is LinkKind.REPORT)
        return self._is_report_page(info, response.meta.get("link_text")) and report_links < LIST_REPORT_LINKS

    def _is_report_page(self, info: PageInfo, link_text: str | None) -> bool:
        candidates = [*info.titles[:2], link_text or ""]
        return any(classify_title(t).kind is not None for t in candidates if t)

    def parse_data(self, response: Response) -> Iterator[Any]:
        """Answers of a family's data endpoint: its records are links like a list page's."""
        site = self.sites[response.meta["site_id"]]
        yield from families.parse_data(self, site, response)

    def data_capture(self, response: Response) -> Fetched:
        return self._fetched(response, "list")

    def follow(self, site: Site, links: Iterable[Link], referer: str, depth: int) -> Iterator[Any]:
        """Follow links found outside the page's own <a> elements (data islands, API records)."""
        kinds = [(link, classify_link(link.url, link.text)) for link in links]
        # Records are documents, not sections: only those that name a report (or are pages) are worth a visit.
        kinds = [
            (link, k) for link, k in kinds if k in (LinkKind.REPORT, LinkKind.ATTACHMENT, LinkKind.PAGER)
        ]
        yield from self.follow_links(site, referer, kinds, depth)

    def _article(self, site: Site, response: Response, info: PageInfo, kinds: list[Any]) -> Iterator[Any]:
        page = self._fetched(response, "article")
        attachments = [link for link, k in kinds if k is LinkKind.ATTACHMENT]
        # Stored with the page (table `links`): interpretation reads from the archive which page carries
        # which attachment, never from the crawl's memory.
        page.links = [(link.url, link.text, "attachment") for link in attachments]
        yield page
        for link in attachments:
            req = self.attachment_request(site, link.url, link_text=link.text, referer=response.url)
            if req is not None:
                yield req

    def follow_links(self, site: Site, referer: str, kinds: list[Any], depth: int) -> Iterator[Any]:
        for link, kind in kinds:
            if kind is LinkKind.LOOKALIKE:
                self.crawler.stats.inc_value("govarchive/skipped/lookalike")
                continue
            if kind is LinkKind.ATTACHMENT:
                if classify_title(link.text).kind is not None:
                    req = self.attachment_request(site, link.url, link_text=link.text, referer=referer)
                    if req is not None:
                        yield req
                continue
            forced = any(re.search(p, link.url) for p in site.follow)
            if kind is LinkKind.OTHER and not forced:
                continue
            role = "article" if kind is LinkKind.REPORT else "list"
            next_depth = depth if kind is LinkKind.PAGER else depth + 1
            if next_depth > site.max_depth:
                self.crawler.stats.inc_value("govarchive/skipped/max_depth")
                continue
            page_kind = "article" if role == "article" else ("pager" if kind is LinkKind.PAGER else "section")
            req = self.page_request(
                site,
                link.url,
                depth=next_depth,
                role=role,
                link_text=link.text,
                referer=referer,
                kind=page_kind,
            )
            if req is not None:
                yield req

    def family_requests(self, site: Site, response: Response, info: PageInfo) -> Iterator[Any]:
        """Requests that a CMS family hides from plain links (script pagers, data proxies)."""
        yield from families.family_requests(self, site, response, info)

    def parse_attachment(self, response: Response) -> Iterator[Any]:
        item = self._fetched(response, "attachment")
        disposition = response.headers.get("Content-Disposition")
        item.filename = filename_from_disposition(disposition) or filename_from_url(response.url)
        yield item

    def on_error(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        reason = failure_reason(failure)
        # Counted once, under errors/<kind>, by the store pipeline that records this item.
        self.logger.warning("failed %s: %s", request.url, reason)
        yield Fetched(
            url=request.url,
            site_id=request.meta.get("site_id", ""),
            role=request.meta.get("role", "list"),
            fetched_at=now_iso(),
            error=reason,
            link_text=request.meta.get("link_text"),
        )

    @staticmethod
    def _declared_charset(response: Response) -> str | None:
        return header_charset(_header(response, "Content-Type"))

    @staticmethod
    def _looks_like_html(response: Response) -> bool:
        head = response.body[:1024].lstrip().lower()
        ctype = (_header(response, "Content-Type") or "").lower()
        if head.startswith((b"%pdf", b"pk\x03\x04", b"\xd0\xcf\x11\xe0")):
            return False
        return "html" in ctype or b"<html" in head or b"<!doctype" in head or b"<head" in head or not ctype
