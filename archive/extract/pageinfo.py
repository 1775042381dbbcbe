"""A quick look at an HTML page for the spider: its titles, metadata and links (no main-text extraction)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urljoin

import lxml.html
from lxml import etree

from archive.report.meta import iso_date

_DATE_BLOCK = re.compile(
    r"(发布日期|发布时间|成文日期|日期|时间)[:：\s]*((19|20)\d{2}[-年/.]\d{1,2}[-月/.]\d{1,2})"
)
_SOURCE_BLOCK = re.compile(r"(发布机构|来源|信息来源|发文机关)[:：\s]*([\u4e00-\u9fff（）()]{2,30})")


_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")


@dataclass
class Link:
    url: str
    text: str


@dataclass
class PageInfo:
    titles: list[str] = field(default_factory=list)  # ArticleTitle, <h1>, <title>, in that order
    meta: dict[str, str] = field(default_factory=dict)  # title, published_at, source
    links: list[Link] = field(default_factory=list)
    scripts: list[str] = field(default_factory=list)


def _clean(s: str | None) -> str:
    return re.sub(r"\s+", " ", s or "").strip()


def page_info(html: str, base_url: str) -> PageInfo:
    info = PageInfo()
    if not html.strip():
        return info
    # lxml refuses a str that declares its encoding (old XHTML portals: <?xml … encoding="gbk"?>).
    html = _XML_DECL.sub("", html, count=1)
    try:
        doc = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return info
    try:
        base = urljoin(base_url, doc.xpath("string(//base/@href)") or base_url)
    except ValueError:
        base = base_url
    # One pass over <meta> (an XPath per name with translate() cost more than the rest of the page).
    metas: dict[str, str] = {}
    for el in doc.iter("meta"):
        name = (el.get("name") or "").lower()
        if name and name not in metas:
            metas[name] = _clean(el.get("content"))
    article_title = metas.get("articletitle", "")
    h1s = doc.xpath("(//h1)[1]")
    h1 = _clean(h1s[0].text_content()) if h1s else ""
    titles = doc.xpath("//title")
    title = _clean(titles[0].text_content()) if titles else ""
    info.titles = [t for t in (article_title, h1, title) if t]
    if info.titles:
        info.meta["title"] = info.titles[0]
    published = iso_date(metas.get("pubdate")) or iso_date(metas.get("firstpublishedtime"))
    source = metas.get("contentsource", "")
    if not published or not source:
        # Only pages without CMS metadata need their text searched for 发布日期 / 来源 lines.
        body_text = _clean(doc.xpath("string(//body)"))[:20000]
        if not published:
            m = _DATE_BLOCK.search(body_text)
            published = iso_date(m.group(2)) if m else None
        if not source:
            m = _SOURCE_BLOCK.search(body_text)
            source = m.group(2) if m else ""
    if published:
        info.meta["published_at"] = published
    if source:
        info.meta["source"] = source
    for a in doc.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "tel:", "#")):
            continue
        try:
            url = urldefrag(urljoin(base, href))[0]
        except ValueError:
            continue  # e.g. "http://[bad": an invalid URL is no link
        text = _clean(a.text_content()) or _clean(a.get("title"))
        info.links.append(Link(url, text))
    info.scripts = [s for s in doc.xpath("//script/text()") if s.strip()]
    return info
