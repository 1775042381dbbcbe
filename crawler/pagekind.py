"""What a page is, by its own content: a report, a list, or a year × department list.

A page is a report (role `article`) only when its content is one: it is named as a report (its title or
the link to it names one, or it was reached from a bare body name under a year) AND it carries the report
(the report's sections or statistical table in its text, or an attachment, whose content decides at
extraction) AND it does not list reports, bodies or years. A page titled like a report that lists bodies
is the list of a year × department platform (2022年度政府信息公开工作年度报告 → 县财政局, 县教育局 …),
not the government's report.

A year × department list is recognised without a site hint: three or more bare body names
(`looks_like_agency`) whose links share one shape (`link_shape`) (the rows of one list, not the portal's header and
footer, where names of governments and 中心 also appear), under a year known from the link that led to
the page (a year tab) or from the page's own title. Its next pages carry the year and the shape.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from posixpath import dirname
from urllib.parse import parse_qs, urlsplit

from lxml import etree

from archive.extract.pageinfo import Link, PageInfo
from archive.report.meta import classify_title, looks_like_agency, shows_template_sections
from crawler.discovery import IMAGE_EXT, LinkKind, classify_link, url_extension

# Headings, table labels and the subject matter of the report (2008 and 2019/2021 templates); two distinct
# ones in the page's body, its titles left out, mean the page's text is a report (or a work summary).
_SECTIONS = re.compile(
    r"总体情况|概述|主动公开|收到和处理政府信息公开申请|依申请公开|行政复议、行政诉讼|行政复议和行政诉讼|"
    r"存在的主要问题|其他需要报告的事项|本年新收|本年度办理结果|不予公开|政务公开工作|政府信息公开工作"
)
_MARKUP = re.compile(r"<head\b.*?</head>|<script\b.*?</script>|<style\b.*?</style>|<[^>]+>", re.S | re.I)
_YEAR_LINK = re.compile(r"^((?:19|20)\d{2})\s*年?度?\s*(政府信息公开|政务公开)?(工作)?(年度报告|年报)?$")
_ABOUT_REPORTS = re.compile(r"年报|年度报告|信息公开|政务公开")
MIN_SECTIONS = 2
MIN_PROSE = 500  # characters of text outside links: the page is a document itself (a work summary)
MIN_LIST_LINKS = 3  # this many report, body or year links make a page a list


_OWN_TEXT = etree.XPath("//body//text()[not(ancestor::a) and not(ancestor::script) and not(ancestor::style)]")


def _own_text(info: PageInfo) -> str:
    """The page's text outside its links (navigation and lists are not what the page says)."""
    return " ".join(_OWN_TEXT(info.doc)) if info.doc is not None else ""


def link_year(text: str) -> int | None:
    """The year of a link (or title) that is a year and nothing else: 2022年度, 2022年政府信息公开工作年度报告."""
    m = _YEAR_LINK.match("".join((text or "").split()))
    return int(m.group(1)) if m else None


def page_text(html: str) -> str:
    """The page's text without markup and white space: read once per page, by both measures below."""
    return "".join(_MARKUP.sub(" ", html).split())  # whitespace as regex \s (str.isspace) removed


def report_sections(text: str, titles: list[str]) -> int:
    """How many distinct report headings, table labels or subjects the page's text (`page_text`) holds
    besides its titles (a title naming the report is not its content)."""
    for title in titles:
        text = text.replace("".join(title.split()), " ")
    return len({m.group() for m in _SECTIONS.finditer(text)})


def is_body_link(link: Link) -> bool:
    """A link whose text is a bare body name (县财政局), not a report title."""
    return looks_like_agency(link.text) and classify_title(link.text).kind is None


def link_shape(url: str) -> str:
    """Host, folder (digits blanked) and query keys: the rows of one list share it, whether a row links
    to a document (.doc, .pdf) or to a page."""
    parts = urlsplit(url)
    keys = ",".join(sorted(parse_qs(parts.query, keep_blank_values=True)))
    return f"{parts.hostname}{re.sub(r'[0-9]+', '0', dirname(parts.path))}?{keys}"


