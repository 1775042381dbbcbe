"""Span resolution shared by every table reader, so all formats hand the mapper the same kind of grid.

Convention (all formats): a position covered by a rowspan/colspan repeats its anchor's text, so a header
merged over five columns labels each of them and a row label merged down a block labels every row of it.
The one exception is a figure: when the anchor text is a number, covered positions are None, so a merged
number is never counted twice.
"""

from __future__ import annotations

import re

from archive.model import Cell, Grid

_NUMBER = re.compile(r"^[+\-−]?\d[\d,，]*(?:\.\d+)?\s*(?:万元|元|%|件|个|条)?$")
_WS = re.compile(r"[ \t\r\n\u3000\xa0]+")


def is_figure(text: str | None) -> bool:
    return bool(text) and bool(_NUMBER.match(text.strip()))  # type: ignore[union-attr]


def covered_value(anchor: Cell) -> Cell:
    """What a position covered by a span holds (see the module docstring)."""
    return None if anchor is None or is_figure(anchor) else anchor


def join_lines(lines: list[str]) -> str:
    """Join the lines of one cell: Chinese wraps anywhere, so lines join with nothing, except between two
    Latin words or numbers, which keep a space."""
    out = ""
    for raw in lines:
        line = _WS.sub(" ", raw).strip()
        if not line:
            continue
        if out and out[-1].isascii() and out[-1].isalnum() and line[0].isascii() and line[0].isalnum():
            out += " "
        out += line
    return out


def clean_cell(text: str) -> str:
    return join_lines(text.splitlines())


def place(rows: list[list[tuple[str, int, int]]]) -> Grid:
    """Lay out HTML-style rows of (text, rowspan, colspan) anchors into a full grid."""
    taken: dict[tuple[int, int], Cell] = {}
    width = 0
    for r, row in enumerate(rows):
        c = 0
        for text, rowspan, colspan in row:
            while (r, c) in taken:
                c += 1
            rowspan, colspan = max(1, rowspan), max(1, colspan)
            for dr in range(rowspan):
                for dc in range(colspan):
                    taken[(r + dr, c + dc)] = text if dr == dc == 0 else covered_value(text)
            c += colspan
            width = max(width, c)
    height = max([r for r, _ in taken] + [len(rows) - 1]) + 1 if taken else len(rows)
    # Spans that run past the last row are clipped to the rows the table really has.
    height = min(height, len(rows))
    return [[taken.get((r, c), "") for c in range(width)] for r in range(height)]


def drop_empty(grid: Grid) -> Grid:
    """Drop rows that are entirely empty."""
    return [row for row in grid if any(cell for cell in row)]
