"""HTML article pages: main text via trafilatura, tables from the raw DOM (trafilatura drops span
attributes), and the metadata a page declares about itself.

Tables: only the innermost `<table>` elements are read (portals wrap articles in layout tables); rowspan
and colspan are resolved by archive.extract.grid.place, so covered positions repeat a label and are None
under a figure.
"""

from __future__ import annotations

import bisect
import re

import lxml.html
import trafilatura
from lxml import etree

from archive.extract.encoding import decode_html
from archive.extract.grid import join_lines, place
from archive.extract.pageinfo import page_meta, parse_html
from archive.model import Extraction, Grid, TextPlaces, located
from archive.textplaces import token_spans

EXTRACTOR = f"trafilatura-{trafilatura.__version__}+lxml"
MAX_SPAN = 100  # a hostile colspan="100000" must not allocate a giant grid
_BLOCK = {"p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section", "article"}


def _span(el: etree._Element, attr: str) -> int:
    digits = re.match(r"\s*(\d+)", el.get(attr) or "")
    return min(MAX_SPAN, max(1, int(digits.group(1)))) if digits else 1


def _cell_text(cell: etree._Element) -> str:
    """Text of a cell in document order; <br> and block elements break lines (joined by join_lines)."""
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        if not isinstance(node.tag, str):  # a comment or processing instruction: only its tail counts
            return
        tag = node.tag
        if tag in ("script", "style"):
            return
        if tag == "br" or (node is not cell and tag in _BLOCK):
            parts.append("\n")
        parts.append(node.text or "")
        for child in node:
            walk(child)
            parts.append(child.tail or "")

    walk(cell)
    return join_lines("".join(parts).splitlines())


def _rows(table: etree._Element) -> list[etree._Element]:
    rows: list[etree._Element] = table.xpath("./tr|./thead/tr|./tbody/tr|./tfoot/tr")
    return rows


def table_grid(table: etree._Element, number: int | None = None) -> Grid:
    """The table's grid; with `number` (the table's place among the document's tables, 1-based) each cell
    is `Located` by that number, its row and its cell within the row."""
    spec = [
        [
            (
                _cell_text(c) if number is None else located(_cell_text(c), [number, r, k]),
                _span(c, "rowspan"),
                _span(c, "colspan"),
            )
            for k, c in enumerate(row.xpath("./td|./th"), start=1)
        ]
        for r, row in enumerate(_rows(table), start=1)
    ]
    return place(spec)


def tables_of(root: etree._Element) -> list[Grid]:
    """Innermost tables with at least two cells, in document order."""
    out = []
    for number, table in enumerate(root.iter("table"), start=1):
        if table.find(".//table") is not None:
            continue
        grid = table_grid(table, number)
        if sum(1 for row in grid for cell in row if cell) >= 2:
            out.append(grid)
    return out


_FIGURE_LINE = re.compile(r"^[+\-－]?\d[\d.,，]*\s*(万元)?$")


def block_text(node: etree._Element, *, tables: bool = True) -> str:
    """The visible text of `node`, a line per block element and <br> (text_content() runs blocks together);
    without the text inside <table> elements when `tables` is False."""
    parts: list[str] = []

    def walk(el: etree._Element) -> None:
        if not isinstance(el.tag, str) or (not tables and el.tag == "table"):
            return
        if el.tag == "br" or el.tag in _BLOCK or el.tag in ("td", "th"):
            parts.append("\n")
        parts.append(el.text or "")
        for child in el:
            walk(child)
            parts.append(child.tail or "")
        if el.tag in _BLOCK:
            parts.append("\n")

    walk(node)
    return "\n".join(line.strip() for line in "".join(parts).splitlines() if line.strip())


def _figure_lines(text: str) -> int:
    return sum(1 for line in text.splitlines() if _FIGURE_LINE.match(line.strip()))


def _lost_figures(main: str, outside_tables: str) -> bool:
    """trafilatura drops repeated short lines (a 0 under a 0) even without deduplication: a table written
    one cell per paragraph, outside any <table>, loses its figures. Then the page's own block text is the
    better reading. (Figures inside <table> elements are read from the DOM and do not count here.)"""
    seen = _figure_lines(outside_tables)
    return seen >= 10 and _figure_lines(main) < 0.9 * seen


_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


