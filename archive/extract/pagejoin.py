"""Joining a table continued on the next page (PDF, OFD, scans): same frame, repeated header dropped,
columns realigned by x, a row cut by the page break healed."""

from __future__ import annotations

import difflib

from archive.extract.grid import covered_value, is_figure, join_lines
from archive.extract.pdftables import MIN_CELL, TOL, Table, cluster, index_of
from archive.model import Cell, Grid, Place, located


def _same_frame(a: Table, b: Table) -> bool:
    """Same left and right edges, and mostly the same column edges: two different tables that happen to
    share the text width (section 二 at a page's end, section 三 at the next one's top) do not."""
    if abs(a.xs[0] - b.xs[0]) > TOL * 2 or abs(a.xs[-1] - b.xs[-1]) > TOL * 2:
        return False
    union = cluster(a.xs + b.xs)
    common = sum(
        1
        for x in union
        if any(abs(x - y) <= MIN_CELL for y in a.xs) and any(abs(x - y) <= MIN_CELL for y in b.xs)
    )
    return common >= 0.6 * len(union)


def _realign(t: Table, xs: list[float]) -> Grid:
    """Re-express a table's grid on a finer set of column edges (a column split in two repeats as a span)."""
    out: Grid = []
    for row in t.grid:
        new_row: list[Cell] = []
        for k in range(len(xs) - 1):
            mid = (xs[k] + xs[k + 1]) / 2
            j = index_of(t.xs, mid)
            starts_here = abs(t.xs[j] - xs[k]) <= MIN_CELL
            new_row.append(row[j] if starts_here else covered_value(row[j]))
        out.append(new_row)
    return out


def _similar(x: list[Cell], y: list[Cell]) -> bool:
    """Rows equal, or nearly (OCR reads a repeated header slightly differently each time)."""
    if x == y:
        return True
    a, b = "".join(c or "" for c in x), "".join(c or "" for c in y)
    return len(a) > 4 and difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() >= 0.85


def _header_rows(a: Grid, b: Grid) -> int:
    """How many leading rows of b repeat the leading rows of a (a header repeated on the next page)."""
    n = 0
    while n < min(len(a), len(b)) - 1 and _similar(a[n], b[n]) and not any(is_figure(c) for c in b[n]):
        n += 1
    return n


def _row_has_figures(row: list[Cell]) -> bool:
    return any(is_figure(c) for c in row)


def _join_rows(a: list[Cell], b: list[Cell]) -> list[Cell]:
    out: list[Cell] = []
    for x, y in zip(a, b, strict=True):
        if not y or x == y:
            out.append(x)
        elif not x:
            out.append(y)
        else:
            out.append(join_lines([x, y]))
    return out


def locate(table: Table, page: int) -> None:
    """Make each cell of the table's grid a `Located` text: its page and the box of its region (a merged
    cell's whole region), in points from the page's top-left (to 0.1 pt, as stored)."""
    grid = table.grid
    xs, ys = [round(x, 1) for x in table.xs], [round(y, 1) for y in table.ys]
    nr, nc = min(len(grid), len(ys) - 1), len(xs) - 1
    regions = table.regions or [(r, c, r, c) for r in range(nr) for c in range(nc)]
    for r0, c0, r1, c1 in regions:
        if r1 >= nr or c1 >= nc:
            continue
        at: Place = [page, xs[c0], ys[r0], xs[c1 + 1], ys[r1 + 1]]  # one list shared by the region
        for r in range(r0, r1 + 1):
            row = grid[r]
            for c in range(c0, min(c1 + 1, len(row))):
                text = row[c]
                if text is not None:
                    row[c] = located(text, at)


def join_pages(pages: list[list[Table]], page_height: float, margin: float = 120.0) -> list[Grid]:
    """Grids of all tables in document order; a table that ends near the bottom of a page and one that
    starts near the top of the next, with the same left and right edges, are one table. Every cell is
    `Located` on its page first, so a joined table's cells keep their own pages."""
    out: list[Grid] = []
    prev: Table | None = None  # the last table of the previous page, holding the grid joined so far
    for page, tables in enumerate(pages, start=1):
        for t in tables:
            locate(t, page)
        last: Table | None = None
        for i, t in enumerate(tables):
            if (
                prev is not None
                and i == 0
                and t.ys[0] <= margin
                and prev.ys[-1] >= page_height - margin
                and _same_frame(prev, t)
                and prev.grid
                and t.grid
            ):
                xs = cluster(prev.xs + t.xs)
                head = _realign(prev, xs)
                tail = _realign(t, xs)
                tail = tail[_header_rows(head, tail) :]
                out[-1] = _stitch(head, tail)
                last = Table(xs, t.ys, [], out[-1])
            else:
                out.append(t.grid)
                last = t
        prev = last  # a page without tables breaks the chain
    return out


def _stitch(head: Grid, tail: Grid) -> Grid:
    """Concatenate two pieces of one table, healing what the page break cut."""
    if not tail:
        return head
    last, first = head[-1], list(tail[0])
    # A label merged down across the break leaves an empty region on the new page: it continues the label.
    for c, cell in enumerate(first):
        if not cell and last[c] and not is_figure(last[c]):
            for row in tail:
                if row[c]:
                    break
                row[c] = last[c]
            first[c] = last[c]
    # A row cut in two by the break: one piece holds no figure, and no column has text in both.
    if not _row_has_figures(first) or not _row_has_figures(last):
        clash = any(is_figure(x) and is_figure(y) for x, y in zip(last, first, strict=True))
        if not clash and not _starts_new_row(first, last):
            return [*head[:-1], _join_rows(last, first), *tail[1:]]
    tail[0] = first
    return head + tail


def _starts_new_row(first: list[Cell], last: list[Cell]) -> bool:
    """The next page's first row begins a new labelled row (its label differs and is numbered)."""
    for x, y in zip(first, last, strict=True):
        if x and x != y:
            return bool(x[:1] in "一二三四五六七八九十（(" or x[:1].isdigit()) and not is_figure(x)
    return False
