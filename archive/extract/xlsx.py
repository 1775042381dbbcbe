"""Spreadsheets: XLSX with openpyxl, XLS with xlrd. One grid per sheet, merged ranges resolved by the
grid convention of archive.extract.grid; text is the rows joined with tabs, sheets separated by a blank line.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import xlrd

from archive.extract.grid import covered_value
from archive.extract.limits import LimitError, open_zip
from archive.model import Extraction, Grid, located

MAX_CELLS = 2_000_000


def _str(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _located(grid: Grid, sheet: int) -> Grid:
    """Each cell `Located` by its sheet (1-based) and the spreadsheet's row and column numbers; done
    before trimming, so the numbers stay the sheet's own, but only over what trimming keeps (a formatted,
    empty range of a million cells makes no places)."""
    width = max((max((i + 1 for i, c in enumerate(row) if c), default=0) for row in grid), default=0)
    return [
        [c if c is None else located(c, [sheet, r, k]) for k, c in enumerate(row[:width], start=1)]
        if any(row)
        else row
        for r, row in enumerate(grid, start=1)
    ]


def _trim(grid: Grid) -> Grid:
    """Drop empty rows and empty trailing columns (sheets carry formatted but empty ranges)."""
    rows = [row for row in grid if any(row)]
    width = max((max((i + 1 for i, c in enumerate(row) if c), default=0) for row in rows), default=0)
    return [row[:width] for row in rows]


def _apply_merges(grid: Grid, merges: list[tuple[int, int, int, int]]) -> None:
    """merges: (row0, col0, row1, col1) inclusive, 0-based."""
    for r0, c0, r1, c1 in merges:
        if r0 >= len(grid):
            continue
        anchor = grid[r0][c0] if c0 < len(grid[r0]) else ""
        for r in range(r0, min(r1 + 1, len(grid))):
            for c in range(c0, min(c1 + 1, len(grid[r]))):
                if (r, c) != (r0, c0):
                    grid[r][c] = covered_value(anchor)


def _render(grids: list[Grid]) -> str:
    return "\n\n".join("\n".join("\t".join(c or "" for c in row) for row in grid) for grid in grids)


def extract_xlsx(path: Path) -> Extraction:
    try:
        with open_zip(path):
            pass
        # From a file object, never a path: openpyxl refuses a path without an .xlsx-like suffix, and blobs
        # in the store have no suffix at all. The workbook is read whole here, so the file can close after.
        with open(path, "rb") as fh:
            wb = openpyxl.load_workbook(fh, data_only=True, read_only=False)
    except LimitError as exc:
        return Extraction("xlsx", extractor="openpyxl", error=str(exc))
    except MemoryError:
        raise
    except Exception as exc:
        # Besides the container's errors (limits.CORRUPT_CONTAINER) openpyxl fails on damaged parts with
        # KeyError, TypeError, IndexError (fuzzing: worksheet/_reader.py) …: whatever it raises while loading
        # means a corrupt file, as for xlrd below.
        return Extraction("xlsx", extractor="openpyxl", error=f"corrupt XLSX: {type(exc).__name__}: {exc}")
    grids: list[Grid] = []
    try:
        for sheet, ws in enumerate(wb.worksheets, start=1):
            if (ws.max_row or 0) * (ws.max_column or 0) > MAX_CELLS:
                return Extraction(
                    "xlsx", extractor="openpyxl", error=f"sheet {ws.title!r} exceeds {MAX_CELLS} cells"
                )
            grid: Grid = [[_str(v) for v in row] for row in ws.iter_rows(values_only=True)]
            merges = [
                (m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1) for m in ws.merged_cells.ranges
            ]
            grid = _located(grid, sheet)
            _apply_merges(grid, merges)
            grid = _trim(grid)
            if grid:
                grids.append(grid)
    finally:
        wb.close()
    return Extraction("xlsx", text=_render(grids), tables=grids, pages=len(grids), extractor="openpyxl")


def extract_xls(path: Path) -> Extraction:
    try:
        # From the bytes: xlrd sniffs the content (it ignores the name), and reading them here keeps it so.
        book = xlrd.open_workbook(file_contents=path.read_bytes(), formatting_info=True, on_demand=True)
    except Exception as exc:  # xlrd raises bare XLRDError, struct and assertion errors on damaged files
        return Extraction("xls", extractor="xlrd", error=f"corrupt XLS: {exc}")
    grids: list[Grid] = []
    try:
        for number, sheet in enumerate(book.sheets(), start=1):
            if sheet.nrows * sheet.ncols > MAX_CELLS:
                return Extraction(
                    "xls", extractor="xlrd", error=f"sheet {sheet.name!r} exceeds {MAX_CELLS} cells"
                )
            grid: Grid = [
                [_str(sheet.cell_value(r, c)) for c in range(sheet.ncols)] for r in range(sheet.nrows)
            ]
            merges = [(r0, c0, r1 - 1, c1 - 1) for r0, r1, c0, c1 in sheet.merged_cells]
            grid = _located(grid, number)
            _apply_merges(grid, merges)
            grid = _trim(grid)
            if grid:
                grids.append(grid)
    except Exception as exc:  # damaged records surface only while reading cells
        return Extraction("xls", extractor="xlrd", error=f"corrupt XLS: {exc}")
    finally:
        book.release_resources()
    return Extraction("xls", text=_render(grids), tables=grids, pages=len(grids), extractor="xlrd")
