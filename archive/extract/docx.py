"""DOCX by walking WordprocessingML directly: `<w:tc>` with `gridSpan` and `vMerge` gives the exact merged
grid (python-docx's row.cells repeats merged text and hides where spans start).

Tables split by a page break into two `<w:tbl>` are joined when nothing but empty paragraphs lies between
them and their column grids (`w:tblGrid`) match; the second piece's repeated header rows are dropped.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from archive.extract.altchunk import AltReader, alt_chunk_reader
from archive.extract.grid import covered_value, join_lines
from archive.extract.limits import CORRUPT_CONTAINER, LimitError, open_zip, parse_xml, read_member
from archive.model import Cell, Extraction, Grid, located

EXTRACTOR = "docx-xml"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_P, _TBL, _TR, _TC = f"{{{W}}}p", f"{{{W}}}tbl", f"{{{W}}}tr", f"{{{W}}}tc"
_T, _TAB, _BR, _CR = f"{{{W}}}t", f"{{{W}}}tab", f"{{{W}}}br", f"{{{W}}}cr"
_VAL = f"{{{W}}}val"
_ALT = f"{{{W}}}altChunk"
_RID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_SKIP = {f"{{{W}}}delText", f"{{{W}}}instrText", f"{{{W}}}del"}


def _para_text(p: etree._Element) -> str:
    out: list[str] = []
    for el in p.iter(_T, _TAB, _BR, _CR):
        if el.tag == _T:
            parent = el.getparent()
            grand = parent.getparent() if parent is not None else None
            if grand is not None and str(grand.tag) in _SKIP:
                continue
            out.append(el.text or "")
        elif el.tag == _TAB:
            out.append("\t")
        else:
            out.append("\n")
    return "".join(out)


def _children(el: etree._Element, tag: str) -> list[etree._Element]:
    """Direct children with `tag`, looking through content controls (w:sdt) and custom XML wrappers."""
    out = []
    for child in el:
        if child.tag == tag:
            out.append(child)
        elif child.tag in (f"{{{W}}}sdt", f"{{{W}}}customXml", f"{{{W}}}sdtContent"):
            out += _children(child, tag)
    return out


def _cell_text(tc: etree._Element) -> str:
    return join_lines([line for p in _children(tc, _P) for line in _para_text(p).splitlines()])


def _int_attr(el: etree._Element | None, default: int) -> int:
    if el is None:
        return default
    try:
        return max(1, int(el.get(_VAL, default)))
    except ValueError:
        return default


def table_grid(tbl: etree._Element, number: int | None = None) -> Grid:
    """The table's grid; covered positions follow archive.extract.grid's convention."""
    return _layout(tbl, number)[0]


def _layout(tbl: etree._Element, number: int | None = None) -> tuple[Grid, set[tuple[int, int]]]:
    """The grid and the positions where a cell starts (the others are covered by a span). With `number`
    (the table's place among the document's tables, 1-based) each cell is `Located` by that number, its
    row and its `w:tc` within the row."""
    owner: dict[tuple[int, int], int] = {}
    anchors: list[tuple[int, int, str]] = []  # (row, col, text)
    widths: list[int] = []  # columns each anchor spans
    width = 0
    rows = _children(tbl, _TR)
    for r, tr in enumerate(rows):
        c = (
            _int_attr(tr.find(f"{{{W}}}trPr/{{{W}}}gridBefore"), 0)
            if tr.find(f"{{{W}}}trPr") is not None
            else 0
        )
        for k, tc in enumerate(_children(tr, _TC), start=1):
            span = _int_attr(tc.find(f"{{{W}}}tcPr/{{{W}}}gridSpan"), 1)
            vmerge = tc.find(f"{{{W}}}tcPr/{{{W}}}vMerge")
            continues = vmerge is not None and vmerge.get(_VAL, "continue") == "continue"
            if continues and (r - 1, c) in owner:
                anchor = owner[(r - 1, c)]
            else:
                anchor = len(anchors)
                text = _cell_text(tc)
                anchors.append((r, c, text if number is None else located(text, [number, r + 1, k])))
                widths.append(span)
            for k in range(span):
                owner[(r, c + k)] = anchor
            c += span
        width = max(width, c)
    # A grid column that no cell has to itself (every cell over it also spans a neighbour) is an artefact:
    # LibreOffice's DOC→DOCX turns the 15-column appeals table into 16 this way. Drop it.
    keep = _kept_columns(owner, widths, len(rows), width, _grid_cols(tbl))
    grid: Grid = []
    starts: set[tuple[int, int]] = set()
    first_kept: dict[int, tuple[int, int]] = {}
    for r in range(len(rows)):
        row: list[Cell] = []
        for j, c in enumerate(keep):
            at = owner.get((r, c))
            if at is None:
                row.append("")
                continue
            r0, _, text = anchors[at]
            if at not in first_kept and r == r0:
                first_kept[at] = (r, j)
                starts.add((r, j))
                row.append(text)
            else:
                row.append(covered_value(text))
        grid.append(row)
    return grid, starts


def _kept_columns(
    owner: dict[tuple[int, int], int], widths: list[int], nrows: int, width: int, grid_cols: list[str]
) -> list[int]:
    """Columns minus artefacts: a column that no cell has to itself (every cell over it also spans a
    neighbour). LibreOffice's DOC→DOCX turns the 15-column appeals table into 16 with a 1-twip column;
    when several qualify, the narrowest goes first, and spans shrink as columns go."""
    widths = list(widths)
    kept = list(range(width))

    def col_width(c: int) -> float:
        try:
            return float(grid_cols[c])
        except (IndexError, ValueError):
            return float("inf")

    while True:
        candidates = []
        for c in kept:
            ks = {owner[(r, c)] for r in range(nrows) if (r, c) in owner}
            if ks and all(widths[k] > 1 for k in ks):
                candidates.append((col_width(c), -c, ks))
        if not candidates:
            return kept
        _, neg_c, ks = min(candidates, key=lambda t: (t[0], t[1]))
        kept.remove(-neg_c)
        for k in ks:
            widths[k] -= 1


def _grid_cols(tbl: etree._Element) -> list[str]:
    return [g.get(f"{{{W}}}w", "") for g in tbl.iterfind(f"{{{W}}}tblGrid/{{{W}}}gridCol")]


def _render(grid: Grid, starts: set[tuple[int, int]]) -> str:
    """Tables in the body text: one line per row, cells separated by tabs, covered positions empty."""
    return "\n".join(
        "\t".join((cell or "") if (r, c) in starts else "" for c, cell in enumerate(row))
        for r, row in enumerate(grid)
    )


def _repeated_header(a: Grid, b: Grid) -> int:
    n = 0
    while n < min(len(a), len(b)) - 1 and a[n] == b[n]:
        n += 1
    return n


def parse_document(xml: bytes, alt: AltReader | None = None) -> tuple[str, list[Grid]]:
    """Body text (tables as tab-separated rows) and the grids, in document order. `alt` resolves
    `<w:altChunk>` parts (HTML/MHT embedded in the DOCX)."""
    root = parse_xml(xml)
    body = root.find(f"{{{W}}}body")
    if body is None:
        raise ValueError("no w:body in word/document.xml")
    parts: list[str] = []
    tables: list[Grid] = []
    last_cols: list[str] | None = (
        None  # column grid of the previous table while only blank paragraphs follow it
    )
    # Document order, nested tables too; the dict keeps the element proxies alive, so they stay the same.
    numbers = {t: n for n, t in enumerate(body.iter(_TBL), start=1)}
    for el in _flat_body(body):
        if el.tag == _ALT:
            if alt is not None:
                text, grids = alt(el.get(_RID, ""))
                parts.append(text)
                tables += grids
            last_cols = None
            continue
        if el.tag == _P:
            text = _para_text(el)
            parts.append(text)
            if text.strip():
                last_cols = None
            continue
        grid, starts = _layout(el, numbers.get(el))
        for inner in el.iter(_TBL):  # tables nested in a layout cell are data tables of their own
            if inner is not el:
                tables.append(table_grid(inner, numbers.get(inner)))
        cols = _grid_cols(el)
        if last_cols is not None and cols == last_cols and tables and grid:
            prev = tables[-1]
            if prev and len(prev[0]) == len(grid[0]):
                tables[-1] = prev + grid[_repeated_header(prev, grid) :]
                parts.append(_render(grid, starts))
                continue
        tables.append(grid)
        parts.append(_render(grid, starts))
        last_cols = cols
    return "\n".join(parts), tables


def _flat_body(body: etree._Element) -> list[etree._Element]:
    """Paragraphs and tables of the body in document order (through content controls)."""
    out = []
    for child in body:
        if child.tag in (_P, _TBL, _ALT):
            out.append(child)
        elif child.tag in (f"{{{W}}}sdt", f"{{{W}}}customXml", f"{{{W}}}sdtContent"):
            out += _flat_body(child)
    return out


def extract_docx(path: Path, *, extractor: str = EXTRACTOR, media_type: str = "docx") -> Extraction:
    try:
        with open_zip(path) as zf:
            xml = read_member(zf, "word/document.xml")
            text, tables = parse_document(xml, alt_chunk_reader(zf))
    except LimitError as exc:
        return Extraction(media_type, extractor=extractor, error=str(exc))
    except KeyError:
        return Extraction(media_type, extractor=extractor, error="corrupt DOCX: no word/document.xml")
    except CORRUPT_CONTAINER as exc:
        return Extraction(media_type, extractor=extractor, error=f"corrupt DOCX: {type(exc).__name__}: {exc}")
    return Extraction(media_type, text=text, tables=tables, extractor=extractor)
