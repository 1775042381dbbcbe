"""Cell accuracy and rule verdicts of the figure pipeline, per document format.

Cell accuracy = over all truth cells, the fraction whose extracted value equals the truth (None == None).
Evaluation set: the five seed texts (format `seed-text`) and, when `tests.docfactory.render` and
`archive.extract.extract_file` are there, documents rendered from report specs in every format.

    .venv/bin/python benchmarks/accuracy.py [--formats docx,pdf,...] [--random N] [--scan-docs N] [--verbose]
        [--no-variants] [--baseline OTHER_CHECKOUT]

The frozen born-digital variants of tests/eval/variants/ (tests/eval/variants.py) are scored per class as
`v:<class>`; `--baseline DIR` reads the seeds and variants with another checkout's code first (its own
production path in a subprocess), so one run prints before and after.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from archive.model import Check, Stat  # noqa: E402
from archive.report.checks import run_checks  # noqa: E402
from archive.report.template import map_report  # noqa: E402

# A copy of ../shared/seeds kept in the repo, so the evaluation runs wherever the checkout is.
SEEDS_DIR = ROOT / "tests" / "eval" / "seeds"
TRUTH_DIR = ROOT / "tests" / "eval" / "truth"
FLOORS = ROOT / "tests" / "eval" / "floors.json"
# Born-digital variants from other toolchains and portals, frozen with their truth (tests/eval/variants.py).
VARIANTS_DIR = ROOT / "tests" / "eval" / "variants"
RENDER_FORMATS = ("html", "docx", "xlsx", "text", "pdf", "doc", "scan")


@dataclass
class DocResult:
    fmt: str
    name: str
    cells: int = 0
    correct: int = 0
    raw_equal: int = 0
    rules: int = 0
    rules_right: int = 0
    error: str | None = None
    mismatches: list[str] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class FormatRow:
    fmt: str
    documents: int
    cells: int
    correct: int
    raw_equal: int
    rules: int
    rules_right: int
    errors: int
    seconds: float

    @property
    def accuracy(self) -> float:
        return self.correct / self.cells if self.cells else 1.0

    @property
    def rule_accuracy(self) -> float:
        return self.rules_right / self.rules if self.rules else 1.0


# --- scoring ------------------------------------------------------------------------------------------------


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) < 1e-6


def score(
    result: DocResult,
    truth_stats: Sequence[dict[str, Any]],
    truth_checks: Sequence[dict[str, Any]],
    stats: Sequence[Stat],
    checks: Sequence[Check],
) -> DocResult:
    """Compare one document's figures and verdicts with its truth, field by field."""
    got = {(s.section, s.row, s.col): s for s in stats}
    for t in truth_stats:
        key = (t["section"], t["row"], t["col"])
        stat = got.get(key)
        value = stat.value if stat else None
        result.cells += 1
        if _same(value, t["value"]):
            result.correct += 1
        else:
            result.mismatches.append(
                f"{'.'.join(key)}: got {value!r} ({stat.raw if stat else ''!r}), want {t['value']!r}"
            )
        if (stat is not None and stat.raw == t["raw"]) or (stat is None and t["raw"] == ""):
            result.raw_equal += 1
    verdicts = {c.rule: c.status for c in checks}
    for t in truth_checks:
        result.rules += 1
        if verdicts.get(t["rule"]) == t["status"]:
            result.rules_right += 1
        else:
            result.mismatches.append(f"rule {t['rule']}: got {verdicts.get(t['rule'])}, want {t['status']}")
    return result


def figures(tables: list[Any], text: str) -> tuple[list[Stat], list[Check]]:
    """The production path after extraction: grids (or grids recovered from text) → figures → checks."""
    mapped = map_report(tables, text, None)
    return mapped.stats, run_checks(mapped.stats, mapped.template)


# --- evaluation sets ----------------------------------------------------------------------------------------


def evaluate_seeds(seeds_dir: Path = SEEDS_DIR, truth_dir: Path = TRUTH_DIR) -> list[DocResult]:
    results = []
    for truth_path in sorted(truth_dir.glob("seed_*.json")):
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        started = time.perf_counter()
        text = (seeds_dir / truth["seed"]).read_text(encoding="utf-8")
        stats, checks = figures([], text)
        result = score(DocResult("seed-text", truth["seed"]), truth["stats"], truth["checks"], stats, checks)
        result.seconds = time.perf_counter() - started
        results.append(result)
    return results


def evaluate_variants(variants_dir: Path = VARIANTS_DIR) -> list[DocResult]:
    """Each frozen variant file through extract_file and the figure path, scored per variant class
    (format `v:<class>`)."""
    from archive.extract import extract_file

    results = []
    for truth_path in sorted(variants_dir.glob("*.truth.json")):
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        started = time.perf_counter()
        result = DocResult(f"v:{truth['variant']}", truth["file"])
        ex = extract_file(variants_dir / truth["file"])
        if ex.error:
            result.error = ex.error
        stats, checks = figures(list(ex.tables), ex.text or "")
        score(result, truth["stats"], truth["checks"], stats, checks)
        result.seconds = time.perf_counter() - started
        results.append(result)
    return results


