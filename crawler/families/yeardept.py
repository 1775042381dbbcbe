"""Year × department platforms: a year index (2023年, 2022年 …), then per year a list of body names
(县财政局, 县教育局 …, not report titles) linking to detail pages that carry the report and its
attachment. Lists may page with ?page=N, which the spider's pager rules already follow.

Only for sites that say `family = "yeardept"`: body names as links are common navigation elsewhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from scrapy.http import Response

from archive.extract.pageinfo import Link, PageInfo
from archive.report.meta import classify_title, looks_like_agency
from archive.sites import Site
from crawler.discovery import LinkKind, classify_link

if TYPE_CHECKING:
    from crawler.spiders.reports import ReportsSpider

_YEAR_LINK = re.compile(r"^((?:19|20)\d{2})\s*年?度?\s*(政府信息公开|政务公开)?(工作)?(年度报告|年报)?$")
MIN_LINKS = 3  # a page with this many year links or body links is an index, not a report


def link_year(text: str) -> int | None:
    m = _YEAR_LINK.match(text.strip())
    return int(m.group(1)) if m else None


def _year_links(info: PageInfo) -> list[tuple[Link, int]]:
    out = []
    for link in info.links:
        year = link_year(link.text)
        if year is not None:
            out.append((link, year))
    return out


def _body_links(info: PageInfo) -> list[Link]:
    return [
        link
        for link in info.links
        if looks_like_agency(link.text)
        and classify_title(link.text).kind is None
        and classify_link(link.url, link.text) is not LinkKind.ATTACHMENT
    ]


def is_list(site: Site, response: Response, info: PageInfo) -> bool:
    return len(_year_links(info)) >= MIN_LINKS or len(_body_links(info)) >= MIN_LINKS


def requests(spider: ReportsSpider, site: Site, response: Response, info: PageInfo) -> Iterator[Any]:
    depth = response.meta.get("depth", 0)
    if depth + 1 > site.max_depth:
        return
    years = _year_links(info)
    if len(years) >= MIN_LINKS:
        for link, year in years:
            req = spider.page_request(
                site,
                link.url,
                depth=depth + 1,
                role="list",
                link_text=link.text,
                referer=response.url,
                extra={"year": year},
            )
            if req is not None:
                yield req
    list_year = response.meta.get("year")
    if list_year:
        # The next pages of a year's list are still that year's: carry the year so their bodies count.
        for link in info.links:
            if classify_link(link.url, link.text) is LinkKind.PAGER:
                req = spider.page_request(
                    site,
                    link.url,
                    depth=depth,
                    role="list",
                    link_text=link.text,
                    referer=response.url,
                    kind="pager",
                    extra={"year": list_year},
                )
                if req is not None:
                    yield req
    bodies = _body_links(info)
    if len(bodies) >= MIN_LINKS or (bodies and response.meta.get("year")):
        for link in bodies:
            req = spider.page_request(
                site,
                link.url,
                depth=depth + 1,
                role="article",
                link_text=link.text,
                referer=response.url,
                kind="article",
                extra={"assume_report": True, "year": response.meta.get("year")},
            )
            if req is not None:
                yield req
