"""Where the figures of a document's *text* were read, for tables rebuilt from text (archive/report/
texttables.py: PDFs without ruling lines, HTML pages with their tables written as paragraphs).

Extractors record the place of every figure-like token of `Extraction.text` (`TOKEN`: a whitespace- or
pipe-delimited number or dash) as `Extraction.text_places` ([start, end, *Place], archive/model.py). The
text-table rebuild never sees offsets: it splits and rejoins lines. `locate_grids` finds its figures again
in the text instead, row by row in document order: each run of a row's consecutive figures must occur, in
that order and separated only by blanks or pipes, after the previous run found, at a token boundary where
a table row's figures stand (the rest of the line blank, or a new row's label glued after it), with the
row's label (or nothing) before it on its line. Figures written with their unit (`3659.92 万元`) or with
markup inside the token are left without a place. A figure so found gets its token's place; one not found
keeps none. The value read never changes: only places are added to cells that are already the figures.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Sequence

from archive.model import Grid, Place, TextPlaces, located

# A figure-like token of a text layer: what texttables can read as one figure cell.
TOKEN = re.compile(r"(?<![^\s|])(?:[+\-－＋−]?\d[\d,，]*(?:\.\d+)?|[-—–/无])(?=[\s|（(]|$)")
_FIGURE = re.compile(r"^(?:[+\-－＋−]?\d[\d,，]*(?:\.\d+)?|[-—–/无])$")
# After a row's last figure: the rest of the line blank, or the next row's label run in (texttables._unglue).
_ROW_END = r"(?=[ \t\u3000|]*(?:$|[\n\f]|[（(一二三四五六七八九十]|\d+[.、．]))"
_SEP = r"[\s|]+"
MAX_TRIES = 64  # places of a run's first figure tried after the last run found
LOOK_BACK = 200  # characters read before a run for the label it follows


def token_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every figure-like token of `text`, in order."""
    return [m.span() for m in TOKEN.finditer(text)]


class Shifts:
    """Offsets of a text from which each `\\r` of a `\\r\\n` was dropped, back to the original's."""

    def __init__(self, raw: str) -> None:
        self.drops: list[int] = []
        at = raw.find("\r\n")
        while at >= 0:
            self.drops.append(at - len(self.drops))
            at = raw.find("\r\n", at + 2)

    def raw_index(self, j: int) -> int:
        return j + bisect.bisect_right(self.drops, j)


def _norm(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split()).strip("|")


def _runs(row: Sequence[str | None]) -> list[tuple[str, list[int]]]:
    """(the label before it, the cell indexes) of each run of consecutive figure cells (blank cells skipped)."""
    out: list[tuple[str, list[int]]] = []
    label, run = "", []
    for k, cell in enumerate(row):
        if not cell:
            continue
        if _FIGURE.match(cell):
            run.append(k)
            continue
        if run:
            out.append((label, run))
            run = []
        label = cell
    if run:
        out.append((label, run))
    return out


def locate_grids(grids: list[Grid], text: str, places: TextPlaces) -> None:
    """Make the figure cells of `grids` (rebuilt from `text`) `Located` where their tokens are found."""
    if not places or not text:
        return
    at = {(int(p[0]), int(p[1])): p[2:] for p in places}
    starts: dict[str, list[int]] = {}  # each placed token's text → where it starts, in order
    for a, b in at:
        starts.setdefault(text[a:b], []).append(a)
    for positions in starts.values():
        positions.sort()
    cursor = 0
    for grid in grids:
        for row in grid:
            for label, run in _runs(row):
                figures = [row[k] or "" for k in run]
                found = _find(text, figures, label, starts.get(figures[0], []), cursor)
                if found is None:
                    continue
                for k, span in zip(run, found, strict=True):
                    place: Place | None = at.get(span)
                    if place:
                        row[k] = located(row[k] or "", place)
                cursor = found[-1][1]


def _find(
    text: str, figures: list[str], label: str, starts: list[int], cursor: int
) -> list[tuple[int, int]] | None:
    """The spans of the run's figures at the first of the next MAX_TRIES tokens equal to its first figure
    where the whole run stands as a table row's figures (bounded: a run not found costs as little)."""
    pattern = re.compile(_SEP.join(f"({re.escape(f)})" for f in figures) + _ROW_END, re.MULTILINE)
    want = _norm(label)
    first = bisect.bisect_left(starts, cursor)
    for start in starts[first : first + MAX_TRIES]:
        m = pattern.match(text, start)
        if m is None:
            continue
        # What stands before the run on its line (its last LOOK_BACK characters: a long line costs no more).
        back = max(0, start - LOOK_BACK)
        line_start = max(text.rfind("\n", back, start), text.rfind("\f", back, start)) + 1
        before = _norm(text[max(line_start, back) : start])
        # Nothing before the figures on their line (a label wrapped above them, a cell per line), or the end
        # of the row's label (or of its first half, when a page break cut the label in two).
        if not before or (want and (before[-1] == want[-1] or before[-2:] in want)):
            return [m.span(g) for g in range(1, len(figures) + 1)]
    return None
