"""What a candidate URL is likely to be, and how soon to fetch it: a best-first focused crawl.

A candidate's words (its link text, a record's title), its URL's shape and the page it was found on give it
a kind and a Scrapy request priority. They never decide alone that it is not fetched: a candidate with no
sign of leading to a report is `explore`, fetched last, within the site's explore budget (its pages with no
such sign). What may be fetched at all is decided by scope, the guard and the budgets (crawler/budget.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from archive.report.meta import classify_title
from crawler.candidates import Candidate
from crawler.discovery import IMAGE_EXT, LinkKind, classify_link, url_extension

# attachment: a document or package; image: a picture (a table published as a scan); article: a page that
# names a report; continuation: the next page of a report's own article; pager: a list's next page;
# section: a page about disclosure or reports, a frame of the page, a form's list; data: a data call named
# in a script (answers JSON, XML or HTML); explore: anything else in scope.
Plan = Literal["attachment", "image", "article", "continuation", "pager", "section", "data", "explore"]
_DATA_URL = re.compile(
    r"\.(json|xml|do|action|jsp|php|aspx?|ashx)(\?|$)|[?&/](api|json|list|data|query)\b", re.I
)


@dataclass(frozen=True)
class Ranked:
    candidate: Candidate
    plan: Plan
    priority: int  # Scrapy request priority: higher first
    budgeted: bool  # counts against the site's explore budget (no sign of a report about it)
    named: bool  # its words name a report
    kind: LinkKind  # what its words and URL say (crawler/discovery.py)


def rank(c: Candidate, *, on_report_page: bool, page_about_reports: bool) -> Ranked:
    """The plan for one candidate of a page. `on_report_page`: the page is a report's article (its files,
    pictures and next pages are the report's); `page_about_reports`: its title or link is about reports or
    disclosure (its frames, forms and script calls are probably its list)."""
    kind = classify_link(c.url, c.text)
    named = kind is LinkKind.REPORT or classify_title(c.text).kind is not None
    if url_extension(c.url) in IMAGE_EXT:
        if on_report_page:
            return Ranked(c, "image", 28, False, named, kind)
        return Ranked(c, "image", 15 if named else -15, not named, named, kind)
    if kind is LinkKind.ATTACHMENT or c.via == "embed":
        if named or on_report_page:
            return Ranked(c, "attachment", 30, False, named, kind)
        return Ranked(c, "attachment", 5, True, named, kind)
    if kind is LinkKind.REPORT:
        return Ranked(c, "article", 20, False, named, kind)
    if kind is LinkKind.PAGER:
        if on_report_page:
            return Ranked(c, "continuation", 22, False, named, kind)
        return Ranked(c, "pager", 10, False, named, kind)
    if c.via == "frame":
        return Ranked(c, "section", 18 if page_about_reports else 2, False, named, kind)
    if c.via in ("script", "data", "form", "attr") and page_about_reports:
        plan: Plan = "data" if _DATA_URL.search(c.url) else "section"
        return Ranked(c, plan, 12, False, named, kind)
    if kind is LinkKind.SECTION:
        return Ranked(c, "section", 0, False, named, kind)
    if kind is LinkKind.LOOKALIKE:
        return Ranked(c, "explore", -20, True, named, kind)
    if c.via in ("script", "data") and _DATA_URL.search(c.url):
        return Ranked(c, "data", -5, True, named, kind)
    return Ranked(c, "explore", -10, True, named, kind)
