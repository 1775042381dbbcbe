"""`govarchive sites check`: probe each start URL of a sites file the way the crawl would read it.

For every start URL: does it answer (status, final URL after redirects, type, charset, time), does
robots.txt let the crawler in, which CMS family's fingerprint the page carries, and where the report list
is — the start page itself, a family's data call, or a section one link further. It reads pages with the
crawl's own readers (page_info, read_page, classify_link, the families), so what it says is what a crawl
would do. Plain HTTP only: a `render_js` site's list is drawn by a browser, which the probe does not start
(it says so).
"""

from __future__ import annotations

import http.client
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
import urllib.robotparser
from collections.abc import Iterable
from dataclasses import dataclass, field

from archive.extract.encoding import decode_html, header_charset
from archive.extract.pageinfo import page_info
from archive.sites import Site
from crawler import families
from crawler.discovery import LinkKind, classify_link, in_domains
from crawler.families.base import DataAnswer, DataCall, FollowLink, Page, Records
from crawler.pagekind import link_year, read_page
from crawler.settings import USER_AGENT

MAX_BYTES = 5 * 1024 * 1024
MAX_PAGES = 16  # pages read per start URL when its list is further in


@dataclass
class Answer:
    url: str
    status: int | None = None
    final_url: str | None = None
    content_type: str = ""
    body: bytes = b""
    seconds: float = 0.0
    error: str | None = None


@dataclass
class ListFound:
    url: str
    how: str  # "start page", "data call", "section"
    reports: int
    attachments: int
    pages: int
    years: list[int] = field(default_factory=list)
    bodies: int = 0  # body-name links of a year × department list


@dataclass
class StartCheck:
    url: str
    answer: Answer
    robots_allowed: bool | None = None
    families: list[str] = field(default_factory=list)
    year_dept: bool = False
    found: ListFound | None = None
    certificate: str | None = None  # what a verifying client would refuse (the crawl archives it anyway)

    @property
    def ok(self) -> bool:
        return self.answer.error is None and self.found is not None and self.robots_allowed is not False


# The crawl archives portals whose certificates are bad (crawler/tls.py); so does the probe, and says so.
_UNVERIFIED = ssl.create_default_context()
_UNVERIFIED.check_hostname = False
_UNVERIFIED.verify_mode = ssl.CERT_NONE


def fetch(url: str, timeout: float, form: dict[str, str] | None = None) -> Answer:
    started = time.monotonic()
    answer = Answer(url)
    try:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        request = urllib.request.Request(url, data=data, headers={"User-Agent": USER_AGENT})
        with urllib.request.urlopen(request, timeout=timeout, context=_UNVERIFIED) as r:
            answer.status = r.status
            answer.final_url = r.geturl()
            answer.content_type = r.headers.get("Content-Type", "")
            answer.body = r.read(MAX_BYTES + 1)[:MAX_BYTES]
    except urllib.error.HTTPError as e:
        answer.status, answer.final_url, answer.error = e.code, e.geturl(), f"http {e.code}"
    except (urllib.error.URLError, OSError, ValueError) as e:
        reason = getattr(e, "reason", e)
        answer.error = f"unreachable: {reason}"
    except http.client.HTTPException as e:  # not HTTP at all: a bad status line, a header too long
        answer.error = f"not an HTTP answer: {type(e).__name__}: {str(e)[:120]}"
    answer.seconds = time.monotonic() - started
    return answer


def certificate_problem(url: str, timeout: float) -> str | None:
    """What a verifying client would refuse about an https start URL's certificate, or None."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        return None
    try:
        with (
            socket.create_connection((parts.hostname, parts.port or 443), timeout=timeout) as sock,
            ssl.create_default_context().wrap_socket(sock, server_hostname=parts.hostname),
        ):
            return None
    except ssl.SSLCertVerificationError as e:
        return str(e.verify_message or e)
    except (OSError, ssl.SSLError) as e:
        return f"TLS handshake failed: {e}"


def robots_allows(url: str, timeout: float) -> bool | None:
    """None when robots.txt cannot be read (the crawl then proceeds, as Scrapy does)."""
    parts = urllib.parse.urlsplit(url)
    answer = fetch(f"{parts.scheme}://{parts.netloc}/robots.txt", timeout)
    if answer.status == 404:
        return True
    if answer.error is not None:
        return None
    parser = urllib.robotparser.RobotFileParser()
    parser.parse(answer.body.decode("utf-8", "replace").splitlines())
    return parser.can_fetch(USER_AGENT, url)


def _page(site: Site, answer: Answer) -> tuple[Page, str]:
    text, _ = decode_html(answer.body, header_charset(answer.content_type))
    url = answer.final_url or answer.url
    info = page_info(text, url)
    return Page(url, site, info, answer.body, depth=0, year=None, rendered=False), text


def _listing(url: str, how: str, links: Iterable[tuple[str, str]]) -> ListFound:
    kinds = [(text, classify_link(u, text)) for u, text in links]
    reports = [t for t, k in kinds if k is LinkKind.REPORT]
    years = sorted({y for t in reports if (y := link_year(t)) is not None})
    return ListFound(
        url,
        how,
        reports=len(reports),
        attachments=sum(1 for _, k in kinds if k is LinkKind.ATTACHMENT),
        pages=sum(1 for _, k in kinds if k is LinkKind.PAGER),
        years=years,
    )


def _data_calls(site: Site, page: Page, timeout: float) -> ListFound | None:
    """Answer the families' data calls of the page once each and count the records they list."""
    best: ListFound | None = None
    for family in families.REGISTRY.values():
        try:
            actions = [*(family.start(page.url, site) or []), *family.links(page)]
        except Exception:  # a probe reports, it never crashes on a foreign page
            continue
        links = [(link.url, link.text) for a in actions if isinstance(a, Records) for link in a.links]
        for call in [a for a in actions if isinstance(a, DataCall)][:1]:
            answer = fetch(call.url, timeout, call.formdata)
            if answer.error is not None:
                continue
            data = DataAnswer(call.url, site, answer.body, 0, call.origin, call.state)
            try:
                more = list(families.REGISTRY[call.family].parse_data(data))
            except Exception:
                continue
            links += [(link.url, link.text) for a in more if isinstance(a, Records) for link in a.links]
            links += [(a.url, a.text or "") for a in more if isinstance(a, FollowLink)]
        if links:
            found = _listing(page.url, f"data call ({family.name})", links)
            if best is None or found.reports > best.reports:
                best = found
    return best


