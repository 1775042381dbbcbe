"""Time `govarchive release` on a national-scale corpus.

    nice .venv/bin/python benchmarks/release_scale.py [--reports 100000] [--data DIR [--reuse]] [--twice]

1. A corpus of `--reports` generated reports (benchmarks/corpusgen.py, as benchmarks/corpus_scale.py builds
   it: ~204 figures and 4 checks per report), or the one already in `--data` with `--reuse`.
2. `govarchive release --data DIR --out OUT` as a user runs it (a subprocess), under /usr/bin/time: wall
   time, CPU time, peak memory; the files' sizes and row counts.
3. `--twice`: a second release into another folder, and whether every file is byte-identical.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import corpusgen  # noqa: E402


def timed_release(data: Path, out: Path) -> dict[str, Any]:
    cmd = [
        "/usr/bin/time",
        "-v",
        sys.executable,
        "-m",
        "govarchive",
        "release",
        "--data",
        str(data),
        "--out",
        str(out),
    ]
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        raise SystemExit(f"release failed ({proc.returncode}): {proc.stderr[-2000:]}")

    def stat(name: str) -> float:
        m = re.search(rf"{re.escape(name)}: ([\d.]+)", proc.stderr)
        return float(m.group(1)) if m else float("nan")

    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    return {
        "wall_s": wall,
        "cpu_s": stat("User time (seconds)") + stat("System time (seconds)"),
        "peak_rss_mb": stat("Maximum resident set size (kbytes)") / 1024,
        "rows": package["govarchive"]["rows"],
        "bytes": {p.name: p.stat().st_size for p in sorted(out.iterdir())},
        "stdout": proc.stdout.strip(),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reports", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--data", help="data folder to build (kept); default a temporary one")
    ap.add_argument("--reuse", action="store_true", help="time the corpus already in --data")
    ap.add_argument("--twice", action="store_true", help="release twice and compare the files")
    ap.add_argument("--json", help="write the result here")
    args = ap.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="release-scale-"))
    data = Path(args.data) if args.data else tmp / "data"
    result: dict[str, Any] = {}
    try:
        db = data / "corpus.db"
        if not (args.reuse and db.exists()):
            if db.exists():
                raise SystemExit(f"{db} exists (use --reuse, or another --data)")
            data.mkdir(parents=True, exist_ok=True)
            t = time.perf_counter()
            corpusgen.build(db, args.reports, seed=args.seed, progress=args.reports >= 20_000)
            result["generated_s"] = time.perf_counter() - t
        result["release"] = first = timed_release(data, tmp / "rel-a")
        rows, size = first["rows"], sum(first["bytes"].values())
        print(
            f"release of {rows['reports']:,} reports, {rows['figures']:,} figures: {first['wall_s']:.0f} s wall, "
            f"{first['cpu_s']:.0f} s CPU, peak {first['peak_rss_mb']:.0f} MB; {size / 1e9:.2f} GB written"
        )
        for name, n in first["bytes"].items():
            print(f"  {name:20} {n:>15,} bytes")
        if args.twice:
            second = timed_release(data, tmp / "rel-b")
            # SHA256SUMS holds every other file's digest: equal lists, equal files.
            same = (tmp / "rel-a" / "SHA256SUMS").read_bytes() == (tmp / "rel-b" / "SHA256SUMS").read_bytes()
            result["second"] = {**second, "identical": same}
            print(f"second release: {second['wall_s']:.0f} s wall; files byte-identical: {same}")
        if args.json:
            Path(args.json).write_text(json.dumps(result, indent=2, ensure_ascii=False))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
