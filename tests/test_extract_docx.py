"""DOCX reader against a real python-docx document with gridSpan/vMerge merges."""

from __future__ import annotations

import base64
import time
import zipfile
from pathlib import Path

from archive.extract import extract_file
from archive.extract.grid import place
from tests.fixtures_docs import ACTIVE_2019, appeals_spec, applications_spec, report_docx, zip_bomb_docx


def test_docx_grids_are_exact() -> None:
    ext = extract_file(report_docx())
    assert ext.error is None
    assert ext.media_type == "docx"
    assert ext.extractor == "docx-xml"
    assert ext.tables == [place(ACTIVE_2019), place(applications_spec()), place(appeals_spec())]


def test_docx_merged_headers_and_vertical_blocks() -> None:
    apps = extract_file(report_docx()).tables[1]
    # 法人或其他组织 spans the five middle applicant columns; 自然人 and 总计 run down two header rows.
    assert apps[1][3:10] == ["自然人", *["法人或其他组织"] * 5, "总计"]
    assert apps[2][3:10] == ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
    # 三、本年度办理结果 is one vMerge cell down 20 rows; 不予公开 down its 8 sub-rows.
    assert [row[0] for row in apps[5:25]] == ["三、本年度办理结果"] * 20
    assert [row[1] for row in apps[7:15]] == ["（三）不予公开"] * 8
    assert apps[25][3:] == ["23", "7", "20", "4", "17", "1", "72"]
    # A figure merged over two columns is not repeated (None), so it is never counted twice.
    assert extract_file(report_docx()).tables[0][14] == ["行政事业性收费", "2", None, "0"]


def test_docx_text_in_document_order_with_tab_rows() -> None:
    text = extract_file(report_docx()).text
    assert (
        text.index("一、总体情况") < text.index("规范性文件\t3\t3\t17") < text.index("六、其他需要报告的事项")
    )
    assert "四、结转下年度继续办理\t\t\t23\t7\t20\t4\t17\t1\t72" in text


def test_docx_speed_per_report() -> None:
    path = report_docx()
    extract_file(path)
    start = time.perf_counter()
    for _ in range(10):
        extract_file(path)
    per = (time.perf_counter() - start) / 10
    # ~10 ms on an idle core; loose bound for a loaded machine, still catches a 20x regression.
    assert per < 0.25, f"{per * 1000:.1f} ms per report"


def test_zip_bomb_docx_is_refused_before_inflating(tmp_path: Path) -> None:
    bomb = zip_bomb_docx(tmp_path / "bomb.docx")
    assert bomb.stat().st_size < 5 * 1024 * 1024
    ext = extract_file(bomb, "docx")
    assert ext.error is not None and ext.error.startswith("zip bomb: uncompressed 0.6 GB > limit")


def test_corrupt_docx_is_an_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.docx"
    bad.write_bytes(report_docx().read_bytes()[:3000])
    ext = extract_file(bad, "docx")
    assert ext.error is not None and ext.error.startswith("corrupt DOCX")
    nodoc = tmp_path / "nodoc.docx"
    with zipfile.ZipFile(nodoc, "w") as zf:
        zf.writestr("word/other.xml", "<x/>")
    assert extract_file(nodoc, "docx").error == "corrupt DOCX: no word/document.xml"


def test_entities_are_not_expanded(tmp_path: Path) -> None:
    """A billion-laughs document.xml must not expand (resolve_entities=False)."""
    lol = (
        '<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        "<w:body><w:p><w:r><w:t>x&c;y</w:t></w:r></w:p></w:body></w:document>"
    )
    path = tmp_path / "lol.docx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("word/document.xml", lol)
    ext = extract_file(path, "docx")
    assert "aaaaaaaaaa" not in ext.text


def test_table_split_by_page_break_is_joined(tmp_path: Path) -> None:
    """Two <w:tbl> with the same column grid, only a page break between them, header repeated: one grid."""
    from docx import Document
    from docx.enum.text import WD_BREAK
    from docx.shared import Cm

    doc = Document()
    rows = [["信息内容", "本年新制作数量"], ["规章", "0"], ["规范性文件", "3"]]
    for i, part in enumerate((rows[:2], [rows[0], rows[2]])):
        if i == 1:
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        table = doc.add_table(rows=len(part), cols=2)
        for r, values in enumerate(part):
            for c, value in enumerate(values):
                table.cell(r, c).text = value
                table.cell(r, c).width = Cm(4)
    path = tmp_path / "split.docx"
    doc.save(str(path))
    ext = extract_file(path)
    assert ext.tables == [rows]


def test_tables_with_text_between_stay_apart(tmp_path: Path) -> None:
    from docx import Document

    doc = Document()
    for label in ("甲", "乙"):
        table = doc.add_table(rows=1, cols=2)
        table.cell(0, 0).text = label
        table.cell(0, 1).text = "1"
        doc.add_paragraph("第二十条第（五）项")
    path = tmp_path / "two.docx"
    doc.save(str(path))
    assert extract_file(path).tables == [[["甲", "1"]], [["乙", "1"]]]


def _with_alt_chunk(src: Path, dest: Path, mht: bytes) -> Path:
    """python-docx's document plus an MHT altChunk after the first paragraph (as CMS exports write it)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "word/document.xml":
                data = data.replace(b"<w:body>", b'<w:body><w:altChunk r:id="rIdAlt1"/>', 1)
            elif item.filename == "word/_rels/document.xml.rels":
                rel = (
                    b'<Relationship Id="rIdAlt1" Target="afchunk.mht" Type="http://schemas.openxmlformats.org/'
                    b'officeDocument/2006/relationships/aFChunk"/></Relationships>'
                )
                data = data.replace(b"</Relationships>", rel)
            elif item.filename == "[Content_Types].xml":
                data = data.replace(
                    b"</Types>", b'<Default Extension="mht" ContentType="message/rfc822"/></Types>'
                )
            zout.writestr(item, data)
        zout.writestr("word/afchunk.mht", mht)
    return dest


def test_alt_chunk_html_is_read_in_place(tmp_path: Path) -> None:
    from docx import Document

    doc = Document()
    doc.add_paragraph("五、存在的主要问题及改进情况")
    src = tmp_path / "src.docx"
    doc.save(str(src))
    html = (
        "<html><body><p>二、主动公开政府信息情况</p><table>"
        '<tr><td colspan="2">第二十条第（一）项</td></tr><tr><td>规章</td><td>0</td></tr></table></body></html>'
    )
    mht = (
        (
            b'MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary="b1"\r\n\r\n--b1\r\n'
            b'Content-Type: text/html; charset="gb2312"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
        )
        + base64.encodebytes(html.encode("gb2312"))
        + b"\r\n--b1--\r\n"
    )
    ext = extract_file(_with_alt_chunk(src, tmp_path / "alt.docx", mht))
    assert ext.error is None
    assert ext.tables == [[["第二十条第（一）项", "第二十条第（一）项"], ["规章", "0"]]]
    assert ext.text.index("二、主动公开政府信息情况") < ext.text.index("五、存在的主要问题及改进情况")
