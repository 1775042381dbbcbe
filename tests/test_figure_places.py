"""Where a figure was read (issue 21, citable figures): every figure placed from a located cell says where in
its original it is, and that place, looked up in the original with another reader, holds the figure's
printed text. Documents made by real tools (LibreOffice PDF, python-docx, openpyxl)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pypdfium2 as pdfium
import pytest
from docx import Document
from docx.oxml.ns import qn

from archive.cellplaces import relocate, split
from archive.extract import extract_file
from archive.model import Stat, Where, located, where_of
from archive.report.template import map_report
from tests.fixtures_docs import build_report_html, build_report_xlsx, converted, needs_soffice, report_docx

VARIANTS = Path(__file__).parent / "eval" / "variants"  # frozen documents of other toolchains


def _figures(path: Path) -> list[Stat]:
    ex = extract_file(path)
    assert ex.error is None, ex.error
    # The mapper as interpret calls it (a bare spreadsheet names no report, so interpret would read none).
    stats = map_report(relocate(ex.tables, ex.cells), ex.text, 2020, ex.text_places).stats
    assert len(stats) > 150
    return [s for s in stats if s.raw]


def _boxes_hold_their_text(path: Path, figures: list[Stat]) -> set[int]:
    """Every figure has a page and a box, and the PDF's text inside that box is the figure as printed."""
    assert all(s.where is not None and s.where.page and s.where.box for s in figures)
    doc = pdfium.PdfDocument(str(path))
    pages = [(p, p.get_textpage()) for p in doc]  # once per page, not per figure
    try:
        for s in figures:
            assert s.where is not None and s.where.page is not None and s.where.box is not None
            page, textpage = pages[s.where.page - 1]
            height = page.get_height()
            x0, y0, x1, y1 = s.where.box
            assert 0 <= x0 < x1 <= page.get_width() and 0 <= y0 < y1 <= height
            text = textpage.get_text_bounded(left=x0, bottom=height - y1, right=x1, top=height - y0)
            assert "".join(text.split()) == s.raw.replace(" ", ""), (s.section, s.row, s.col, text, s.raw)
    finally:
        doc.close()
    return {s.where.page for s in figures if s.where and s.where.page}


@needs_soffice
@pytest.mark.libreoffice
def test_pdf_figures_have_a_page_and_a_box_holding_their_text() -> None:
    path = converted()["pdf"]
    pages = _boxes_hold_their_text(path, _figures(path))
    assert pages == {1, 3, 4}, pages  # section 三 runs over a page break: its cells keep their own pages


@pytest.mark.parametrize("name", ["17-chromium-2019.pdf", "22-chromium-vertical-2021.pdf"])
def test_figures_of_a_pdf_without_rules_are_boxed_from_its_text_layer(name: str) -> None:
    """Tables rebuilt from the text layer (no ruling lines): each figure's characters give its box."""
    path = VARIANTS / name
    assert len(_boxes_hold_their_text(path, _figures(path))) >= 2  # the table runs over a page break


@pytest.mark.parametrize("name", ["13-html-pipe-2019.html", "15-html-cells-2019.html"])
def test_html_figures_written_as_text_name_their_element_and_characters(name: str) -> None:
    """A table written as paragraphs (pipe rows; a cell per paragraph): the block element and the span of
    the figure in its text."""
    from archive.extract.pageinfo import parse_html

    path = VARIANTS / name
    figures = _figures(path)
    root = parse_html(path.read_text(encoding="utf-8"))
    assert root is not None
    for s in figures:
        assert s.where is not None and s.where.element and s.where.span, (s.section, s.row, s.col)
        (element,) = root.getroottree().xpath(s.where.element)
        a, b = s.where.span
        assert element.text_content()[a:b] == s.raw, (s.row, s.col, s.where)
    # The figure page marks it in the element's text, read from the archived bytes as the server reads them.
    from archive.extract.html import element_text
    from govarchive.datasette_plugin import cite

    s = figures[-1]
    assert s.where is not None and s.where.element and s.where.span
    fig = {"raw": s.raw, "src_element": s.where.element, "src_span": "{},{}".format(*s.where.span)}
    marked = cite.text_with_mark(element_text(path.read_bytes(), s.where.element), fig)
    assert marked is not None and marked[1] == s.raw
    words = cite.place_words(fig)
    assert words is not None and s.where.element in words[1]
    assert cite.text_with_mark(element_text(path.read_bytes(), "/html/body/p[999]"), fig) is None


