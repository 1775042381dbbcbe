"""Images in the body of a report page: tables are sometimes published as pictures under the text.

The spider asks for the images of the page's main content (role `image`), not its logos, banners,
buttons or icons: an image counts when it sits inside the content area (the element named like an
article body with the most text, else anywhere outside header, footer, navigation and side bars), and
neither its file name, class nor size attributes mark it as decoration. Whether an image holds a table
is decided later, from its content, by extraction.
"""

from __future__ import annotations

import re
from urllib.parse import urldefrag

import lxml.html
from lxml import etree

from archive.extract.pageinfo import Link, absolute_url
from crawler.discovery import IMAGE_EXT

MAX_IMAGES = 20  # per page: a gallery is not a report
MIN_SIDE = 100  # pixels: smaller declared images are icons, bullets, buttons
_CONTENT = {
    "trs",
    "editor",
    "article",
    "content",
    "contents",
    "zoom",
    "detail",
    "main",
    "zw",
    "text",
    "nr",
    "wzy",
}
_CHROME = {
    "header", "head", "footer", "foot", "nav", "menu", "banner", "logo", "top", "bottom", "side", "sidebar",
    "copyright", "share", "links", "breadcrumb", "crumb", "location", "position", "toolbar", "tools",
}  # fmt: skip
_CHROME_TAGS = {"header", "footer", "nav", "aside"}
_DECORATION = re.compile(
    r"logo|banner|icon|ico[_.-]|btn|button|arrow|bg[_.-]|line|dot|share|weixin|wechat|weibo|qrcode|ewm|erweima|"
    r"print|close|search|spacer|blank|pixel|loading|emoji|jiucuo|dzjg|conac|gongan|police|wza",
    re.I,
)
_IMAGE_EXT = re.compile(r"\.(" + "|".join(sorted(IMAGE_EXT)) + r")$", re.I)  # pictures, as links name them
_OTHER_EXT = re.compile(r"\.[a-z0-9]{2,5}$", re.I)


def _tokens(el: etree._Element) -> set[str]:
    words = f"{el.get('id') or ''} {el.get('class') or ''}".lower()
    return {t for t in re.split(r"[\s_\-]+", words) if t}


def _in_chrome(el: etree._Element, root: etree._Element) -> bool:
    """Inside a header, footer, menu … below `root`."""
    for node in el.iterancestors():
        if node is root:
            return False
        if isinstance(node.tag, str) and (node.tag in _CHROME_TAGS or _tokens(node) & _CHROME):
            return True
    return False


def _side(value: str | None) -> int | None:
    m = re.match(r"\s*(\d+)\s*(px)?\s*$", value or "")
    return int(m.group(1)) if m else None


def _decoration(img: etree._Element, url: str) -> bool:
    path = urldefrag(url)[0].split("?")[0]
    if _DECORATION.search(path.rsplit("/", 1)[-1]) or _DECORATION.search(" ".join(_tokens(img))):
        return True
    if _OTHER_EXT.search(path) and not _IMAGE_EXT.search(path):
        return True  # .gif animations and spacers, .svg icons
    sides = [s for s in (_side(img.get("width")), _side(img.get("height"))) if s is not None]
    return any(s < MIN_SIDE for s in sides)


def _content_root(doc: etree._Element) -> etree._Element:
    candidates = [
        el
        for el in doc.iter("div", "td", "article", "section", "span")
        if _tokens(el) & _CONTENT and not _tokens(el) & _CHROME
    ]
    if not candidates:
        return doc
    return max(candidates, key=lambda el: len("".join(el.itertext())))


def content_images(doc: lxml.html.HtmlElement | None, base_url: str) -> list[Link]:
    """Images of the page's main content, in page order, at most MAX_IMAGES (text: the alt or title).
    `doc` is the page as the one page reader parsed it (archive.extract.pageinfo.PageInfo.doc)."""
    if doc is None:
        return []
    root = _content_root(doc)
    out: list[Link] = []
    seen: set[str] = set()
    for img in root.iter("img"):
        src = (img.get("src") or img.get("data-src") or "").strip()
        if not src or src.startswith("data:"):
            continue
        try:
            url = absolute_url(base_url, src)
        except ValueError:
            continue
        if url in seen or not url.startswith(("http://", "https://")):
            continue
        if _in_chrome(img, root) or _decoration(img, url):
            continue
        seen.add(url)
        out.append(Link(url, (img.get("alt") or img.get("title") or "").strip()))
        if len(out) >= MAX_IMAGES:
            break
    return out
