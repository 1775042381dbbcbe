"""What a 304 saves in a second pass of the national crawl: the same portals crawled again, once answering
conditional requests with 304 and once ignoring them (every page in full, as a portal that ignores
validators answers), each from a copy of the first pass's data folder.

The portals are tests/support/national.py's (rate-limited loopback portals, each on its own address), here
sending an ETag and a Last-Modified on every page and linking one attachment of `--attachment-kb` KiB from
each report page. The first pass is a shared crawl (`govarchive crawl --redis`) followed by `govarchive
reprocess` (a conditional request is only made for a document held and extracted; the harness runs no
extraction worker during the crawl). Each second pass is a shared crawl on a fresh Redis (the writer seeds
the validators from corpus.db) into its own copy of the first pass's data folder, the two kinds alternating,
`--repeat` times each. Measured per second pass: bytes the portals wrote (status lines, headers, bodies),
304s, requests/s (start → frontier drained), CPU-s of the crawler processes and their writers per request,
rows added to corpus.db (every table in the JSON; captures and capture_http in the table), bytes added to
the data folder, and the Redis the validators take.

    .venv/bin/python benchmarks/revisit_cost.py --portals 300 --articles 6 --attachment-kb 200 --delay 0 --repeat 2

`--delay 0` lets the crawl run as fast as the CPU allows (the figures per page are the CPU's); with a delay
the wall time of both kinds is the politeness floor (docs/national-crawl.md).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.national import Portals, RunResult, one_run, server_stats, write_portal_sites  # noqa: E402


def table_rows(data: Path) -> dict[str, int]:
    """Rows per table; the WAL folded into corpus.db first (folder_bytes then counts the database's
    growth, and the folder copies without it)."""
    conn = sqlite3.connect(data / "corpus.db")
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}
    finally:
        conn.close()


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def second_pass(
    kind: str, base: Path, folder: Path, portals: Portals, sites_file: Path, args: argparse.Namespace
) -> dict[str, Any]:
    data = folder / "data"
    shutil.copytree(base, data, ignore=shutil.ignore_patterns("*-wal", "*-shm"))
    rows_before, bytes_before = table_rows(data), folder_bytes(data)
    server_stats(portals.control_port, conditional=kind)
    time.sleep(args.delay)
    r: RunResult = one_run(
        args.processes, sites_file, args.portals, args.articles, portals.control_port, folder,
        args.timeout, data=data, attachments=bool(args.attachment_kb),
    )  # fmt: skip
    rows_after = table_rows(data)
    changed = {t: rows_after[t] - rows_before.get(t, 0) for t in rows_after}
    added = {t: n for t, n in changed.items() if n}  # a negative count: rows the pass removed
    requests = r.pages + r.not_modified
    return {
        "kind": kind,
        "requests": requests,
        "pages_200": r.pages,
        "not_modified": r.not_modified,
        "bytes_sent": r.bytes_sent,
        "crawl_s": r.crawl_s,
        "requests_per_s": round(requests / max(r.crawl_s, 1e-9), 1),
        "cpu_s": r.cpu_s,
        "cpu_ms_per_request": round(1000 * r.cpu_s / max(requests, 1), 2),
        # per request: its capture and HTTP exchange (the run's own rows come when it closes, which the
        # harness does not wait for)
        "capture_rows_added": added.get("captures", 0) + added.get("capture_http", 0),
        "rows_by_table": added,
        "data_bytes_added": folder_bytes(data) - bytes_before,
        "too_many": r.too_many,
        "load": r.load,
        "validators_mib": r.key_mib.get("validators", 0.0),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--portals", type=int, default=300)
    ap.add_argument("--articles", type=int, default=6)
    ap.add_argument("--attachment-kb", type=int, default=200, help="one attachment per report page (0: none)")
    ap.add_argument("--delay", type=float, default=0.0, help="each portal's limit and download_delay, s")
    ap.add_argument("--processes", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=3600)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="govarchive-revisit-"))
    portals = Portals(args.portals, args.articles, args.delay, args.attachment_kb)
    try:
        sites_file = write_portal_sites(work / "sites.toml", portals.bases, args.delay, 2)
        server_stats(portals.control_port, conditional="honour")
        first = one_run(
            args.processes, sites_file, args.portals, args.articles, portals.control_port, work / "first",
            args.timeout, attachments=bool(args.attachment_kb),
        )  # fmt: skip
        base = work / "first" / "data"
        subprocess.run(
            [sys.executable, "-m", "govarchive", "reprocess", "--data", str(base), "--workers", "2"],
            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True, capture_output=True,
        )  # fmt: skip
        print(
            f"first pass: {first.pages} pages, {first.bytes_sent:,} bytes sent, {first.crawl_s} s, "
            f"{first.cpu_s} CPU-s; {table_rows(base)['captures']} captures",
            flush=True,
        )
        results = []
        for i in range(args.repeat):
            for kind in ("honour", "ignore") if i % 2 == 0 else ("ignore", "honour"):
                r = second_pass(kind, base, work / f"{kind}-{i}", portals, sites_file, args)
                print(json.dumps(r), flush=True)
                results.append(r)
    finally:
        portals.stop()
        shutil.rmtree(work, ignore_errors=True)
    print(
        "| second pass | requests | 304s | bytes sent | requests/s | CPU ms per request | captures + capture_http rows | "
        "data bytes added | load |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    )
    for r in results:
        label = "304 honoured" if r["kind"] == "honour" else "validators ignored"
        print(
            f"| {label} | {r['requests']:,} | {r['not_modified']:,} | {r['bytes_sent']:,} | {r['requests_per_s']} | "
            f"{r['cpu_ms_per_request']} | {r['capture_rows_added']:,} | {r['data_bytes_added']:,} | {r['load']:.1f} |"
        )


if __name__ == "__main__":
    main()
