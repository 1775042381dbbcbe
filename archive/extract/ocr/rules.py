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
# A rule's end may run on into a glyph touching it from outside by up to this much (pt): about a line.
OVERSHOOT_PT = 8
MIN_V_RUN = 4  # windows: vertical rules at least 24 px (≈ 9 pt): a one-line row's separator
FAINT = 24  # grey levels a thin line must be darker than the paper around it (faint_ink)
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


def page_rules(image: Image.Image, dpi: int = DPI, faint: bool = False) -> tuple[list[Seg], list[Table]]:
    """Rules and tables of a page. A thresholded skewed scan breaks thin horizontal rules into dashes, so
    the rules are also looked for with those breaks bridged; that reading is taken when it only adds
    rows (same tables, same columns) — bridging can also join the strokes of a line of text into a
    "rule", which shows up as an extra column.

    `faint` (screenshots): the rules are also looked for with thin light lines as ink (faint_ink: a
    #ccc rule the dark threshold misses, on white or on a shaded row), and the rules of that reading
    drawn light join the dark ones. Its dark "rules" are left out: faint ink also counts the grey
    fringe of print, which can join a glyph's stroke to a rule."""
    segs, tables = _page_rules(image, dpi, _inks(image, dpi, False))
    if not faint:
        return segs, tables
    f_segs, _ = _page_rules(image, dpi, _inks(image, dpi, True))
    grey = np.asarray(image.convert("L"), dtype=np.uint8)
    light = [s for s in f_segs if _light(s, grey, dpi)]
    if not light:
        return segs, tables
    both = merge_segments(segs + light)
    return both, find_tables(both)


def _page_rules(
    image: Image.Image, dpi: int, inks: tuple[Image.Image, Image.Image]
) -> tuple[list[Seg], list[Table]]:
    segs = ruling_segments(image, dpi, inks=inks)
    tables = find_tables(segs)
    b_segs = ruling_segments(image, dpi, bridge=2, inks=inks)
    b_tables = find_tables(b_segs)
    same_columns = len(b_tables) == len(tables) and all(
        len(a.xs) == len(b.xs) and all(abs(x - y) <= 3 for x, y in zip(a.xs, b.xs, strict=True))
        for a, b in zip(tables, b_tables, strict=True)
    )
    if same_columns and sum(len(t.ys) for t in b_tables) > sum(len(t.ys) for t in tables):
        return b_segs, b_tables
    return segs, tables


