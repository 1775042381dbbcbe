"""Cell accuracy and rule verdicts of the OCR engines on the frozen picture set (tables published as
screenshots, tests/eval/pictures, made by tests/eval/build_pictures.py with Pillow and Chromium, not by
the project's scan pipeline).

Each picture goes the path a crawl gives an image in a report page's text: archive.extract.extract_file
on the image file (archive.extract.ocr.image) → its tables (archive/derive.py `_with_images` appends them
to the page's) → map_report → run_checks, scored cell by cell against the truth.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/ocr_pictures.py [--engines rapid] [--pictures a,b]
        [--short] [--gate] [--verbose]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.eval.accuracy import DocResult, figures, score  # noqa: E402
from tests.eval.ocr_engines import Row, _cpu  # noqa: E402

PICTURES = ROOT / "tests" / "eval" / "pictures"
FLOORS = PICTURES / "floors.json"
# What tests/test_accuracy_pictures.py runs: both looks, both templates, PNG and JPEG, 96 and 120 dpi.
SHORT = ("p2021-pil-96-png", "p2019-chrome-120-jpg", "p2021-chrome-96-png")


def manifest() -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = json.loads((PICTURES / "manifest.json").read_text(encoding="utf-8"))
    return data


def truth(picture: str) -> dict[str, Any]:
    path = PICTURES / manifest()[picture]["truth"]
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def load_floors() -> dict[str, float]:
    data = json.loads(FLOORS.read_text(encoding="utf-8"))
    return {k: float(v) for k, v in data.items() if isinstance(v, (int, float))}


def evaluate(picture: str, engine: str) -> Row:
    from archive.extract import extract_file

    os.environ["GOVARCHIVE_OCR_ENGINE"] = engine
    cpu0 = _cpu()
    started = time.perf_counter()
    ex = extract_file(PICTURES / manifest()[picture]["file"])
    result = DocResult(f"picture:{engine}", picture, error=ex.error, seconds=time.perf_counter() - started)
    stats, checks = figures(list(ex.tables), ex.text or "")
    t = truth(picture)
    score(result, t["stats"], t["checks"], stats, checks)
    return Row(engine, picture, result, 1, _cpu() - cpu0)


def gate(rows: Sequence[Row], floors: dict[str, float]) -> list[str]:
    """Why the picture set fails its floors, per engine: cells over all pictures, cells of each picture,
    rule verdicts over all pictures (empty when every engine measured holds them)."""
    failures = []
    for engine in dict.fromkeys(row.engine for row in rows):
        mine = [row.result for row in rows if row.engine == engine]
        cells, correct = sum(r.cells for r in mine), sum(r.correct for r in mine)
        rules, right = sum(r.rules for r in mine), sum(r.rules_right for r in mine)
        if not cells or correct / cells < floors["cell_accuracy"]:
            failures.append(f"{engine}: cells {correct}/{cells} < floor {floors['cell_accuracy']:.2%}")
        for r in mine:
            if not r.cells or r.correct / r.cells < floors["picture_cell_accuracy"]:
                failures.append(
                    f"{engine} {r.name}: cells {r.correct}/{r.cells} < floor "
                    f"{floors['picture_cell_accuracy']:.2%}"
                )
        if not rules or right / rules < floors["rule_accuracy"]:
            failures.append(f"{engine}: rule verdicts {right}/{rules} < floor {floors['rule_accuracy']:.2%}")
        failures += [f"{engine} {r.name}: {r.error}" for r in mine if r.error]
    return failures


def run(engines: Sequence[str], pictures: Sequence[str], verbose: bool = False) -> list[Row]:
    rows = []
    for engine in engines:
        for picture in pictures:
            row = evaluate(picture, engine)
            rows.append(row)
            r = row.result
            print(
                f"{engine} {picture}: {r.correct}/{r.cells}, rules {r.rules_right}/{r.rules}, "
                f"{r.seconds:.2f} s wall, {row.cpu:.2f} CPU",
                file=sys.stderr,
                flush=True,
            )
            if verbose:
                for m in r.mismatches:
                    print(f"  {m}", file=sys.stderr)
    return rows


def table(rows: Sequence[Row]) -> str:
    """Per engine and picture: cells right, rule verdicts right, seconds; then per engine over all, and
    per look, resolution and format."""
    head = (
        f"{'engine':<8} {'picture':<24} {'cells':>9} {'accuracy':>9} {'rules':>6} {'wall s':>7} {'cpu s':>6}"
    )
    lines = [head, "-" * len(head)]

    def line(engine: str, name: str, group: Sequence[Row]) -> str:
        ok, cells = sum(r.result.correct for r in group), sum(r.result.cells for r in group)
        rr, rules = sum(r.result.rules_right for r in group), sum(r.result.rules for r in group)
        wall, cpu = sum(r.result.seconds for r in group), sum(r.cpu for r in group)
        errors = "; ".join(f"error: {r.result.error}" for r in group if r.result.error)
        return (
            f"{engine:<8} {name:<24} {ok:>4}/{cells:<4} {ok / max(cells, 1):>9.2%} {rr:>2}/{rules:<3} "
            f"{wall:>7.1f} {cpu:>6.1f}" + (f"  {errors}" if errors else "")
        )

    lines += [line(row.engine, row.variant, [row]) for row in rows]
    lines.append("-" * len(head))
    info = manifest()
    for engine in dict.fromkeys(row.engine for row in rows):
        mine = [row for row in rows if row.engine == engine]
        for key in ("look", "dpi", "format"):
            for value in dict.fromkeys(info[row.variant][key] for row in mine):
                group = [row for row in mine if info[row.variant][key] == value]
                lines.append(line(engine, f"{key}={value}", group))
        lines.append(line(engine, "ALL", mine))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--engines", default="rapid")
    ap.add_argument("--pictures", default=",".join(manifest()))
    ap.add_argument("--short", action="store_true", help=f"only {', '.join(SHORT)} (what the test runs)")
    ap.add_argument("--gate", action="store_true", help="exit 1 when an engine is below the floors")
    ap.add_argument("--verbose", action="store_true", help="print every mismatch")
    args = ap.parse_args(argv)
    pictures = list(SHORT) if args.short else [p for p in args.pictures.split(",") if p]
    rows = run([e for e in args.engines.split(",") if e], pictures, args.verbose)
    print(table(rows))
    failures = gate(rows, load_floors()) if args.gate else []
    for f in failures:
        print(f"GATE: {f}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
