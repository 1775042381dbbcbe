"""The `reports` spider: from a site's start URLs toward its annual reports and their attachments.

Plain static portals are handled here; CMS families that hide their lists (script-written pagers, XML
data proxies, JSON APIs) plug in through `crawler.families`: they return plain values (links, data calls,
records) and this spider alone turns them into requests, each carrying its `crawler.context.RequestContext`.
The spider decides what to fetch and hands every response to the pipelines as a `Fetched` item; it writes
nothing itself.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from collections.abc import AsyncIterator, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response
from twisted.python.failure import Failure

from archive.capture import Fetched
from archive.extract.encoding import decode_html
from archive.extract.pageinfo import Link, PageInfo, page_info
from archive.report.meta import classify_title
from archive.sites import Site, load_sites, select_sites
from crawler import emit, families
from crawler.bounds import TrapBounds, Verdict
from crawler.budget import SiteBudgets
from crawler.candidates import Candidate, data_candidates, is_data_answer, page_candidates
from crawler.config import CrawlConfig
from crawler.context import RequestContext, Role, context_of, set_context
from crawler.discovery import LinkKind, classify_link, in_domains, is_attachment_url
from crawler.failures import failure_reason
from crawler.families.base import Action, DataAnswer, DataCall, FollowLink, Page, PageKind, Records
from crawler.frontier import SeenUrls, fresh_frontier
from crawler.images import content_images
from crawler.middlewares.guard import (
    BROWSER_PRIVATE_ORIGINS,
    BROWSER_TRUSTED_NETWORKS,
    FETCHED_SCHEMES,
    forbidden_address,
    origin,
    trusted_networks,
)
from crawler.pagekind import Reading, read_page
from crawler.ranking import rank
from crawler.render import GOTO, render_meta

if TYPE_CHECKING:
    from crawler.sharedcrawl.frontier import SharedCrawl

# Request priorities: finish what leads to reports before wandering into more sections.
PRIORITY = {"attachment": 30, "article": 20, "pager": 10, "section": 0}
# List pages (sections, pagers, data calls) are bounded per URL shape by what they yield (crawler/bounds.py).
BOUNDED_KINDS = ("section", "pager")
SLOT_PREFIX = "site:"


def request_key(url: str) -> str:
    """What makes two URLs one request: their query parameters in any order (a family and a data answer
    spell one API call differently)."""
    base, _, query = url.partition("?")
    return f"{base}?{'&'.join(sorted(query.split('&')))}" if "&" in query else url


class Led:
    """Counts the requests a list page led to that the trap bounds weigh: report pages, documents and
    body pages (not further lists, which prove nothing by themselves); and, apart, whether its static
    reading found anything likely (a family's data call or records, a candidate ranked above a pager,
    asked for before or not): a page about reports that found nothing may need a browser."""

    def __init__(self) -> None:
        self.n = 0
        self.found = 0

    def count(self, outputs: Iterable[Any]) -> Iterator[Any]:
        for out in outputs:
            if isinstance(out, scrapy.Request):
                context = context_of(out)
                if context is not None and context.role in ("article", "attachment", "image"):
                    self.n += 1
            yield out


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
        # Names a shared crawl by default (crawler/sharedcrawl/frontier.py crawl_keys).
        self.sites_file = Path(sites_file) if sites_file else None
        if sites is None:
            path = Path(sites_file or "sites.toml")
            ids = [s for s in (site or "").split(",") if s]
            sites = select_sites(load_sites(path), ids)
        self.sites: dict[str, Site] = {s.id: s for s in sites}
        self.allowed_domains = sorted({d for s in sites for d in s.domains()})
        BROWSER_PRIVATE_ORIGINS.update(
            origin(u) for s in sites for u in s.start_urls if forbidden_address(urlsplit(u).hostname or "")
        )
        self.requests_per_site: Counter[str] = Counter()
        self.bounds = TrapBounds()
        self.budgets = SiteBudgets()
        self.can_render = True  # a browser is there to draw pages (configure)
        self._posted: set[str] = set()  # endpoints a family posts its forms to (hanweb's dataproxy.jsp)
        self._held: dict[tuple[str, str], deque[scrapy.Request]] = {}  # list requests waiting on their shape
        # The latest list pages' bytes per (site, shape): a page repeating one of them yields nothing.
        self._recent_lists: dict[tuple[str, str], deque[int]] = {}
        self.requested = SeenUrls(None)  # on disk with GOVARCHIVE_FRONTIER=disk (from_crawler)
        # A crawl shared through Redis (GOVARCHIVE_REDIS_URL): held requests are kept there too, and the
        # max_pages net counts every process's requests (crawler/sharedcrawl/frontier.py).
        self.shared: SharedCrawl | None = None

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> ReportsSpider:
        if kwargs.get("sites") is None and not kwargs.get("sites_file"):
            # `scrapy crawl reports` without -a sites_file: the sites file of the settings (GOVARCHIVE_SITES).
            kwargs["sites_file"] = str(CrawlConfig.from_settings(crawler.settings).sites_file)
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.configure(crawler.settings)
        if crawler.settings.get("GOVARCHIVE_REDIS_URL"):
            from crawler.sharedcrawl.frontier import shared_crawl

            spider.shared = shared_crawl(crawler, spider.sites_file)
        crawler.signals.connect(spider.on_idle, signal=signals.spider_idle)
        config = CrawlConfig.from_settings(crawler.settings)
        if config.frontier_on_disk:
            # The spider is made first (before extensions and the scheduler): it empties the folder of a
            # previous run's frontier, then keeps its requested URLs there.
            spider.requested = SeenUrls(fresh_frontier(config.data_dir))
        return spider

    def closed(self, reason: str) -> None:
        if self._held:
            held = sum(len(h) for h in self._held.values())
            self.logger.warning("%d held list requests were never released (the run ended: %s)", held, reason)
        self.requested.close()

    def configure(self, settings: Any) -> None:
        """Per-site politeness as download slots; the browser handler when a site needs rendering.

        Runs before the settings freeze, so `scrapy crawl reports` gets the same set-up as `govarchive crawl`.
        """
        BROWSER_TRUSTED_NETWORKS[:] = trusted_networks(settings.get("GOVARCHIVE_TRUSTED_NETWORKS") or "")
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
        # Any site may need a page drawn (render_js, or a list its scripts draw: _render); the browser itself
        # starts only when a page first asks for it. Without a browser on this machine (a demo without
        # Debian's chromium) such pages are read as they are, said once.
        browser = Path(
            settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS").get("executable_path") or "/usr/bin/chromium"
        )
        self.can_render = browser.exists()
        if not self.can_render and any(s.render_pages > 0 and not s.render_js for s in self.sites.values()):
            self.logger.info("no browser at %s: pages drawn by their scripts are read unrendered", browser)
        if any(s.render_js or (s.render_pages > 0 and self.can_render) for s in self.sites.values()):
            handler = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"
            settings.set("DOWNLOAD_HANDLERS", {"http": handler, "https": handler}, priority="spider")

    # --- requests ------------------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        for site in self.sites.values():
            for url in site.start_urls:
                actions: list[Action] | None = None
                for family in families.active(site):
                    actions = family.start(url, site)
                    if actions is not None:
                        break
                for req in self._requests(site, actions or [FollowLink(url, None, "start")], None, 0):
                    yield req

    def _admit(
        self,
        site: Site,
        url: str,
        kind: str = "other",
        key: str | None = None,
        *,
        budget: tuple[int, str] | None = None,
        offsite_ok: bool = False,
    ) -> Verdict | None:
        """GO, WAIT (a list page held by the trap bounds until its shape proves itself), or None: not
        requested. `key`: what makes the request distinct when the URL does not (a POSTed form);
        `budget`: (priority, text) of a candidate with no sign of a report, fetched within the site's
        explore budget; `offsite_ok`: a report's own file, fetched wherever it is hosted."""
        key = key or request_key(url)
        if key in self.requested:
            return None  # asked for already: the caps below count distinct URLs, not repeated links
        if not offsite_ok and not in_domains(url, site.domains()):
            self.crawler.stats.inc_value("govarchive/skipped/offsite")
            return None
        if any(re.search(p, url) for p in site.deny):
            self.crawler.stats.inc_value("govarchive/skipped/denied")
            return None
        if self._pages(site.id) >= site.max_pages:
            self.crawler.stats.inc_value("govarchive/skipped/max_pages")
            return None
        if budget is not None and not self.budgets.allows(site.id, site.explore_pages):
            self._budget_cut(site, url, *budget)
            return None  # not marked requested: a link with a sign may still name it
        verdict = self.bounds.allow(site.id, url) if kind in BOUNDED_KINDS else Verdict.GO
        if verdict is Verdict.CUT:
            self.crawler.stats.inc_value("govarchive/skipped/unproductive")
            return None
        if budget is not None:
            self.budgets.spend(site.id)
            self.crawler.stats.inc_value(f"govarchive/budget/{site.id}/explored")
        self.requested.add(key)
        return verdict

    def _budget_cut(self, site: Site, url: str, priority: int, text: str) -> None:
        """A candidate the site's explore budget cut: counted, and kept if among the best-ranked cut."""
        stats = self.crawler.stats
        best = self.budgets.note_cut(site.id, priority, url, text)
        # Each candidate cut once, however many pages link it (the summary's count of what was left).
        stats.set_value(f"govarchive/budget/{site.id}/cut_explore", self.budgets.cut[site.id])
        if best:
            stats.set_value(
                f"govarchive/budget/{site.id}/best_cut", [list(c) for c in self.budgets.best_cut(site.id)]
            )

    def _pages(self, site_id: str) -> int:
        """Requests made for a site; in a shared crawl, all processes' (one another's duplicates taken off by
        the shared duplicate filter: crawler/sharedcrawl/frontier.py)."""
        if self.shared is not None:
            self.requests_per_site[site_id] = self.shared.pages(site_id)
        return self.requests_per_site[site_id]

    def _hold_or_go(self, site: Site, verdict: Verdict, request: scrapy.Request) -> scrapy.Request | None:
        if verdict is Verdict.WAIT:
            self._held.setdefault(self.bounds.key(site.id, request.url), deque()).append(request)
            if self.shared is not None:
                self.shared.hold(request, self)
            self.crawler.stats.inc_value("govarchive/held")
            return None
        return request

    def _request(
        self,
        site: Site,
        url: str,
        context: RequestContext,
        *,
        callback: Any,
        priority: int,
        referer: str | None,
        formdata: dict[str, str] | None = None,
        meta: dict[str, Any] | None = None,
        dont_filter: bool = False,
    ) -> scrapy.Request:
        """The one place requests are built: the crawl context, the site's download slot, the referer."""
        if self.shared is not None:
            self.requests_per_site[site.id] = self.shared.count_page(site.id)
        else:
            self.requests_per_site[site.id] += 1
        full_meta: dict[str, Any] = {"download_slot": SLOT_PREFIX + site.id, **(meta or {})}
        headers = {"Referer": referer} if referer else None
        kw: dict[str, Any] = {
            "callback": callback,
            "errback": self.on_error,
            "meta": full_meta,
            "priority": priority,
            "headers": headers,
            "dont_filter": dont_filter,
        }
        req = (
            scrapy.FormRequest(url, formdata=formdata, **kw)
            if formdata is not None
            else scrapy.Request(url, **kw)
        )
        set_context(req, context if context.linked_from or not referer else context.but(linked_from=referer))
        return req

    def page_request(
        self,
        site: Site,
        url: str,
        context: RequestContext,
        *,
        kind: str,
        referer: str | None,
        priority: int | None = None,
        budgeted: bool = False,
    ) -> scrapy.Request | None:
        """A request for an HTML page; `kind` (section, pager, article) picks its caps and, unless the
        ranking gave one, its priority; `budgeted`: within the site's explore budget."""
        budget = (priority or 0, context.link_text or "") if budgeted else None
        verdict = self._admit(site, url, kind, budget=budget)
        if verdict is None:
            return None
        meta: dict[str, Any] = {}
        if site.render_js and context.role == "list":
            meta["playwright"] = True
            # Scripts draw the list after load: wait until the page stops fetching.
            meta["playwright_page_goto_kwargs"] = dict(GOTO)  # the handler edits it
        request = self._request(
            site,
            url,
            context,
            callback=self.parse_page,
            priority=PRIORITY.get(kind, 0) if priority is None else priority,
            referer=referer,
            meta=meta,
        )
        return self._hold_or_go(site, verdict, request)

    def attachment_request(
        self,
        site: Site,
        url: str,
        *,
        link_text: str | None,
        referer: str | None,
        role: Role = "attachment",
        priority: int | None = None,
        budgeted: bool = False,
        offsite_ok: bool = False,
    ) -> scrapy.Request | None:
        """A document, package or image: archived as it is, never parsed for links. `offsite_ok`: a
        report's own file, fetched wherever it is hosted (one hop: it is never parsed for links)."""
        budget = (priority or 0, link_text or "") if budgeted else None
        if self._admit(site, url, budget=budget, offsite_ok=offsite_ok) is not Verdict.GO:
            return None
        context = RequestContext(site.id, role, link_text)
        return self._request(
            site,
            url,
            context,
            callback=self.parse_attachment,
            priority=PRIORITY["attachment"] if priority is None else priority,
            referer=referer,
            meta={"allow_offsite": True} if offsite_ok else None,
        )

    def _requests(
        self, site: Site, actions: Iterable[Action], referer: str | None, depth: int
    ) -> Iterator[Any]:
        """Requests for what a family returned (links, data calls, records) from a page at `depth`."""
        for action in actions:
            if isinstance(action, Records):
                yield from self.follow(site, action.links, referer or "", depth)
            elif isinstance(action, DataCall):
                # A POSTed call is its URL and its form (two columns of one proxy share the URL).
                form = "&".join(f"{k}={v}" for k, v in sorted((action.formdata or {}).items()))
                verdict = self._admit(site, action.url, "pager", key=f"{action.url}#{form}" if form else None)
                if verdict is None:
                    continue
                if form:
                    # The family posts forms to it: the bare URL a script names is no page of its own.
                    self._posted.add(action.url.partition("?")[0])
                context = RequestContext(
                    site.id,
                    "list",
                    None,
                    depth,
                    family=action.family,
                    origin=action.origin,
                    state=action.state,
                )
                request = self._hold_or_go(
                    site,
                    verdict,
                    self._request(
                        site,
                        action.url,
                        context,
                        callback=self.parse_data,
                        priority=PRIORITY["pager"],
                        referer=action.origin,
                        formdata=action.formdata,
                    ),
                )
                if request is not None:
                    yield request
            else:
                next_depth = {"start": 0, "pager": depth}.get(action.kind, depth + 1)
                if next_depth > site.max_depth:
                    self.crawler.stats.inc_value("govarchive/skipped/max_depth")
                    continue
                if request_key(action.url) in self.requested:
                    continue  # asked for already (most links of a page): _admit would refuse it too
                role: Role = "article" if action.kind == "article" else "list"
                context = RequestContext(
                    site.id,
                    role,
                    action.text,
                    next_depth,
                    year=action.year,
                    from_body=action.from_body,
                    body_shape=action.body_shape,
                    origin=referer if action.from_script else None,
                )
                kind = "section" if action.kind == "start" else action.kind
                req = self.page_request(
                    site,
                    action.url,
                    context,
                    kind=kind,
                    referer=referer,
                    priority=action.priority,
                    budgeted=action.budgeted,
                )
                if req is not None:
                    yield req

    # --- responses -----------------------------------------------------------------------------------

    @staticmethod
    def _context(response: Response) -> RequestContext:
        context = context_of(response)
        assert context is not None, f"{response.url}: a response to a request the spider did not build"
        return context

    def _fetched(self, response: Response, role: str) -> Fetched:
        return emit.fetched(response, self._context(response), role)

    def parse_page(self, response: Response) -> Iterator[Any]:
        context = self._context(response)
        site = self.sites[context.site_id]
        # A 304 page arrives with the bytes held (crawler.incremental) and is parsed like a 200.
        if response.status != 200 and not context.revalidated:
            yield self._fetched(response, context.role)
            return
        if not is_attachment_url(response.url) and is_data_answer(
            response.body, emit.header(response, "Content-Type")
        ):
            yield from self._data_answer(site, response, context)
            return
        if is_attachment_url(response.url) or not emit.looks_like_html(response):
            # A link that turned out to be a document (e.g. a report linked straight from a list).
            yield from self.parse_attachment(response)
            return
        rendered = bool(response.meta.get("playwright"))
        if rendered and not in_domains(response.url, site.domains()):
            # The browser followed a redirect the guard never saw: nothing of it is kept.
            page_url = response.request.url if response.request is not None else response.url
            yield emit.failed(page_url, context, f"render left the site for {response.url}")
            return
        text, _ = decode_html(response.body, emit.declared_charset(response))
        info = page_info(text, response.url)
        page = Page(
            url=response.url,
            site=site,
            info=info,
            body=response.body,
            depth=context.depth,
            year=context.year,
            rendered=rendered,
        )
        candidates = page_candidates(info.doc, response.url, info.links, info.scripts, text)
        reading = read_page(
            info,
            text,
            context.link_text,
            year=context.year,
            from_body=context.from_body,
            body_shape=context.body_shape,
            carried=sum(
                1 for c in candidates if c.via != "a" and c.via != "script" and is_attachment_url(c.url)
            ),
        )
        listed_by = [family for family in families.active(site) if family.is_list(page)]
        if reading.is_report and (not listed_by or reading.paged_article):
            # A family's pager script on a page whose text is the report: the article's own pages.
            pages = [
                a.url
                for family in listed_by
                for a in family.links(page)
                if isinstance(a, FollowLink) and a.kind == "pager"
            ]
            yield from self._article(site, response, info, candidates, context.depth, pages)
            return
        yield self._fetched(response, "list")
        led = Led()
        # Family requests first: they know more (roles, form fields), and the first request of a URL wins.
        for family in families.active(site):
            actions = list(family.links(page))
            led.found += sum(1 for a in actions if isinstance(a, DataCall | Records))
            yield from led.count(self._requests(site, actions, response.url, context.depth))
        bodies = reading.year_dept_bodies(continued=context.body_shape is not None)
        yield from led.count(self._year_dept(site, response.url, reading, bodies, context.depth))
        yield from led.count(
            self.follow_candidates(
                site,
                response.url,
                candidates,
                depth=context.depth,
                about_reports=reading.about_reports,
                pager_of=(reading.year, reading.body_shape) if bodies and reading.year else None,
                led=led,
            )
        )
        yield from self._list_read(site, response.url, response.body, led.n)
        if not led.n and not led.found and not rendered and reading.about_reports and self._has_scripts(info):
            yield from self._render(site, response.url, context)
        elif not led.n:
            yield from self._render_origin(site, context)

    @staticmethod
    def _has_scripts(info: PageInfo) -> bool:
        return bool(info.scripts) or (
            info.doc is not None and next(info.doc.iter("script"), None) is not None
        )

    def _render(self, site: Site, url: str, context: RequestContext) -> Iterator[scrapy.Request]:
        """The page again, drawn by Chromium: its static reading is about reports yet led nowhere, so its
        list is probably drawn by its scripts. Once per page, within the site's render budget;
        `render_js` sites are drawn from the start."""
        key = url + "#rendered"
        if key in self.requested or site.render_js or not self.can_render:
            return
        if not self.budgets.render(site.id, site.render_pages):
            self.crawler.stats.inc_value(f"govarchive/budget/{site.id}/cut_render")
            return
        self.requested.add(key)
        self.crawler.stats.inc_value(f"govarchive/budget/{site.id}/rendered")
        yield self._request(
            site,
            url,
            context.but(origin=None, role="list"),
            callback=self.parse_page,
            priority=PRIORITY["pager"],
            referer=context.linked_from,
            meta=render_meta(),
            dont_filter=True,
        )

    def _render_origin(self, site: Site, context: RequestContext) -> Iterator[scrapy.Request]:
        """A data call that a page's script names led nowhere (a URL the script completes at run time, a
        family's call with its placeholders guessed, an empty answer): the page itself is drawn in
        Chromium, where its script builds the real call."""
        if context.origin is None:
            return
        yield from self._render(site, context.origin, RequestContext(site.id, "list", None, context.depth))

    def _data_answer(self, site: Site, response: Response, context: RequestContext) -> Iterator[Any]:
        """A JSON, JSONP or XML answer (a data call named in a page's script): a list capture, whose
        records and URLs are candidates like a page's links."""
        yield self._fetched(response, "list")
        led = Led()
        origin = context.linked_from or response.url
        candidates = data_candidates(response.body, response.url)
        yield from led.count(
            self.follow_candidates(site, origin, candidates, depth=context.depth, about_reports=True)
        )
        yield from self._list_read(site, response.url, response.body, led.n)
        if not led.n and not candidates:
            yield from self._render_origin(site, context)

    def _year_dept(
        self, site: Site, url: str, reading: Reading, bodies: list[Link], depth: int
    ) -> Iterator[Any]:
        """A year × department platform, recognised by content: its year tabs are lists of that year,
        its body names lead to the bodies' reports (a document, or a page that the content rules judge)."""
        actions: list[Action] = [
            FollowLink(link.url, link.text, "section", year=year) for link, year in reading.year_tabs()
        ]
        for link in bodies:
            if is_attachment_url(link.url):
                req = self.attachment_request(site, link.url, link_text=link.text, referer=url)
                if req is not None:
                    yield req
            else:
                actions.append(FollowLink(link.url, link.text, "article", year=reading.year, from_body=True))
        yield from self._requests(site, actions, url, depth)

    def parse_data(self, response: Response) -> Iterator[Any]:
        """Answers of a family's data endpoint: kept as a list capture; its records are followed."""
        context = self._context(response)
        site = self.sites[context.site_id]
        yield self._fetched(response, "list")
        if response.status != 200 or context.family is None:
            return
        origin = context.origin or response.url
        answer = DataAnswer(response.url, site, response.body, context.depth, origin, context.state)
        led = Led()
        actions = list(families.REGISTRY[context.family].parse_data(answer))
        yield from led.count(self._requests(site, actions, origin, context.depth))
        read = any(not isinstance(a, Records) or a.links for a in actions)
        if not read:
            # The family read nothing in it (JSONP where it expected JSON, another layout): its URLs and
            # records are candidates like any data answer's.
            candidates = data_candidates(response.body, response.url)
            read = bool(candidates)
            yield from led.count(
                self.follow_candidates(site, origin, candidates, depth=context.depth, about_reports=True)
            )
        yield from self._list_read(site, response.url, response.body, led.n)
        if not read:
            yield from self._render_origin(site, context)

    def _list_read(self, site: Site, url: str, body: bytes | None, led: int) -> Iterator[scrapy.Request]:
        """Tell the trap bounds what a list page led to (requests for report pages, documents or body
        pages the crawl had not made before; a page whose bytes repeat one of its shape's latest leads to
        nothing, a page that failed too), then let held requests of its shape go, or drop them if cut."""
        key = self.bounds.key(site.id, url)
        repeated = False
        if body is not None:
            recent = self._recent_lists.setdefault(key, deque(maxlen=self.bounds.window))
            digest = hash(body)
            repeated = digest in recent
            recent.append(digest)
        if self.bounds.read(site.id, url, led, repeated):
            pages = self.bounds.cuts()[key]
            self.crawler.stats.set_value(f"govarchive/cut/{site.id}/{key[1]}", pages)
            self.logger.info(
                "stopped following %s pages of site %s after %d: the last %d led to nothing new",
                key[1], site.id, pages, self.bounds.window,
            )  # fmt: skip
        yield from self._release(key)

    def _release(self, key: tuple[str, str], force: int = 0) -> Iterator[scrapy.Request]:
        held = self._held.get(key)
        if not held:
            return
        if self.bounds.is_cut(key):
            self.crawler.stats.inc_value("govarchive/skipped/unproductive", len(held))
            if self.shared is not None:
                for request in held:
                    self.shared.done(request)
            del self._held[key]
            return
        n = self.bounds.release(key, len(held)) or min(force, len(held))
        for _ in range(n):
            yield held.popleft()
        if not held:
            del self._held[key]

    def held_requests(self) -> Iterator[scrapy.Request]:
        """List requests held by the trap bounds, not yet let go."""
        for held in self._held.values():
            yield from held

    def on_idle(self) -> None:
        """Nothing in flight, yet requests are held for shapes whose reading stalled (their pages failed):
        let a window of each go, so that nothing a list named is left unasked."""
        released = [r for key in list(self._held) for r in self._release(key, force=self.bounds.ahead)]
        for request in released:
            self.crawler.engine.crawl(request)
        if released:
            raise DontCloseSpider

    def follow(self, site: Site, links: Iterable[Link], referer: str, depth: int) -> Iterator[Any]:
        """Follow links found outside the page's own <a> elements (data islands, API records)."""
        candidates = [Candidate(link.url, link.text, "data") for link in links]
        yield from self.follow_candidates(site, referer, candidates, depth=depth, about_reports=True)

    def _article(
        self,
        site: Site,
        response: Response,
        info: PageInfo,
        candidates: list[Candidate],
        depth: int,
        pages: list[str] | None = None,
    ) -> Iterator[Any]:
        """A report's page: its files (of any type, wherever hosted, behind a viewer too), the pictures in
        its text and attached, and its next pages belong to the report; its other links are candidates."""
        page = self._fetched(response, "article")
        ranked = [rank(c, on_report_page=True, page_about_reports=True) for c in candidates]
        attachments = [r.candidate for r in ranked if r.plan == "attachment"]
        # Images of the report's text (tables published as pictures) and pictures attached as files:
        # archived and read with the page.
        images = content_images(info.doc, response.url)
        shown = {image.url for image in images}
        images += [r.candidate.link for r in ranked if r.plan == "image" and r.candidate.url not in shown]
        # Stored with the page (table `links`): interpretation reads from the archive which page carries
        # which attachment and which images, never from the crawl's memory.
        page.links = [(c.url, c.text, "attachment") for c in attachments]
        page.links += [(image.url, image.text, "image") for image in images]
        yield page
        for c in attachments:
            req = self.attachment_request(
                site, c.url, link_text=c.text or None, referer=response.url, offsite_ok=True
            )
            if req is not None:
                yield req
        for image in images:
            req = self.attachment_request(
                site,
                image.url,
                link_text=image.text or None,
                referer=response.url,
                role="image",
                offsite_ok=True,
            )
            if req is not None:
                yield req
        title = (info.titles or [""])[0]
        # The next pages of a paged article are the report's too: named by its title.
        continued = [
            FollowLink(r.candidate.url, title, "article", priority=r.priority)
            for r in ranked
            if r.plan == "continuation"
        ] + [FollowLink(url, title, "article", priority=PRIORITY["article"]) for url in pages or []]
        yield from self._requests(site, continued, response.url, depth)
        taken = {c.url for c in attachments} | {image.url for image in images}
        taken |= {r.candidate.url for r in ranked if r.plan == "continuation"}
        rest = [c for c in candidates if c.url not in taken]
        yield from self.follow_candidates(site, response.url, rest, depth=depth, about_reports=False)

    def follow_candidates(
        self,
        site: Site,
        referer: str,
        candidates: Iterable[Candidate],
        *,
        depth: int,
        about_reports: bool,
        pager_of: tuple[int, str | None] | None = None,
        led: Led | None = None,
    ) -> Iterator[Any]:
        """Request a list page's candidates in the order the ranking gives (crawler/ranking.py); those
        with no sign of a report within the site's explore budget. `pager_of` (year, link shape): the
        page is a year × department list, whose next pages are still that year's list of that shape;
        `led` counts the candidates ranked above a pager."""
        for c in candidates:
            scheme = urlsplit(c.url).scheme.lower()
            if scheme not in FETCHED_SCHEMES:
                yield from self._unfetchable(site, c, referer)
                continue
            if c.via == "script" and c.url.partition("?")[0] in self._posted:
                continue  # the family calls it with its form (a bare GET answers nothing of use)
            ranked = rank(c, on_report_page=False, page_about_reports=about_reports)
            if led is not None and ranked.priority > PRIORITY["pager"]:
                led.found += 1
            if ranked.plan == "explore" and ranked.kind is LinkKind.LOOKALIKE:
                self.crawler.stats.inc_value("govarchive/skipped/lookalike")
            forced = any(re.search(p, c.url) for p in site.follow)
            budgeted = ranked.budgeted and not forced
            if ranked.plan in ("attachment", "image"):
                req = self.attachment_request(
                    site,
                    c.url,
                    link_text=c.text or None,
                    referer=referer,
                    role="image" if ranked.plan == "image" else "attachment",
                    priority=ranked.priority,
                    budgeted=budgeted,
                )
                if req is not None:
                    yield req
                continue
            page_kind: PageKind = {"article": "article", "continuation": "article", "pager": "pager"}.get(
                ranked.plan, "section"
            )  # type: ignore[assignment]
            follow = FollowLink(
                c.url,
                c.text,
                page_kind,
                priority=ranked.priority,
                budgeted=budgeted,
                from_script=c.via == "script",
            )
            if page_kind == "pager" and pager_of is not None:
                year, shape = pager_of
                follow = FollowLink(
                    c.url, c.text, page_kind, year=year, body_shape=shape, priority=ranked.priority
                )
            yield from self._requests(site, [follow], referer, depth)

    def _unfetchable(self, site: Site, c: Candidate, referer: str) -> Iterator[Any]:
        """A report behind an ftp:, file: or javascript: link is a report the crawl cannot have: recorded
        as a failure (never fetched); other such links are only counted."""
        scheme = urlsplit(c.url).scheme.lower()
        kind = classify_link(c.url, c.text)
        named = kind is LinkKind.REPORT or classify_title(c.text).kind is not None
        if named and kind in (LinkKind.REPORT, LinkKind.ATTACHMENT) and c.url not in self.requested:
            self.requested.add(c.url)
            yield self._not_fetched(site, c.link, referer, f"not followed: {scheme}: links are not fetched")
        else:
            self.crawler.stats.inc_value("govarchive/skipped/scheme")

    def parse_attachment(self, response: Response) -> Iterator[Any]:
        yield emit.fetched_file(response, self._context(response))

    def _not_fetched(self, site: Site, link: Link, referer: str, reason: str) -> Fetched:
        self.logger.warning("not fetched %s (on %s): %s", link.url, referer, reason)
        return emit.not_fetched(site.id, link, referer, reason)

    def on_error(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        reason = failure_reason(failure)
        # A redirect chain that failed is recorded under the URL the link named (what its list shows).
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if reason == "too many redirects":
            reason += f": {len(chain) - 1} hops, last {request.url}"
        context = context_of(request)
        site = self.sites.get(context.site_id) if context is not None else None
        if request.meta.get("playwright") and site is not None and not site.render_js:
            # A page drawn again because its scripts may hold its list: the page itself was fetched and
            # kept; the drawing failing is no failure of the page (nor a list page failing, for health).
            self.logger.warning("could not draw %s in Chromium: %s", request.url, reason)
            self.crawler.stats.inc_value(f"govarchive/budget/{site.id}/render_failed")
            return
        # Counted once, under errors/<kind>, by the store pipeline that records this item.
        self.logger.warning("failed %s: %s", chain[0], reason)
        yield emit.failed(chain[0], context, reason)
        if context is not None and context.role == "list" and context.site_id in self.sites:
            # A list page that failed led to nothing: its shape's held requests may move on.
            yield from self._list_read(self.sites[context.site_id], request.url, None, 0)
