"""Segmentation: table grids → runs of one section each, with header rows apart from body rows.

A header row starts a run; body rows join the current run; a table continued over a page break without a
header of its own inherits the previous header of its section. A row is "label cells, then figure cells".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from archive.model import Cell, Grid
from archive.report.codes import norm
from archive.report.detect import data_section, header_section, is_group_label
from archive.report.rows import Numbering, numbering
from archive.report.values import is_value_cell


@dataclass
class Run:
    section: str
    header: list[list[Cell]] = field(default_factory=list)
    rows: list[list[Cell]] = field(default_factory=list)
    inherited: bool = False  # continues the previous table of the same section (no header of its own)


def is_label(cell: Cell) -> bool:
    return bool(cell and cell.strip()) and not is_value_cell(cell)


def is_figure(cell: Cell) -> bool:
    return cell is not None and bool(cell.strip()) and is_value_cell(cell)


def label_cells(row: Sequence[Cell]) -> list[int]:
    """Positions of the row's label cells: those before its first figure (text that OCR or a broken layout
    leaves among the figures is a bad figure, not a label); all of them when the row has no figure."""
    first = next((i for i, c in enumerate(row) if is_figure(c)), len(row))
    return [i for i, c in enumerate(row[:first]) if is_label(c)]


def has_figures(row: Sequence[Cell]) -> bool:
    return any(c is not None and c.strip() and is_value_cell(c) for c in row)


def _numbered(row: Sequence[Cell]) -> bool:
    """A row whose labels carry template numbering (一、 / （三） / 2.), however damaged its words are."""
    cells = tuple(norm(row[i]) for i in label_cells(row))
    return bool(cells) and numbering(cells)[0] != Numbering()


def runs(tables: Sequence[Grid]) -> list[Run]:
    """Rows grouped into runs of one section: a header starts a run, data rows join the current run."""
    out: list[Run] = []
    current: Run | None = None
    last_by_section: dict[str, Run] = {}
    for grid in tables:
        for row in grid:
            joined = norm("|".join(c for c in row if c))
            if not joined:
                continue
            if not has_figures(row):
                section = header_section(joined)
                if section is None:
                    body_section = data_section(joined)
                    if current is not None and body_section == current.section:
                        current.rows.append(list(row))  # a row whose figures are blank or unreadable
                    elif sum(1 for c in row if c and c.strip()) >= 2 and not (
                        body_section or is_group_label(joined)
                    ):
                        current = None  # a header of some other table
                    continue
                # Section 二 is one run with a sub-header per 第二十条 item; elsewhere a header after data
                # rows (a table split over pages and rejoined) starts a run with its own columns.
                if current is None or current.section != section or (current.rows and section != "active"):
                    current = Run(section)
                    out.append(current)
                    last_by_section[section] = current
                current.header.append(list(row))
                if section == "active":
                    current.rows.append(list(row))  # sub-headers must stay in order with the data rows
                continue
            if current is None:
                section = data_section(joined)
                if section is None and "applications" in last_by_section and _numbered(row):
                    section = "applications"  # a numbered row continuing section 三 over a page break
                if section is None:
                    continue
                prev = last_by_section.get(section)
                current = Run(section, header=list(prev.header) if prev else [], inherited=prev is not None)
                out.append(current)
                last_by_section[section] = current
            current.rows.append(list(row))
        # A table ends with its grid; the next grid continues it only through an inherited header.
        current = None
    return out
