"""Spreadsheets: openpyxl- and xlwt-written files with merged ranges."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from archive.extract import extract_file
from archive.extract.grid import place
from tests.fixtures_docs import Spec, appeals_spec


def _write_xlsx(spec: Spec, path: Path) -> Path:
    layout = place(spec)
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    taken: set[tuple[int, int]] = set()
    for r, row in enumerate(spec):
        c = 0
        for text, rs, cs in row:
            while (r, c) in taken:
                c += 1
            taken |= {(r + dr, c + dc) for dr in range(rs) for dc in range(cs)}
            # Figures go in as numbers, as a statistician would type them.
            ws.cell(r + 1, c + 1, int(text) if text.isdigit() else text)
            if rs > 1 or cs > 1:
                ws.merge_cells(start_row=r + 1, start_column=c + 1, end_row=r + rs, end_column=c + cs)
            c += cs
    assert len(layout[0]) == 15
    wb.save(path)
    return path


def test_xlsx_merged_ranges(tmp_path: Path) -> None:
    path = _write_xlsx(appeals_spec(), tmp_path / "appeals.xlsx")
    ext = extract_file(path)
    assert ext.error is None
    assert ext.media_type == "xlsx"
    assert ext.tables == [place(appeals_spec())]
    assert ext.text.splitlines()[-1] == "\t".join(
        ["2", "1", "0", "1", "4", "3", "0", "1", "0", "4", "0", "0", "0", "1", "1"]
    )


def test_xls_merged_ranges(tmp_path: Path) -> None:
    xlwt = pytest.importorskip("xlwt")
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("复议诉讼")
    ws.write_merge(0, 0, 0, 4, "行政复议")
    ws.write_merge(0, 0, 5, 14, "行政诉讼")
    for c, v in enumerate([2, 1, 0, 1, 4, 3, 0, 1, 0, 4, 0, 0, 0, 1, 1]):
        ws.write(1, c, v)
    path = tmp_path / "t.xls"
    wb.save(str(path))
    ext = extract_file(path)
    assert ext.error is None, ext.error
    assert ext.media_type == "xls"
    assert ext.tables == [
        [
            ["行政复议"] * 5 + ["行政诉讼"] * 10,
            ["2", "1", "0", "1", "4", "3", "0", "1", "0", "4", "0", "0", "0", "1", "1"],
        ]
    ]


def test_corrupt_xls_and_xlsx(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xls"
    bad.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    assert (extract_file(bad, "xls").error or "").startswith("corrupt XLS")
    bad_x = tmp_path / "bad.xlsx"
    bad_x.write_bytes(b"PK\x03\x04garbage")
    assert (extract_file(bad_x, "xlsx").error or "").startswith("corrupt XLSX")
