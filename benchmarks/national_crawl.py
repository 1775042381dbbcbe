"""A national crawl simulated on loopback: `--portals` rate-limited portals crawled by 1, 2 and 4
`govarchive crawl --redis` processes sharing one Redis. The harness is tests/support/national.py (the test
tests/test_national_crawl.py runs it short); what is measured is in its docstring.

    .venv/bin/python benchmarks/national_crawl.py --portals 3000 --articles 6 --delay 1.0 --processes 1,2,4
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.national import HEADER, pages_per_portal, run


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--portals", type=int, default=3000)
    ap.add_argument("--articles", type=int, default=6, help="report pages per portal (+ home and list pages)")
    ap.add_argument("--delay", type=float, default=1.0, help="each portal's limit and download_delay, s")
    ap.add_argument("--concurrency", type=int, default=2, help="each portal's `concurrency`")
    ap.add_argument("--processes", default="1,2,4")
    ap.add_argument("--timeout", type=float, default=7200)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="govarchive-national-"))
    try:
        print(
            f"{args.portals} portals × {pages_per_portal(args.articles)} pages, limit and delay {args.delay} s, "
            f"concurrency {args.concurrency}",
            flush=True,
        )
        results = run(
            args.portals, args.articles, args.delay, [int(p) for p in args.processes.split(",")], work,
            concurrency=args.concurrency, timeout_s=args.timeout,
        )  # fmt: skip
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(HEADER)
    for r in results:
        print(r.row())
    print(json.dumps([asdict(r) for r in results]))


if __name__ == "__main__":
    main()