def listed_bodies(links: list[Link], shape: str | None = None) -> tuple[list[Link], str | None]:
    """The body links of the page's largest group of one shape (or of `shape`), and that shape."""
    bodies = [link for link in links if is_body_link(link)]
    if shape is None:
        counts = Counter(link_shape(link.url) for link in bodies)
        if not counts:
            return [], None
        shape = counts.most_common(1)[0][0]
    return [link for link in bodies if link_shape(link.url) == shape], shape


def prose_length(text: str, links: list[Link]) -> int:
    """Characters of the page's text (`page_text`) that are not its links' texts."""
    return max(0, len(text) - sum(len("".join(link.text.split())) for link in links))


@dataclass(frozen=True)
class Reading:
    named: bool  # its title or link names a report, or it was reached from a body name
    lookalike: bool  # its own title names a notice, collection … about reports
    sections: int
    prose: int
    attachments: int
    report_links: int
    year_links: list[tuple[Link, int]]
    body_links: list[Link]  # the page's largest group of body-name links of one shape
    body_shape: str | None
    year: int | None  # the report year the page is about: from the link that led here or its own title
    about_reports: bool  # its title or link is about disclosure reports (a place where year tabs matter)

    @property
    def is_list(self) -> bool:
        if self.report_links >= MIN_LIST_LINKS:
            return True
        if self.sections >= MIN_SECTIONS:
            return False  # the report's own text: department or year links beside it are navigation
        return len(self.body_links) >= MIN_LIST_LINKS or (
            len(self.year_links) >= MIN_LIST_LINKS and self.attachments == 0
        )

    @property
    def paged_article(self) -> bool:
        """The report's own text (its sections) with no report links: a page of a paged article, whatever
        pager its scripts draw."""
        return self.sections >= MIN_SECTIONS and self.report_links == 0

    @property
    def is_report(self) -> bool:
        evidence = self.sections >= MIN_SECTIONS or self.attachments > 0 or self.prose >= MIN_PROSE
        return self.named and not self.lookalike and evidence and not self.is_list

    def year_dept_bodies(self, continued: bool) -> list[Link]:
        """The body links to follow when this is a year × department list (`continued`: a next page of one,
        read with the first page's link shape)."""
        if self.year is None or self.is_report:
            return []
        if len(self.body_links) >= MIN_LIST_LINKS or (continued and self.body_links):
            return self.body_links
        return []

    def year_tabs(self) -> list[tuple[Link, int]]:
        """Year links worth following as lists: two or more on a page about reports."""
        return self.year_links if self.about_reports and len(self.year_links) >= 2 else []


def read_page(
    info: PageInfo,
    html: str,
    link_text: str | None,
    *,
    year: int | None,
    from_body: bool,
    body_shape: str | None = None,
    carried: int = 0,
) -> Reading:
    """`carried`: documents the page shows other than by a link (a frame, an embed, an online viewer's
    file): its content as much as an attachment is."""
    titles = [t for t in info.titles[:2] if t]
    # Named as a report by its title or link, or by its content: the national template's own sections
    # (a page titled only 年报（2022年度） that carries the report).
    named = (
        from_body
        or any(classify_title(t).kind is not None for t in [*titles, link_text or ""] if t)
        or shows_template_sections(_own_text(info))
    )
    kinds = [classify_link(link.url, link.text) for link in info.links]
    text = page_text(html)
    year_links = [(link, y) for link in info.links if (y := link_year(link.text)) is not None]
    own_year = next((y for t in titles if (y := link_year(t)) is not None), None)
    bodies, shape = listed_bodies(info.links, body_shape)
    return Reading(
        named=named,
        lookalike=any("look-alike" in classify_title(t).reason for t in titles),
        sections=report_sections(text, info.titles),
        prose=prose_length(text, info.links),
        # A document or a picture attached as a file (a table published as a scan) is the report's content.
        attachments=carried
        + sum(
            1
            for link, k in zip(info.links, kinds, strict=True)
            if k is LinkKind.ATTACHMENT or url_extension(link.url) in IMAGE_EXT
        ),
        report_links=sum(1 for k in kinds if k is LinkKind.REPORT),
        year_links=year_links,
        body_links=bodies,
        body_shape=shape,
        year=year if year is not None else own_year,
        about_reports=any(_ABOUT_REPORTS.search(t) for t in [*titles, link_text or ""]),
    )
