"""Bytes a second crawl of an unchanged portal transfers, against the first (goal: ≤ 5 %).

A real loopback portal (tests/portals/static.py: a folder served with ETag / Last-Modified / 304 by the
test server, tests/portals/server.py) serves a list page, one article page per report and a DOCX
attachment per report; the server counts every byte it writes (status line, headers, bodies).
`govarchive crawl` runs twice in subprocesses (tests/portals/harness.py), as a user or cron would run it.

    .venv/bin/python benchmarks/incremental_bytes.py [--reports 20]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.portals.harness import crawl, write_sites  # noqa: E402
from tests.portals.static import build_portal, serve, site  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=20)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="govarchive-incr-") as tmp:
        root, data = Path(tmp) / "portal", Path(tmp) / "data"
        build_portal(root, args.reports)
        server = serve(root)
        sites = write_sites(Path(tmp) / "sites.toml", [site(server.base_url)])
        sent: list[int] = []
        requests: list[int] = []
        for run in (1, 2):
            t0 = time.monotonic()
            proc = crawl(sites, data, [], check=False)
            if proc.returncode != 0:
                print(proc.stderr[-3000:], file=sys.stderr)
                return 2
            requests.append(len(server.log))
            sent.append(server.reset())
            print(
                f"crawl {run}: {sent[-1]} bytes sent in {requests[-1]} responses, {time.monotonic() - t0:.1f} s"
            )
        server.stop()
    ratio = sent[1] / sent[0]
    print(f"second/first = {ratio:.2%} (goal ≤ 5%), {args.reports} reports")
    return 0 if ratio <= 0.05 else 1


if __name__ == "__main__":
    sys.exit(main())
