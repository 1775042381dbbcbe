"""Crawler scale-out: one shared crawl of a generated portal set by 1, then 2 `govarchive crawl --redis`
processes, in one invocation, each against a fresh Redis and data folder.

    .venv/bin/python benchmarks/dist_scale.py [--sites 200] [--pages 200000] [--docs 60] [--processes 1,2]

The portal set: `--sites` TRS-style portals (benchmarks/soak.py's pages: list pages with pagers, report
pages), each on its own loopback port of one raw asyncio HTTP server process, plus one portal with `--docs`
reports in every format (HTML, PDF, DOCX, XLSX, DOC, ZIP, scans; benchmarks/kill_chaos.py's). What is
measured is the crawl stage: from start until the shared frontier is drained and the corpus writer has
written every capture (blobs in the shared store, capture rows in corpus.db). Extraction jobs are queued
but no worker runs — their scaling is benchmarks/worker_scale.py's — so the crawlers' own rate is what
the figures show. Peak RSS is sampled every second from /proc for each crawler process and its writer.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import redis  # noqa: E402

from tests.conftest import start_redis  # noqa: E402
from tests.portals.harness import write_sites  # noqa: E402
from tests.portals.server import Portal  # noqa: E402
from tests.support import soak  # noqa: E402
from tests.support.kill_chaos import build_portal, crawl_env  # noqa: E402
from tests.support.national import crawl_key, start_crawlers  # noqa: E402


def _rss_kb(pid: int, field: str = "VmRSS") -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def one_run(processes: int, sites_file: Path, work: Path, concurrency: int) -> dict[str, Any]:
    folder = work / f"run-{processes}"
    folder.mkdir()
    data = folder / "data"
    redis_proc, url = start_redis(folder)
    client: Any = redis.Redis.from_url(url)
    procs: list[subprocess.Popen[bytes]] = []
    peak: dict[str, int] = {}
    try:
        env = {**crawl_env(1), "GOVARCHIVE_PROGRESS_INTERVAL": "0"}
        start = time.monotonic()
        procs = start_crawlers(processes, url, sites_file, data, folder, env)
        drained_at = written_at = None
        while written_at is None:
            time.sleep(1.0)
            for i, proc in enumerate(procs):
                if proc.poll() is not None:
                    raise SystemExit(
                        f"crawler {i} stopped: {(folder / f'crawler{i}.log').read_text()[-3000:]}"
                    )
                crawler_kb = _rss_kb(proc.pid)
                peak[f"crawler{i}"] = max(peak.get(f"crawler{i}", 0), crawler_kb)
                for child in _children(proc.pid):
                    peak[f"writer{i}"] = max(peak.get(f"writer{i}", 0), _rss_kb(child))
            run_key = crawl_key(client, "run")
            if drained_at is None and run_key and client.hget(run_key, "frontier_drained"):
                drained_at = time.monotonic()
            captures_key = crawl_key(client, "captures")
            if drained_at is not None and (captures_key is None or client.xlen(captures_key) == 0):
                written_at = time.monotonic()
        jobs = int(client.xlen("govarchive:jobs")) if client.exists("govarchive:jobs") else 0
        used_mb = client.info("memory")["used_memory"] / 1e6
    finally:
        for proc in procs:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        redis_proc.terminate()
        redis_proc.wait(10)
    with sqlite3.connect(data / "corpus.db") as conn:
        pages = conn.execute("SELECT count(*) FROM captures WHERE status = 200").fetchone()[0]
        distinct = conn.execute("SELECT count(DISTINCT url) FROM captures WHERE status = 200").fetchone()[0]
    assert drained_at is not None
    crawl_s = drained_at - start
    return {
        "processes": processes,
        "pages": pages,
        "distinct_urls": distinct,
        "crawl_s": round(crawl_s, 1),
        "written_s": round(written_at - start, 1),
        "pages_per_s": round(pages / crawl_s, 1),
        "peak_rss_mb": {k: round(v / 1024, 1) for k, v in sorted(peak.items())},
        "jobs_queued": jobs,
        "redis_used_mb_at_end": round(used_mb, 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sites", type=int, default=200)
    ap.add_argument("--pages", type=int, default=200_000)
    ap.add_argument("--docs", type=int, default=60)
    ap.add_argument("--processes", default="1,2")
    ap.add_argument("--concurrency", type=int, default=4, help="per site (16 in all per process)")
    args = ap.parse_args()
    per_site = args.pages // args.sites
    lists = max(2, per_site // (soak.PER_LIST + 1))
    ports: Any = multiprocessing.Queue()
    server = multiprocessing.Process(target=soak.serve, args=(args.sites, lists, ports), daemon=True)
    server.start()
    docs = Portal()
    docs_base = docs.start()
    work = Path(tempfile.mkdtemp(prefix="govarchive-dist-scale-"))
    try:
        formats = build_portal(docs, args.docs, work / "files")
        bases = [f"http://127.0.0.1:{ports.get(timeout=60)}" for _ in range(args.sites)]
        site_rows = [
            {"id": f"s{k}", "name": f"测试{k}县人民政府", "start_urls": [b + "/"], "family": "trs",
             "download_delay": 0.0, "concurrency": args.concurrency, "max_pages": 10**7, "max_depth": 10**6}
            for k, b in enumerate(bases)
        ]  # fmt: skip
        site_rows.append(
            {"id": "docs", "name": "测试", "start_urls": [docs_base + "/xxgk/ndbg/index.html"],
             "download_delay": 0.0, "concurrency": 8}
        )  # fmt: skip
        sites_file = write_sites(work / "sites.toml", site_rows)
        expected = args.sites * (1 + lists * (soak.PER_LIST + 1))
        print(
            f"portal set: {args.sites} generated sites, {expected} pages, plus {args.docs} reports {formats}"
        )
        results = [one_run(int(p), sites_file, work, args.concurrency) for p in args.processes.split(",")]
    finally:
        docs.stop()
        server.terminate()
        server.join(10)
        shutil.rmtree(work, ignore_errors=True)
    base = results[0]["pages_per_s"] or 1.0
    print(
        "| crawler processes | pages | crawl s | pages/s | × 1 process | all written s | peak RSS MB | jobs queued |"
    )
    print("|---:|---:|---:|---:|---:|---:|---|---:|")
    for r in results:
        print(
            f"| {r['processes']} | {r['pages']} | {r['crawl_s']} | {r['pages_per_s']} | "
            f"{r['pages_per_s'] / base:.2f} | {r['written_s']} | {r['peak_rss_mb']} | {r['jobs_queued']} |"
        )
    print(json.dumps(results))
    print(f"cores: {os.cpu_count()}")


if __name__ == "__main__":
    main()
