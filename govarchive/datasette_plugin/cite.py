"""A figure's citation and provenance in words: the cite text, where the figure was read, how it was placed.

Every string of these pages is here, each as (Chinese, English), so a language switch picks one side and
the templates stay free of prose. Pure functions of the rows data.py reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from govarchive.datasette_plugin import vocab
from govarchive.datasette_plugin.data import Key, Row

Words = tuple[str, str]  # (Chinese, English)

# How a row was placed on the template (Stat.placed_by, archive/report/rows.py and mapping.py).
PLACED: dict[str, Words] = {
    "label": (
        "按行标签定位：原表这一行的文字指明了模板中的这一行。",
        "Placed by its label: the row's own words in the table name this row of the template.",
    ),
    "number": (
        "按编号定位：行标签残缺，由其编号（如“（三）2.”）和行序确定模板中的这一行。",
        "Placed by its numbering: the label was damaged; its numbering (such as （三）2.) and its order "
        "place it on this row of the template.",
    ),
    "order": (
        "按顺序定位：它位于两个已定位的行之间，是那里唯一空出的模板行（或表格按模板顺序排列）。",
        "Placed by order: it stands between two placed rows, in the one template row free there (or the "
        "table gives its figures in the template's order).",
    ),
    "derived": (
        "推算所得：报告未印出这一行，由其三个子项相加得到；任一子项空白则为空白。",
        "Derived: the report does not print this row; it is the sum of its three sub-rows, blank when any "
        "of them is blank.",
    ),
    "": (
        "报告中没有这一格：该表所在部分已读出，但这一行或这一列未印出，故为空白（未知，不是零）。",
        "Not in the report: its section was read, but this row or column is not printed, so it is blank "
        "(unknown, not zero).",
    ),
}

WORDS: dict[str, Words] = {
    "cite": ("引用", "Cite"),
    "where": ("读取位置", "Where it was read"),
    "how": ("定位方式", "How it was placed"),
    "value": ("数值", "Value"),
    "blank": ("空白（报告未填，未知）", "blank (not given in the report: unknown)"),
    "figure": ("数字", "Figure"),
    "code": ("代码", "code"),
    "original": ("原件", "Original"),
    "archived": ("存档于", "archived"),
    "release_none": (
        "本语料尚无包含此数字的数据发布（govarchive release）",
        "no release of this corpus includes this figure yet (govarchive release)",
    ),
    "release": ("语料发布", "corpus release"),
    "local": ("本地文件导入", "ingested from a local file"),
    "back": ("返回报告中的这一格", "back to this cell of the report"),
    "download": ("下载存档原件", "download the archived original"),
    "image_alt": ("原件页面，读取这一数字的区域已标出", "the original's page with the region read marked"),
    "cell_marked": (
        "原件中的表格，读取这一数字的单元格已标出",
        "the table of the original, the cell read marked",
    ),
    "text_marked": (
        "原网页中这一段的文字，读取的数字已标出",
        "the text of that element of the original page, the figure read marked",
    ),
    "ocr": ("此数字由文字识别（OCR）读出，请对照原件核实。", "Read by OCR: check it against the original."),
    "printed": ("原件印作", "printed as"),
    "no_place_derived": ("推算所得，不是从某一格读出的。", "Derived: not read from any one cell."),
    "no_place_text": (
        "没有记录位置：这一数字读自文本恢复的表格，在原文中未能再次确定（或由本功能之前的版本读取，重新处理后即有）。",
        "No place recorded: read from tables recovered from the text, and not found again in it (or read "
        "before places were recorded; `govarchive reprocess` adds them).",
    ),
    "no_image": (
        "此格式无法在服务器上绘制页面，仅给出页码与区域。",
        "This format's pages are not drawn here: the page and region are given in words.",
    ),
    "intro": (
        "每个数字都链接到它的引用文本和它在原件中被读取的位置。",
        "Each figure links to its citation and to where it was read in the original.",
    ),
}


def column_letters(n: int) -> str:
    """A spreadsheet column's letters (1 → A, 28 → AB)."""
    out = ""
    while n > 0:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def parse_box(text: str | None) -> tuple[float, float, float, float] | None:
    try:
        x0, y0, x1, y1 = (float(v) for v in (text or "").split(","))
    except ValueError:
        return None
    return x0, y0, x1, y1


def parse_span(text: str | None) -> tuple[int, int] | None:
    try:
        a, b = (int(v) for v in (text or "").split(","))
    except ValueError:
        return None
    return (a, b) if 0 <= a < b else None


CONTEXT = 120  # characters of the element's text shown on each side of a marked figure


def text_with_mark(text: str | None, fig: Row) -> tuple[str, str, str] | None:
    """The element's text around the figure's characters, split (before, figure, after); None when the text
    there is not the figure as printed (the page read differently, or no such element)."""
    span = parse_span(fig.get("src_span"))
    if text is None or span is None or text[span[0] : span[1]] != (fig.get("raw") or ""):
        return None
    a, b = span
    before = ("…" if a > CONTEXT else "") + text[max(0, a - CONTEXT) : a]
    after = text[b : b + CONTEXT] + ("…" if len(text) > b + CONTEXT else "")
    return before, text[a:b], after


