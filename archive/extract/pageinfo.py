"""The one reader of an HTML page: its titles, its metadata and its links.

The spider uses it to decide where to go; the HTML extractor stores `page_meta` in `documents.page_meta`;
interpretation reads what was stored. Everything here is a pure function of the page's text and address,
so a crawl and a `reprocess` of the same bytes read the same facts.

Metadata precedence: what the page declares in `<meta>` (ArticleTitle, PubDate, ContentSource …) beats the
visible label block (发布日期：…, 发布机构：…); the title is ArticleTitle, then the first `<h1>`, then `<title>`.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import urldefrag, urljoin, urlsplit

import lxml.html
from lxml import etree
from w3lib.url import safe_url_string

from archive.dates import iso_date

_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
# <meta name=…> → key (the first one of a name counts).
_META_KEYS = {
    "articletitle": "title",
    "pubdate": "published_at",
    "firstpublishedtime": "published_at",
    "contentsource": "source",
    "keywords": "keywords",
    "description": "description",
}
# Visible label → key; labels may be spaced out (索 引 号) and the value follows a colon or spaces.
_LABELS = {
    "发布机构": "publisher",
    "发文机关": "publisher",
    "发布单位": "publisher",
    "发布日期": "published_at",
    "发布时间": "published_at",
    "信息来源": "source",
    "来源": "source",
    "索引号": "index_no",
    "成文日期": "written_at",
    "日期": "published_at",
    "时间": "published_at",
}
_SPACED = r"[ \t\u3000]*"
_LABEL_RE = re.compile(
    r"("
    + "|".join(_SPACED.join(label) for label in sorted(_LABELS, key=len, reverse=True))
    + r")(?:[ \t\u3000]*[:：][ \t\u3000]*|[ \t\u3000]+)"
    r"(\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?|[^\s:：|]{1,60})"
)
_DATE_KEYS = ("published_at", "written_at")
# Compiled once: `doc.xpath(str)` compiles its expression on every call (several µs to 100 µs a page).
_VISIBLE_TEXT = etree.XPath(
    "//body//text()[not(ancestor::script) and not(ancestor::style) and not(ancestor::noscript)]"
)
_FIRST_H1 = etree.XPath("(//h1)[1]")
_TITLE = etree.XPath("//title")
_BASE_HREF = etree.XPath("string(//base/@href)")
_SCRIPT_TEXTS = etree.XPath("//script/text()")
MAX_META_TEXT = 20000  # the label block sits near the top; long pages need not be scanned whole


@dataclass
class Link:
    url: str
    text: str


def clean_text(s: str | None) -> str:
    """Runs of white space (str.isspace, as regex \\s) as one space, none at the ends."""
    return " ".join((s or "").split())


def parse_html(html: str) -> lxml.html.HtmlElement | None:
    """An lxml document, or None for text that is no HTML at all."""
    if not html.strip():
        return None
    # lxml refuses a str that declares its encoding (old XHTML portals: <?xml … encoding="gbk"?>).
    html = _XML_DECL.sub("", html, count=1)
    try:
        return lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return None


def page_titles(doc: lxml.html.HtmlElement) -> list[str]:
    """ArticleTitle, the first <h1>, <title>: the page's names for itself, best first."""
    article_title = ""
    for el in doc.iter("meta"):
        if (el.get("name") or "").lower() == "articletitle":
            article_title = clean_text(el.get("content"))
            break
    h1s = _FIRST_H1(doc)
    h1 = clean_text(h1s[0].text_content()) if h1s else ""
    titles = _TITLE(doc)
    title = clean_text(titles[0].text_content()) if titles else ""
    return [t for t in (article_title, h1, title) if t]


def page_meta(doc: lxml.html.HtmlElement) -> dict[str, str]:
    """What the page says about itself: title, published_at, source, publisher, index_no, written_at …"""
    meta: dict[str, str] = {}
    visible = clean_text(" ".join(_VISIBLE_TEXT(doc)))[:MAX_META_TEXT]
    for label, value in _LABEL_RE.findall(visible):
        key = _LABELS[re.sub(r"\s+", "", label)]
        if key in _DATE_KEYS and not iso_date(value):
            continue  # 办理时间 15个工作日 is no publication date; a later 发布日期 may be
        meta.setdefault(key, value.strip())
    declared: dict[str, str] = {}
    for el in doc.iter("meta"):
        key = _META_KEYS.get((el.get("name") or "").strip().lower(), "")
        content = clean_text(el.get("content"))
        if key and content and key not in declared:
            declared[key] = content
    if "published_at" in declared and not iso_date(declared["published_at"]):
        del declared["published_at"]  # a PubDate that is no date does not hide the visible one
    meta.update(declared)
    titles = page_titles(doc)
    if titles:
        meta["title"] = titles[0]
    for key in _DATE_KEYS:
        if key in meta:
            iso = iso_date(meta[key])
            if iso:
                meta[key] = iso
            else:
                del meta[key]
    return meta


