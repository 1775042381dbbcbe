"""DOCX writer: python-docx with real merged cells (gridSpan / vMerge), as county offices produce them."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import Table as DocxTable

from tests.docfactory.layout import Table, body_blocks, is_heading
from tests.docfactory.spec import ReportSpec

FONT = "Noto Serif CJK SC"  # installed by fonts-noto-cjk; LibreOffice embeds it in the PDF
USABLE_WIDTH_CM = 17.0


def _set_font(style_or_run: object, size: float | None = None) -> None:
    font = style_or_run.font  # type: ignore[attr-defined]
    font.name = FONT
    if size:
        font.size = Pt(size)
    rpr = style_or_run.element.get_or_add_rPr()  # type: ignore[attr-defined]
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), FONT)  # without it Word/LibreOffice pick a fallback for Chinese


def _widths(table: Table) -> list[float]:
    """Column widths (cm): wide label columns on the left, equal number columns."""
    labels = {"active": [4.6], "applications": [1.3, 1.9, 4.6], "appeals": []}[table.section]
    rest = (USABLE_WIDTH_CM - sum(labels)) / (table.n_cols - len(labels))
    return labels + [rest] * (table.n_cols - len(labels))


def _mark_header_rows(dt: DocxTable, n: int) -> None:
    for row in dt.rows[:n]:
        tr_pr = row._tr.get_or_add_trPr()
        el = OxmlElement("w:tblHeader")
        el.set(qn("w:val"), "true")
        tr_pr.append(el)  # type: ignore[arg-type]


def _write_table(doc: object, table: Table, repeat_header: bool) -> None:
    dt: DocxTable = doc.add_table(rows=table.n_rows, cols=table.n_cols)  # type: ignore[attr-defined]
    dt.style = "Table Grid"
    dt.alignment = WD_TABLE_ALIGNMENT.CENTER
    dt.autofit = False
    widths = _widths(table)
    for j, column in enumerate(dt.columns):
        column.width = Cm(widths[j])  # tblGrid: what LibreOffice lays out by
    # table.cell() rescans the whole table on every call; the layout's merges never overlap, so the cell
    # objects taken once before merging stay valid.
    cells = dt._cells
    for k, cell in enumerate(cells):
        cell.width = Cm(widths[k % table.n_cols])
    size = 7.5 if table.section == "appeals" else 9
    for c in table.cells:
        anchor = cells[c.row * table.n_cols + c.col]
        if c.rowspan > 1 or c.colspan > 1:
            corner = cells[(c.row + c.rowspan - 1) * table.n_cols + c.col + c.colspan - 1]
            anchor = anchor.merge(corner)
        para = anchor.paragraphs[0]
        for extra in anchor.paragraphs[1:]:  # merge() leaves one empty paragraph per covered cell
            extra._p.getparent().remove(extra._p)
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER if c.col > 0 or c.row < table.header_rows else None
        run = para.add_run(c.text)
        _set_font(run, size)
    if repeat_header and table.header_rows:
        _mark_header_rows(dt, table.header_rows)


def write_docx(spec: ReportSpec, path: Path) -> Path:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2)
    _set_font(doc.styles["Normal"], 11)
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(spec.title)
    run.bold = True
    _set_font(run, 16)
    for block in body_blocks(spec):
        if isinstance(block, Table) and block.break_before is not None:
            # LibreOffice ignores page breaks inside table rows, so the table is cut in two around one.
            head, tail = block.split(block.break_before, spec.repeat_header)
            _write_table(doc, head, spec.repeat_header)
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
            _write_table(doc, tail, spec.repeat_header)
            doc.add_paragraph()
            continue
        if isinstance(block, Table):
            _write_table(doc, block, spec.repeat_header)
            doc.add_paragraph()
            continue
        para = doc.add_paragraph()
        run = para.add_run(block)
        _set_font(run)
        if is_heading(block):
            run.bold = True
        else:
            para.paragraph_format.first_line_indent = Pt(22)
    if spec.published_at:
        sign = doc.add_paragraph()
        sign.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _set_font(sign.add_run(spec.agency), 11)
        sign.add_run().add_break(WD_BREAK.LINE)
        _set_font(sign.add_run(_chinese_date(spec.published_at)), 11)
    props = doc.core_properties
    props.title, props.author, props.last_modified_by = spec.title, spec.agency, spec.agency
    if spec.published_at:  # as the office saved it, not when the test ran
        props.created = props.modified = datetime.fromisoformat(spec.published_at)
    doc.save(str(path))
    return path


def _chinese_date(iso: str) -> str:
    y, m, d = (int(x) for x in iso.split("-"))
    return f"{y}年{m}月{d}日"
