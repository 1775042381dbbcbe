"""Where each table cell was read: carried through the pipeline as `Located` cell texts, stored beside the
grids as `Extraction.cells` (archive/model.py explains both).

An extractor makes `Located` cells; `split` turns its grids into plain ones plus their places before the
extraction leaves the extractor (so pickles, JSON and comparisons see plain strings); `relocate` puts the
places back onto the cells before the mapper reads them, so each figure it places knows its cell.
"""

from __future__ import annotations

from collections.abc import Sequence

from archive.model import CellPlaces, Grid, Located, Place, located


def split(tables: Sequence[Grid]) -> tuple[list[Grid], CellPlaces]:
    """Plain grids and the place of each cell; no places at all ([]) when no cell knows its place."""
    plain: list[Grid] = []
    places: CellPlaces = []
    known = False
    for grid in tables:
        g: Grid = []
        p: list[list[Place | None]] = []
        for row in grid:
            g.append([str(c) if type(c) is Located else c for c in row])
            at = [c.at if type(c) is Located else None for c in row]
            known = known or at.count(None) < len(at)
            p.append(at)
        plain.append(g)
        places.append(p)
    return plain, places if known else []


def relocate(tables: Sequence[Grid], places: CellPlaces) -> list[Grid]:
    """The grids with each cell that has a stored place as a `Located` (places may be shorter: unknown)."""
    if not places:
        return [list(map(list, grid)) for grid in tables]
    out: list[Grid] = []
    for k, grid in enumerate(tables):
        rows_at = places[k] if k < len(places) else []
        g: Grid = []
        for r, row in enumerate(grid):
            at = rows_at[r] if r < len(rows_at) else []
            line: list[str | None] = []
            for c_i, c in enumerate(row):
                place = at[c_i] if c_i < len(at) else None
                line.append(located(c, place) if isinstance(c, str) and place else c)
            g.append(line)
        out.append(g)
    return out
