"""Table reconstruction from ruling lines and character boxes (pure geometry, no PDF library here).

Coordinates are top-down (y grows downwards), in points. The PDF reader feeds this module the ruling
segments of a page (stroked lines, thin filled rectangles, cell-border rectangles) and its characters
with their boxes; this module clusters the segments into tables, finds merged cells by the separators
that are missing, and assigns characters to cells by their centres.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from archive.extract.grid import covered_value, join_lines
from archive.model import Grid

TOL = 2.0  # points: borders of one grid line drawn by different cells differ by less than this
MIN_CELL = 3.0  # points: narrower gaps between grid lines are the same line drawn twice


@dataclass(frozen=True)
class Seg:
    horizontal: bool
    pos: float  # y of a horizontal segment, x of a vertical one
    a: float  # start along the segment
    b: float  # end along the segment


@dataclass(frozen=True)
class Char:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass
class Table:
    """One table found on one page: its grid lines and its merged regions, then its text grid."""

    xs: list[float]
    ys: list[float]
    regions: list[tuple[int, int, int, int]]  # (row0, col0, row1, col1) inclusive, anchor at top-left
    grid: Grid = field(default_factory=list)

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return self.xs[0], self.ys[0], self.xs[-1], self.ys[-1]


def cluster(values: list[float], tol: float = MIN_CELL) -> list[float]:
    out: list[list[float]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= tol:
            out[-1].append(v)
        else:
            out.append([v])
    return [sum(group) / len(group) for group in out]


def merge_segments(segs: list[Seg]) -> list[Seg]:
    """Join collinear segments that touch or overlap (a border drawn cell by cell becomes one line).

    Segments are first grouped into lines by position (a chain of positions each within TOL of the next),
    then each line's intervals are merged; two separate tables on one line stay two segments."""
    out: list[Seg] = []
    for horizontal in (True, False):
        line: list[Seg] = []
        for s in sorted((s for s in segs if s.horizontal == horizontal), key=lambda s: s.pos):
            if line and s.pos - line[-1].pos > TOL:
                out += _merge_line(line)
                line = []
            line.append(s)
        out += _merge_line(line)
    return out


def _merge_line(line: list[Seg]) -> list[Seg]:
    if not line:
        return []
    pos = sum(s.pos for s in line) / len(line)
    merged: list[Seg] = []
    for s in sorted(line, key=lambda s: s.a):
        if merged and s.a <= merged[-1].b + TOL:
            last = merged[-1]
            merged[-1] = Seg(last.horizontal, pos, last.a, max(last.b, s.b))
        else:
            merged.append(Seg(s.horizontal, pos, s.a, s.b))
    return merged


def _touches(h: Seg, v: Seg) -> bool:
    return h.a - TOL <= v.pos <= h.b + TOL and v.a - TOL <= h.pos <= v.b + TOL


