"""Which links of a portal lead toward annual reports: pure functions over (url, anchor text)."""

from __future__ import annotations

import functools
import re
from enum import Enum
from urllib.parse import parse_qs, unquote, urlsplit

from archive.report.meta import classify_title, is_lookalike_document

# Documents, and packages of documents (附件.zip): requested as attachments, archived whole.
ATTACHMENT_EXT = {"pdf", "doc", "docx", "wps", "xls", "xlsx", "et", "ofd", "txt", "rtf", "zip", "rar", "7z"}
# Pictures attached as files: a table published as a scan (gif is left to icons and buttons).
IMAGE_EXT = {"png", "jpg", "jpeg", "bmp", "tif", "tiff", "webp"}
_EXT = re.compile(r"\.([A-Za-z0-9]{2,5})$")
_SECTION_TEXT = re.compile(
    r"政府信息公开|信息公开|政务公开|公开年报|年度报告|年报|工作年报|工作总结|政府信息公开指南|法定主动公开|公开目录"
)
_SECTION_URL = re.compile(
    r"(^|[/_.-])(zwgk|xxgk|zfxxgk|gknb|ndbg|xxgknb|zfxxgknb|gkml|nb|xxgkml|zwxxgk)([/_.-]|$)"
    r"|xxgkAnnualReport",
    re.I,
)
_PAGER_TEXT = re.compile(r"^(下一?页|上一?页|尾页|末页|首页|下页|next|prev|>|>>|»|\d{1,4})$", re.I)
_PAGER_URL = re.compile(r"(index_\d+\.s?html?$)|([?&](page|pageNo|pageIndex|currentPage|p|pn)=\d+)", re.I)
# Parts of a portal that never hold reports and can grow without bound.
_TRAP_URL = re.compile(
    r"calendar|date=\d|/search|sousuo|login|print|share|rss|\.(jpg|jpeg|png|gif|css|js|mp4)$", re.I
)


class LinkKind(Enum):
    REPORT = "report"  # anchor text names a report: an article page (or a document) to fetch
    LOOKALIKE = "lookalike"  # anchor text names a notice, collection … about reports: not taken
    ATTACHMENT = "attachment"  # a document file
    PAGER = "pager"  # the next page of a list
    SECTION = "section"  # a disclosure / annual-report section worth entering
    OTHER = "other"


def url_extension(url: str) -> str:
    """The file extension a URL names, in its path or a file-name parameter ("" if none)."""
    return _url_extension(str(url))


# Pure functions of a URL that a page's reading asks several times per link (pagekind, candidates,
# ranking, the spider): cached, bounded, with plain strs as keys, as classify_link's cache is.
@functools.lru_cache(maxsize=8192)
def _url_extension(url: str) -> str:
    parts = urlsplit(url)
    m = _EXT.search(unquote(parts.path))
    if m:
        return m.group(1).lower()
    for key in ("filename", "file", "fileName", "name"):
        for value in parse_qs(parts.query).get(key, []):
            m = _EXT.search(value)
            if m:
                return m.group(1).lower()
    return ""


def is_attachment_url(url: str) -> bool:
    return _is_attachment_url(str(url))


@functools.lru_cache(maxsize=8192)
def _is_attachment_url(url: str) -> bool:
    ext = _url_extension(url)
    if ext in ATTACHMENT_EXT:
        return True
    path = urlsplit(url).path.lower()
    return "downfile" in path or ("download" in path and ext not in {"html", "htm", "shtml", "jsp", "php"})


def classify_link(url: str, text: str) -> LinkKind:
    """What a link is by its words and URL. A page's links are read twice (crawler/pagekind.py reads the
    page, crawler/ranking.py orders its candidates): plain strs for the cache, as in classify_title."""
    return _classify_link(str(url), str(text))


@functools.lru_cache(maxsize=8192)
def _classify_link(url: str, text: str) -> LinkKind:
    info = classify_title(text) if text else None
    if is_attachment_url(url):
        return LinkKind.ATTACHMENT
    if info is not None and info.kind is not None:
        return LinkKind.REPORT
    if info is not None and info.reason.startswith("look-alike"):
        return LinkKind.LOOKALIKE
    if text and is_lookalike_document(text):
        return LinkKind.LOOKALIKE  # a dated plan or notice, not a section to enter
    if _TRAP_URL.search(url):
        return LinkKind.OTHER
    if _PAGER_TEXT.match(text.strip()) and _PAGER_URL.search(url):
        return LinkKind.PAGER
    if _PAGER_URL.search(url) and not text.strip():
        return LinkKind.PAGER
    if _PAGER_TEXT.match(text.strip()) and text.strip() in {
        "下一页",
        "下页",
        "尾页",
        "末页",
        "next",
        ">",
        ">>",
        "»",
    }:
        return LinkKind.PAGER
    if _SECTION_TEXT.search(text) or _SECTION_URL.search(urlsplit(url).path):
        return LinkKind.SECTION
    return LinkKind.OTHER


def url_pattern(url: str) -> str:
    """The shape of a URL: digit runs blanked, query values dropped (calendars and pagers share one)."""
    parts = urlsplit(url)
    keys = sorted(k for k in parse_qs(parts.query, keep_blank_values=True))
    shape = re.sub(r"\d+", "0", f"{parts.hostname}{parts.path}")
    return shape + ("?" + "&".join(keys) if keys else "")


def in_domains(url: str, domains: list[str]) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return any(host == d.lower() or host.endswith("." + d.lower()) for d in domains)
