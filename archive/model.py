"""Plain values passed between the stages of the pipeline (no framework types)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

# A counter of the crawl's summary: key (`captures/article`, without the `govarchive/` of Scrapy's stats) and
# how much to add. The crawl's pipelines pass one onto Scrapy's stats, a shared crawl's writer its own.
Count = Callable[[str, int], None]

# A table as a grid of cell texts: merged cells are resolved, so a cell covered by a merge repeats the text
# of its anchor cell only when the extractor says so; otherwise it is None.
Cell = str | None
Grid = list[list[Cell]]

MediaType = Literal[
    "pdf",
    "docx",
    "doc",
    "wps",
    "xlsx",
    "xls",
    "ofd",
    "html",
    "text",
    "zip",
    "rar",
    "7z",
    "png",
    "jpeg",
    "unknown",
]
ReportKind = Literal["annual_report", "work_summary"]
CheckStatus = Literal["ok", "failed", "unknown"]


@dataclass
class Extraction:
    """What an extractor reads out of one document's bytes."""

    media_type: str
    text: str = ""
    tables: list[Grid] = field(default_factory=list)
    pages: int | None = None
    extractor: str = ""
    ocr: bool = False
    error: str | None = None
    # Metadata an HTML page declares about itself (ArticleTitle, PubDate, ContentSource, 发布机构 …).
    page_meta: dict[str, str] = field(default_factory=dict)


@dataclass
class Stat:
    section: str  # active | applications | appeals
    row: str
    col: str
    value: float | None
    raw: str
    row_label: str = ""
    col_label: str = ""
    ocr: bool = False
    # How the row was placed on the template: `label` (its label names the row), `number` (its numbering
    # and order, the label damaged), `order` (the one free template row between placed neighbours),
    # `derived` (computed, not printed: 2021 `other` = the sum of its three sub-rows); "" when not printed.
    placed_by: str = ""


@dataclass
class Check:
    rule: str  # balance | outcomes_sum | row_total | appeals_total
    status: CheckStatus
    detail: str


@dataclass
class ReportMeta:
    title: str | None = None
    agency: str | None = None
    year: int | None = None
    kind: ReportKind | None = None  # None: not a report (a look-alike or an unrelated document)
    template: str | None = None  # "2019" | "2021" | None
    published_at: str | None = None  # ISO date
    revision: int = 0  # 1: a corrected version (（更正版）, （修订）) that supersedes the earlier ones


@dataclass
class ParseResult:
    """The JSON `govarchive parse` prints (interface.md)."""

    title: str | None
    agency: str | None
    year: int | None
    kind: str | None
    template: str | None
    published_at: str | None
    text: str
    tables: list[Grid]
    stats: list[Stat]
    checks: list[Check]
    media_type: str = ""
    extractor: str = ""
    ocr: bool = False
    pages: int | None = None
    error: str | None = None
    findings: list[str] = field(default_factory=list)
    revision: int = 0  # 1: a corrected version that supersedes the earlier copies of its report

    def to_json(self) -> dict[str, Any]:
        return asdict(self)
