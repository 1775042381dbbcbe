"""HTML article pages: main text via trafilatura, tables from the raw DOM (trafilatura drops span
attributes), and the metadata a page declares about itself.

Tables: only the innermost `<table>` elements are read (portals wrap articles in layout tables); rowspan
and colspan are resolved by archive.extract.grid.place, so covered positions repeat a label and are None
under a figure.
"""

from __future__ import annotations

import datetime as dt
import re

import lxml.html
import trafilatura
from lxml import etree

from archive.extract.encoding import decode_html
from archive.extract.grid import join_lines, place
from archive.model import Extraction, Grid

EXTRACTOR = f"trafilatura-{trafilatura.__version__}+lxml"
MAX_SPAN = 100  # a hostile colspan="100000" must not allocate a giant grid
_BLOCK = {"p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section", "article"}
_META_KEYS = {
    "articletitle": "title",
    "pubdate": "published_at",
    "contentsource": "source",
    "keywords": "keywords",
    "description": "description",
}
_LABELS = {
    "发布机构": "publisher",
    "发文机关": "publisher",
    "发布单位": "publisher",
    "发布日期": "published_at",
    "发布时间": "published_at",
    "信息来源": "source",
    "来源": "source",
    "索引号": "index_no",
    "成文日期": "written_at",
}
_LABEL_RE = re.compile(
    r"(" + "|".join(sorted(_LABELS, key=len, reverse=True)) + r")\s*[:：]\s*"
    r"(\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?|[^\s:：|]{1,60})"
)
_DATE_RE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")


def iso_date(text: str) -> str | None:
    match = _DATE_RE.search(text)
    if not match:
        return None
    try:
        return dt.date(*(int(g) for g in match.groups())).isoformat()
    except ValueError:
        return None


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
    return table.xpath("./tr|./thead/tr|./tbody/tr|./tfoot/tr")


def table_grid(table: etree._Element) -> Grid:
    spec = [
        [(_cell_text(c), _span(c, "rowspan"), _span(c, "colspan")) for c in row.xpath("./td|./th")]
        for row in _rows(table)
    ]
    return place(spec)


def tables_of(root: etree._Element) -> list[Grid]:
    """Innermost tables with at least two cells, in document order."""
    out = []
    for table in root.iter("table"):
        if table.find(".//table") is not None:
            continue
        grid = table_grid(table)
        if sum(1 for row in grid for cell in row if cell) >= 2:
            out.append(grid)
    return out


def page_meta(root: etree._Element, visible_text: str) -> dict[str, str]:
    meta: dict[str, str] = {}
    for label, value in _LABEL_RE.findall(visible_text):
        key = _LABELS[label]
        meta.setdefault(key, value.strip())
    for el in root.iter("meta"):
        name = (el.get("name") or "").strip().lower()
        content = (el.get("content") or "").strip()
        if name in _META_KEYS and content:
            meta[_META_KEYS[name]] = content  # declared metadata beats the visible block
    title = root.find(".//title")
    if "title" not in meta and title is not None and (title.text or "").strip():
        meta["title"] = title.text.strip()  # type: ignore[union-attr]
    for key in ("published_at", "written_at"):
        if key in meta:
            iso = iso_date(meta[key])
            if iso:
                meta[key] = iso
            else:
                del meta[key]
    return meta


def _strip_xml_decl(text: str) -> str:
    # lxml refuses str input that carries an encoding declaration.
    return re.sub(r"^\s*<\?xml[^>]*\?>", "", text, count=1)


def extract_html(data: bytes, declared: str | None = None, url: str | None = None) -> Extraction:
    text, encoding = decode_html(data, declared)
    try:
        root = lxml.html.document_fromstring(_strip_xml_decl(text) or "<html></html>")
    except (etree.ParserError, ValueError) as exc:
        return Extraction("html", extractor=EXTRACTOR, error=f"unparseable HTML: {exc}")
    for bad in root.xpath("//script|//style|//noscript"):
        bad.drop_tree()
    body = root.find("body")
    visible = body.text_content() if body is not None else root.text_content()
    main = trafilatura.extract(
        text, url=url, include_tables=True, include_comments=False, favor_recall=True, deduplicate=False
    )
    meta = page_meta(root, visible)
    meta["encoding"] = encoding
    fallback = "\n".join(line.strip() for line in visible.splitlines() if line.strip())
    return Extraction(
        "html",
        text=main or fallback,
        tables=tables_of(root),
        extractor=EXTRACTOR,
        page_meta=meta,
    )