# Run in a subprocess on another checkout's code: the production path (extract_file, the text-table
# fallback that checkout's own pipeline applies, map_report, run_checks) on every seed and frozen variant.
_BASELINE_SCRIPT = """
import json, sys
from pathlib import Path
from archive.extract import extract_file
if Path("archive/report").is_dir():
    from archive.report.checks import run_checks
    from archive.report.template import map_report
    from archive.report.texttables import grids_from_text
else:  # a checkout from before archive/ was grouped by stage (an editable install must not fill the gap)
    from archive.checks import run_checks
    from archive.template import map_report
    from archive.texttables import grids_from_text
out = {}
for kind, path in json.loads(sys.stdin.read()):
    if kind == "text":
        tables, text = [], Path(path).read_text(encoding="utf-8")
    else:
        ex = extract_file(Path(path))
        tables, text = list(ex.tables), ex.text or ""
    if not tables and text:
        tables = grids_from_text(text)  # what the pipeline before sources.choose did itself
    mapped = map_report(tables, text, None)
    out[path] = {
        "stats": [[s.section, s.row, s.col, s.value, s.raw] for s in mapped.stats],
        "checks": [[c.rule, c.status] for c in run_checks(mapped.stats, mapped.template)],
    }
print(json.dumps(out))
"""


def evaluate_baseline(checkout: Path) -> list[DocResult]:
    """The seeds and the frozen variants read by another checkout's code (e.g. `git worktree add /tmp/base
    main`), scored against this checkout's truth: the 'before' of a before/after table."""
    import subprocess

    jobs: list[tuple[str, str, str, dict[str, Any]]] = []
    for p in sorted(TRUTH_DIR.glob("seed_*.json")):
        truth = json.loads(p.read_text(encoding="utf-8"))
        jobs.append(("seed-text", "text", str(SEEDS_DIR / truth["seed"]), truth))
    for p in sorted(VARIANTS_DIR.glob("*.truth.json")):
        truth = json.loads(p.read_text(encoding="utf-8"))
        jobs.append((f"v:{truth['variant']}", "file", str((VARIANTS_DIR / truth["file"]).resolve()), truth))
    done = subprocess.run(
        [sys.executable, "-c", _BASELINE_SCRIPT],
        input=json.dumps([[kind, path] for _, kind, path, _ in jobs]),
        capture_output=True,
        text=True,
        check=True,
        cwd=checkout,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(checkout), "HOME": str(Path.home())},
        timeout=1800,
    )
    got = json.loads(done.stdout.strip().splitlines()[-1])
    results = []
    for fmt, _, path, truth in jobs:
        stats = [Stat(a, b, c, v, raw) for a, b, c, v, raw in got[path]["stats"]]
        checks = [Check(rule, status, "") for rule, status in got[path]["checks"]]
        results.append(score(DocResult(fmt, Path(path).name), truth["stats"], truth["checks"], stats, checks))
    return results


def missing_render_interface() -> str | None:
    """What the rendered evaluation needs and is not there yet (None when everything is importable)."""
    try:
        from tests.docfactory.render import random_spec, render_many  # noqa: F401
    except ImportError as exc:
        return f"tests.docfactory.render (random_spec/render_many/truth_stats) not importable: {exc}"
    try:
        from archive.extract import extract_file  # noqa: F401
    except ImportError as exc:
        return f"archive.extract.extract_file not importable: {exc}"
    return None


def eval_specs(n_random: int) -> list[Any]:
    """Random specs of both templates (every fourth with a planted error) plus the seed specs with tables."""
    from tests.docfactory.render import random_spec

    specs = [random_spec(i, ("2019", "2021")[i % 2], with_error=i % 4 == 3) for i in range(n_random)]
    try:
        from tests.docfactory.seedspecs import seed_specs

        specs += [s for s in seed_specs(SEEDS_DIR, TRUTH_DIR) if s.template]
    except (ImportError, OSError, ValueError, KeyError):
        pass  # seed specs are a bonus; random specs alone make a valid set
    return specs


def render_set(specs: Sequence[Any], fmts: Iterable[str], out_dir: Path) -> list[dict[str, Path]]:
    from tests.docfactory.render import render_many

    return render_many(list(specs), list(fmts), out_dir)


