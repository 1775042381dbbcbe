"""Ruling lines in scanned page bitmaps: found exactly, glyph strokes ignored, skewed pages levelled."""

from __future__ import annotations

import functools
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from archive.extract.ocr.rules import deskew, ruling_segments
from archive.extract.pdftables import find_tables
from tests.fixtures_docs import docs_dir, needs_soffice, scanned_pdf

pytestmark = [needs_soffice, pytest.mark.libreoffice]


@functools.cache
def page(n: int) -> Path:
    out = docs_dir() / "rules"
    out.mkdir(exist_ok=True)
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "200",
            "-gray",
            "-png",
            "-f",
            str(n),
            "-l",
            str(n),
            str(scanned_pdf()),
            str(out / "p"),
        ],
        check=True,
        timeout=60,
    )
    (png,) = out.glob(f"p-{n}.png")
    return png


def shapes(image: Image.Image) -> list[tuple[int, int]]:
    return [(len(t.xs) - 1, len(t.ys) - 1) for t in find_tables(ruling_segments(image))]


def test_rules_of_each_table_and_no_glyph_strokes() -> None:
    # Page 1: section 二, 4 columns (its one-line rows put glyph strokes right against the borders).
    assert shapes(Image.open(page(1)).convert("L")) == [(4, 18)]
    # Page 4: the end of section 三 (its header repeated) and the 15-column appeals table.
    assert shapes(Image.open(page(4)).convert("L")) == [(10, 11), (15, 4)]


@pytest.mark.parametrize("angle", [0.4, -1.3, 2.2])
def test_skewed_scan_is_levelled(angle: float) -> None:
    gray = Image.open(page(3)).convert("L")
    skewed = gray.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255)
    level, found = deskew(skewed)
    assert abs(found + angle) <= 0.1
    assert shapes(level) == [(10, 19)]


def test_thresholded_skewed_scan_keeps_every_row() -> None:
    """A 1-bit scan 2.5° askew, levelled, leaves thin horizontal rules as dashes; they are bridged, and the
    bridged reading is taken only because it adds rows without changing the columns."""
    from archive.extract.ocr import page_grey
    from archive.extract.ocr.rules import page_rules
    from tests.eval.ocr_engines import SCANS, images_pdf

    out = docs_dir() / "rules-bw"
    out.mkdir(exist_ok=True)
    pdf = out / "bw.pdf"
    pdf.write_bytes(images_pdf([(SCANS / "r2021-bw200-skew" / "page-3.png").read_bytes()], 200))
    subprocess.run(["pdftoppm", "-r", "200", str(pdf), str(out / "p")], check=True, timeout=60)
    (ppm,) = out.glob("p-*.ppm")
    level, angle = deskew(page_grey(Image.open(ppm)))
    assert abs(angle + 2.5) <= 0.1
    plain = [(len(t.xs) - 1, len(t.ys) - 1) for t in find_tables(ruling_segments(level))]
    _, tables = page_rules(level)
    assert [(len(t.xs) - 1, len(t.ys) - 1) for t in tables] == [(10, 21), (15, 4)]
    assert plain != [(10, 21), (15, 4)]  # without bridging, rows of section 三 run together
