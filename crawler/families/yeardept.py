"""Year × department platforms, eagerly: a year index (2023年, 2022年 …), then per year a list of body
names (县财政局, 县教育局 …, not report titles) linking to detail pages that carry the report and its
attachment. Lists may page with ?page=N, which the spider's pager rules already follow.

The spider recognises such platforms by their content (crawler/pagekind.py: body names under a year).
This family is the override for sites that say `family = "yeardept"`: it also takes body names on pages
without a year, and three or more year links anywhere, as the platform's lists.
"""

from __future__ import annotations

from collections.abc import Iterator

from archive.extract.pageinfo import Link, PageInfo
from archive.report.meta import classify_title, looks_like_agency
from archive.sites import FamilyName
from crawler.discovery import LinkKind, classify_link
from crawler.families.base import Action, Family, FollowLink, Page
from crawler.pagekind import link_year

MIN_LINKS = 3  # a page with this many year links or body links is an index, not a report


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


class YearDept(Family):
    name = FamilyName.YEARDEPT

    def is_list(self, page: Page) -> bool:
        return len(_year_links(page.info)) >= MIN_LINKS or len(_body_links(page.info)) >= MIN_LINKS

    def links(self, page: Page) -> Iterator[Action]:
        if page.depth + 1 > page.site.max_depth:
            return
        years = _year_links(page.info)
        if len(years) >= MIN_LINKS:
            for link, year in years:
                yield FollowLink(link.url, link.text, "section", year=year)
        if page.year:
            # The next pages of a year's list are still that year's: carry the year so their bodies count.
            for link in page.info.links:
                if classify_link(link.url, link.text) is LinkKind.PAGER:
                    yield FollowLink(link.url, link.text, "pager", year=page.year)
        bodies = _body_links(page.info)
        if len(bodies) >= MIN_LINKS or (bodies and page.year):
            for link in bodies:
                yield FollowLink(link.url, link.text, "article", year=page.year, from_body=True)
