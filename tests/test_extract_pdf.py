"""PDF text and table reconstruction against LibreOffice-made PDFs of the report."""

from __future__ import annotations

import time
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from archive.extract import extract_file
from archive.extract.grid import place
from archive.extract.pagejoin import join_pages
from archive.extract.pdftables import Char, Seg, Table, fill, find_tables
from tests.fixtures_docs import (
    ACTIVE_2019,
    appeals_spec,
    applications_spec,
    converted,
    encrypted_pdf,
    needs_soffice,
    truncated_copy,
)

pytestmark = [needs_soffice, pytest.mark.libreoffice]


def test_pdf_tables_exact_including_page_break() -> None:
    ext = extract_file(converted()["pdf"])
    assert ext.error is None, ext.error
    assert ext.media_type == "pdf"
    assert ext.extractor.startswith("pypdfium2")
    assert ext.pages == 5
    assert ext.ocr is False
    # The applications table runs over pages 3 and 4 with its three header rows repeated on page 4, and
    # the row 1.信访举报投诉类申请 is cut by the page break: one grid, header once, the row whole.
    assert ext.tables == [place(ACTIVE_2019), place(applications_spec()), place(appeals_spec())]


def test_pdf_wrapped_header_text_is_joined() -> None:
    appeals = extract_file(converted()["pdf"]).tables[2]
    # 结果维持 wraps one or two characters per line in the narrow columns.
    assert appeals[2][:5] == ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    assert appeals[3] == ["2", "1", "0", "1", "4", "3", "0", "1", "0", "4", "0", "0", "0", "1", "1"]


def test_pdf_text_has_every_page() -> None:
    ext = extract_file(converted()["pdf"])
    pages = ext.text.split("\f")
    assert len(pages) == 5
    assert "一、总体情况" in pages[0]
    assert "六、其他需要报告的事项" in pages[4]


def test_pdf_speed() -> None:
    path = converted()["pdf"]
    extract_file(path)
    start = time.perf_counter()
    for _ in range(10):
        extract_file(path)
    per = (time.perf_counter() - start) / 10
    # ~25-30 ms on an idle core (benchmarks/extract_speed.py); the bound is loose because the suite
    # shares 2 cores with other tests, and still catches an order-of-magnitude regression.
    assert per < 0.5, f"{per * 1000:.0f} ms per 5-page report"


def test_encrypted_pdf_is_a_clear_error() -> None:
    ext = extract_file(encrypted_pdf())
    assert ext.error == "encrypted PDF"


def test_truncated_pdf_is_a_clear_error(tmp_path: Path) -> None:
    bad = truncated_copy(converted()["pdf"], tmp_path / "cut.pdf", keep=0.4)
    ext = extract_file(bad)
    assert ext.media_type == "pdf"
    # pdfium may repair a cut file; it must then still not crash, and never invent tables.
    if ext.error is None:
        assert all(len(g) < 30 for g in ext.tables)
    else:
        assert ext.error.startswith("corrupt PDF")


def test_garbage_after_pdf_magic_is_corrupt(tmp_path: Path) -> None:
    bad = tmp_path / "junk.pdf"
    bad.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 10)
    ext = extract_file(bad)
    assert ext.error is not None and ext.error.startswith("corrupt PDF")


def _box_table(xs: list[float], ys: list[float]) -> list[Seg]:
    segs = [Seg(True, y, xs[0], xs[-1]) for y in ys]
    return segs + [Seg(False, x, ys[0], ys[-1]) for x in xs]


def test_missing_separator_makes_a_merged_cell() -> None:
    xs, ys = [0.0, 50.0, 100.0, 150.0], [0.0, 20.0, 40.0]
    segs = [Seg(True, y, 0, 150) for y in ys]
    # The separator at x=50 is drawn only in the second row: the first row's first two cells merge.
    segs += [Seg(False, 0, 0, 40), Seg(False, 150, 0, 40), Seg(False, 100, 0, 40), Seg(False, 50, 20, 40)]
    (table,) = find_tables(segs)
    chars = [Char("合", 10, 5, 20, 15), Char("并", 20, 5, 30, 15), Char("9", 120, 5, 125, 15)]
    chars += [Char("1", 10, 25, 15, 35), Char("2", 60, 25, 65, 35), Char("3", 110, 25, 115, 35)]
    assert fill(table, chars) == []
    assert table.grid == [["合并", "合并", "9"], ["1", "2", "3"]]
    assert table.xs == xs and table.ys == ys