def _components(segs: list[Seg]) -> list[list[Seg]]:
    """Groups of segments connected by crossings: one group per table."""
    parent = list(range(len(segs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    hs = [i for i, s in enumerate(segs) if s.horizontal]
    vs = [i for i, s in enumerate(segs) if not s.horizontal]
    for i in hs:
        for j in vs:
            if _touches(segs[i], segs[j]):
                parent[find(i)] = find(j)
    groups: dict[int, list[Seg]] = {}
    for i, s in enumerate(segs):
        groups.setdefault(find(i), []).append(s)
    return list(groups.values())


def _covers(segs: list[Seg], pos: float, a: float, b: float) -> bool:
    """Is the interval [a, b] at `pos` drawn (at least its middle half)?"""
    lo, hi = a + (b - a) * 0.25, b - (b - a) * 0.25
    return any(abs(s.pos - pos) <= TOL and s.a <= lo + TOL and s.b >= hi - TOL for s in segs)


def find_tables(segs: list[Seg]) -> list[Table]:
    tables = []
    for group in _components(merge_segments(segs)):
        hs = [s for s in group if s.horizontal]
        vs = [s for s in group if not s.horizontal]
        if len(hs) < 2 or len(vs) < 2:
            continue
        xs = cluster([s.pos for s in vs])
        ys = cluster([s.pos for s in hs])
        if len(xs) < 2 or len(ys) < 2:
            continue
        tables.append(Table(xs, ys, _regions(xs, ys, hs, vs)))
    tables.sort(key=lambda t: (t.ys[0], t.xs[0]))
    return tables


def _regions(
    xs: list[float], ys: list[float], hs: list[Seg], vs: list[Seg]
) -> list[tuple[int, int, int, int]]:
    """Merged cells: neighbouring grid cells without a separator between them are one region."""
    nr, nc = len(ys) - 1, len(xs) - 1
    parent = list(range(nr * nc))
    # Segments lying on each grid line, so each separator test scans a handful, not all.
    v_on = [[s for s in vs if abs(s.pos - x) <= TOL] for x in xs]
    h_on = [[s for s in hs if abs(s.pos - y) <= TOL] for y in ys]

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for r in range(nr):
        for c in range(nc):
            if c + 1 < nc and not _covers(v_on[c + 1], xs[c + 1], ys[r], ys[r + 1]):
                parent[find(r * nc + c + 1)] = find(r * nc + c)
            if r + 1 < nr and not _covers(h_on[r + 1], ys[r + 1], xs[c], xs[c + 1]):
                parent[find((r + 1) * nc + c)] = find(r * nc + c)
    boxes: dict[int, list[int]] = {}
    for r in range(nr):
        for c in range(nc):
            box = boxes.setdefault(find(r * nc + c), [r, c, r, c])
            box[0], box[1] = min(box[0], r), min(box[1], c)
            box[2], box[3] = max(box[2], r), max(box[3], c)
    return [(b[0], b[1], b[2], b[3]) for b in boxes.values()]


def _text_of(chars: list[Char]) -> str:
    """Characters of one cell → its text: lines by vertical overlap, each line left to right."""
    lines: list[list[Char]] = []
    for ch in sorted(chars, key=lambda c: (c.y0 + c.y1) / 2):
        mid = (ch.y0 + ch.y1) / 2
        if lines and mid <= max(c.y1 for c in lines[-1]):
            lines[-1].append(ch)
        else:
            lines.append([ch])
    return join_lines(["".join(c.text for c in sorted(line, key=lambda c: c.x0)) for line in lines])


def fill(table: Table, chars: list[Char]) -> list[Char]:
    """Put the characters inside the table into its cells; return the characters outside it."""
    x0, y0, x1, y1 = table.bbox
    inside: list[Char] = []
    outside: list[Char] = []
    for ch in chars:
        cx, cy = (ch.x0 + ch.x1) / 2, (ch.y0 + ch.y1) / 2
        (inside if x0 <= cx <= x1 and y0 <= cy <= y1 else outside).append(ch)
    nr, nc = len(table.ys) - 1, len(table.xs) - 1
    owner: dict[tuple[int, int], int] = {}
    for k, (r0, c0, r1, c1) in enumerate(table.regions):
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                owner[(r, c)] = k
    per_region: list[list[Char]] = [[] for _ in table.regions]
    for ch in inside:
        cx, cy = (ch.x0 + ch.x1) / 2, (ch.y0 + ch.y1) / 2
        r = index_of(table.ys, cy)
        c = index_of(table.xs, cx)
        per_region[owner[(r, c)]].append(ch)
    grid: Grid = [["" for _ in range(nc)] for _ in range(nr)]
    for (r0, c0, r1, c1), cell_chars in zip(table.regions, per_region, strict=True):
        text = _text_of(cell_chars)
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                grid[r][c] = text if (r, c) == (r0, c0) else covered_value(text)
    table.grid = grid
    return outside


def index_of(edges: list[float], v: float) -> int:
    """The cell interval of `edges` that holds v (clamped to the first and last)."""
    return min(max(bisect.bisect_right(edges, v) - 1, 0), len(edges) - 2)
