"""Lists drawn by script from a JSON API.

The render path (scrapy-playwright, sites with render_js) needs nothing here: the browser draws the links
and the pager, and the spider reads the drawn page. This module adds the direct path when the API is
discoverable in the page's scripts (fetch("…"), $.getJSON("…"), axios.get("…"), url: "…"): it reads the
JSON itself, finds the records (objects with a title and a URL), and walks the API's pages.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from scrapy.http import Response

from archive.extract.pageinfo import Link, PageInfo
from archive.sites import Site

if TYPE_CHECKING:
    from crawler.spiders.reports import ReportsSpider

_API_CALL = re.compile(
    r"(?:fetch|getJSON|axios\.get|axios\.post|\.get|\.post)\s*\(\s*[\"'`]([^\"'`\s]+)[\"'`]"
    r"|\burl\s*:\s*[\"'`]([^\"'`\s]+)[\"'`]"
)
_API_HINT = re.compile(r"api|json|list|data|query|page|articles", re.I)
_PAGE_KEYS = ("page", "pageNo", "pageIndex", "currentPage", "pageNum", "p", "pn")
_TITLE_KEYS = ("title", "name", "docTitle", "wzbt", "biaoti", "subject")
_URL_KEYS = ("url", "link", "href", "docUrl", "path", "detailUrl", "pageUrl")
_TOTAL_PAGES = ("totalPage", "totalPages", "pageCount", "pages", "total_page")
_TOTAL_ITEMS = ("total", "totalCount", "totalRecord", "count", "totalElements", "recordCount")
MAX_API_PAGES = 500


def api_urls(page_url: str, scripts: list[str]) -> list[str]:
    """JSON endpoints named in the page's scripts, with their page parameter set to 1."""
    out: list[str] = []
    for script in scripts:
        for m in _API_CALL.finditer(script):
            raw = m.group(1) or m.group(2)
            if "/" not in raw or raw.endswith((".js", ".css", ".html", ".htm")) or raw.startswith("data:"):
                continue
            if not _API_HINT.search(raw):
                continue  # visitor counters, logins and the like are not lists
            # Template parts: ${page} or a trailing "page=" the script completes.
            raw = re.sub(r"\$\{[^}]*\}|\"\s*\+\s*\w+", "1", raw)
            if re.search(r"[?&](" + "|".join(_PAGE_KEYS) + r")=$", raw):
                raw += "1"
            url = urljoin(page_url, raw)
            if url not in out:
                out.append(url)
    return out


def _records(data: Any) -> list[tuple[str, str]]:
    """(title, url) of every object in the JSON that has both."""
    found: list[tuple[str, str]] = []
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            title = next((node[k] for k in _TITLE_KEYS if isinstance(node.get(k), str)), None)
            url = next((node[k] for k in _URL_KEYS if isinstance(node.get(k), str)), None)
            if title and url:
                found.append((title, url))
            stack.extend(v for v in node.values() if isinstance(v, dict | list))
        elif isinstance(node, list):
            stack.extend(reversed(node))
    return found


def _number(data: Any, keys: tuple[str, ...]) -> int | None:
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for k in keys:
                v = node.get(k)
                if isinstance(v, int) or (isinstance(v, str) and v.isdigit()):
                    return int(v)
            stack.extend(v for v in node.values() if isinstance(v, dict))
    return None


def page_count(data: Any, per_page: int) -> int:
    pages = _number(data, _TOTAL_PAGES)
    if pages is None:
        total = _number(data, _TOTAL_ITEMS)
        pages = math.ceil(total / per_page) if total and per_page else 1
    return max(1, min(pages, MAX_API_PAGES))


def with_page(url: str, page: int) -> str:
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    key = next((k for k, _ in query if k in _PAGE_KEYS), "page")
    query = [(k, v) for k, v in query if k != key] + [(key, str(page))]
    return urlunsplit(parts._replace(query=urlencode(query)))


def current_page(url: str) -> int:
    for k, v in parse_qsl(urlsplit(url).query):
        if k in _PAGE_KEYS and v.isdigit():
            return int(v)
    return 1


def requests(spider: ReportsSpider, site: Site, response: Response, info: PageInfo) -> Iterator[Any]:
    if response.meta.get("playwright"):
        return  # the browser already drew the list from the API
    depth = response.meta.get("depth", 0)
    for url in api_urls(response.url, info.scripts):
        req = spider.data_request(site, url, family="jsapi", depth=depth, referer=response.url)
        if req is not None:
            yield req


def parse_json(response: Response) -> Any:
    try:
        return json.loads(response.body.decode("utf-8-sig", errors="replace"))
    except ValueError:
        return None


def parse_data(spider: ReportsSpider, site: Site, response: Response) -> Iterator[Any]:
    yield spider.data_capture(response)
    data = parse_json(response) if response.status == 200 else None
    if data is None:
        return
    yield from follow_records(spider, site, response, data)


def follow_records(spider: ReportsSpider, site: Site, response: Response, data: Any) -> Iterator[Any]:
    """Follow the report records of one API page; from page 1, ask for the other pages."""
    depth = response.meta.get("depth", 0)
    referer = response.meta.get("referer_url") or response.url
    found = _records(data)
    links = [Link(urljoin(response.url, url), title.strip()) for title, url in found]
    yield from spider.follow(site, links, referer, depth)
    if current_page(response.url) != 1 or not found:
        return
    for page in range(2, page_count(data, len(found)) + 1):
        req = spider.data_request(
            site, with_page(response.url, page), family=response.meta["family"], depth=depth, referer=referer
        )
        if req is not None:
            yield req