def test_continued_table_realigned_by_x() -> None:
    """Piece two has an extra column edge; the header repeats and is dropped."""
    a = Table([0, 50, 100], [700, 720, 780], [])
    a.grid = [["项目", "数量"], ["甲", "1"]]
    b = Table([0, 50, 75, 100], [40, 60, 80], [])
    b.grid = [["项目", "数量", "数量"], ["乙", "2", None]]
    assert join_pages([[a], [b]], page_height=792) == [
        [["项目", "数量", "数量"], ["甲", "1", None], ["乙", "2", None]]
    ]


def test_unmapped_glyphs_count_as_no_text_layer() -> None:
    from archive.extract.pdf import needs_ocr

    assert needs_ocr("", 1)
    assert needs_ocr("\ue000\ue001\ue002" * 40, 1)
    assert not needs_ocr("本报告依据《中华人民共和国政府信息公开条例》编制。" * 3, 1)


def test_different_tables_on_consecutive_pages_stay_apart() -> None:
    """Section 二 ends a page and section 三 starts the next with the same outer edges: two tables."""
    a = Table([0, 100, 200, 300, 400], [700, 720, 780], [])
    a.grid = [["规章", "0", "0", "0"], ["行政强制", "8", "0", "2"]]
    b = Table([0, 40, 80, 120, 160, 240, 320, 400], [40, 60], [])
    b.grid = [["一", "1", "2", "3", "4", "5", "6"]]
    assert join_pages([[a], [b]], page_height=792) == [a.grid, b.grid]


def _word_style_pdf(path: Path) -> Path:
    """A PDF written with pdfium itself, borders drawn the way Word draws them: thin filled rectangles.
    The separator at x=300 is missing in the first row (a header merged over two columns)."""
    import ctypes

    import pypdfium2.raw as c

    doc = pdfium.PdfDocument.new()
    page = doc.new_page(595, 842)
    xs, ys = [72, 200, 300, 400], [700, 680, 660, 640]

    def rect(x: float, y: float, w: float, h: float) -> None:
        obj = c.FPDFPageObj_CreateNewRect(x, y, w, h)
        c.FPDFPageObj_SetFillColor(obj, 0, 0, 0, 255)
        c.FPDFPath_SetDrawMode(obj, c.FPDF_FILLMODE_WINDING, False)
        c.FPDFPage_InsertObject(page.raw, obj)

    for y in ys:
        rect(xs[0], y - 0.25, xs[-1] - xs[0], 0.5)
    for x in xs:
        top = ys[1] if x == 300 else ys[0]
        rect(x - 0.25, ys[-1], 0.5, top - ys[-1])
    cells = {(0, 0): "Item", (0, 1): "Counts", (1, 0): "Licensing", (1, 1): "15", (1, 2): "-1"}
    cells |= {(2, 0): "Penalty", (2, 1): "160", (2, 2): "+5"}
    for (r, col), text in cells.items():
        obj = c.FPDFPageObj_NewTextObj(doc.raw, b"Helvetica", 9.0)
        buf = ctypes.create_string_buffer((text + "\0").encode("utf-16-le"))
        c.FPDFText_SetText(obj, ctypes.cast(buf, ctypes.POINTER(c.FPDF_WCHAR)))
        c.FPDFPageObj_Transform(obj, 1, 0, 0, 1, xs[col] + 4, ys[r] - 14)
        c.FPDFPage_InsertObject(page.raw, obj)
    c.FPDFPage_GenerateContent(page.raw)
    doc.save(str(path))
    return path


def test_word_style_filled_rect_borders(tmp_path: Path) -> None:
    from archive.extract.pdf import extract_pdf

    ext = extract_pdf(_word_style_pdf(tmp_path / "word.pdf"), ocr_fallback=False)
    assert ext.error is None
    assert ext.tables == [[["Item", "Counts", "Counts"], ["Licensing", "15", "-1"], ["Penalty", "160", "+5"]]]
