"""Cell accuracy, rule verdicts and seconds per page of each OCR engine on the frozen scan set.

Each variant of tests/eval/scans/ (a report's pages spoiled like real scans, with the true figures) is
wrapped as an image-only PDF and goes the production path: archive.extract.extract_file (the PDF reader
finds no text layer and hands it to OCR) → map_report → run_checks, scored field by field against truth.

    OMP_NUM_THREADS=1 taskset -c 0 .venv/bin/python benchmarks/ocr_engines.py [--engines rapid,tesseract]
        [--variants r2021-grey150,...] [--verbose]

Seconds per page are wall time of extract_file divided by the pages; run it pinned to one core.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402

from benchmarks.accuracy import DocResult, figures, score  # noqa: E402

SCANS = ROOT / "tests" / "eval" / "scans"
SHORT = ("r2021-grey150", "r2021err-seal200")  # the variants `./run test` runs


def manifest() -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = json.loads((SCANS / "manifest.json").read_text(encoding="utf-8"))
    return data


def truth(variant: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SCANS / manifest()[variant]["truth"]).read_text(encoding="utf-8"))
    return data


def scan_pdf(variant: str, out: Path) -> Path:
    """The variant's page images as one image-only PDF, each page at the resolution it was scanned."""
    info = manifest()[variant]
    images = []
    for name in info["pages"]:
        with Image.open(SCANS / name) as im:
            im.load()
            images.append(im.convert("RGB") if im.mode not in ("L", "RGB") else im.copy())
    buf = io.BytesIO()
    images[0].save(buf, "PDF", resolution=float(info["dpi"]), save_all=True, append_images=images[1:])
    out.write_bytes(buf.getvalue())
    return out


def _cpu() -> float:
    """CPU seconds of this process and its finished children (tesseract, pdftoppm): on a shared machine
    wall time also counts other people's work, CPU time does not."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


@dataclass
class Row:
    engine: str
    variant: str
    result: DocResult
    pages: int
    cpu: float  # CPU seconds, this process and its children

    @property
    def wall_per_page(self) -> float:
        return self.result.seconds / self.pages

    @property
    def cpu_per_page(self) -> float:
        return self.cpu / self.pages


def evaluate(variant: str, engine: str, tmp: Path) -> Row:
    """Score one variant read by one engine, with its wall and CPU time."""
    from archive.extract import extract_file

    pdf = scan_pdf(variant, tmp / f"{variant}.pdf")
    os.environ["GOVARCHIVE_OCR_ENGINE"] = engine
    cpu0 = _cpu()
    started = time.perf_counter()
    ex = extract_file(pdf)
    seconds = time.perf_counter() - started
    cpu = _cpu() - cpu0
    result = DocResult(f"scan:{engine}", variant, error=ex.error, seconds=seconds)
    stats, checks = figures(list(ex.tables), ex.text or "")
    t = truth(variant)
    score(result, t["stats"], t["checks"], stats, checks)
    return Row(engine, variant, result, len(manifest()[variant]["pages"]), cpu)


def table(rows: Sequence[Row]) -> str:
    head = (
        f"{'engine':<10} {'variant':<26} {'cells':>9} {'accuracy':>9} {'rules':>6} "
        f"{'wall s/p':>8} {'cpu s/p':>8}"
    )
    lines = [head, "-" * len(head)]

    def line(
        engine: str, variant: str, ok: int, cells: int, rr: int, rules: int, wall: float, cpu: float
    ) -> str:
        return (
            f"{engine:<10} {variant:<26} {ok:>4}/{cells:<4} {ok / max(cells, 1):>9.2%} {rr:>2}/{rules:<3} "
            f"{wall:>8.2f} {cpu:>8.2f}"
        )

    for row in rows:
        r = row.result
        lines.append(
            line(
                row.engine,
                row.variant,
                r.correct,
                r.cells,
                r.rules_right,
                r.rules,
                row.wall_per_page,
                row.cpu_per_page,
            )
            + (f"  error: {r.error}" if r.error else "")
        )
    lines.append("-" * len(head))
    for engine in dict.fromkeys(row.engine for row in rows):
        mine = [row for row in rows if row.engine == engine]
        pages = sum(row.pages for row in mine)
        lines.append(
            line(
                engine,
                "ALL",
                sum(row.result.correct for row in mine),
                sum(row.result.cells for row in mine),
                sum(row.result.rules_right for row in mine),
                sum(row.result.rules for row in mine),
                sum(row.result.seconds for row in mine) / pages,
                sum(row.cpu for row in mine) / pages,
            )
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--engines", default="rapid,tesseract")
    ap.add_argument("--variants", default=",".join(manifest()))
    ap.add_argument("--verbose", action="store_true", help="print every mismatch")
    args = ap.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory(prefix="govarchive-ocrbench-") as tmp:
        for engine in [e for e in args.engines.split(",") if e]:
            for variant in [v for v in args.variants.split(",") if v]:
                row = evaluate(variant, engine, Path(tmp))
                rows.append(row)
                r = row.result
                print(
                    f"{engine} {variant}: {r.correct}/{r.cells}, rules {r.rules_right}/{r.rules}, "
                    f"{row.wall_per_page:.2f} s/page wall, {row.cpu_per_page:.2f} CPU",
                    file=sys.stderr,
                    flush=True,
                )
                if args.verbose:
                    for m in r.mismatches:
                        print(f"  {m}", file=sys.stderr)
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