def test_a_number_in_running_text_is_not_taken_for_the_tables_figure() -> None:
    """Only a token standing where a table row's figures stand is a figure's place (archive/textplaces.py)."""
    from archive.textplaces import locate_grids, token_spans

    text = "共收到申请 28 件，办结 28 件。\n（一）予以公开 28\n（二）部分公开 3 0\n"
    places = [[a, b, 1, float(a), 0.0, float(b), 9.0] for a, b in token_spans(text)]
    grid: list[list[str | None]] = [["（一）予以公开", "28"], ["（二）部分公开", "3", "0"], ["其他", "5"]]
    locate_grids([grid], text, places)
    first = text.index("（一）予以公开 28") + len("（一）予以公开 ")
    assert where_of(grid[0][1]) == Where(page=1, box=(float(first), 0.0, float(first + 2), 9.0))
    assert where_of(grid[1][1]) is not None and where_of(grid[1][2]) is not None
    assert where_of(grid[2][1]) is None and grid == [
        ["（一）予以公开", "28"],
        ["（二）部分公开", "3", "0"],
        ["其他", "5"],
    ]


def test_docx_figures_name_the_table_row_and_cell_of_the_document(tmp_path: Path) -> None:
    path = report_docx()
    figures = _figures(path)
    assert all(s.where is not None and s.where.page is None for s in figures)
    tables = list(Document(str(path)).element.body.iter(qn("w:tbl")))
    for s in figures:
        assert s.where is not None and s.where.table and s.where.row and s.where.col
        tr = tables[s.where.table - 1].findall(qn("w:tr"))[s.where.row - 1]
        tc = tr.findall(qn("w:tc"))[s.where.col - 1]
        assert "".join(t.text or "" for t in tc.iter(qn("w:t"))) == s.raw, (s.row, s.col, s.where)


def test_xlsx_figures_name_the_sheet_and_its_own_cell(tmp_path: Path) -> None:
    path = build_report_xlsx(tmp_path / "report.xlsx")
    figures = _figures(path)
    wb = openpyxl.load_workbook(path)
    for s in figures:
        assert s.where is not None and s.where.table and s.where.row and s.where.col
        value = wb.worksheets[s.where.table - 1].cell(s.where.row, s.where.col).value
        assert str(value) == s.raw, (s.row, s.col, s.where)


def test_html_figures_name_the_table_row_and_cell_of_the_page(tmp_path: Path) -> None:
    import lxml.html

    path = build_report_html(tmp_path / "report.html")
    figures = _figures(path)
    root = lxml.html.fromstring(path.read_bytes())
    tables = list(root.iter("table"))  # the layout table counts: every table, in document order
    for s in figures:
        assert s.where is not None and s.where.table and s.where.row and s.where.col
        tr = tables[s.where.table - 1].xpath("./tr|./tbody/tr")[s.where.row - 1]
        assert tr.xpath("./td|./th")[s.where.col - 1].text_content().strip() == s.raw


def test_places_survive_storage_and_derived_figures_have_none() -> None:
    grid = [
        [
            located("总计", Where(page=2, box=(1.04, 2.0, 3.0, 4.0)).to_json()),
            located("7", Where(table=1, row=2, col=3).to_json()),
        ]
    ]
    plain, places = split([grid, [["x", None]]])
    assert plain == [[["总计", "7"]], [["x", None]]] and type(plain[0][0][1]) is str
    assert places == [[[[2, 1.0, 2.0, 3.0, 4.0], [1, 2, 3]]], [[None, None]]]
    back = relocate(plain, places)
    assert where_of(back[0][0][0]) == Where(page=2, box=(1.0, 2.0, 3.0, 4.0))
    assert where_of(back[0][0][1]) == Where(table=1, row=2, col=3) and where_of(back[1][0][0]) is None
    assert split([[["a"]]]) == ([[["a"]]], [])  # nothing located: no places stored