def evaluate_rendered(
    specs: Sequence[Any], paths: Sequence[dict[str, Path]], fmts: Iterable[str]
) -> list[DocResult]:
    from archive.extract import extract_file

    results = []
    for fmt in fmts:
        for spec, by_fmt in zip(specs, paths, strict=True):
            path = by_fmt.get(fmt)
            if path is None:
                continue
            started = time.perf_counter()
            result = DocResult(fmt, path.name)
            ex = extract_file(path)
            if ex.error:
                result.error = ex.error
            stats, checks = figures(list(ex.tables), ex.text or "")
            score(result, spec.truth_stats(), spec.truth_checks(), stats, checks)
            result.seconds = time.perf_counter() - started
            results.append(result)
    return results


# --- reporting ----------------------------------------------------------------------------------------------


def summarize(results: Iterable[DocResult]) -> list[FormatRow]:
    rows: dict[str, FormatRow] = {}
    for r in results:
        row = rows.setdefault(r.fmt, FormatRow(r.fmt, 0, 0, 0, 0, 0, 0, 0, 0.0))
        row.documents += 1
        row.cells += r.cells
        row.correct += r.correct
        row.raw_equal += r.raw_equal
        row.rules += r.rules
        row.rules_right += r.rules_right
        row.errors += r.error is not None
        row.seconds += r.seconds
    return list(rows.values())


def format_table(rows: Sequence[FormatRow]) -> str:
    w = max([10, *(len(r.fmt) for r in rows)])
    head = f"{'format':<{w}} {'docs':>4} {'cells':>6} {'correct':>7} {'accuracy':>9} {'raw=':>6} {'rules':>9} {'errors':>6} {'s/doc':>6}"
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(
            f"{r.fmt:<{w}} {r.documents:>4} {r.cells:>6} {r.correct:>7} {r.accuracy:>9.4%} {r.raw_equal:>6} "
            f"{r.rules_right:>4}/{r.rules:<4} {r.errors:>6} {r.seconds / max(r.documents, 1):>6.2f}"
        )
    return "\n".join(lines)


def load_floors(path: Path = FLOORS) -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return data


def gate(rows: Sequence[FormatRow], floors: dict[str, dict[str, Any]]) -> list[str]:
    """Why the gate fails (empty when every measured format is at or above its floors)."""
    failures = []
    for r in rows:
        if r.fmt in floors.get("measured_only", {}):
            continue  # printed, not gated: a known failing class (floors.json says why)
        cell_floor = floors["cell_accuracy"].get(r.fmt)
        rule_floor = floors["rule_accuracy"].get(r.fmt)
        if cell_floor is None or rule_floor is None:
            failures.append(f"{r.fmt}: no floor in floors.json")
            continue
        if r.accuracy < cell_floor:
            failures.append(f"{r.fmt}: cell accuracy {r.accuracy:.4%} < floor {cell_floor:.4%}")
        if r.rule_accuracy < rule_floor:
            failures.append(f"{r.fmt}: rule verdicts {r.rule_accuracy:.4%} < floor {rule_floor:.4%}")
    return failures


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--formats", default=",".join(RENDER_FORMATS), help="rendered formats to evaluate")
    ap.add_argument("--random", type=int, default=6, help="random specs to render (both templates)")
    ap.add_argument("--scan-docs", type=int, default=2, help="documents to OCR (scans are slow)")
    ap.add_argument("--verbose", action="store_true", help="print every mismatch")
    ap.add_argument("--no-variants", action="store_true", help="skip the frozen born-digital variants")
    ap.add_argument(
        "--baseline",
        type=Path,
        help="also print the seeds and variants as read by the code of this other checkout (before/after)",
    )
    args = ap.parse_args(argv)
    if args.baseline:
        print(
            f"baseline: {args.baseline}\n" + format_table(summarize(evaluate_baseline(args.baseline))) + "\n"
        )
    results = evaluate_seeds()
    if not args.no_variants:
        results += evaluate_variants()
    fmts = [f for f in args.formats.split(",") if f]
    missing = missing_render_interface() if fmts else None
    if missing:
        print(f"rendered formats skipped: {missing}", file=sys.stderr)
    elif fmts:
        specs = eval_specs(args.random)
        with tempfile.TemporaryDirectory(prefix="govarchive-accuracy-") as tmp:
            plain = [f for f in fmts if f != "scan"]
            paths = render_set(specs, plain, Path(tmp))
            results += evaluate_rendered(specs, paths, plain)
            if "scan" in fmts and args.scan_docs:
                scan_specs = specs[: args.scan_docs]
                results += evaluate_rendered(
                    scan_specs, render_set(scan_specs, ["scan"], Path(tmp)), ["scan"]
                )
    rows = summarize(results)
    print(format_table(rows))
    if args.verbose:
        for r in results:
            for m in [f"error: {r.error}"] * bool(r.error) + r.mismatches:
                print(f"  {r.fmt} {r.name}: {m}")
    failures = gate(rows, load_floors())
    for f in failures:
        print(f"GATE: {f}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
