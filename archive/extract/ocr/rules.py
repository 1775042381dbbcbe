"""Ruling lines of a table in a page bitmap (scans), with Pillow alone: long runs of ink along rows and
columns, kept only where both ends meet a perpendicular rule; and erasing them before OCR."""

from __future__ import annotations

import re

import numpy as np
from PIL import Image, ImageDraw

from archive.extract.pdftables import Seg, Table, find_tables, merge_segments

DPI = 200
DARK = 170  # gray level below which a pixel is ink
WINDOW = 6  # pixels averaged along a line; a window counts as ruled when ≥ 90 % of it is ink
MIN_H_RUN = 10  # windows: horizontal rules at least 60 px (≈ 22 pt) long
MIN_V_RUN = 4  # windows: vertical rules at least 24 px (≈ 9 pt): a one-line row's separator
_RULED = bytes(1 if v >= 230 else 0 for v in range(256))


def _runs(img: Image.Image, min_run: int) -> list[tuple[int, int, int]]:
    """(line index, start, end) in pixels of ruled runs along the image's rows (ink = 255).

    Runs are found on windows, then their ends are followed pixel by pixel, so a rule ends exactly where
    its ink ends (on the crossing rule) and a glyph stroke ends where the glyph does."""
    w, h = img.size
    small = img.resize((max(1, w // WINDOW), h), Image.Resampling.BOX)
    sw = small.size[0]
    data = small.tobytes().translate(_RULED)
    full = img.tobytes()
    pattern = re.compile(b"\x01{%d,}" % min_run)
    out = []
    for y in range(h):
        base = y * w
        for m in pattern.finditer(data, y * sw, (y + 1) * sw):
            a, b = (m.start() - y * sw) * WINDOW, (m.end() - y * sw) * WINDOW
            while a > 0 and full[base + a - 1] == 255:
                a -= 1
            while b < w and full[base + b] == 255:
                b += 1
            out.append((y, a, b))
    return out


def _bridged(ink: Image.Image, along_x: bool, reach: int) -> Image.Image:
    """Ink smeared `reach` px along one axis: closes the 1-3 px breaks that thresholding a skewed scan
    leaves in a thin rule (a dashed staircase), without thickening anything across that axis."""
    if reach <= 0:
        return ink
    arr = np.asarray(ink)
    out = arr.copy()
    for k in range(1, reach + 1):
        if along_x:
            out[:, k:] |= arr[:, :-k]
            out[:, :-k] |= arr[:, k:]
        else:
            out[k:, :] |= arr[:-k, :]
            out[:-k, :] |= arr[k:, :]
    return Image.fromarray(out)


def page_rules(image: Image.Image, dpi: int = DPI) -> tuple[list[Seg], list[Table]]:
    """Rules and tables of a page. A thresholded skewed scan breaks thin horizontal rules into dashes, so
    the rules are also looked for with those breaks bridged; that reading is taken when it only adds
    rows (same tables, same columns) — bridging can also join the strokes of a line of text into a
    "rule", which shows up as an extra column."""
    segs = ruling_segments(image, dpi)
    tables = find_tables(segs)
    b_segs = ruling_segments(image, dpi, bridge=2)
    b_tables = find_tables(b_segs)
    same_columns = len(b_tables) == len(tables) and all(
        len(a.xs) == len(b.xs) and all(abs(x - y) <= 3 for x, y in zip(a.xs, b.xs, strict=True))
        for a, b in zip(tables, b_tables, strict=True)
    )
    if same_columns and sum(len(t.ys) for t in b_tables) > sum(len(t.ys) for t in tables):
        return b_segs, b_tables
    return segs, tables


def ruling_segments(image: Image.Image, dpi: int = DPI, bridge: int = 0) -> list[Seg]:
    """Horizontal and vertical rules of a gray page bitmap, in points, top-down.

    A rule of a table ends ON a perpendicular rule at both ends (its ink runs into the other's ink); a
    glyph stroke ends a white gap away from any rule, so runs with a loose end are dropped. Pieces of one
    rule (a page a hair askew steps the rule from one pixel row to the next) are joined first."""
    scale = 72 / dpi
    ink = image.point(lambda v: 255 if v < DARK else 0)
    h_runs = _runs(_bridged(ink, True, bridge), MIN_H_RUN)
    v_runs = _runs(ink.transpose(Image.Transpose.TRANSPOSE), MIN_V_RUN)
    v_ok = [(run, pieces) for run, pieces in _join_runs(v_runs) if _anchored(pieces, h_runs)]
    v_pieces = [piece for _, pieces in v_ok for piece in pieces]
    h_ok = [run for run, pieces in _join_runs(h_runs) if _anchored(pieces, v_pieces)]
    segs = [Seg(True, y * scale, a * scale, b * scale) for y, a, b in h_ok]
    segs += [Seg(False, x * scale, a * scale, b * scale) for x, a, b in (run for run, _ in v_ok)]
    return merge_segments(segs)


Run = tuple[int, int, int]


def _join_runs(runs: list[Run], drift: int = 3, gap: int = 8) -> list[tuple[Run, list[Run]]]:
    """Runs that continue one another (within `drift` px across, `gap` px along) as one run, with the
    pieces it was made of."""
    out: list[tuple[Run, list[Run]]] = []
    open_: list[tuple[Run, list[Run]]] = []
    for run in sorted(runs, key=lambda r: (r[1], r[0])):
        line, a, b = run
        for i, ((pos, ja, jb), pieces) in enumerate(open_):
            if abs(pieces[-1][0] - line) <= drift and a <= jb + gap and b >= ja - gap:
                open_[i] = ((pos, min(ja, a), max(jb, b)), [*pieces, run])
                break
        else:
            open_.append((run, [run]))
    out = open_
    return [((round(sum(p[0] for p in pieces) / len(pieces)), a, b), pieces) for (_, a, b), pieces in out]


def _anchored(pieces: list[Run], others: list[Run]) -> bool:
    """Both ends of a rule (its first and last piece) meet a perpendicular run: the end lies in that
    rule's ink (up to 2 px short of it) or overshoots it by up to 6 px (joins, upsampled scans). A glyph
    stroke ends a white gap short."""
    (line_a, a, _), (line_b, _, b) = pieces[0], max(pieces, key=lambda p: p[2])
    top = bottom = False
    for pos, oa, ob in others:
        top = top or (oa - 2 <= line_a < ob + 2 and -6 <= a - pos <= 2)
        bottom = bottom or (oa - 2 <= line_b < ob + 2 and -6 <= pos - (b - 1) <= 2)
        if top and bottom:
            return True
    return False


def in_tables(s: Seg, tables: list[Table]) -> bool:
    """Only rules of a table are erased: a long glyph stroke elsewhere is text."""
    for t in tables:
        x0, y0, x1, y1 = t.bbox
        x, y = ((s.a + s.b) / 2, s.pos) if s.horizontal else (s.pos, (s.a + s.b) / 2)
        if x0 - 3 <= x <= x1 + 3 and y0 - 3 <= y <= y1 + 3:
            return True
    return False


def erase_rules(image: Image.Image, segs: list[Seg], dpi: int = DPI) -> Image.Image:
    """The page with its ruling lines painted white: tesseract reads rules as | and 1 otherwise."""
    px = dpi / 72
    out = image.copy()
    draw = ImageDraw.Draw(out)
    for s in segs:
        pos, a, b = s.pos * px, s.a * px, s.b * px
        # ±4 px: rules are 1-3 px of ink plus a gray anti-aliased fringe that tesseract reads as l or 1.
        if s.horizontal:
            draw.rectangle((a - 4, pos - 4, b + 4, pos + 4), fill=255)
        else:
            draw.rectangle((pos - 4, a - 4, pos + 4, b + 4), fill=255)
    return out


def skew_angle(image: Image.Image, limit: float = 3.0) -> float:
    """The small rotation (degrees) that makes the page's lines horizontal: the angle whose row profile
    of ink is the most peaked (text lines and rules gather ink in few rows when level). Coarse steps of
    0.25° over ±limit, then 0.05° around the best."""
    small = image.point(lambda v: 255 if v < DARK else 0).reduce(4)

    def score(angle: float) -> float:
        turned = small.rotate(angle, resample=Image.Resampling.BILINEAR, fillcolor=0) if angle else small
        profile = list(turned.resize((1, turned.size[1]), Image.Resampling.BOX).tobytes())
        mean = sum(profile) / len(profile)
        return sum((v - mean) ** 2 for v in profile)

    coarse = max((k * 0.25 for k in range(-round(limit / 0.25), round(limit / 0.25) + 1)), key=score)
    return max((coarse + k * 0.05 for k in range(-5, 6)), key=score)


def deskew(image: Image.Image) -> tuple[Image.Image, float]:
    """The page rotated level (scanners feed pages a degree or so askew, which breaks rules into pieces)."""
    angle = skew_angle(image)
    if abs(angle) < 0.05:
        return image, 0.0
    return image.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255), angle
