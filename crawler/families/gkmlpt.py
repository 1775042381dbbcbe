"""Guangdong's disclosure platform (gkmlpt): /gkmlpt/index#CAT is a script shell over a JSON API

    /gkmlpt/api/all/{CAT}?page=N   ->   {"articles": [{"title": …, "url": …}, …], "total": …}

The category is the start URL's fragment (which never reaches the server); without one, category 0
("all") is walked and only titles that name a report are followed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from scrapy.http import Response

from archive.extract.pageinfo import PageInfo
from archive.sites import Site
from crawler.families import jsonlist

if TYPE_CHECKING:
    from crawler.spiders.reports import ReportsSpider

_SHELL = re.compile(r"/gkmlpt(/|$)", re.I)
_API_IN_SCRIPT = re.compile(r"/gkmlpt/api/all/(\d+)")


def api_url(page_url: str, cat: str) -> str:
    return urljoin(page_url, f"/gkmlpt/api/all/{cat}?page=1")


def start(spider: ReportsSpider, site: Site, url: str) -> list[Any] | None:
    parts = urlsplit(url)
    if not _SHELL.search(parts.path) or "/api/" in parts.path:
        return None
    cat = parts.fragment if parts.fragment.isdigit() else "0"
    out = []
    for req in (
        spider.page_request(site, url.split("#")[0], depth=0, role="list", link_text=None, referer=None),
        spider.data_request(site, api_url(url, cat), family="gkmlpt", depth=0, referer=url.split("#")[0]),
    ):
        if req is not None:
            out.append(req)
    return out


def is_list(site: Site, response: Response, info: PageInfo) -> bool:
    return bool(_SHELL.search(urlsplit(response.url).path)) and "/content/" not in response.url


def requests(spider: ReportsSpider, site: Site, response: Response, info: PageInfo) -> Iterator[Any]:
    if not is_list(site, response, info):
        return
    depth = response.meta.get("depth", 0)
    cats = set(_API_IN_SCRIPT.findall("\n".join(info.scripts)))
    for cat in sorted(cats):
        req = spider.data_request(
            site, api_url(response.url, cat), family="gkmlpt", depth=depth, referer=response.url
        )
        if req is not None:
            yield req


def parse_data(spider: ReportsSpider, site: Site, response: Response) -> Iterator[Any]:
    yield spider.data_capture(response)
    data = jsonlist.parse_json(response) if response.status == 200 else None
    if isinstance(data, dict):
        yield from jsonlist.follow_records(spider, site, response, data)
