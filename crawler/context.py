"""What the crawl knows about a request: one typed value in `Request.meta`, read through `context_of`.

The spider sets it when it builds a request; the incremental middleware adds what the capture history
says (`previous_sha256`, `revalidated`); it travels with redirects and retries like any meta value and
comes back on the response (`response.meta` is the request's). Scrapy's own keys (`download_slot`,
scrapy-playwright's `playwright…`, the retry counters) stay plain meta: they belong to those components.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Literal

from scrapy import Request
from scrapy.http import Response

from archive.sites import FamilyName

# list: a page whose links are followed; article: a page that is (or may be) a report;
# attachment: a document or package linked from a page; image: an image in a report page's content.
Role = Literal["list", "article", "attachment", "image"]
META_KEY = "govarchive"


@dataclass(frozen=True)
class RequestContext:
    site_id: str
    role: Role
    link_text: str | None = None
    depth: int = 0  # link hops from a start URL
    year: int | None = None  # the report year the page was listed under (a year × department platform)
    from_body: bool = False  # reached from a bare body name on a year list: named as a report by that link
    body_shape: str | None = None  # the next page of a year × department list: its rows' link shape
    # A family's data call (XML proxy, JSON API): who parses the answer, the page whose scripts asked for
    # it (links found are followed from there) and the family's own typed state for the next calls.
    family: FamilyName | None = None
    origin: str | None = None
    state: Any = None
    # The page whose link this request follows: kept here because a redirect rewrites the Referer header.
    linked_from: str | None = None
    # Set by crawler.incremental: the blob the last good capture held, and whether a 304 answered.
    previous_sha256: str | None = None
    previous_content_type: str | None = None
    revalidated: bool = False

    def but(self, **changes: Any) -> RequestContext:
        return replace(self, **changes)


def context_of(message: Request | Response) -> RequestContext | None:
    """The crawl context of a request or its response; None for requests the crawl did not build
    (robots.txt)."""
    value = message.meta.get(META_KEY)
    return value if isinstance(value, RequestContext) else None


def set_context(request: Request, context: RequestContext) -> None:
    request.meta[META_KEY] = context
