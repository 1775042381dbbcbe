"""OFD: text and a ruled table from the page XML (an OFD written to the GB/T 33190 layout)."""

from __future__ import annotations

import zipfile
from pathlib import Path

from archive.extract import extract_file
from archive.extract.sniff import sniff_file

NS = 'xmlns:ofd="http://www.ofdspec.org/2016"'


def _page(rows: list[list[str]]) -> str:
    """A page with a title line and a ruled table: 30 mm columns, 8 mm rows, origin at (20, 40) mm."""
    objs = [
        '<ofd:TextObject ID="1" Boundary="20 20 120 10" Size="5"><ofd:TextCode X="0" Y="6" DeltaX="g 3 5">年度报告</ofd:TextCode></ofd:TextObject>'
    ]
    n_rows, n_cols = len(rows), len(rows[0])
    for r in range(n_rows + 1):
        objs.append(
            f'<ofd:PathObject ID="h{r}" Boundary="20 {40 + 8 * r} {30 * n_cols} 0.3"><ofd:AbbreviatedData>M 0 0 L {30 * n_cols} 0</ofd:AbbreviatedData></ofd:PathObject>'
        )
    for c in range(n_cols + 1):
        objs.append(
            f'<ofd:PathObject ID="v{c}" Boundary="{20 + 30 * c} 40 0.3 {8 * n_rows}"><ofd:AbbreviatedData>M 0 0 L 0 {8 * n_rows}</ofd:AbbreviatedData></ofd:PathObject>'
        )
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            delta = f' DeltaX="g {len(text) - 1} 3.5"' if len(text) > 1 else ""
            objs.append(
                f'<ofd:TextObject ID="t{r}{c}" Boundary="{21 + 30 * c} {41 + 8 * r} 28 6" Size="3.5">'
                f'<ofd:TextCode X="0" Y="4"{delta}>{text}</ofd:TextCode></ofd:TextObject>'
            )
    return f'<?xml version="1.0" encoding="UTF-8"?><ofd:Page {NS}><ofd:Content><ofd:Layer ID="0">{"".join(objs)}</ofd:Layer></ofd:Content></ofd:Page>'


def make_ofd(path: Path, rows: list[list[str]]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "OFD.xml",
            f'<?xml version="1.0"?><ofd:OFD {NS} Version="1.0"><ofd:DocBody><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>',
        )
        zf.writestr(
            "Doc_0/Document.xml",
            f'<?xml version="1.0"?><ofd:Document {NS}><ofd:Pages><ofd:Page ID="1" BaseLoc="Pages/Page_0/Content.xml"/></ofd:Pages></ofd:Document>',
        )
        zf.writestr("Doc_0/Pages/Page_0/Content.xml", _page(rows))
    return path


ROWS = [["信息内容", "上一年项目数量", "本年增/减"], ["行政许可", "15", "-1"], ["行政处罚", "160", "+5"]]


def test_ofd_text_and_table(tmp_path: Path) -> None:
    path = make_ofd(tmp_path / "report.ofd", ROWS)
    assert sniff_file(path) == "ofd"
    ext = extract_file(path)
    assert ext.error is None, ext.error
    assert ext.extractor == "ofd-xml"
    assert ext.pages == 1
    assert ext.text.splitlines()[0] == "年度报告"
    assert ext.tables == [ROWS]


def test_ofd_without_document_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "x.ofd"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(
            "OFD.xml",
            f"<ofd:OFD {NS}><ofd:DocBody><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>",
        )
    ext = extract_file(path)
    assert ext.error is not None and ext.error.startswith("corrupt OFD: missing part")
