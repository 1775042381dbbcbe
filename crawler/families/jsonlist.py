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
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from archive.extract.pageinfo import Link
from archive.sites import FamilyName
from crawler.families.base import Action, DataAnswer, DataCall, Family, Page, Records

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


def parse_json(body: bytes) -> Any:
    try:
        return json.loads(body.decode("utf-8-sig", errors="replace"))
    except ValueError:
        return None


def follow_records(family: FamilyName, answer: DataAnswer, data: Any) -> Iterator[Action]:
    """The report records of one API page; from page 1, calls for the other pages."""
    found = _records(data)
    yield Records([Link(urljoin(answer.url, url), title.strip()) for title, url in found])
    if current_page(answer.url) != 1 or not found:
        return
    for page in range(2, page_count(data, len(found)) + 1):
        yield DataCall(with_page(answer.url, page), family, origin=answer.origin)


class JsonApi(Family):
    name = FamilyName.JSAPI

    def links(self, page: Page) -> Iterator[Action]:
        if page.rendered:
            return  # the browser already drew the list from the API
        for url in api_urls(page.url, page.info.scripts):
            yield DataCall(url, self.name, origin=page.url)

    def parse_data(self, answer: DataAnswer) -> Iterator[Action]:
        data = parse_json(answer.body)
        if data is not None:
            yield from follow_records(self.name, answer, data)