def _families_of(site: Site, page: Page) -> list[str]:
    names = []
    for family in families.REGISTRY.values():
        try:
            if family.is_list(page) or family.start(page.url, site) or any(True for _ in family.links(page)):
                names.append(str(family.name))
        except Exception:
            continue
    return names


def _score(found: ListFound) -> tuple[int, bool]:
    return (found.reports + found.attachments + found.bodies, found.how == "start page")


def check_start(site: Site, url: str, timeout: float = 15.0) -> StartCheck:
    """Read the start page; when it lists no report, look up to two section links further (at most
    MAX_PAGES pages), as the crawl would go, and name the page that lists the most."""
    answer = fetch(url, timeout)
    check = StartCheck(url, answer)
    if answer.error is not None:
        return check
    check.robots_allowed = robots_allows(answer.final_url or url, timeout)
    check.certificate = certificate_problem(answer.final_url or url, timeout)
    domains = site.domains()
    queue: list[tuple[Answer, str]] = [(answer, "start page")]
    seen = {answer.final_url or url, url}
    best: ListFound | None = None
    fetched = 1
    while queue:
        current, how = queue.pop(0)
        page, text = _page(site, current)
        check.families += [f for f in _families_of(site, page) if f not in check.families]
        reading = read_page(page.info, text, None, year=None, from_body=False)
        year_dept = bool(reading.year_tabs()) or len(reading.body_links) >= 3
        check.year_dept = check.year_dept or year_dept
        found = _listing(page.url, how, [(link.url, link.text) for link in page.info.links])
        found.bodies = len(reading.body_links) if year_dept else 0
        found.years = sorted({*found.years, *(y for _, y in reading.year_tabs())})
        for f in (found, _data_calls(site, page, timeout)):
            if f is not None and (best is None or _score(f) > _score(best)):
                best = f
        if best is not None and _score(best)[0] >= 2:
            break  # a list: the crawl takes it from here
        if how == "section 2":
            continue
        for link in page.info.links:
            if fetched >= MAX_PAGES:
                break
            if link.url in seen or not in_domains(link.url, domains):
                continue
            if classify_link(link.url, link.text) is not LinkKind.SECTION:
                continue
            seen.add(link.url)
            more = fetch(link.url, timeout)
            fetched += 1
            if more.error is None:
                queue.append((more, "section" if how == "start page" else "section 2"))
    if best is not None and _score(best)[0] > 0:
        check.found = best
    return check


def format_check(site: Site, checks: list[StartCheck]) -> list[str]:
    lines = [
        f"{site.id}  {site.name}"
        + ("  (render_js: the list is drawn by a browser)" if site.render_js else "")
    ]
    for c in checks:
        a = c.answer
        moved = f" → {a.final_url}" if a.final_url and a.final_url != c.url else ""
        if a.error is not None:
            lines.append(f"  {c.url}{moved}: FAILED {a.error} ({a.seconds:.2f} s)")
            continue
        robots = {True: "robots.txt allows", False: "robots.txt FORBIDS it", None: "no robots.txt read"}
        lines.append(
            f"  {c.url}{moved}: {a.status} {a.content_type or '?'} ({a.seconds:.2f} s), "
            f"{robots[c.robots_allowed]}"
        )
        if c.certificate:
            lines.append(
                f"    certificate: {c.certificate} (archived anyway; recorded as captures.tls_error)"
            )
        family = ", ".join(c.families) if c.families else "none (plain links)"
        if c.year_dept:
            family += "; year × department platform"
        lines.append(f"    family: {family}")
        if c.found is None:
            lines.append("    report list: NOT FOUND on the page, its data calls or the sections it links")
            continue
        f = c.found
        years = f", years {f.years[0]}–{f.years[-1]}" if f.years else ""
        lines.append(
            f"    report list: {f.url} ({f.how}): {f.reports} report links{years}, "
            f"{f.attachments} attachments, {f.pages} pager links"
            + (f", {f.bodies} body links" if f.bodies else "")
        )
    return lines
