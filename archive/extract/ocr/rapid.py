"""Reading a scanned page with PP-OCRv4's recogniser (ONNX models shipped inside rapidocr-onnxruntime, run
by onnxruntime on the CPU; nothing is downloaded at run time).

No text-detection model: a report page is ruled tables plus lines of text, so the layout comes from the
bitmap itself — cells from the rules (archive.extract.ocr.rules), text lines inside a cell and on the rest
of the page from the rows of ink. Each line is cropped and read by the recogniser in batches; that is
several times cheaper than the detection network on a whole page and never drops a lone figure in a cell.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import numpy as np
from PIL import Image

from archive.environment import ocr_recogniser_files, ocr_threads
from archive.extract.grid import is_figure, join_lines
from archive.extract.pdftables import Char, Table, fill

DARK = 160  # grey level below which a pixel is ink
PRINT = 100  # darker still: print, as opposed to a seal stamped over it (pale once colour is dropped)

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 in pixels


@functools.cache
def _recogniser() -> Any:
    from rapidocr_onnxruntime.ch_ppocr_rec import TextRecognizer
    from rapidocr_onnxruntime.main import DEFAULT_CFG_PATH
    from rapidocr_onnxruntime.utils import read_yaml, update_model_path

    rec = update_model_path(read_yaml(str(DEFAULT_CFG_PATH)))["Rec"]
    rec.update(intra_op_num_threads=ocr_threads(), inter_op_num_threads=1, rec_batch_num=8)
    # Another PP-OCR recogniser of the same family (benchmarks compare them): model and its dictionary.
    other = ocr_recogniser_files()
    if other is not None:
        rec["model_path"], rec["rec_keys_path"] = other
    # The padded width of a batch is at least 48 × rec_img_shape[2]/48: keep it small, so a lone figure
    # costs a 48-px-wide inference instead of a 320-px one.
    rec["rec_img_shape"] = [3, 48, 96]
    return TextRecognizer(rec)


def version() -> str:
    try:
        from importlib.metadata import version as dist_version

        return f"rapidocr-{dist_version('rapidocr-onnxruntime')}"
    except Exception:  # metadata missing: the import itself will say more
        return "rapidocr"


def available() -> bool:
    try:
        import rapidocr_onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def _despeckle(grey: np.ndarray, dpi: int) -> tuple[np.ndarray, np.ndarray]:
    """The page with dust and toner specks painted white, and its ink mask. A speck is a blob smaller than
    a punctuation dot that no letter stands beside: a decimal point or a full stop touches its line's
    glyphs within a few pixels and stays; specks out in the paper go (the recogniser reads them as . or ')."""
    import cv2  # opencv comes with rapidocr-onnxruntime

    ink = (grey < DARK).astype(np.uint8)
    _, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    small = stats[:, cv2.CC_STAT_AREA] < max(4, round((dpi / 200) ** 2 * 14))
    small[0] = False
    big = ink.astype(bool) & ~small[labels]
    reach = max(2, round(4 * dpi / 200))
    near = cv2.dilate(big.astype(np.uint8), np.ones((2 * reach + 1, 2 * reach + 1), np.uint8)).astype(bool)
    specks = ink.astype(bool) & small[labels] & ~near
    if specks.any():
        # The speck's grey fringe goes with it.
        specks = cv2.dilate(specks.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool) & ~big
        grey = grey.copy()
        grey[specks] = 255
    return grey, ink.astype(bool) & ~specks


def _bands(ink: np.ndarray, min_h: int, gap: int) -> list[tuple[int, int]]:
    """Runs of rows holding ink (a text line each), rows closer than `gap` joined."""
    rows = np.flatnonzero(ink.any(axis=1))
    out: list[tuple[int, int]] = []
    for y in rows:
        if out and y - out[-1][1] <= gap:
            out[-1] = (out[-1][0], int(y) + 1)
        else:
            out.append((int(y), int(y) + 1))
    return [(a, b) for a, b in out if b - a >= min_h]


def _segments(cols: np.ndarray, gap: int) -> list[tuple[int, int]]:
    """Runs of columns holding ink, split where the blank run is wider than `gap`."""
    xs = np.flatnonzero(cols)
    out: list[tuple[int, int]] = []
    for x in xs:
        if out and x - out[-1][1] <= gap:
            out[-1] = (out[-1][0], int(x) + 1)
        else:
            out.append((int(x), int(x) + 1))
    return out


def text_lines(ink: np.ndarray, dpi: int, split_gap: float, dark: np.ndarray | None = None) -> list[Box]:
    """Boxes of text lines in an ink mask: row bands, each split at blank gaps wider than `split_gap`
    (in points: columns of a signature block, a number beside its label)."""
    pt = dpi / 72
    out: list[Box] = []
    for y0, y1 in _bands(ink, min_h=max(3, round(2.5 * pt)), gap=max(1, round(0.6 * pt))):
        if y1 - y0 > 30 * pt:  # not a line of text: a figure, a seal, a logo
            if dark is not None:  # print under a pale seal: the print alone is darker than the stamp
                out += [(a, b + y0, c, d + y0) for a, b, c, d in text_lines(dark[y0:y1], dpi, split_gap)]
            continue
        cols: np.ndarray = np.asarray(ink[y0:y1].any(axis=0))
        for x0, x1 in _segments(cols, round(split_gap * pt)):
            out += [(a, y0, b, y1) for a, b in _chunks(cols, x0, x1, y1 - y0)]
    return out


def _chunks(cols: np.ndarray, x0: int, x1: int, h: int, target: int = 10) -> list[tuple[int, int]]:
    """A long line cut into pieces of about `target` line-heights at the widest blank gap near each cut
    (between characters): the recogniser's cost grows faster than the width of what it reads."""
    out: list[tuple[int, int]] = []
    while x1 - x0 > (target + 3) * h:
        lo, hi = x0 + (target - 2) * h, x0 + (target + 2) * h
        blank = ~cols[lo:hi]
        if not blank.any():
            break
        # The middle of the widest run of blank columns in the window.
        best, best_len, run_start = -1, 0, -1
        for i, b in enumerate(np.append(blank, False)):
            if b and run_start < 0:
                run_start = i
            elif not b and run_start >= 0:
                if i - run_start > best_len:
                    best, best_len = (run_start + i) // 2, i - run_start
                run_start = -1
        cut = lo + best
        out.append((x0, cut))
        x0 = cut
    out.append((x0, x1))
    return out


def _crop(grey: np.ndarray, box: Box, pad: int) -> np.ndarray:
    x0, y0, x1, y1 = box
    h, w = grey.shape
    crop = grey[max(0, y0 - pad) : min(h, y1 + pad), max(0, x0 - pad) : min(w, x1 + pad)]
    return np.repeat(crop[:, :, None], 3, axis=2)


def recognise(grey: np.ndarray, boxes: list[Box], pad: int) -> list[str]:
    """The text of each box. A small box read as nothing (a lone figure the recogniser is unsure of) is
    read once more from a wider crop at twice the size; a reading of digits is kept at any confidence."""
    if not boxes:
        return []
    rec = _recogniser()
    results, _ = rec([_crop(grey, b, pad) for b in boxes])
    texts = [text if score >= 0.3 or _FIGURE.fullmatch(text.strip()) else "" for text, score in results]
    retry = [
        k
        for k, (b, t) in enumerate(zip(boxes, texts, strict=True))
        if not t and b[2] - b[0] <= 3 * (b[3] - b[1])
    ]
    if retry:
        crops = [_crop(grey, boxes[k], 2 * pad) for k in retry]
        again, _ = rec([np.repeat(np.repeat(c, 2, axis=0), 2, axis=1) for c in crops])
        for k, (text, score) in zip(retry, again, strict=True):
            if score >= 0.3 or _FIGURE.fullmatch(text.strip()):
                texts[k] = text
    return texts


# A lone figure misread as a look-alike Latin mark (never a label of these tables).
_LONE = {
    "!": "1",
    "r": "1",
    "l": "1",
    "I": "1",
    "|": "1",
    "i": "1",
    "a": "0",
    "o": "0",
    "O": "0",
    "D": "0",
    "Q": "0",
}
_DIGIT_LIKE = str.maketrans({"O": "0", "o": "0", "D": "0", "l": "1", "I": "1", "，": ".", ",": "", " ": ""})
_SPECKS = ".·'`\",:;_~、"
_FIGURE = re.compile(r"[+-]?\d+(?:\.\d+)?")


def figure_text(text: str) -> str:
    """A cell read as a figure cleaned of what the recogniser adds around digits (a speck read as a dot or
    a quote, O for 0); a cell with Chinese (3659.92万元) or other words stays as read."""
    if text.strip() in _LONE:
        return _LONE[text.strip()]
    squeezed = text.strip().translate(_DIGIT_LIKE).strip(".'\"`·:;_-~[]|()（）")
    if text.strip().startswith(("+", "-")) and squeezed and squeezed[0].isdigit():
        squeezed = text.strip()[0] + squeezed
    return squeezed if _FIGURE.fullmatch(squeezed) else text.strip()


def _figures_cleaned(t: Table) -> None:
    """A cell whose lines together read as a figure once cleaned ("1" over a stray ".") holds that figure,
    and the positions its span covers hold None, as everywhere else."""
    for r0, c0, r1, c1 in t.regions:
        cell = t.grid[r0][c0]
        if not cell or (is_figure(cell) and figure_text(cell) == cell):
            continue
        fixed = figure_text(cell)
        if is_figure(fixed):
            for r in range(r0, r1 + 1):
                for c in range(c0, c1 + 1):
                    t.grid[r][c] = fixed if (r, c) == (r0, c0) else None


def read_page(image: Image.Image, dpi: int, faint: bool = False) -> tuple[str, list[Table]]:
    """Text (lines top to bottom, tables in place) and tables of one level grey page (`faint`: light grey
    rules count, as in screenshots)."""
    from archive.extract.ocr.rules import erase_rules, in_tables, page_rules

    segs, tables = page_rules(image, dpi, faint)
    clean_img = erase_rules(image, [s for s in segs if in_tables(s, tables)], dpi)
    grey, ink = _despeckle(np.asarray(clean_img, dtype=np.uint8), dpi)
    px = dpi / 72
    boxes: list[Box] = []
    owners: list[int] = []  # table index of a box, -1 outside tables
    outside = ink.copy()
    for k, t in enumerate(tables):
        x0, y0, x1, y1 = (round(v * px) for v in t.bbox)
        outside[max(0, y0 - 3) : y1 + 3, max(0, x0 - 3) : x1 + 3] = False
        for r0, c0, r1, c1 in t.regions:
            cx0, cy0 = round(t.xs[c0] * px) + 3, round(t.ys[r0] * px) + 3
            cx1, cy1 = round(t.xs[c1 + 1] * px) - 3, round(t.ys[r1 + 1] * px) - 3
            if cx1 - cx0 < 4 or cy1 - cy0 < 4:
                continue
            for bx0, by0, bx1, by1 in text_lines(ink[cy0:cy1, cx0:cx1], dpi, split_gap=12):
                boxes.append((bx0 + cx0, by0 + cy0, bx1 + cx0, by1 + cy0))
                owners.append(k)
    for box in text_lines(outside, dpi, split_gap=24, dark=outside & (grey < PRINT)):
        boxes.append(box)
        owners.append(-1)
    texts = recognise(grey, boxes, pad=max(2, round(2 * px)))
    per_table: list[list[Char]] = [[] for _ in tables]
    lines: list[tuple[float, float, str]] = []
    for (x0, y0, x1, y1), owner, text in zip(boxes, owners, texts, strict=True):
        if not text.strip():
            continue
        if owner >= 0:
            # A speck beside the print is read as . · ' at a line's ends, or as a line of its own.
            text = figure_text(text).strip(_SPECKS)
            if text:
                per_table[owner].append(Char(text, x0 / px, y0 / px, x1 / px, y1 / px))
        elif text := text.strip().strip(_SPECKS + "‘’"):
            lines.append((y0 / px, x0 / px, text))
    for t, chars in zip(tables, per_table, strict=True):
        fill(t, chars)
        _figures_cleaned(t)
        for r, row in enumerate(t.grid):
            seen: list[str] = []
            for cell in row:
                if cell and (not seen or seen[-1] != cell):
                    seen.append(cell)
            lines.append(((t.ys[r] + t.ys[r + 1]) / 2, 0.0, " ".join(seen)))
    lines.sort()
    return _join(lines), tables


def _join(lines: list[tuple[float, float, str]]) -> str:
    """Page text: boxes on one line (tops within 4 pt) joined left to right."""
    out: list[list[tuple[float, float, str]]] = []
    for item in lines:
        if out and abs(item[0] - out[-1][0][0]) < 4:
            out[-1].append(item)
        else:
            out.append([item])
    # Pieces of one line join as the lines of a cell do: nothing between Chinese, a space between words.
    return "\n".join(join_lines([t for _, _, t in sorted(group, key=lambda i: i[1])]) for group in out)