def _dom_lines(content: etree._Element) -> list[tuple[str, str, int]]:
    """Each non-blank line of `content` as block_text splits it: its text (stripped), the XPath of the
    innermost block element (or cell) holding it, and where it starts in that element's text_content().
    XPaths are built in the walk, every step indexed (`/html/body/div[1]/p[3]`): lxml's getpath counts the
    siblings anew for each element, quadratic on a page of many paragraphs."""
    out: list[tuple[str, str, int]] = []
    starts: dict[str, int] = {}
    pos = 0
    line: list[str] = []
    line_at: tuple[str, int] | None = None

    def end_line() -> None:
        nonlocal line, line_at
        text = "".join(line)
        if line_at is not None and text.strip():
            owner, at = line_at
            out.append((text.strip(), owner, at - starts[owner] + len(text) - len(text.lstrip())))
        line, line_at = [], None

    def add(piece: str, owner: str) -> None:
        nonlocal pos, line_at
        for k, part in enumerate(piece.split("\n")):
            if k:
                end_line()
                pos += 1
            if part:
                if line_at is None:
                    line_at = (owner, pos)
                line.append(part)
                pos += len(part)

    def walk(el: etree._Element, path: str, owner: str) -> None:
        block = el.tag in _BLOCK or el.tag in ("td", "th")
        if block or el.tag == "br":
            end_line()
        if block:
            starts[path] = pos
            owner = path
        add(el.text or "", owner)
        seen: dict[str, int] = {}
        for child in el:
            if isinstance(child.tag, str):  # a comment or processing instruction: only its tail counts
                seen["*"] = seen.get("*", 0) + 1  # a name XPath cannot spell (o:p): by its place among all
                step = child.tag if _NAME.match(child.tag) and child.tag != "*" else "*"
                seen[step] = seen.get(step, 0) + (step != "*")
                walk(child, f"{path}/{step}[{seen[step]}]", owner)
            add(child.tail or "", owner)
        if block:
            end_line()

    top = content.getroottree().getpath(content)
    starts[top] = 0
    walk(content, top, top)
    end_line()
    return out


def text_places(text: str, content: etree._Element) -> TextPlaces:
    """[start, end, xpath, start, end] of each figure-like token of `text` (the page's text as extracted):
    each line of `text` is found among the page's own lines, in order (trafilatura leaves some out), and
    its tokens in that line's element (archive/textplaces.py)."""
    dom = _dom_lines(content)
    where: dict[str, list[int]] = {}
    for i, (line, _, _) in enumerate(dom):
        where.setdefault("".join(line.split()), []).append(i)
    out: TextPlaces = []
    cursor, offset = 0, 0
    for line in text.split("\n"):
        start, offset = offset, offset + len(line) + 1
        spans = token_spans(line)
        hits = where.get("".join(line.split()), []) if spans else []
        k = bisect.bisect_left(hits, cursor)  # the first such line after the last one found
        if k == len(hits):
            continue
        found = hits[k]
        cursor = found + 1
        dom_line, path, at = dom[found]
        seek = 0
        for a, b in spans:
            k = dom_line.find(line[a:b], seek)
            if k < 0:
                break
            seek = k + b - a
            out.append([start + a, start + b, path, at + k, at + seek])
    return out


def element_text(data: bytes, xpath: str, declared: str | None = None) -> str | None:
    """The text (text_content()) of the element at `xpath` of an archived page parsed as extract_html parses
    it (a Where.element); None when the page has no such element."""
    text, _ = decode_html(data, declared)
    root = parse_html(text) if text.strip() else None
    if root is None:
        return None
    for bad in root.xpath("//script|//style|//noscript"):
        bad.drop_tree()
    try:
        found = root.getroottree().xpath(xpath)
    except etree.XPathError:
        return None
    return found[0].text_content() if found and isinstance(found[0], lxml.html.HtmlElement) else None


def extract_html(data: bytes, declared: str | None = None, url: str | None = None) -> Extraction:
    text, encoding = decode_html(data, declared)
    root = parse_html(text) if text.strip() else lxml.html.document_fromstring("<html></html>")
    if root is None:
        return Extraction("html", extractor=EXTRACTOR, error="unparseable HTML")
    meta = page_meta(root)
    for bad in root.xpath("//script|//style|//noscript"):
        bad.drop_tree()
    body = root.find("body")
    content = body if body is not None else root
    visible = block_text(content)
    main = trafilatura.extract(
        text, url=url, include_tables=True, include_comments=False, favor_recall=True, deduplicate=False
    )
    meta["encoding"] = encoding
    page_text = main if main and not _lost_figures(main, block_text(content, tables=False)) else visible
    return Extraction(
        "html",
        text=page_text,
        tables=tables_of(root),
        extractor=EXTRACTOR,
        page_meta=meta,
        text_places=text_places(page_text, content),
    )