def faint_ink(grey: np.ndarray, dpi: int) -> np.ndarray:
    """Thin lines darker than the paper around them, however light (a screenshot's #ccc rule on white or
    on a shaded row, which a fixed threshold misses): the grey closing (every feature thinner than the
    window filled in by its surroundings: rules, their crossings, glyph strokes; shaded rows stay) minus
    the page, at least FAINT levels. A line up to ~5 px thick at 200 dpi is thin."""
    k = 2 * max(2, round(3 * dpi / 200)) + 1
    windows = np.lib.stride_tricks.sliding_window_view

    def along(a: np.ndarray, axis: int, op: str) -> np.ndarray:
        pad = [(0, 0), (0, 0)]
        pad[axis] = (k // 2, k // 2)
        view = windows(np.pad(a, pad, mode="edge"), k, axis=axis)
        out: np.ndarray = view.max(axis=-1) if op == "max" else view.min(axis=-1)
        return out

    grown = along(along(grey, 0, "max"), 1, "max")
    closed = along(along(grown, 0, "min"), 1, "min")
    faint: np.ndarray = (closed.astype(np.int16) - grey) >= FAINT
    return faint


def _inks(image: Image.Image, dpi: int, faint: bool) -> tuple[Image.Image, Image.Image]:
    """Ink for horizontal and for vertical rules: dark pixels, and with `faint` thin light lines too
    (crossings included: there a faint rule is no darker than the rule it crosses)."""
    dark = image.point(lambda v: 255 if v < DARK else 0)
    if not faint:
        return dark, dark
    grey = np.asarray(image.convert("L"), dtype=np.uint8)
    both = Image.fromarray(((np.asarray(dark) > 0) | faint_ink(grey, dpi)).astype(np.uint8) * 255)
    return both, both


def _light(seg: Seg, grey: np.ndarray, dpi: int) -> bool:
    """The rule is drawn light: along it, the darkest pixel across it is mostly lighter than ink."""
    px = dpi / 72
    pos, a, b = round(seg.pos * px), round(seg.a * px), round(seg.b * px)
    if seg.horizontal:
        across = grey[max(0, pos - 2) : pos + 3, a : b + 1].min(axis=0)
    else:
        across = grey[a : b + 1, max(0, pos - 2) : pos + 3].min(axis=1)
    return across.size > 0 and float(np.median(across)) >= DARK


def ruling_segments(
    image: Image.Image,
    dpi: int = DPI,
    bridge: int = 0,
    inks: tuple[Image.Image, Image.Image] | None = None,
) -> list[Seg]:
    """Horizontal and vertical rules of a gray page bitmap, in points, top-down.

    A rule of a table ends ON a perpendicular rule at both ends (its ink runs into the other's ink); a
    glyph stroke ends a white gap away from any rule, so runs with a loose end are dropped. Pieces of one
    rule (a page a hair askew steps the rule from one pixel row to the next) are joined first."""
    scale = 72 / dpi
    h_ink, v_ink = inks or _inks(image, dpi, False)
    h_runs = _runs(_bridged(h_ink, True, bridge), MIN_H_RUN)
    v_runs = _runs(v_ink.transpose(Image.Transpose.TRANSPOSE), MIN_V_RUN)
    reach = round(OVERSHOOT_PT * dpi / 72)
    v_ok = [
        ((run[0], *ends), pieces)
        for run, pieces in _join_runs(v_runs)
        if (ends := _anchored(pieces, h_runs, reach))
    ]
    v_pieces = [piece for _, pieces in v_ok for piece in pieces]
    h_ok = [
        (run[0], *ends) for run, pieces in _join_runs(h_runs) if (ends := _anchored(pieces, v_pieces, reach))
    ]
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


def _anchored(pieces: list[Run], others: list[Run], reach: int = 0) -> tuple[int, int] | None:
    """The ends of a rule when both (its first and last piece) meet a perpendicular run: the end lies in
    that rule's ink (up to 2 px short of it) or overshoots it by up to 6 px (joins, upsampled scans). A
    glyph stroke ends a white gap short, and gives None.

    A glyph touching a rule's end from outside (a cell's text overflowing onto the rule, common in
    screenshots of tight tables) prolongs the run past the rule: an end may also overshoot by up to
    `reach` px, and the rule is then cut back to the last perpendicular rule it crosses, as long as
    what is left still joins two different perpendicular rules."""
    (line_a, a, _), (line_b, _, b) = pieces[0], max(pieces, key=lambda p: p[2])
    top = bottom = False
    near_a: list[int] = []
    near_b: list[int] = []
    for pos, oa, ob in others:
        meets_a, meets_b = oa - 2 <= line_a < ob + 2, oa - 2 <= line_b < ob + 2
        top = top or (meets_a and -6 <= a - pos <= 2)
        bottom = bottom or (meets_b and -6 <= pos - (b - 1) <= 2)
        if top and bottom:
            return a, b
        if reach:
            if meets_a and a <= pos <= a + reach:
                near_a.append(pos)
            if meets_b and b - 1 - reach <= pos <= b - 1:
                near_b.append(pos)
    if not reach:
        return None
    start = a if top else min(near_a, default=None)
    end = b if bottom else (max(near_b) + 1 if near_b else None)
    if start is None or end is None or end - start <= 2 * reach:
        return None
    return start, end


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
