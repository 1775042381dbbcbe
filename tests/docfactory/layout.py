"""The national template's table layouts as format-neutral grids of spanning cells.

Every writer (DOCX, HTML, XLSX, text) walks the same `Table`s, so all formats of one spec carry the same
merges: 申请人情况 / 法人或其他组织 over the applicant columns, the vertical 三、本年度办理结果 and
（三）不予公开 blocks, the appeals table's 行政复议 / 行政诉讼 headers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from archive.report import codes
from tests.docfactory.spec import ReportSpec

CORNER_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
_GROUPS = {  # outcome group prefix → the heading printed in the template's second label column
    "denied": "（三）不予公开",
    "unavailable": "（四）无法提供",
    "not_processed": "（五）不予处理",
    "other": "（六）其他处理",
}
# Heading numeral → (section, a word its heading must contain), so 二、 of another kind of text is ignored.
_SECTION_OF_HEADING = {
    "二": ("active", "主动公开"),
    "三": ("applications", "申请"),
    "四": ("appeals", "复议"),
}
_HEADING = re.compile(r"^\s*([一二三四五六])\s*、")


@dataclass
class Cell:
    text: str
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1


@dataclass
class Table:
    section: str
    n_cols: int
    header_rows: int = 0
    cells: list[Cell] = field(default_factory=list)
    n_rows: int = 0
    # Row index before which a page break is forced (None: let the layout decide).
    break_before: int | None = None

    def add(self, text: str, row: int, col: int, rowspan: int = 1, colspan: int = 1) -> None:
        self.cells.append(Cell(text, row, col, rowspan, colspan))
        self.n_rows = max(self.n_rows, row + rowspan)

    def split(self, at: int, repeat_header: bool) -> tuple[Table, Table]:
        """Two pieces at row `at`, as a table broken by a page: spans crossing the cut are cut too, and the
        continuation starts with the header rows when `repeat_header`, else straight with the body."""
        head = Table(self.section, self.n_cols, self.header_rows)
        tail = Table(self.section, self.n_cols, self.header_rows if repeat_header else 0)
        shift = (self.header_rows if repeat_header else 0) - at
        for c in self.cells:
            end = c.row + c.rowspan
            if c.row < at:
                head.add(c.text, c.row, c.col, min(end, at) - c.row, c.colspan)
            if repeat_header and c.row < self.header_rows:
                tail.add(c.text, c.row, c.col, c.rowspan, c.colspan)
            if end > at and c.row >= self.header_rows:
                start = max(c.row, at)
                # The text of a vertical merge appears once, on the page where it starts.
                tail.add(c.text if c.row >= at else "", start + shift, c.col, end - start, c.colspan)
        return head, tail

    def grid(self) -> list[list[str | None]]:
        """Anchor text at each cell's top-left; None in positions a merge covers."""
        out: list[list[str | None]] = [[None] * self.n_cols for _ in range(self.n_rows)]
        for c in self.cells:
            out[c.row][c.col] = c.text
        return out


# --- section 二 -----------------------------------------------------------------------------------------

_ITEM_OF_ROW = {
    "art20_1": "（一）",
    "art20_5": "（五）",
    "art20_6": "（六）",
    "art20_8": "（八）",
    "art20_9": "（九）",
}


def _active_row_label(template: str, row: str) -> str:
    label = codes.ACTIVE_ROWS[row]
    # The 2021 template renamed 规范性文件 to 行政规范性文件.
    return "行政" + label if template == "2021" and row == "art20_1.normative_docs" else label


def active_table(spec: ReportSpec) -> Table:
    """Section 二 as the template's stacked blocks: 第二十条第（x）项 / header row / data rows, 4 columns wide."""
    assert spec.template is not None
    tpl = spec.template
    t = Table("active", n_cols=4)
    r = 0
    groups: dict[str, list[str]] = {}
    for row in codes.ACTIVE_ROWS_BY_TEMPLATE[tpl]:
        groups.setdefault(row.split(".")[0], []).append(row)
    for item, rows in groups.items():
        cols = codes.active_columns(tpl, rows[0])
        t.add(f"第二十条第{_ITEM_OF_ROW[item]}项", r, 0, colspan=4)
        r += 1
        for i, label in enumerate(["信息内容", *[c.label for c in cols]]):
            last = i == len(cols)
            t.add(label, r, i, colspan=4 - i if last else 1)
        r += 1
        for row in rows:
            t.add(_active_row_label(tpl, row), r, 0)
            for i, c in enumerate(cols, start=1):
                t.add(spec.raw("active", row, c.code), r, i, colspan=4 - i if i == len(cols) else 1)
            r += 1
    return t


# --- section 三 -----------------------------------------------------------------------------------------


