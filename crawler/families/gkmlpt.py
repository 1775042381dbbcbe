"""Guangdong's disclosure platform (gkmlpt): /gkmlpt/index#CAT is a script shell over a JSON API

    /gkmlpt/api/all/{CAT}?page=N   ->   {"articles": [{"title": …, "url": …}, …], "total": …}

The category is the start URL's fragment (which never reaches the server); without one, category 0
("all") is walked and only titles that name a report are followed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urljoin, urlsplit

from archive.sites import FamilyName, Site
from crawler.families import jsonlist
from crawler.families.base import Action, DataAnswer, DataCall, Family, FollowLink, Page

_SHELL = re.compile(r"/gkmlpt(/|$)", re.I)
_API_IN_SCRIPT = re.compile(r"/gkmlpt/api/all/(\d+)")


def api_url(page_url: str, cat: str) -> str:
    return urljoin(page_url, f"/gkmlpt/api/all/{cat}?page=1")


def is_shell(url: str) -> bool:
    return bool(_SHELL.search(urlsplit(url).path)) and "/content/" not in url


class Gkmlpt(Family):
    name = FamilyName.GKMLPT

    def start(self, url: str, site: Site) -> list[Action] | None:
        parts = urlsplit(url)
        if not _SHELL.search(parts.path) or "/api/" in parts.path:
            return None
        cat = parts.fragment if parts.fragment.isdigit() else "0"
        page = url.split("#")[0]
        return [FollowLink(page, None, "start"), DataCall(api_url(url, cat), self.name, origin=page)]

    def is_list(self, page: Page) -> bool:
        return is_shell(page.url)

    def links(self, page: Page) -> Iterator[Action]:
        if not is_shell(page.url):
            return
        for cat in sorted(set(_API_IN_SCRIPT.findall("\n".join(page.info.scripts)))):
            yield DataCall(api_url(page.url, cat), self.name, origin=page.url)

    def parse_data(self, answer: DataAnswer) -> Iterator[Action]:
        data = jsonlist.parse_json(answer.body)
        if isinstance(data, dict):
            yield from jsonlist.follow_records(self.name, answer, data)
