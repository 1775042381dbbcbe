"""XLSX writer: one sheet, prose in column A, each table with its merged ranges (openpyxl)."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment

from tests.docfactory.layout import Table, body_blocks
from tests.docfactory.spec import ReportSpec


def write_xlsx(spec: ReportSpec, path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "年度报告"
    ws.cell(row=1, column=1, value=spec.title)
    r = 2
    for block in body_blocks(spec):
        if not isinstance(block, Table):
            ws.cell(row=r, column=1, value=block)
            r += 1
            continue
        for c in block.cells:
            row, col = r + c.row, 1 + c.col
            # Figures stay text: the raw cell ("+5", "3659.92 万元") is what the report printed.
            ws.cell(row=row, column=col, value=c.text or None).alignment = Alignment(wrap_text=True)
            if c.rowspan > 1 or c.colspan > 1:
                ws.merge_cells(
                    start_row=row,
                    start_column=col,
                    end_row=row + c.rowspan - 1,
                    end_column=col + c.colspan - 1,
                )
        r += block.n_rows + 1
    wb.save(str(path))
    return path