def _item_label(row: str) -> str:
    """`三（三）1. 属于国家秘密` → `1.属于国家秘密`; `三（一）予以公开` → `（一）予以公开`."""
    label = codes.APPLICATION_ROWS[row]
    label = re.sub(r"^三(（[一二三四五六七]）)", r"\1", label)
    return re.sub(r"^（[三四五六]）(\d\.)\s*", r"\1", label)


def applications_table(spec: ReportSpec) -> Table:
    assert spec.template is not None
    tpl = spec.template
    cols = spec.application_columns()
    orgs = [
        c for c in codes.APPLICATION_COLUMNS if c.code in cols and c.code not in ("natural_person", "total")
    ]
    n = 3 + len(cols)
    t = Table("applications", n_cols=n, header_rows=3)
    t.add(CORNER_NOTE, 0, 0, rowspan=3, colspan=3)
    t.add("申请人情况", 0, 3, colspan=len(cols))
    c = 3
    if "natural_person" in cols:
        t.add("自然人", 1, c, rowspan=2)
        c += 1
    t.add("法人或其他组织", 1, c, colspan=len(orgs))
    for i, org in enumerate(orgs):
        t.add(org.label, 2, c + i)
    c += len(orgs)
    t.add("总计", 1, c, rowspan=2)

    rows = [r for r in codes.APPLICATION_ROWS_BY_TEMPLATE[tpl] if not (tpl == "2021" and r == "other")]
    outcome_rows = [r for r in rows if r not in ("new", "carried_over", "carried_forward")]
    first = 3
    for i, row in enumerate(rows):
        r = first + i
        for j, col in enumerate(cols):
            t.add(spec.raw("applications", row, col), r, 3 + j)
        if row in ("new", "carried_over", "carried_forward"):
            t.add(codes.APPLICATION_ROWS[row], r, 0, colspan=3)
    # The vertical block 三、本年度办理结果 over every outcome row, and the group headings inside it.
    start = first + rows.index(outcome_rows[0])
    t.add("三、本年度办理结果", start, 0, rowspan=len(outcome_rows))
    i = 0
    while i < len(outcome_rows):
        row = outcome_rows[i]
        group = row.split(".")[0]
        r = start + i
        if "." not in row:  # a single row: （一）予以公开, （二）部分公开, （六）其他处理 (2019), （七）总计
            t.add(_item_label(row), r, 1, colspan=2)
            i += 1
            continue
        members = [x for x in outcome_rows if x.split(".")[0] == group and "." in x]
        t.add(_GROUPS[group], r, 1, rowspan=len(members))
        for k, member in enumerate(members):
            t.add(_item_label(member), r + k, 2)
        i += len(members)
    if spec.split_page_break:
        t.break_before = first + rows.index("denied.third_party")
    return t


# --- section 四 -----------------------------------------------------------------------------------------


def appeals_table(spec: ReportSpec) -> Table:
    t = Table("appeals", n_cols=15, header_rows=3)
    t.add(codes.APPEAL_ROWS["review"], 0, 0, colspan=5)
    t.add("行政诉讼", 0, 5, colspan=10)
    for j, c in enumerate(codes.APPEAL_COLUMNS):
        t.add(c.label, 1, j, rowspan=2)
    for g, row in enumerate(("litigation_direct", "litigation_after_review")):
        t.add(codes.APPEAL_ROWS[row].split("—")[-1], 1, 5 + 5 * g, colspan=5)
        for j, c in enumerate(codes.APPEAL_COLUMNS):
            t.add(c.label, 2, 5 + 5 * g + j)
    for g, row in enumerate(codes.APPEAL_ROWS):
        for j, c in enumerate(codes.APPEAL_COLUMNS):
            t.add(spec.raw("appeals", row, c.code), 3, 5 * g + j)
    return t


# --- the document body ----------------------------------------------------------------------------------

Block = str | Table


def body_blocks(spec: ReportSpec) -> list[Block]:
    """Paragraphs in order, each statistical table right after its section heading (二、三、四)."""
    if spec.template is None:
        return list(spec.paragraphs)
    tables = {
        "active": active_table(spec),
        "applications": applications_table(spec),
        "appeals": appeals_table(spec),
    }
    out: list[Block] = []
    for p in spec.paragraphs:
        out.append(p)
        m = _HEADING.match(p.lstrip("#* "))
        section, word = _SECTION_OF_HEADING.get(m.group(1), ("", "")) if m else ("", "")
        if section in tables and word in p:
            out.append(tables.pop(section))
    out.extend(tables.values())  # headings missing from the prose: tables go at the end, in order
    return out


def is_heading(paragraph: str) -> bool:
    return bool(_HEADING.match(paragraph)) and len(paragraph) < 40
