"""CMS families that hide their lists from plain links. Each family module adds what one page hides.

A family module offers any of:
  `is_list(site, response, info) -> bool`   the page is a list of this family, whatever its title says;
  `requests(spider, site, response, info)`  requests the page's scripts or data islands imply;
  `start(spider, site, url)`                requests for a start URL (None: the plain page request);
  `parse_data(spider, site, response)`      answers of the family's data endpoints (XML, JSON).

`family = "auto"` runs every family's detectors (each looks for its own fingerprint, so they are cheap
and do not fire on foreign pages); `static` runs none; a named family runs only its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType
from typing import TYPE_CHECKING, Any

from scrapy.http import Response

from archive.extract.pageinfo import PageInfo
from archive.sites import Site
from crawler.families import gkmlpt, hanweb, jsonlist, trs, yeardept

if TYPE_CHECKING:
    from crawler.spiders.reports import ReportsSpider

FAMILIES: dict[str, ModuleType] = {
    "trs": trs,
    "hanweb": hanweb,
    "jsapi": jsonlist,
    "gkmlpt": gkmlpt,
    "yeardept": yeardept,
}
# yeardept reads body names as report links: too eager for portals that did not ask for it.
AUTO = ("trs", "hanweb", "jsapi", "gkmlpt")


def active(site: Site) -> list[ModuleType]:
    if site.family == "static":
        return []
    if site.family == "auto":
        return [FAMILIES[name] for name in AUTO]
    return [FAMILIES[site.family]]


def is_family_list(site: Site, response: Response, info: PageInfo) -> bool:
    return any(fam.is_list(site, response, info) for fam in active(site) if hasattr(fam, "is_list"))


def family_requests(spider: ReportsSpider, site: Site, response: Response, info: PageInfo) -> Iterator[Any]:
    for fam in active(site):
        if hasattr(fam, "requests"):
            yield from fam.requests(spider, site, response, info)


def start_requests(spider: ReportsSpider, site: Site, url: str) -> list[Any] | None:
    """The requests for one start URL when a family needs more than the page itself."""
    for fam in active(site):
        if hasattr(fam, "start"):
            reqs = fam.start(spider, site, url)
            if reqs is not None:
                return list(reqs)
    return None


def parse_data(spider: ReportsSpider, site: Site, response: Response) -> Iterator[Any]:
    fam = FAMILIES[response.meta["family"]]
    yield from fam.parse_data(spider, site, response)
