"""DOC extraction, one LibreOffice per file (the old way) against the resident LibreOffice, in one run.

Usage: .venv/bin/python benchmarks/doc_convert.py [--docs N]

Builds N distinct reports with python-docx (each with a different amount of filler, so different pages)
and has LibreOffice turn them into DOC in one batch call. Then, in this one process (what one extraction
worker does, on one core), every DOC goes through `extract_file` without a cache, first with
GOVARCHIVE_SOFFICE_RESIDENT off (`soffice --convert-to` per file, its slot profile already warm), then
with the resident office (its start counted in the first DOC). Prints DOC/s of wall time, DOC per
CPU-second (this process plus every LibreOffice and bridge process, reaped, so per core), the ratio, and
whether both ways gave the same text and tables for every file.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from archive.extract import extract_file, office, resident
from tests.fixtures_docs import build_report_docx, soffice_convert


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _live_cpu() -> float:
    """This process's CPU seconds plus its resident office's and bridge's (alive, not yet reaped)."""
    total = _cpu()
    for proc in (resident.get().office, resident.get().bridge):
        if proc is not None:
            fields = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _run(docs: list[Path], use_resident: bool) -> dict[str, Any]:
    """Extractions; wall seconds for all and for the first; CPU seconds for all (children reaped) and
    for all but the first (after the resident office's start)."""
    office.RESIDENT = use_resident
    resident.shutdown()
    cpu0, t0 = _cpu(), time.perf_counter()
    out = [extract_file(docs[0], "doc")]
    first, cpu1 = time.perf_counter() - t0, _live_cpu()
    out += [extract_file(d, "doc") for d in docs[1:]]
    wall, cpu2 = time.perf_counter() - t0, _live_cpu()
    starts = resident.get().starts
    resident.shutdown()  # reaps the office, so its CPU time is counted in RUSAGE_CHILDREN
    return {
        "out": out,
        "wall": wall,
        "first": first,
        "cpu": _cpu() - cpu0,
        "steady_cpu": cpu2 - cpu1,
        "starts": starts,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=40)
    args = ap.parse_args()
    os.environ.setdefault("SAL_USE_VCLPLUGIN", "svp")
    work = Path(tempfile.mkdtemp(prefix="govarchive-bench-doc-"))
    sources = [build_report_docx(work / f"r{i}.docx", filler_paragraphs=i % 40) for i in range(args.docs)]
    soffice_convert(sources, "doc", work)
    docs = [p.with_suffix(".doc") for p in sources]
    office.convert_to_docx_once(docs[0], "doc")  # warm the one-shot slot profile and the page cache

    once = _run(docs, use_resident=False)
    kept = _run(docs, use_resident=True)
    n = len(docs)
    same = sum(
        (a.error, a.text, a.tables) == (b.error, b.text, b.tables) and a.error is None
        for a, b in zip(once["out"], kept["out"], strict=True)
    )
    print(f"{n} DOCs, {sum(d.stat().st_size for d in docs) / n / 1024:.0f} KB each on average, one process")
    print(f"{'way':32} {'DOC/s':>6} {'ms/DOC':>7} {'DOC/CPU-s':>10} {'first DOC s':>12} {'later DOC/s':>12}")
    for name, run in (("one soffice per file (before)", once), ("resident LibreOffice (after)", kept)):
        later = (n - 1) / (run["wall"] - run["first"])
        print(
            f"{name:32} {n / run['wall']:6.2f} {1000 * run['wall'] / n:7.0f} {n / run['cpu']:10.2f}"
            f" {run['first']:12.2f} {later:12.2f}"
        )
    print(
        f"resident after its start: {(n - 1) / kept['steady_cpu']:.2f} DOC per CPU-second"
        f" ({1000 * kept['steady_cpu'] / (n - 1):.0f} CPU-ms per DOC); offices started: {kept['starts']}"
    )
    print(
        f"ratio after/before: {once['wall'] / kept['wall']:.1f}x DOC/s,"
        f" {once['cpu'] / kept['cpu']:.1f}x DOC per CPU-second"
    )
    print(f"same text and tables both ways: {same}/{n}")


if __name__ == "__main__":
    main()
