"""What recording where each cell was read costs PDF extraction (issue 21, citable figures).

Usage: .venv/bin/python benchmarks/place_cost.py [--rounds N]

A/B in one process, so the machine's load falls on both alike: `extract_file` over the same documents with
the place steps on (as shipped) and off (`pagejoin.locate` a no-op, the DOCX/XLSX/HTML readers' `located`
the plain text, `extract.placed` the identity), the two interleaved round by round, timed in CPU seconds of
this process. PDFs: the three LibreOffice reports of benchmarks/extract_speed.py (ruling-line tables: every
cell placed) and the frozen Chromium variants of tests/eval/variants (tables from the text layer: the text's
figure tokens placed, archive/textplaces.py); the same report as DOCX, XLSX and HTML, and two frozen HTML
variants with their tables written as paragraphs (tokens placed by element and span).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import archive.extract as extract_pkg
import archive.extract.docx as docx_reader
import archive.extract.html as html_reader
import archive.extract.pagejoin as pagejoin
import archive.extract.pdf as pdf_reader
import archive.extract.xlsx as xlsx_reader
from archive.extract import extract_file
from archive.extract.pdftables import Table
from archive.model import Extraction, Place
from tests.fixtures_docs import build_report_docx, build_report_html, build_report_xlsx, soffice_convert

ROOT = Path(__file__).resolve().parents[1]
LOCATE, PLACED, LOCATED = pagejoin.locate, extract_pkg.placed, docx_reader.located
TOKENS, HTML_TOKENS = pdf_reader._token_places, html_reader.text_places  # the text's places (textplaces.py)
READERS = (docx_reader, html_reader, xlsx_reader)


def _no_locate(table: Table, page: int) -> None:
    return None


def _no_placed(ex: Extraction) -> Extraction:
    return ex


def _plain(text: str, at: Place) -> str:
    return text


def _no_tokens(*args: object) -> list[list[object]]:
    return []


def _switch(on: bool) -> None:
    pdf_reader._token_places = TOKENS if on else _no_tokens  # type: ignore[assignment]
    html_reader.text_places = HTML_TOKENS if on else _no_tokens  # type: ignore[assignment]
    pagejoin.locate = LOCATE if on else _no_locate  # type: ignore[assignment]
    extract_pkg.placed = PLACED if on else _no_placed  # type: ignore[assignment]
    for reader in READERS:
        reader.located = LOCATED if on else _plain  # type: ignore[attr-defined]


def _cpu_ms(paths: list[Path]) -> float:
    start = time.process_time()
    for p in paths:
        extract_file(p)
    return (time.process_time() - start) / len(paths) * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=30)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="govarchive-bench-"))
    docx = [build_report_docx(work / f"r{i}.docx", filler_paragraphs=n) for i, n in enumerate((2, 14, 30))]
    soffice_convert(docx, "pdf", work)
    sets = {
        "LibreOffice (ruled tables)": [p.with_suffix(".pdf") for p in docx],
        "Chromium variants (text layer)": sorted((ROOT / "tests/eval/variants").glob("*.pdf")),
        "DOCX": docx,
        "XLSX": [build_report_xlsx(work / "r.xlsx")],
        "HTML": [build_report_html(work / "r.html")],
        "HTML variants (tables as paragraphs)": [
            ROOT / "tests/eval/variants" / n for n in ("13-html-pipe-2019.html", "15-html-cells-2019.html")
        ],
    }
    print(f"CPU ms per report, {args.rounds} interleaved rounds, 1 process")
    print(f"{'documents':32} {'on min':>8} {'off min':>8} {'on med':>8} {'off med':>8} {'cost':>7}")
    for name, paths in sets.items():
        times: dict[bool, list[float]] = {True: [], False: []}
        for on in (True, False):
            _switch(on)
            _cpu_ms(paths)  # warm
        for _ in range(args.rounds):
            for on in (True, False):
                _switch(on)
                times[on].append(_cpu_ms(paths))
        on_min, off_min = min(times[True]), min(times[False])
        on_med, off_med = statistics.median(times[True]), statistics.median(times[False])
        print(
            f"{name:32} {on_min:8.2f} {off_min:8.2f} {on_med:8.2f} {off_med:8.2f} "
            f"{(on_med - off_med) / off_med:+7.1%}"
        )
    _switch(True)


if __name__ == "__main__":
    main()
