"""Placing the body rows of a section-三 run on the template's rows by structure, labels confirming.

The template's numbering (一、二、三（一）…（七）、四, and 1.–8. inside a group) and its order are the
skeleton. A run's labelled rows are aligned to the template's row sequence by dynamic programming (a
monotone alignment: rows keep their order, a row may be extra, a template row may be missing), with a
score per (row, template row) from three readings of the row's label cells:

* the label: a recognising phrase of codes.py (`国家秘密` …) names the row, or a phrase names another row;
* the numbering: top (`三、`), group (`（三）`) and item (`2.`) parsed from the label cells, tolerating
  characters a vertical merged cell leaked before them (`理结2.…`);
* the characters: overlap of the normalised label with the template's (dropped or substituted glyphs,
  shortened labels).

Two weightings give two readings: `label` (phrases first) and `structure` (numbering first). When they
place rows differently the caller keeps the one the consistency rules confirm (archive/report/checks.py).
Each placed row says how it was placed: `label`, `number` or `order` (a row the alignment put in the only
free template row between its neighbours).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from archive.report import codes

PREFERENCES = ("label", "structure")

_TOP = re.compile(r"([一二三四])、")
_GROUP = re.compile(r"三?\(([一二三四五六七])\)")
_ITEM = re.compile(r"(\d{1,2})[.、](?!\d)")
_LEAK = 3  # characters a vertical label may leave before a row's own numbering
_NOT_TEXT = re.compile(r"[\d.、()一二三四五六七八九十,，:：;；\"“”]")


@dataclass(frozen=True)
class Numbering:
    top: str | None = None
    group: str | None = None
    item: int | None = None


@dataclass(frozen=True)
class Row:
    """A body row's label cells, normalised (codes.norm), the last one being the row's own label ("" when
    the row's own label cell is blank beside the labels of its group: a label lost in reading)."""

    cells: tuple[str, ...]
    has_figures: bool


@dataclass(frozen=True)
class Placement:
    code: str | None
    placed_by: str  # label | number | order | "" (not placed)


def _parse(cell: str) -> tuple[Numbering, str]:
    """The numbering at the start of one label cell (after at most _LEAK leaked characters) and the text
    after it."""
    for start in range(0, min(_LEAK, len(cell)) + 1):
        s = cell[start:]
        top = group = None
        item: int | None = None
        if m := _TOP.match(s):
            top, s = m.group(1), s[m.end() :]
        if m := _GROUP.match(s):
            group, s = m.group(1), s[m.end() :]
        if m := _ITEM.match(s):
            item, s = int(m.group(1)), s[m.end() :]
        if top or group or item is not None:
            if start and (top or group):
                return Numbering(None, group, item), s  # a leaked 三、 is not this row's top number
            return Numbering(top, group, item), s
    return Numbering(), cell


def numbering(cells: Sequence[str]) -> tuple[Numbering, str]:
    """The row's numbering from all its label cells (the group of a merged cell beside it, the item of its
    own) and the text of its own label without numbering or leaked characters."""
    top = group = None
    item = None
    text = cells[-1] if cells else ""
    for i, cell in enumerate(cells):
        num, rest = _parse(cell)
        top, group = num.top or top, num.group or group
        if i == len(cells) - 1:
            item = num.item
            if num != Numbering():
                text = rest
    return Numbering(top, group, item), text


@cache
def expected_numbering(code: str) -> Numbering:
    return numbering([codes.norm(codes.APPLICATION_ROWS[code])])[0]


@cache
def _template_chars(code: str) -> frozenset[str]:
    return frozenset(_NOT_TEXT.sub("", numbering([codes.norm(codes.APPLICATION_ROWS[code])])[1]))


def phrase_code(row: Row) -> str | None:
    """The row the label's phrases name: the row's own label first, then all its label cells. A bare 其他
    names nothing (it is 三（六）3. 其他 only where the structure says so)."""
    own = numbering(row.cells[-1:])[1] if row.cells else ""
    if codes.is_bare_other(own) or own == codes.BARE_OTHER:
        return None
    last = row.cells[-1] if row.cells else ""
    if named := codes.application_row(last):
        return named
    # A group heading beside the row (（六）其他处理 in its merged cell) says the row is in the group, not
    # which of the group's sub-rows it is: the numbering and the order decide.
    named = codes.application_row("".join(row.cells))
    return None if named is None or has_subrows(named) else named


@cache
def has_subrows(code: str) -> bool:
    """The template row is a group heading whose items are rows of their own (三（六） in 2021)."""
    return any(other.startswith(code + ".") for other in codes.APPLICATION_ROWS)


def overlap(row_text: str, code: str) -> float:
    """Dice coefficient of the characters of a label and the template's label (numbering removed)."""
    mine = frozenset(_NOT_TEXT.sub("", row_text))
    theirs = _template_chars(code)
    if not mine or not theirs:
        return 0.0
    return 2 * len(mine & theirs) / (len(mine) + len(theirs))


_WEIGHTS = {
    # phrase names this row, phrase names another, numbering part agrees, disagrees, character overlap
    "label": (6.0, -6.0, 2.0, -2.0, 3.0),
    "structure": (2.0, -1.0, 4.0, -5.0, 3.0),
}
_MIN = 2.0  # a row is placed on a template row only with at least this much evidence


def _score(row: Row, code: str, weights: tuple[float, ...]) -> tuple[float, str]:
    hit, miss, agree, disagree, chars = weights
    phrase = phrase_code(row)
    num, text = numbering(row.cells)
    want = expected_numbering(code)
    score = 0.0
    if phrase == code:
        score += hit
    elif phrase is not None:
        score += miss
    agreed = disagreed = 0
    parts = (("top", num.top, want.top), ("group", num.group, want.group), ("item", num.item, want.item))
    for part, mine, theirs in parts:
        if mine is not None and theirs is not None:
            agreed, disagreed = agreed + (mine == theirs), disagreed + (mine != theirs)
        elif mine is not None and part != "top":
            # A group or item number where the template row has none (三、 stands over every outcome row).
            disagreed += 1
    own = _parse(row.cells[-1])[0] if row.cells else Numbering()
    if own.group is not None and own.item is None and want.item is not None:
        disagreed += 1  # the row's own label is a group heading (（三）不予公开), not one of its items
    if row.cells and not row.cells[-1] and want.item is None and has_subrows(code):
        disagreed += 1  # a blank own label beside a group heading: one of its items, label lost in reading
    score += agree * agreed + disagree * disagreed
    sim = overlap(text, code)
    score += chars * sim
    if phrase == code or (phrase is None and sim >= 0.6):
        how = "label"
    elif agreed and not disagreed:
        how = "number"
    else:
        how = "order"
    return score, how


def place(rows: Sequence[Row], expected: Sequence[str], prefer: str = "label") -> list[Placement]:
    """One placement per row: the monotone alignment of rows to `expected` with the highest total score."""
    weights = _WEIGHTS[prefer]
    n, m = len(rows), len(expected)
    scores = [[_score(r, c, weights) for c in expected] for r in rows]
    # best[i][j]: best total for rows[i:], expected[j:]
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            s = scores[i][j][0]
            take = s + best[i + 1][j + 1] if s >= _MIN else float("-inf")
            best[i][j] = max(take, best[i + 1][j], best[i][j + 1])
    out = [Placement(None, "")] * n
    i = j = 0
    while i < n and j < m:
        s, how = scores[i][j]
        if s >= _MIN and abs(best[i][j] - (s + best[i + 1][j + 1])) < 1e-9:
            out[i] = Placement(expected[j], how)
            i, j = i + 1, j + 1
        elif abs(best[i][j] - best[i + 1][j]) < 1e-9:
            i += 1
        else:
            j += 1
    return _fill_by_order(rows, expected, out)


def _fill_by_order(rows: Sequence[Row], expected: Sequence[str], out: list[Placement]) -> list[Placement]:
    """A row with figures left unplaced between two placed rows takes the template row between them when
    exactly one row and one template row are free there (its label is too damaged to say more)."""
    index = {c: k for k, c in enumerate(expected)}
    placed = [(i, index[p.code]) for i, p in enumerate(out) if p.code is not None]
    bounds = [(-1, -1), *placed, (len(rows), len(expected))]
    for (i0, j0), (i1, j1) in itertools.pairwise(bounds):
        free_rows = [i for i in range(i0 + 1, i1) if rows[i].has_figures]
        if len(free_rows) == 1 and j1 - j0 == 2 and i0 >= 0 and i1 < len(rows):
            out[free_rows[0]] = Placement(expected[j0 + 1], "order")
    return out


def closest(label: str, candidates: dict[str, str], floor: float = 0.5, margin: float = 0.15) -> str | None:
    """The candidate (code → template label) whose characters the label shares most, when that overlap is
    at least `floor` and clearly ahead of the next one (short labels of section 二 with a glyph missing:
    `行政罚`, `规范文件`)."""
    mine = frozenset(_NOT_TEXT.sub("", label))
    if not mine:
        return None
    scored = sorted(
        (
            (2 * len(mine & (t := frozenset(codes.norm(text)))) / (len(mine) + len(t)), code)
            for code, text in candidates.items()
        ),
        reverse=True,
    )
    if not scored or scored[0][0] < floor:
        return None
    if len(scored) > 1 and scored[0][0] - scored[1][0] < margin:
        return None
    return scored[0][1]
