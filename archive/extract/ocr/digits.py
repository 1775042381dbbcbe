"""A digits-only second reading of a scanned table's figure cells (the figures matter most).

chi_sim misreads isolated digits in cells (27 → 名, 0 → 口); tesseract's English model restricted to
digits reads them far better. Candidate cells are cropped, stacked into one strip per table and zoom
(one tesseract call each), read at 1x and 2x, and voted with the first reading.
"""

from __future__ import annotations

import re
from pathlib import Path

from PIL import Image

from archive.extract.grid import is_figure
from archive.extract.ocr.tess import run_tool
from archive.extract.pdftables import Table

_CJK = re.compile(r"[\u4e00-\u9fff]")


def _short_columns(grid: list[list[str | None]]) -> set[int]:
    """Columns whose filled cells are mostly short (≤ 4 characters): figure columns, however chi_sim
    misread them (和, Nb, 口), as opposed to label columns."""
    out: set[int] = set()
    for c in range(len(grid[0]) if grid else 0):
        filled = [cell for row in grid if (cell := row[c])]
        if filled and 5 * sum(1 for x in filled if len(x) <= 4) >= 3 * len(filled):
            out.add(c)
    return out


def _vote(first: str | None, z1: str, z2: str) -> str:
    """Digits of one cell from three readings: chi_sim, digits at 1x, digits at 2x. The 2x reading finds
    a lone thin "1" that 1x drops, but misreads some two-digit figures that 1x gets right."""
    if z1 == z2 or not z2:
        return z1
    if not z1:
        return z2
    return first if first in (z1, z2) else z1


def _read_strip(
    clean: Image.Image, boxes: list[tuple[int, int, int, int]], tmp: Path, dpi: int, timeout: float, zoom: int
) -> dict[int, str]:
    """Stack the crops into one image, read it once with digits only, map words back by position."""
    gap = 30
    width = max(b[2] - b[0] for b in boxes) * zoom + 2 * gap
    tops = []
    y = gap
    for b in boxes:
        tops.append(y)
        y += (b[3] - b[1]) * zoom + gap
    strip = Image.new("L", (width, y), 255)
    for b, top in zip(boxes, tops, strict=True):
        crop = clean.crop(b)
        if zoom != 1:
            crop = crop.resize((crop.width * zoom, crop.height * zoom), Image.Resampling.LANCZOS)
        strip.paste(crop, (gap, top))
    path = tmp / f"digits-{zoom}.png"
    strip.save(path)
    whitelist = "tessedit_char_whitelist=0123456789.+-"
    cmd = [
        "tesseract",
        str(path),
        "stdout",
        "-l",
        "eng",
        "--psm",
        "6",
        "--dpi",
        str(dpi * zoom),
        "-c",
        whitelist,
        "tsv",
    ]
    tsv = run_tool(cmd, timeout, "tesseract (digits)")
    found: dict[int, list[tuple[int, str]]] = {}
    for row in tsv.splitlines()[1:]:
        f = row.split("\t")
        if len(f) < 12 or f[0] != "5" or not f[11].strip():
            continue
        left, top, _, height = (int(v) for v in f[6:10])
        mid = top + height / 2
        for k, t in enumerate(tops):
            if t - gap / 2 <= mid < t + (boxes[k][3] - boxes[k][1]) * zoom + gap / 2:
                found.setdefault(k, []).append((left, f[11].strip()))
                break
    return {k: re.sub(r"[^\d.+\-]", "", "".join(w for _, w in sorted(ws))) for k, ws in found.items()}


def digit_pass(clean: Image.Image, table: Table, tmp: Path, dpi: int, timeout: float) -> int:
    """Re-read the figure cells of a table with tesseract's English model restricted to digits.

    chi_sim misreads isolated digits in cells (27 → 名); the figures matter most, so every one-column
    cell without a Chinese word is cropped, the crops are stacked into one strip (one tesseract call per
    table), and each word is mapped back to its cell by position. Returns the number of cells changed."""
    grid = table.grid
    px = dpi / 72
    short_cols = _short_columns(grid)
    figure_rows = {r for r, row in enumerate(grid) if sum(1 for x in row if is_figure(x)) >= 2}
    slots: list[tuple[tuple[int, int, int], tuple[int, int, int, int]]] = []
    for r0, c0, r1, c1 in table.regions:
        # Candidates: one column wide, and no Chinese in the first reading, or a single character in a
        # column of short cells or a row of figures (a misread digit: 27 → 名). Labels and headers stay.
        cjk = len(_CJK.findall(grid[r0][c0] or ""))
        if c0 != c1 or cjk > 1 or (cjk == 1 and c0 not in short_cols and r0 not in figure_rows):
            continue
        box = (
            int(table.xs[c0] * px) + 6,
            int(table.ys[r0] * px) + 5,
            int(table.xs[c1 + 1] * px) - 6,
            int(table.ys[r1 + 1] * px) - 5,
        )
        if box[2] - box[0] > 4 and box[3] - box[1] > 4:
            slots.append(((r0, c0, r1), box))
    if not slots:
        return 0
    z1 = _read_strip(clean, [b for _, b in slots], tmp, dpi, timeout, zoom=1)
    z2 = _read_strip(clean, [b for _, b in slots], tmp, dpi, timeout, zoom=2)
    changed = 0
    for k, ((r0, c0, r1), _) in enumerate(slots):
        old = grid[r0][c0] or ""
        first = re.sub(r"[^\d.+\-]", "", old) if is_figure(old) else None
        text = _vote(first, z1.get(k, ""), z2.get(k, ""))
        if not is_figure(text) or (is_figure(old) and first == text):
            continue  # nothing read, or the same figure (keep its unit, e.g. 万元)
        # Stray punctuation from chi_sim goes; different digits: the digit model wins.
        grid[r0][c0] = text
        for r in range(r0 + 1, r1 + 1):
            grid[r][c0] = None
        changed += 1
    return changed