def place_words(fig: Row) -> Words | None:
    """Where the figure was read, in words; None when no place was recorded."""
    box = parse_box(fig.get("src_box"))
    if fig.get("src_page") and box:
        x0, y0, x1, y1 = box
        return (
            f"第 {fig['src_page']} 页，区域左上 ({x0:g}, {y0:g}) 至右下 ({x1:g}, {y1:g})（单位：磅，自页面左上角起）",
            f"page {fig['src_page']}, the region from ({x0:g}, {y0:g}) to ({x1:g}, {y1:g}) in points from "
            "the page's top-left corner",
        )
    if fig.get("src_table") and fig.get("src_row") and fig.get("src_col"):
        t, r, c = fig["src_table"], fig["src_row"], fig["src_col"]
        if fig.get("media_type") in ("xlsx", "xls"):
            ref = f"{column_letters(c)}{r}"
            return (f"第 {t} 个工作表，单元格 {ref}", f"sheet {t}, cell {ref}")
        return (
            f"文中第 {t} 个表格，第 {r} 行第 {c} 个单元格",
            f"table {t} of the document, row {r}, cell {c} of that row",
        )
    span = parse_span(fig.get("src_span"))
    if fig.get("src_element") and span:
        path, (a, b) = fig["src_element"], span
        return (
            f"网页元素 {path} 的文字中第 {a + 1} 至第 {b} 个字符（表格以段落写出）",
            f"characters {a + 1} to {b} of the text of page element {path} (a table written as paragraphs)",
        )
    return None


@dataclass(frozen=True)
class Cited:
    zh: str
    en: str


def release_words(kept: list[Any], archived: str | None) -> Words:
    """The latest release made after the original was archived (a release holds what the corpus held on
    its date), or a plain statement that there is none."""
    day = (archived or "")[:10]
    for rel in kept:  # latest first
        if not day or str(rel.date) >= day:
            return (f"语料发布 {rel.version}（{rel.date}）", f"corpus release {rel.version} ({rel.date})")
    return WORDS["release_none"]


def figure_label(key: Key) -> tuple[str, str]:
    row_zh, col_zh = vocab.label_zh(*key)
    number = vocab.SECTION_NUMBER.get(key[0], "")
    return (
        f"第{number}部分 {row_zh}·{col_zh}",
        f"section {number} {vocab.row_en(key[0], key[1])} · {vocab.col_en(key[0], key[2])}",
    )


def value_text(value: Any) -> Words:
    return WORDS["blank"] if value is None else (str(value), str(value))


def cite_text(report: Row, fig: Row, key: Key, release: Words, permalink: str) -> Cited:
    """The text a researcher pastes: body, year, figure (label and code), value, the original (SHA-256,
    URL, archive date), the release, and the figure's permanent address."""
    label_zh, label_en = figure_label(key)
    value_zh, value_en = value_text(fig.get("value"))
    code = ".".join(key)
    sha = fig.get("source_sha256") or report.get("sha256") or ""
    url = fig.get("source_url") or ""
    url_zh, url_en = WORDS["local"] if url.startswith("file:") else (url, url)  # no local path shown
    date = (fig.get("archived_at") or "")[:10]
    title = report.get("title") or ""
    return Cited(
        zh=(
            f"{report.get('agency') or ''}《{title}》（{report.get('year') or ''}年度），{label_zh}"
            f"（代码 {code}）：{value_zh}。原件 SHA-256 {sha}，{url_zh}，{date} 存档。{release[0]}。{permalink}"
        ),
        en=(
            f"{report.get('agency') or ''}, “{title}” ({report.get('year') or ''}), {label_en} "
            f"(code {code}): {value_en}. Original SHA-256 {sha}, {url_en}, archived {date}. {release[1]}. "
            f"{permalink}"
        ),
    )


@dataclass(frozen=True)
class ShownCell:
    text: str
    rowspan: int
    colspan: int
    marked: bool


def grid_with_mark(tables: list[Any], places: list[Any], fig: Row) -> list[list[ShownCell]]:
    """The extracted table that holds the figure's cell, laid out as the original's cells (positions read
    from one cell are one cell again, with its spans), that cell marked; [] when it is not found."""
    want = [fig.get("src_table"), fig.get("src_row"), fig.get("src_col")]
    for k, grid_places in enumerate(places):
        if k < len(tables) and any(at == want for row in grid_places or [] for at in row or []):
            return _shown(tables[k], grid_places, want)
    return []


def _shown(grid: list[list[str | None]], at: list[list[Any]], want: list[Any]) -> list[list[ShownCell]]:
    def place(r: int, c: int) -> Any:
        return at[r][c] if r < len(at) and c < len(at[r]) else None

    seen: set[tuple[Any, ...]] = set()
    out: list[list[ShownCell]] = []
    for r, row in enumerate(grid):
        line: list[ShownCell] = []
        for c, text in enumerate(row):
            p = place(r, c)
            if p is not None and tuple(p) in seen:
                continue  # covered by a cell shown already
            colspan = rowspan = 1
            if p is not None:
                seen.add(tuple(p))
                while c + colspan < len(row) and place(r, c + colspan) == p:
                    colspan += 1
                while r + rowspan < len(grid) and place(r + rowspan, c) == p:
                    rowspan += 1
            line.append(ShownCell(text or "", rowspan, colspan, p == want))
        out.append(line)
    return out
