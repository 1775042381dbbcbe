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


@dataclass(frozen=True)
class Where:
    """Where in its document a table cell was read, so a figure can be shown in its original.

    PDF, OFD and scans: `page` (1-based) and `box` (x0, y0, x1, y1 in points from the page's top-left
    corner, y downwards: the cell's region between its ruling lines). DOCX and HTML: `table` (1-based, every
    table of the document in document order, nested ones included), `row` and `col` (1-based: the row and
    the cell within that row as the document writes them). XLSX/XLS: `table` the sheet, `row` and `col` the
    spreadsheet's own row and column numbers. HTML text outside any <table> (a table written as paragraphs):
    `element` (the XPath of the block element, as lxml's getpath gives it on the page parsed by
    archive.extract.pageinfo.parse_html) and `span` (start, end: the figure's characters in that element's
    text_content())."""

    page: int | None = None
    box: tuple[float, float, float, float] | None = None
    table: int | None = None
    row: int | None = None
    col: int | None = None
    element: str | None = None
    span: tuple[int, int] | None = None

    def to_json(self) -> Place:
        """Compact: [page, x0, y0, x1, y1], [table, row, col] or [xpath, start, end] (boxes to 0.1 pt)."""
        if self.page is not None and self.box is not None:
            return page_place(self.page, *self.box)
        if self.element is not None and self.span is not None:
            return [self.element, self.span[0], self.span[1]]
        return [self.table or 0, self.row or 0, self.col or 0]

    @staticmethod
    def from_json(value: Place | None) -> Where | None:
        if not value:
            return None
        if isinstance(value[0], str):
            return Where(element=value[0], span=(int(value[1]), int(value[2])))
        v = [float(x) for x in value]
        if len(v) == 5:
            return Where(page=int(v[0]), box=(v[1], v[2], v[3], v[4]))
        return Where(table=int(v[0]), row=int(v[1]), col=int(v[2]))


# A cell's place as stored (Where.to_json): [page, x0, y0, x1, y1], [table, row, col] or [xpath, start, end].
Place = list[Any]


def page_place(page: int, x0: float, y0: float, x1: float, y1: float) -> Place:
    return [page, round(x0, 1), round(y0, 1), round(x1, 1), round(y1, 1)]


class Located(str):
    """A cell's text that remembers where it was read (`at`, a stored Place; `where_of` reads it). Extractors
    make them; every step between (spans, page joins, segmentation, the mapper's column fitting) passes cells
    on unchanged, so a figure keeps its place without each step knowing. Text made anew (two halves of a row
    joined) is a plain str: its place is unknown. Only in memory: stored extractions keep the places in
    `Extraction.cells`. The place is kept in its stored form so that making, storing and restoring a cell's
    place costs a list, not an object (a PDF has thousands of cells)."""

    at: Place

    def __reduce__(self) -> tuple[Any, tuple[str, Place]]:
        return located, (str(self), self.at)


def located(text: str, at: Place) -> Located:
    """A `Located` text (a function, not `__new__`: a Python-level `__new__` costs twice as much a cell)."""
    cell = Located(text)
    cell.at = at
    return cell


def where_of(cell: object) -> Where | None:
    return Where.from_json(cell.at) if isinstance(cell, Located) else None


# Extraction.cells: per table, per row, per cell the Place of that grid position (None: unknown).
CellPlaces = list[list[list[Place | None]]]
# Extraction.text_places: the place of each figure-like token of `text` (archive/textplaces.py), in text
# order: [start, end, *Place] with start/end character offsets into `text`.
TextPlaces = list[list[Any]]

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
    # Where each cell of `tables` was read (archive.extract.places): same shape as `tables`, [] when unknown.
    cells: CellPlaces = field(default_factory=list)
    # Where the figure-like tokens of `text` were read ([] when unknown): tables recovered from the text
    # (archive/report/texttables.py) place their figures by them.
    text_places: TextPlaces = field(default_factory=list)


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
    # Where the figure was read in the source document (None: not read from a located cell: derived, blank
    # because the row is missing, or a text-layer figure whose token could not be found again).
    where: Where | None = None


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
