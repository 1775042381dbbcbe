"""Extraction speed per format on this machine, against pdfplumber as the in-process baseline.

Usage: .venv/bin/python benchmarks/extract_speed.py [--rounds N]

Builds three reports (python-docx, LibreOffice → PDF and DOC in one batch call each), then times
`extract_file` per format and the same PDFs through plain pdfplumber `extract_tables()` + `extract_text()`.
Prints reports/s, ms per report, peak Python heap (tracemalloc) and the process's max RSS.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from archive.extract import extract_file
from tests.fixtures_docs import build_report_docx, build_report_html, build_report_xlsx, soffice_convert


def _pdfplumber(path: Path) -> int:
    import pdfplumber

    n = 0
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            n += len(page.extract_tables())
            page.extract_text()
    return n


def _time(fn: Callable[[Path], object], paths: list[Path], rounds: int) -> tuple[float, float]:
    """Seconds per report and peak traced heap in MB."""
    fn(paths[0])  # warm imports and caches
    start = time.perf_counter()
    for _ in range(rounds):
        for p in paths:
            fn(p)
    elapsed = time.perf_counter() - start
    # Heap measured on a separate pass: tracemalloc slows Python code several-fold.
    tracemalloc.start()
    for p in paths:
        fn(p)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return elapsed / (rounds * len(paths)), peak / 1e6


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=10)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="govarchive-bench-"))
    docx = [build_report_docx(work / f"r{i}.docx", filler_paragraphs=n) for i, n in enumerate((2, 14, 30))]
    soffice_convert(docx, "pdf", work)
    soffice_convert(docx, "doc", work)
    pdfs = [p.with_suffix(".pdf") for p in docx]
    docs = [p.with_suffix(".doc") for p in docx]
    from archive.extract.pdf import extract_pdf

    pages = sum(extract_pdf(p).pages or 0 for p in pdfs)
    cache = work / "cache"
    rows: list[tuple[str, float, float]] = []
    rows.append(
        ("pdf  pypdfium2 (extract_file)", *_time(lambda p: extract_file(p, "pdf"), pdfs, args.rounds))
    )
    rows.append(("pdf  pdfplumber baseline", *_time(_pdfplumber, pdfs, max(1, args.rounds // 5))))
    rows.append(("docx docx-xml", *_time(lambda p: extract_file(p, "docx"), docx, args.rounds)))
    html = [build_report_html(work / "r.html"), build_report_html(work / "r-gbk.html", "gbk")]
    rows.append(
        ("html trafilatura + lxml tables", *_time(lambda p: extract_file(p, "html"), html, args.rounds))
    )
    xlsx = [build_report_xlsx(work / "r.xlsx")]
    rows.append(("xlsx openpyxl", *_time(lambda p: extract_file(p, "xlsx"), xlsx, args.rounds)))
    rows.append(("doc  LibreOffice, first conversion", *_time(lambda p: extract_file(p, "doc"), docs, 1)))
    extract_file(docs[0], "doc", cache_dir=cache)
    for d in docs:
        extract_file(d, "doc", cache_dir=cache)
    rows.append(
        ("doc  cached DOCX", *_time(lambda p: extract_file(p, "doc", cache_dir=cache), docs, args.rounds))
    )

    print(f"{len(pdfs)} reports, {pages} PDF pages in all; rounds={args.rounds}; 1 process, 1 core")
    print(f"{'format / tool':36} {'reports/s':>10} {'ms/report':>10} {'peak heap MB':>13}")
    for name, per, peak in rows:
        print(f"{name:36} {1 / per:10.1f} {per * 1000:10.1f} {peak:13.1f}")
    ours, base = rows[0][1], rows[1][1]
    print(f"pypdfium2 vs pdfplumber: {base / ours:.1f}x faster")
    print(f"max RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
