"""CMS families that hide their lists from plain links. Each family adds requests for one page.

The static family needs nothing beyond the spider's link following; others are added as they are built.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from scrapy.http import Response

from archive.sites import Site
from crawler.pageinfo import PageInfo

if TYPE_CHECKING:
    from crawler.spiders.reports import ReportsSpider


def family_requests(spider: ReportsSpider, site: Site, response: Response, info: PageInfo) -> Iterator[Any]:
    return iter(())
