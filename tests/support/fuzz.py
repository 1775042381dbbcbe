"""Coverage-guided fuzzing (atheris / libFuzzer) of every extractor, called as the pipeline calls it.

Usage:
  .venv/bin/python benchmarks/fuzz.py --minutes 60                 # every target, the time split evenly
  .venv/bin/python benchmarks/fuzz.py --targets pdf,html --minutes 10
  .venv/bin/python benchmarks/fuzz.py --runs 40 --json             # bounded: N executions per target
  .venv/bin/python benchmarks/fuzz.py --build-seeds                # freeze tests/fuzz_seeds/ again

Each target (tests/fuzztargets.py) runs in its own worker process under libFuzzer's limits: an input slower
than --timeout seconds is a hang, a worker whose RSS passes --rss-mb is over its memory cap, an exception
or an unexpected-exception error value is a crash. Each finding is written to tests/fuzz_regressions/
<target>/<sha>.bin (replayed by tests/test_fuzz.py); the worker restarts and fuzzing goes on until the
target's time is up. Zip containers (DOCX, XLSX, OFD, ZIP) get a structure-aware mutator half the time:
one member edited and the container written again, so mutations reach the XML parsers.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.fuzztargets import REGRESSIONS, TARGETS, ZIP_TARGETS, save_regression, seed_files  # noqa: E402

# The per-document limit of a fuzzed input. The pipeline's pool allows 600 s (GOVARCHIVE_EXTRACT_TIMEOUT);
# fuzzing holds extractors to a far stricter bound so slow paths show up as findings.
DEFAULT_TIMEOUT_S = 60
# Memory cap of an extraction worker: the pool's (archive/extract/limits.py MAX_WORKER_MEMORY, applied to the
# fuzzing worker too), watched from outside as RSS by libFuzzer.
DEFAULT_RSS_MB = 2048


# Extractors with a documented bound of their own (LibreOffice's conversion timeout, OCR's per-page
# timeout): their inputs get that bound plus a margin before they count as hangs.
def _own_bound(target: str) -> float:
    if target == "doc":
        from archive.extract.office import TIMEOUT

        return TIMEOUT
    if target in ("image", "pdf"):
        from archive.extract.ocr import PAGE_TIMEOUT

        return PAGE_TIMEOUT
    return 0.0


# Coverage comes from the project's code and the pure-Python readers a target goes through (C libraries —
# pdfium, lxml, libarchive, zlib — give none). Instrumenting costs start-up time, so only what the target uses.
INSTRUMENTED = {
    "pdf": [],
    "docx": [],
    "doc": ["olefile"],
    "xlsx": ["openpyxl"],
    "xls": ["xlrd", "olefile"],
    "ofd": [],
    "html": ["w3lib"],
    "package": [],
    "image": ["PIL"],
}
MAX_RESTARTS = 25
HEAVY_MB = 1024  # an input that takes the worker past this RSS is kept for a look (GOVARCHIVE_FUZZ_HEAVY_DIR)
# Functions atheris 2.3's bytecode rewriter miscompiles on Python 3.11 (the instrumented code segfaults on
# any input; the plain function is fine): they run uninstrumented. Found by replaying each "deadly signal"
# input without atheris (`replays_clean`).
MISCOMPILED = {"archive.extract.docx": ["_kept_columns"]}


@dataclass
class Finding:
    kind: str  # crash | timeout | oom
    file: str
    message: str


@dataclass
class TargetResult:
    target: str
    executions: int = 0
    seconds: float = 0.0
    peak_rss_mb: int = 0
    restarts: int = 0
    findings: list[Finding] = field(default_factory=list)
    artefacts: list[str] = field(default_factory=list)  # segfaults of atheris' instrumentation only
    slow_units: int = 0  # inputs over libFuzzer's 10 s report threshold (below the hang limit)


# -- worker: one target under atheris -------------------------------------------------------------


def worker(target: str, libfuzzer_args: list[str]) -> None:
    import atheris

    from archive.extract.limits import cap_worker_memory

    cap_worker_memory()  # as a pool worker runs: an allocation past the cap is a MemoryError (a finding)

    with atheris.instrument_imports(include=["archive", *INSTRUMENTED[target]]):
        # extract_file imports its readers lazily; import them here so they are instrumented.
        import archive.extract.docx
        import archive.extract.html
        import archive.extract.ocr.image
        import archive.extract.ofd
        import archive.extract.office
        import archive.extract.package
        import archive.extract.pageinfo
        import archive.extract.pdf
        import archive.extract.xlsx
        import archive.report.interpret  # noqa: F401
    _restore_plain(MISCOMPILED)
    from tests.fuzztargets import mutate_zip, run_target

    work = Path(tempfile.mkdtemp(prefix=f"govarchive-fuzz-{target}-"))
    count = 0
    heaviest = [0]
    heavy_dir = os.environ.get("GOVARCHIVE_FUZZ_HEAVY_DIR", "")

    def test_one(data: bytes) -> None:
        nonlocal count
        count += 1
        if count % 200 == 0:  # DOC conversions are cached by SHA-256; fuzzed inputs never repeat
            import shutil

            shutil.rmtree(work / "cache", ignore_errors=True)
        try:
            run_target(target, data, work)
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
            if peak > heaviest[0] and peak > HEAVY_MB and heavy_dir:
                # Not a finding (under the cap), but the input worth a look: kept beside the artifacts.
                heaviest[0] = peak
                (Path(heavy_dir) / f"heavy-{peak}MB-{hashlib.sha1(data).hexdigest()}").write_bytes(data)
        except Exception as exc:  # said on stderr for the driver (atheris' own report goes to stdout)
            os.write(2, f"\nFINDING: {type(exc).__name__}: {exc}\n".encode("utf-8", "replace"))
            raise

    def zip_mutator(data: bytes, max_size: int, seed: int) -> bytes:
        rng = random.Random(seed)
        if rng.random() < 0.5:
            out = mutate_zip(data, rng, atheris.Mutate)
            if out is not None and len(out) <= max_size:
                return out
        return atheris.Mutate(data, max_size)

    kwargs = {"custom_mutator": zip_mutator} if target in ZIP_TARGETS else {}
    atheris.Setup([sys.argv[0], *libfuzzer_args], test_one, **kwargs)
    atheris.Fuzz()


def _restore_plain(functions: dict[str, list[str]]) -> None:
    """Give the listed functions back their uninstrumented code (compiled from the same source)."""
    import importlib
    import importlib.util

    for module_name, names in functions.items():
        module = importlib.import_module(module_name)
        spec = importlib.util.spec_from_file_location(f"_plain_{module_name}", module.__file__)
        assert spec is not None and spec.loader is not None
        plain = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(plain)
        for name in names:
            getattr(module, name).__code__ = getattr(plain, name).__code__


def replays_clean(target: str, data: bytes, timeout: float) -> bool:
    """True when the input goes through the target without atheris (a fresh, uninstrumented process)."""
    code = (
        "import sys; from pathlib import Path; from tests.fuzztargets import run_target, scratch; "
        f"run_target({target!r}, Path(sys.argv[1]).read_bytes(), scratch())"
    )
    with tempfile.NamedTemporaryFile(suffix=".bin") as fh:
        fh.write(data)
        fh.flush()
        try:
            proc = subprocess.run(
                [sys.executable, "-c", code, fh.name],
                cwd=ROOT,
                env={**os.environ, "PYTHONPATH": str(ROOT)},
                capture_output=True,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired:
            return False
    return proc.returncode == 0


# -- driver --------------------------------------------------------------------------------------


_EXEC_LINE = re.compile(r"^#(\d+)\s+\w+.*?rss: (\d+)Mb", re.MULTILINE)
_FINAL_EXECS = re.compile(r"stat::number_of_executed_units: (\d+)")
_PEAK_RSS = re.compile(r"stat::peak_rss_mb: (\d+)")
_ARTIFACT = re.compile(r"Test unit written to (\S+)")


def _message(log: str) -> str:
    for pattern in (
        r"FINDING: (.*)",
        r"=== Uncaught Python exception: ===\n(.*)\n",
        r"ERROR: libFuzzer: (.*)",
    ):
        if m := re.search(pattern, log):
            return m.group(1).strip()[:300]
    return log.strip().splitlines()[-1][:300] if log.strip() else "worker died"


def run_target_for(
    target: str,
    seconds: float,
    runs: int | None,
    timeout: int,
    rss_mb: int,
    quiet: bool,
    keep: Path = REGRESSIONS,
    max_seeds: int | None = None,
) -> TargetResult:
    """Fuzz one target for `seconds` (or `runs` executions, seeds included; `max_seeds` of them at most);
    findings are written under `keep`."""
    result = TargetResult(target)
    timeout = max(timeout, int(_own_bound(target)) + 30)
    seeds = seed_files(target)[:max_seeds]
    max_len = min(max((p.stat().st_size for p in seeds), default=4096) * 2, 2 * 1024 * 1024)
    with tempfile.TemporaryDirectory(prefix=f"govarchive-fuzz-{target}-corpus-") as tmp:
        corpus, artifacts = Path(tmp) / "corpus", Path(tmp) / "artifacts"
        corpus.mkdir()
        artifacts.mkdir()
        for p in seeds:
            (corpus / p.name).write_bytes(p.read_bytes())
        start = time.monotonic()
        while True:
            left = seconds - (time.monotonic() - start)
            remaining_runs = None if runs is None else runs - result.executions
            if left < 1 or (remaining_runs is not None and remaining_runs <= 0):
                break
            args = [
                str(corpus),
                f"-max_total_time={max(1, int(left))}",
                f"-timeout={timeout}",
                f"-rss_limit_mb={rss_mb}",
                f"-max_len={max_len}",
                f"-artifact_prefix={artifacts}/",
                "-print_final_stats=1",
                "-close_fd_mask=1",  # the extractors' own stdout chatter (LibreOffice, libarchive)
            ]
            if remaining_runs is not None:
                args.append(f"-runs={remaining_runs}")
            before = set(artifacts.iterdir())
            proc = subprocess.run(
                [sys.executable, __file__, "--worker", target, "--", *args],
                cwd=ROOT,
                capture_output=True,
                text=True,
                errors="replace",
                env={**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"},
                timeout=max(left, 0) + timeout + 120,
            )
            log = proc.stderr
            execs = [int(m) for m in _FINAL_EXECS.findall(log)]
            lines = _EXEC_LINE.findall(log)
            result.executions += execs[-1] if execs else (int(lines[-1][0]) if lines else 0)
            peaks = [int(m) for m in _PEAK_RSS.findall(log)] + [int(r) for _, r in lines]
            result.peak_rss_mb = max([result.peak_rss_mb, *peaks])
            new = sorted(set(artifacts.iterdir()) - before)
            if proc.returncode == 0:
                result.slow_units += sum(1 for a in new if a.name.startswith("slow-unit-"))
                break
            found: list[Finding] = []
            for art in new:
                if art.name.startswith("slow-unit-"):  # libFuzzer's note of a slow input (>10 s), no hang
                    result.slow_units += 1
                    continue
                kind = art.name.split("-")[0]
                data = art.read_bytes()
                if "deadly signal" in log and replays_clean(target, data, timeout):
                    # A segfault of the instrumented code only: atheris' bug, not the extractor's.
                    result.artefacts.append(_message(log))
                    continue
                saved = save_regression(target, data, keep)
                found.append(Finding(kind, str(saved), _message(log)))
            if not [a for a in new if not a.name.startswith("slow-unit-")]:
                found.append(Finding("crash", "", f"worker exit {proc.returncode}: {_message(log)}"))
            result.findings += found
            if not quiet:
                for f in found:
                    print(f"  {target}: finding {f.kind}: {f.message}", flush=True)
                if len(found) < len(new):
                    print(f"  {target}: instrumentation artefact (replays clean without atheris)", flush=True)
            result.restarts += 1
            if result.restarts >= MAX_RESTARTS:
                break
        result.seconds = round(time.monotonic() - start, 1)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--targets", default=",".join(TARGETS))
    parser.add_argument("--minutes", type=float, default=None, help="total time, split evenly across targets")
    parser.add_argument("--runs", type=int, default=None, help="executions per target (seeds included)")
    parser.add_argument("--timeout", type=int, default=DEFAULT_TIMEOUT_S, help="per-input time limit, s")
    parser.add_argument("--rss-mb", type=int, default=DEFAULT_RSS_MB, help="worker memory cap, MB")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--build-seeds", action="store_true", help="make tests/fuzz_seeds/ with real tools")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args, rest = parser.parse_known_args(argv)
    if args.worker:
        worker(args.worker, [a for a in rest if a != "--"])
        return 0
    if args.build_seeds:
        from tests.fuzztargets import build_seeds

        for target, paths in build_seeds().items():
            print(f"{target}: {', '.join(p.name for p in paths)}")
        return 0
    targets = [t.strip() for t in args.targets.split(",") if t.strip()]
    unknown = [t for t in targets if t not in TARGETS]
    if unknown:
        parser.error(f"unknown targets {unknown}; known: {', '.join(TARGETS)}")
    if args.minutes is None and args.runs is None:
        args.minutes = 60
    per_target = (args.minutes * 60 / len(targets)) if args.minutes is not None else 24 * 3600
    results = []
    for target in targets:
        if not args.json:
            print(
                f"== {target}: {per_target:.0f} s" + (f", {args.runs} runs" if args.runs else ""), flush=True
            )
        r = run_target_for(target, per_target, args.runs, args.timeout, args.rss_mb, args.json)
        results.append(r)
        if not args.json:
            rate = r.executions / r.seconds if r.seconds else 0
            print(
                f"   {r.executions} executions in {r.seconds:.0f} s ({rate:.1f}/s), peak RSS {r.peak_rss_mb} MB, "
                f"{len(r.findings)} findings, {r.slow_units} slow inputs (>10 s)",
                flush=True,
            )
    if args.json:
        print(json.dumps([asdict(r) for r in results], ensure_ascii=False, indent=1))
    else:
        total = sum(r.executions for r in results)
        print(f"total: {total} executions, {sum(len(r.findings) for r in results)} findings")
    return 1 if any(r.findings for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
