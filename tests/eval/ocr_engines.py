"""Cell accuracy, rule verdicts and seconds per page of each OCR engine on the frozen scan set.

Each variant of tests/eval/scans/ (a report's pages spoiled like real scans, with the true figures) is
wrapped as an image-only PDF and goes the production path: archive.extract.extract_file (the PDF reader
finds no text layer and hands it to OCR) → map_report → run_checks, scored field by field against truth.

    OMP_NUM_THREADS=1 taskset -c 0 .venv/bin/python benchmarks/ocr_engines.py [--engines rapid,tesseract]
        [--variants r2021-grey150,...] [--short] [--gate] [--verbose]

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
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402

from archive.report.interpret import interpret  # noqa: E402
from tests.eval.accuracy import DocResult, figures, score  # noqa: E402

SCANS = ROOT / "tests" / "eval" / "scans"
META = ("title", "agency", "year", "kind", "template", "published_at")  # what the text must give
SHORT = ("r2021-grey150", "r2021err-seal200")  # the variants `./run test` runs
FLOORS = SCANS / "floors.json"


def manifest() -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = json.loads((SCANS / "manifest.json").read_text(encoding="utf-8"))
    return data


def truth(variant: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SCANS / manifest()[variant]["truth"]).read_text(encoding="utf-8"))
    return data


def scan_pdf(variant: str, out: Path) -> Path:
    """The variant's page images as one image-only PDF, each page at the resolution it was scanned, the
    image bytes embedded as they are (a JPEG stays the same JPEG, a 1-bit page stays 1-bit): wrapping
    must not add loss of its own."""
    info = manifest()[variant]
    out.write_bytes(images_pdf([(SCANS / name).read_bytes() for name in info["pages"]], info["dpi"]))
    return out


def images_pdf(pages: Sequence[bytes], dpi: int) -> bytes:
    """A minimal PDF with one full-page image per page: JPEG as DCTDecode, anything else (PNG, 1-bit) as
    Flate-compressed raw samples."""
    objects: list[bytes] = []
    kids = []
    for data in pages:
        with Image.open(io.BytesIO(data)) as im:
            w, h, mode, fmt = im.width, im.height, im.mode, im.format
            if fmt == "JPEG" and mode in ("L", "RGB"):
                stream, filt = data, "/DCTDecode"
                space, bits = ("/DeviceGray" if mode == "L" else "/DeviceRGB"), 8
            else:
                im2 = im if im.mode in ("1", "L", "RGB") else im.convert("RGB")
                stream, filt = zlib.compress(im2.tobytes()), "/FlateDecode"
                space = "/DeviceRGB" if im2.mode == "RGB" else "/DeviceGray"
                bits = 1 if im2.mode == "1" else 8
        pw, ph = w * 72 / dpi, h * 72 / dpi
        img_no, content_no, page_no = len(objects) + 3, len(objects) + 4, len(objects) + 5
        objects.append(
            f"<< /Type /XObject /Subtype /Image /Width {w} /Height {h} /ColorSpace {space} "
            f"/BitsPerComponent {bits} /Filter {filt} /Length {len(stream)} >>\nstream\n".encode()
            + stream
            + b"\nendstream"
        )
        draw = f"q {pw:.2f} 0 0 {ph:.2f} 0 0 cm /Im Do Q".encode()
        objects.append(b"<< /Length %d >>\nstream\n" % len(draw) + draw + b"\nendstream")
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {pw:.2f} {ph:.2f}] "
            f"/Resources << /XObject << /Im {img_no} 0 R >> >> /Contents {content_no} 0 R >>".encode()
        )
        kids.append(f"{page_no} 0 R")
    head = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>".encode(),
    ]
    body = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, obj in enumerate(head + objects, 1):
        offsets.append(len(body))
        body += b"%d 0 obj\n" % n + obj + b"\nendobj\n"
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(offsets) + 1)
    body += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    body += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(offsets) + 1, xref)
    return bytes(body)


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
    meta_wrong: list[str] = field(default_factory=list)  # title, agency, year, kind, template read wrong

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
    got = interpret(ex)
    wrong = [
        f"{k}: got {getattr(got, k)!r}, want {t['meta'][k]!r}"
        for k in META
        if getattr(got, k) != t["meta"][k]
    ]
    return Row(engine, variant, result, len(manifest()[variant]["pages"]), cpu, wrong)


def table(rows: Sequence[Row]) -> str:
    """Per engine and variant: cells right, rule verdicts right, metadata fields right (of 6), wall and CPU
    seconds per page; then per engine over all variants."""
    head = (
        f"{'engine':<10} {'variant':<26} {'cells':>9} {'accuracy':>9} {'rules':>6} "
        f"{'meta':>5} {'wall s/p':>8} {'cpu s/p':>8}"
    )
    lines = [head, "-" * len(head)]

    def line(engine: str, variant: str, group: Sequence[Row]) -> str:
        ok, cells = sum(r.result.correct for r in group), sum(r.result.cells for r in group)
        rr, rules = sum(r.result.rules_right for r in group), sum(r.result.rules for r in group)
        meta_total = len(META) * len(group)
        meta_ok = meta_total - sum(len(r.meta_wrong) for r in group)
        pages = sum(r.pages for r in group)
        wall, cpu = sum(r.result.seconds for r in group) / pages, sum(r.cpu for r in group) / pages
        errors = "; ".join(f"error: {r.result.error}" for r in group if r.result.error)
        return (
            f"{engine:<10} {variant:<26} {ok:>4}/{cells:<4} {ok / max(cells, 1):>9.2%} {rr:>2}/{rules:<3} "
            f"{meta_ok:>2}/{meta_total:<2} {wall:>8.2f} {cpu:>8.2f}" + (f"  {errors}" if errors else "")
        )

    lines += [line(row.engine, row.variant, [row]) for row in rows]
    lines.append("-" * len(head))
    for engine in dict.fromkeys(row.engine for row in rows):
        lines.append(line(engine, "ALL", [row for row in rows if row.engine == engine]))
    return "\n".join(lines)


def load_floors() -> dict[str, float]:
    data: dict[str, float] = json.loads(FLOORS.read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if k in ("cell_accuracy", "rule_accuracy")}


def gate(rows: Sequence[Row], floors: dict[str, float]) -> list[str]:
    """Why the scan set fails its floors, per engine (empty when every engine measured holds them)."""
    failures = []
    for engine in dict.fromkeys(row.engine for row in rows):
        mine = [row.result for row in rows if row.engine == engine]
        cells, correct = sum(r.cells for r in mine), sum(r.correct for r in mine)
        rules, right = sum(r.rules for r in mine), sum(r.rules_right for r in mine)
        if not cells or correct / cells < floors["cell_accuracy"]:
            failures.append(f"{engine}: cells {correct}/{cells} < floor {floors['cell_accuracy']:.2%}")
        if not rules or right / rules < floors["rule_accuracy"]:
            failures.append(f"{engine}: rule verdicts {right}/{rules} < floor {floors['rule_accuracy']:.2%}")
        failures += [f"{engine} {r.name}: {r.error}" for r in mine if r.error]
        failures += [
            f"{engine} {row.variant}: {m}" for row in rows if row.engine == engine for m in row.meta_wrong
        ]
    return failures


def run(engines: Sequence[str], variants: Sequence[str], verbose: bool = False) -> list[Row]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="govarchive-ocrbench-") as tmp:
        for engine in engines:
            for variant in variants:
                row = evaluate(variant, engine, Path(tmp))
                rows.append(row)
                r = row.result
                print(
                    f"{engine} {variant}: {r.correct}/{r.cells}, rules {r.rules_right}/{r.rules}, "
                    f"{row.wall_per_page:.2f} s/page wall, {row.cpu_per_page:.2f} CPU",
                    file=sys.stderr,
                    flush=True,
                )
                if verbose:
                    for m in r.mismatches + row.meta_wrong:
                        print(f"  {m}", file=sys.stderr)
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--engines", default="rapid,tesseract")
    ap.add_argument("--variants", default=",".join(manifest()))
    ap.add_argument("--short", action="store_true", help=f"only {', '.join(SHORT)} (what ./run test runs)")
    ap.add_argument("--gate", action="store_true", help="exit 1 when an engine is below the scan floors")
    ap.add_argument("--verbose", action="store_true", help="print every mismatch")
    args = ap.parse_args(argv)
    variants = list(SHORT) if args.short else [v for v in args.variants.split(",") if v]
    rows = run([e for e in args.engines.split(",") if e], variants, args.verbose)
    print(table(rows))
    failures = gate(rows, load_floors()) if args.gate else []
    for f in failures:
        print(f"GATE: {f}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
