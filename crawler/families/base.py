"""The protocol of a CMS family: plain values in, plain values out; the spider alone builds requests.

A family sees a page (`Page`) or the answer of one of its data calls (`DataAnswer`) and returns what to
do next, as Scrapy keeps `Rule`/`LinkExtractor` apart from the spider:
  `FollowLink`  a page to request (a list page, a pager page, an article) with its link text;
  `DataCall`    a call to the family's data endpoint (XML proxy, JSON API), parsed by `parse_data`;
  `Records`     links found outside the page's own <a> elements (data islands, API records): the spider
                follows those that name a report, are documents or are pages of the list.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from archive.extract.pageinfo import Link, PageInfo
from archive.sites import FamilyName, Site

# start: a start URL (depth 0); pager: the next page of the same list (same depth);
# section: a list one hop further; article: a page that is a report (one hop further).
PageKind = Literal["start", "section", "pager", "article"]


@dataclass(frozen=True)
class Page:
    url: str
    site: Site
    info: PageInfo
    body: bytes
    depth: int
    year: int | None  # the year the page was listed under, if any
    rendered: bool  # drawn by the browser (its scripts already ran)


@dataclass(frozen=True)
class DataAnswer:
    url: str
    site: Site
    body: bytes
    depth: int
    origin: str  # the page whose scripts led to the call
    state: Any  # what the family put in its DataCall


@dataclass(frozen=True)
class FollowLink:
    url: str
    text: str | None
    kind: PageKind
    year: int | None = None  # the report year the link is listed under
    from_body: bool = False  # the link is a bare body name on a year list
    body_shape: str | None = None  # a next page of a year × department list: its rows' link shape
    priority: int | None = None  # the ranking's request priority (crawler/ranking.py); None: by kind
    budgeted: bool = False  # no sign of a report about it: counts against the site's explore budget
    from_script: bool = False  # named by a script of the page (a data call): the page may need a browser


@dataclass(frozen=True)
class DataCall:
    url: str
    family: FamilyName  # whose parse_data reads the answer
    origin: str
    formdata: dict[str, str] | None = None  # None: GET; else POSTed as a form
    state: Any = None  # the family's own typed value, handed back in DataAnswer.state


@dataclass(frozen=True)
class Records:
    links: list[Link]


Action = FollowLink | DataCall | Records


class Family:
    """A CMS family. Every method has a do-nothing default; a family overrides what its CMS hides."""

    name: ClassVar[FamilyName]

    def start(self, url: str, site: Site) -> list[Action] | None:
        """What to request for a start URL; None: the plain page."""
        return None

    def is_list(self, page: Page) -> bool:
        """The page is a list of this family, whatever its title says."""
        return False

    def links(self, page: Page) -> Iterable[Action]:
        """What the page's scripts or data islands imply beyond its plain links."""
        return ()

    def parse_data(self, answer: DataAnswer) -> Iterator[Action]:
        """Records and further calls in an answer (status 200) of one of this family's data calls."""
        return iter(())
