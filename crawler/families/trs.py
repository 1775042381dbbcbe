"""TRS WCM: list pages index.html, index_1.html … whose pager is written by script, not by links.

    createPageHTML(12, 0, "index", "html");      or      var countPage = 12; var currentPage = 0;
    createPageHTML("page_div", 12, 1, "index", "html", 240);   (newer templates count from 1)
Both give the page count; the pages are {prefix}.{suffix} and {prefix}_{i}.{suffix} in the same folder.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urljoin

from archive.sites import FamilyName
from crawler.families.base import Action, Family, FollowLink, Page

# createPageHTML(count, current, "index", "html") and the newer ("page_div", count, current, "index", "html", n)
_CREATE_PAGE = re.compile(
    r"createPage(?:HTML)?\(\s*(?:['\"][\w-]+['\"]\s*,\s*)?['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)['\"]?\s*,"
    r"\s*['\"]([\w.-]+)['\"]\s*,\s*['\"](\w+)['\"]"
)
_COUNT_PAGE = re.compile(r"\bcountPage\s*=\s*['\"]?(\d+)")
_CURRENT_PAGE = re.compile(r"\bcurrentPage\s*=\s*['\"]?(\d+)")
_PREFIX = re.compile(r"\bprefix\s*=\s*['\"]([\w.-]+)['\"]")
_SUFFIX = re.compile(r"\bsuffix\s*=\s*['\"](\w+)['\"]")
MAX_LIST_PAGES = 1000  # a script claiming more pages than this is a trap or a typo


def pager(scripts: list[str]) -> tuple[int, int, str, str] | None:
    """(page count, current page, prefix, suffix) announced by a TRS pager script, or None."""
    for script in scripts:
        m = _CREATE_PAGE.search(script)
        if m:
            return int(m.group(1)), int(m.group(2)), m.group(3), m.group(4)
    for script in scripts:
        m = _COUNT_PAGE.search(script)
        if m:
            cur = _CURRENT_PAGE.search(script)
            prefix = _PREFIX.search(script)
            suffix = _SUFFIX.search(script)
            return (
                int(m.group(1)),
                int(cur.group(1)) if cur else 0,
                prefix.group(1) if prefix else "index",
                suffix.group(1) if suffix else "html",
            )
    return None


def page_urls(page_url: str, count: int, prefix: str, suffix: str) -> list[str]:
    folder = urljoin(page_url, "./")
    count = min(count, MAX_LIST_PAGES)
    return [
        urljoin(folder, f"{prefix}.{suffix}" if i == 0 else f"{prefix}_{i}.{suffix}") for i in range(count)
    ]


class Trs(Family):
    name = FamilyName.TRS

    def is_list(self, page: Page) -> bool:
        found = pager(page.info.scripts)
        return found is not None and found[0] > 1

    def links(self, page: Page) -> Iterator[Action]:
        found = pager(page.info.scripts)
        if found is None:
            return
        count, current, prefix, suffix = found
        first_page = page.url.endswith(("/", f"/{prefix}.{suffix}"))
        if current != 0 and not first_page:
            return  # the first page announced every page already; do not re-announce from each of them
        for url in page_urls(page.url, count, prefix, suffix):
            if url != page.url:
                yield FollowLink(url, None, "pager")