@needs_soffice
@pytest.mark.libreoffice
def test_a_marked_page_is_cached_and_drawn_even_without_a_writable_cache(tmp_path: Path) -> None:
    from archive.products import highlight

    pdf = tmp_path / "blob"
    pdf.write_bytes(converted()["pdf"].read_bytes())
    box = (214.2, 158.8, 257.4, 169.8)
    png = highlight.marked_page(pdf, 3, box, tmp_path / "pages")
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and (tmp_path / "pages" / "blob-p3.png").is_file()
    (tmp_path / "afile").write_text("")
    assert highlight.marked_page(pdf, 3, box, tmp_path / "afile" / "pages") == png  # read-only: drawn anyway
    with pytest.raises(highlight.RenderError, match="no page 9"):
        highlight.marked_page(pdf, 9, box, tmp_path / "pages")
    assert [p.name for p in (tmp_path / "pages").iterdir()] == ["blob-p3.png"]  # no temporary file left


@pytest.mark.parametrize("name", ["10-pagecut-2019.txt", "19-cells-2019.txt"])
def test_each_figure_of_a_text_rendering_is_found_at_its_own_token(name: str) -> None:
    """Text renderings (a label cut by a page break, a cell per line): with
    every token of the text placed at its offsets, each figure is found at a token of its own text."""
    from archive.textplaces import token_spans

    text = (VARIANTS / name).read_text(encoding="utf-8")
    places = [[a, b, 1, float(a), 0.0, float(b), 9.0] for a, b in token_spans(text)]
    figures = [s for s in map_report([], text, 2020, places).stats if s.raw]
    spans = [(int(s.where.box[0]), int(s.where.box[2])) for s in figures if s.where and s.where.box]
    assert len(spans) == len(figures) > 150 and len(set(spans)) == len(spans)
    assert all(text[a:b] == s.raw for (a, b), s in zip(spans, figures, strict=True))


def test_an_html_lines_element_and_offset_name_its_text() -> None:
    """XPaths built in the walk (every step indexed; a name XPath cannot spell, `o:p`, by its place among
    all elements) find the line's element, and the offset its text there; comments count no text."""
    from archive.extract.html import _dom_lines
    from archive.extract.pageinfo import parse_html

    root = parse_html(
        "<html><body><div><p>a 1</p><o:p>b 2</o:p><p>c <b>3</b></p><!-- x --><span>d</span>"
        "<p>e 4<br>f 5</p></div></body></html>"
    )
    assert root is not None
    lines = _dom_lines(root.find("body"))
    assert [line for line, _, _ in lines] == ["a 1", "b 2", "c 3", "d", "e 4", "f 5"]
    assert lines[4][1] == "/html/body/div[1]/p[3]" and lines[1][1] == "/html/body/div[1]"
    for line, path, at in lines:
        (element,) = root.getroottree().xpath(path)
        assert element.text_content()[at : at + len(line)] == line


def test_text_places_are_stored_and_reprocess_gives_them_again(tmp_path: Path) -> None:
    """Figures read from text keep their places through the archive: ingested (the crawl's store → extract
    → report steps), then rebuilt by reprocess, row for row the same."""
    from archive.rebuild import ingest, reprocess
    from archive.store.workspace import Workspace

    ws = Workspace(tmp_path / "data")
    ingest(ws, [VARIANTS / "17-chromium-2019.pdf", VARIANTS / "13-html-pipe-2019.html"], workers=1)
    everything = "SELECT * FROM report_stats ORDER BY report_id, section, row, col"
    before = ws.corpus.conn.execute(everything).fetchall()
    placed = "SELECT count(src_box), count(src_element) FROM report_stats WHERE raw != ''"
    assert tuple(ws.corpus.conn.execute(placed).fetchone()) == (198, 175)
    reprocess(ws, workers=1)
    assert ws.corpus.conn.execute(everything).fetchall() == before
