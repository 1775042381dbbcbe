"""How many figures say where they were read (issue 21), per format.

Usage: PYTHONPATH=. .venv/bin/python benchmarks/placed_share.py [--no-crawl]

1. The frozen born-digital variants of tests/eval/variants (PDF and HTML; the text variants are plain text,
   which has no page or element to point at): each through the production path (`extract_file`, then
   `map_report` with the cells' and the text's places), figures with a printed value counted.
2. The test formats portal (tests/portals/formats.py: one report in each format a crawl meets), crawled
   as the tests crawl it; figures counted in the corpus (report_stats.raw non-blank), placed when a place
   column is set.
3. The matching alone (archive/textplaces.py) on the text renderings: the frozen text variants and the
   seed texts, every token of the text given its own offsets as its place; a figure counts when found at a
   token holding its printed text, and no two figures may share one.
A figure counts as placed when it has a page and box, a table/row/cell, or an HTML element and span.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from archive.cellplaces import relocate  # noqa: E402
from archive.extract import extract_file  # noqa: E402
from archive.report.template import map_report  # noqa: E402
from archive.textplaces import token_spans  # noqa: E402

VARIANTS = ROOT / "tests" / "eval" / "variants"
SEEDS = ROOT / "tests" / "eval" / "seeds"


def frozen() -> dict[str, tuple[int, int]]:
    out: dict[str, tuple[int, int]] = {}
    for path in sorted(VARIANTS.iterdir()):
        if path.suffix not in (".pdf", ".html"):
            continue
        ex = extract_file(path)
        stats = map_report(relocate(ex.tables, ex.cells), ex.text, 2020, ex.text_places).stats
        figures = [s for s in stats if s.raw]
        out[path.name] = (sum(1 for s in figures if s.where is not None), len(figures))
    return out


def texts() -> dict[str, tuple[int, int]]:
    out: dict[str, tuple[int, int]] = {}
    for path in sorted([*VARIANTS.glob("*.txt"), *SEEDS.iterdir()]):
        text = path.read_text(encoding="utf-8")
        places = [[a, b, 1, float(a), 0.0, float(b), 1.0] for a, b in token_spans(text)]
        figures = [s for s in map_report([], text, 2020, places).stats if s.raw]
        spans = [
            (int(s.where.box[0]), int(s.where.box[2]), s.raw) for s in figures if s.where and s.where.box
        ]
        assert len(set(spans)) == len(spans), f"{path.name}: two figures at one token"
        out[path.name] = (sum(1 for a, b, raw in spans if text[a:b] == raw), len(figures))
    return out


def portal() -> dict[str, tuple[int, int]]:
    from tests.portals.runs import formats_portal

    run = formats_portal()
    db = sqlite3.connect(run.data / "corpus.db")
    rows = db.execute(
        """SELECT CASE WHEN s.ocr THEN 'scan' ELSE d.media_type END,
                  sum(s.src_page IS NOT NULL OR s.src_table IS NOT NULL OR s.src_element IS NOT NULL), count(*)
           FROM report_stats s JOIN documents d ON d.sha256 = s.source_sha256
           WHERE s.raw IS NOT NULL AND s.raw != '' GROUP BY 1 ORDER BY 1"""
    ).fetchall()
    return {fmt: (placed, total) for fmt, placed, total in rows}


def _print(title: str, rows: dict[str, tuple[int, int]]) -> None:
    print(f"\n{title}\n| document / format | placed | figures | share |\n|---|---:|---:|---:|")
    sums: Counter[str] = Counter()
    for name, (placed, total) in rows.items():
        sums["placed"] += placed
        sums["total"] += total
        print(
            f"| {name} | {placed} | {total} | {placed / total:.1%} |" if total else f"| {name} | 0 | 0 | — |"
        )
    if sums["total"]:
        print(f"| all | {sums['placed']} | {sums['total']} | {sums['placed'] / sums['total']:.1%} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-crawl", action="store_true", help="only the frozen variants")
    args = ap.parse_args()
    _print("Frozen variants (tests/eval/variants)", frozen())
    _print("Text renderings, the matching alone (tokens placed at their offsets)", texts())
    if not args.no_crawl:
        _print("Test formats portal (tests/portals/formats.py), crawled", portal())


if __name__ == "__main__":
    main()
