"""OCR of scanned PDFs: pdftoppm (200 dpi gray) → tesseract chi_sim TSV (words with boxes).

Tables come from the ruling lines in the bitmap (long runs of dark pixels, found with Pillow alone) fed
to the same geometry as PDF tables (archive.extract.pdftables), with the OCR words as the characters.
Every step has a timeout; any failure is an error value, never an exception.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw

from archive.extract.grid import is_figure, join_lines
from archive.extract.limits import MAX_PDF_PAGES
from archive.extract.pdftables import Char, Seg, Table, fill, find_tables, join_pages, merge_segments
from archive.model import Extraction

DPI = 200
PAGE_TIMEOUT = 90.0
DARK = 170  # gray level below which a pixel is ink
WINDOW = 6  # pixels averaged along a line; a window counts as ruled when ≥ 90 % of it is ink
MIN_H_RUN = 10  # windows: horizontal rules at least 60 px (≈ 22 pt) long
MIN_V_RUN = 4  # windows: vertical rules at least 24 px (≈ 9 pt): a one-line row's separator
_RULED = bytes(1 if v >= 230 else 0 for v in range(256))


def _tool_version() -> str:
    try:
        out = subprocess.run(["tesseract", "--version"], capture_output=True, timeout=10, text=True).stdout
    except (OSError, subprocess.SubprocessError):
        return "tesseract"
    match = re.search(r"tesseract\s+([\d.]+)", out)
    return f"tesseract-{match.group(1)}" if match else "tesseract"


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


def ruling_segments(image: Image.Image, dpi: int = DPI) -> list[Seg]:
    """Horizontal and vertical rules of a gray page bitmap, in points, top-down.

    A rule of a table ends ON a perpendicular rule at both ends (its ink runs into the other's ink); a
    glyph stroke ends a white gap away from any rule, so runs with a loose end are dropped."""
    scale = 72 / dpi
    ink = image.point(lambda v: 255 if v < DARK else 0)
    h_runs = _runs(ink, MIN_H_RUN)
    v_runs = _runs(ink.transpose(Image.Transpose.TRANSPOSE), MIN_V_RUN)
    v_ok = [r for r in v_runs if _anchored(r, h_runs)]
    h_ok = [r for r in h_runs if _anchored(r, v_ok)]
    segs = [Seg(True, y * scale, a * scale, b * scale) for y, a, b in h_ok]
    segs += [Seg(False, x * scale, a * scale, b * scale) for x, a, b in v_ok]
    return merge_segments(segs)


def _anchored(run: tuple[int, int, int], others: list[tuple[int, int, int]]) -> bool:
    """Both ends of `run` meet a perpendicular run: the end lies in that rule's ink (up to 2 px short of
    it) or overshoots it by up to 6 px (joins, upsampled scans). A glyph stroke ends a white gap short."""
    line, a, b = run
    top = bottom = False
    for pos, oa, ob in others:
        if oa - 2 <= line < ob + 2:
            top = top or -6 <= a - pos <= 2
            bottom = bottom or -6 <= pos - (b - 1) <= 2
            if top and bottom:
                return True
    return False


def _in_tables(s: Seg, tables: list[Table]) -> bool:
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


def _words(tsv: str, dpi: int) -> tuple[str, list[Char]]:
    """Page text (lines as tesseract groups them) and the words as characters with boxes in points."""
    scale = 72 / dpi
    lines: dict[tuple[str, str, str], list[str]] = {}
    chars: list[Char] = []
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5" or not cols[11].strip():
            continue
        left, top, width, height = (int(v) for v in cols[6:10])
        word = cols[11].strip().strip("|｜")  # remnants of rules read as bars
        if not word:
            continue
        lines.setdefault((cols[2], cols[3], cols[4]), []).append(word)
        chars.append(Char(word, left * scale, top * scale, (left + width) * scale, (top + height) * scale))
    return "\n".join(join_lines(words) for words in lines.values()), chars


def _run(cmd: list[str], timeout: float, what: str) -> str:
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise OcrError(f"{what} timed out after {timeout:.0f} s") from None
    if proc.returncode != 0:
        msg = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["failed"]
        raise OcrError(f"{what} failed: {msg[0]}")
    return proc.stdout.decode("utf-8", "replace")


class OcrError(Exception):
    pass


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
    tsv = _run(cmd, timeout, "tesseract (digits)")
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


def ocr_pdf(
    path: Path, *, dpi: int = DPI, page_timeout: float = PAGE_TIMEOUT, lang: str = "chi_sim"
) -> Extraction:
    extractor = _tool_version()
    for tool in ("pdftoppm", "tesseract"):
        if shutil.which(tool) is None:
            return Extraction(
                "pdf", extractor=extractor, ocr=True, error=f"OCR unavailable: {tool} not installed"
            )
    texts: list[str] = []
    page_tables: list[list[Table]] = []
    height = 0.0
    try:
        with tempfile.TemporaryDirectory(prefix="govarchive-ocr-") as tmp:
            _run(
                [
                    "pdftoppm",
                    "-r",
                    str(dpi),
                    "-gray",
                    "-png",
                    "-l",
                    str(MAX_PDF_PAGES),
                    str(path),
                    f"{tmp}/p",
                ],
                page_timeout * 4,
                "pdftoppm",
            )
            images = sorted(Path(tmp).glob("p-*.png"))
            if not images:
                return Extraction(
                    "pdf", extractor=extractor, ocr=True, error="OCR: pdftoppm rendered no pages"
                )
            for image in images:
                with Image.open(image) as im:
                    gray = im.convert("L")
                segs = ruling_segments(gray, dpi)
                tables = find_tables(segs)
                height = gray.size[1] * 72 / dpi
                clean = Path(tmp) / f"clean-{image.name}"
                cleaned = erase_rules(gray, [s for s in segs if _in_tables(s, tables)], dpi)
                cleaned.save(clean)
                tsv = _run(
                    ["tesseract", str(clean), "stdout", "-l", lang, "--psm", "3", "--dpi", str(dpi), "tsv"],
                    page_timeout,
                    "tesseract",
                )
                text, chars = _words(tsv, dpi)
                for t in tables:
                    chars = fill(t, chars)
                    digit_pass(cleaned, t, Path(tmp), dpi, page_timeout)
                texts.append(text)
                page_tables.append(tables)
    except OcrError as exc:
        return Extraction("pdf", extractor=extractor, ocr=True, error=str(exc))
    except OSError as exc:
        return Extraction("pdf", extractor=extractor, ocr=True, error=f"OCR failed: {exc}")
    return Extraction(
        "pdf",
        text="\f".join(texts),
        tables=join_pages(page_tables, height),
        pages=len(texts),
        extractor=extractor,
        ocr=True,
    )