def read_page_meta(html: str) -> dict[str, str]:
    doc = parse_html(html)
    return page_meta(doc) if doc is not None else {}


@dataclass
class PageInfo:
    titles: list[str] = field(default_factory=list)  # ArticleTitle, <h1>, <title>, in that order
    links: list[Link] = field(default_factory=list)
    scripts: list[str] = field(default_factory=list)
    doc: lxml.html.HtmlElement | None = field(default=None, repr=False, compare=False)

    @cached_property
    def meta(self) -> dict[str, str]:
        """page_meta, read only when someone asks (list pages never need it)."""
        return page_meta(self.doc) if self.doc is not None else {}


def absolute_url(base: str, href: str) -> str:
    """The link's address as it is requested and captured: joined, no fragment, escaped the way Scrapy
    escapes it (附件 1.pdf → %E9%99%84%E4%BB%B6%201.pdf), so links and captures match."""
    return safe_url_string(urldefrag(urljoin(base, href))[0])


def link_base(doc: lxml.html.HtmlElement, base_url: str) -> str:
    """What the page's relative links resolve against: its `<base href>` when that is an http(s) address,
    else the page's own. Browsers refuse data: and javascript: bases; a `<base href="javascript:…">` must
    not leave every link relative (urljoin keeps "a.pdf" as is under a scheme without paths)."""
    try:
        href = str(_BASE_HREF(doc)).strip()
        base = urljoin(base_url, href) if href else base_url
        parts = urlsplit(base)
    except ValueError:
        return base_url
    return base if parts.scheme in ("http", "https") and parts.netloc else base_url


# Bounded as the other per-link caches (crawler/discovery.py): what recurs is a site's navigation and pagers;
# a page's own links are met once and leave.
@functools.lru_cache(maxsize=8192)
def _absolute_under(prefix: str, href: str) -> str:
    return absolute_url(prefix, href)


class LinkResolver:
    """`absolute_url` for the links of one page, remembered across pages: the same pager, navigation and
    section links recur on every page of a site, and joining and escaping cost ~10 µs a link. A link's
    address depends on less than the whole base: an absolute or host-relative href on the base's origin,
    a relative path on its folder; what is remembered is keyed by that much only."""

    def __init__(self, base: str) -> None:
        self.base = base
        try:
            parts = urlsplit(base)
        except ValueError:  # no link joins on it: absolute_url says so for each
            parts = urlsplit("")
        web = parts.scheme in ("http", "https") and parts.netloc
        self.origin = f"{parts.scheme}://{parts.netloc}" if web else None
        self.folder = (
            self.origin + parts.path[: parts.path.rfind("/") + 1]
            if self.origin is not None and parts.path.startswith("/")
            else None
        )

    def __call__(self, href: str) -> str:
        """absolute_url(base, href); raises ValueError as it does."""
        # urlsplit drops tabs and newlines anywhere and leading blanks (" ?q" keeps the page's path); a very
        # long href (a 100 kB query) is joined but not remembered: the cache is bounded by entries, not bytes.
        if self.origin is not None and href[:1] > " " and len(href) <= 1024 and href.isprintable():
            start = href.find("://") + 3 if href.startswith(("http://", "https://")) else 0
            if start and href[start : start + 1] not in ("", "/", "?", "#"):  # a URL with its host
                return _absolute_under(self.origin, href)
            if href[:1] == "/" and href[:2] != "//":
                return _absolute_under(self.origin, href)
            if self.folder is not None and href[:1] not in ("", "/", "?", "#", ";") and ":" not in href:
                return _absolute_under(self.folder, href)
        return absolute_url(self.base, href)


def page_links(doc: lxml.html.HtmlElement, base_url: str) -> list[Link]:
    resolve = LinkResolver(link_base(doc, base_url))
    links: list[Link] = []
    for a in doc.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "tel:", "#")):
            continue
        try:
            url = resolve(href)
        except ValueError:
            continue  # e.g. "http://[bad": an invalid URL is no link
        text = clean_text(a.text_content()) or clean_text(a.get("title"))
        links.append(Link(url, text))
    return links


def page_info(html: str, base_url: str) -> PageInfo:
    doc = parse_html(html)
    if doc is None:
        return PageInfo()
    return PageInfo(
        titles=page_titles(doc),
        links=page_links(doc, base_url),
        scripts=[s for s in _SCRIPT_TEXTS(doc) if s.strip()],
        doc=doc,
    )
