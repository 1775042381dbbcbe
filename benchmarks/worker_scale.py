"""Extraction jobs on Redis: wall time of extraction-bound work done by 1 vs 2 `govarchive worker` processes,
and how long a killed worker's job waits before another worker takes it over.

Work: DOC reports (LibreOffice conversion, made by the test-document factory from random specs, each a
distinct blob) and the frozen scans of tests/eval/scans (OCR, 3–4 pages each), submitted as jobs on a
loopback redis-server (Debian's), scans first. Each configuration starts its workers (`--processes 1`
each), waits until they are taking jobs, then times submit → last result; the DOC conversion cache (DATA/derived) is emptied
before every run so each run converts every DOC. Runs alternate 1, 2, 2, 1, … and the medians are compared.

Kill pickup: two workers; a scan job is submitted, the worker that takes it is SIGKILLed with its whole
process group (a lost machine), a replacement is started; the time from the kill until another worker
holds the job is the pickup time (the takeover delay `--claim-idle` plus up to one sweep).

    .venv/bin/python benchmarks/worker_scale.py [--docs 8] [--repeat 3] [--kills 5] [--claim-idle 10]
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import redis  # noqa: E402

from archive.sharedcrawl.jobs import JOBS_GROUP, JOBS_KEY, ExtractionJobs, ExtractionResults  # noqa: E402
from archive.store.blobs import BlobStore  # noqa: E402
from tests.conftest import start_redis  # noqa: E402
from tests.docfactory.random_specs import random_spec  # noqa: E402
from tests.docfactory.render import render_many  # noqa: E402
from tests.eval.ocr_engines import manifest, scan_pdf  # noqa: E402

REPLY = "govarchive:bench-worker-scale:results"


def make_documents(out: Path, docs: int) -> list[Path]:
    specs = [random_spec(seed, "2021" if seed % 2 else "2019") for seed in range(docs)]
    made = [r["doc"] for r in render_many(specs, ["doc"], out / "doc")]
    scans = [scan_pdf(variant, out / f"{variant}.pdf") for variant in sorted(manifest())]
    # Longest first (the queue is FIFO): neither configuration ends on one worker finishing a late scan.
    return scans + made


class Pool:
    """Worker processes, each leading its own process group (so a kill takes its pool with it)."""

    def __init__(self, url: str, data: Path, logs: Path, claim_idle: float) -> None:
        self.url, self.data, self.logs, self.claim_idle = url, data, logs, claim_idle
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self) -> subprocess.Popen[bytes]:
        log = self.logs / f"worker-{len(self.procs)}.log"
        with log.open("wb") as fh:
            proc = subprocess.Popen(
                [sys.executable, "-m", "govarchive", "worker", "--redis", self.url, "--data", str(self.data),
                 "--processes", "1", "--claim-idle", str(self.claim_idle)],
                cwd=ROOT, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        self.procs.append(proc)
        deadline = time.monotonic() + 60
        while "extraction processes; jobs from" not in log.read_text(errors="replace"):
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError(f"worker did not start: {log.read_text(errors='replace')[-2000:]}")
            time.sleep(0.05)
        return proc

    def kill(self, proc: subprocess.Popen[bytes]) -> None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        self.procs = []


def holders(client: Any) -> dict[str, str]:
    def s(v: Any) -> str:
        return v.decode() if isinstance(v, bytes) else str(v)

    return {
        s(p["message_id"]): s(p["consumer"])
        for p in client.xpending_range(JOBS_KEY, JOBS_GROUP, "-", "+", 100)
    }


def group_cpu(pgids: set[int]) -> float:
    """CPU seconds used so far by the processes of these process groups, with the children they reaped
    (LibreOffice): the cores the workers actually got on a shared machine."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) in pgids:  # fields after the name: state ppid pgrp … utime(11) stime cutime cstime
            total += sum(int(x) for x in fields[11:15])
    return total / os.sysconf("SC_CLK_TCK")


def wait_results(results: ExtractionResults, n: int, timeout: float = 900) -> list[tuple[str, str | None]]:
    got: list[tuple[str, str | None]] = []
    deadline = time.monotonic() + timeout
    while len(got) < n:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{len(got)} of {n} results after {timeout:.0f} s")
        for entry, sha, ex in results.read("bench", 64, 200):
            got.append((sha, ex.error))
            results.ack(entry.id)
    return got


def run_once(
    url: str, data: Path, logs: Path, shas: list[str], workers: int, claim_idle: float
) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the workers) from the first job submitted to the last result."""
    shutil.rmtree(data / "derived", ignore_errors=True)  # every DOC converted again in every run
    client = redis.Redis.from_url(url)
    pool = Pool(url, data, logs, claim_idle)
    try:
        for _ in range(workers):
            pool.start()
        time.sleep(0.5)  # their first reads
        jobs, results = ExtractionJobs(client), ExtractionResults(client, REPLY)
        pgids = {p.pid for p in pool.procs}
        cpu0 = group_cpu(pgids)
        started = time.monotonic()
        for sha in shas:
            jobs.submit(sha, f"http://bench.example/{sha[:12]}", "", REPLY)
        got = wait_results(results, len(shas))
        wall = time.monotonic() - started
        cpu = group_cpu(pgids) - cpu0
    finally:
        pool.stop()
    errors = [(s[:12], e) for s, e in got if e]
    if errors or {s for s, _ in got} != set(shas):
        raise RuntimeError(f"bad results: {errors}")
    return wall, cpu


def pickups(url: str, data: Path, logs: Path, scans: list[str], kills: int, claim_idle: float) -> list[float]:
    client = redis.Redis.from_url(url)
    pool = Pool(url, data, logs, claim_idle)
    jobs, results = ExtractionJobs(client), ExtractionResults(client, REPLY)
    out: list[float] = []
    try:
        pool.start()
        pool.start()
        for n in range(kills):
            job = jobs.submit(scans[n % len(scans)], "http://bench.example/scan.pdf", "", REPLY)
            while job not in holders(client):
                time.sleep(0.01)
            victim = holders(client)[job]
            pid = int(victim.rsplit("-", 2)[1])
            pool.kill(next(p for p in pool.procs if p.pid == pid))
            killed = time.monotonic()
            pool.start()  # the lost machine's replacement; the survivor or it takes the job
            while holders(client).get(job, victim) == victim:
                time.sleep(0.02)
            out.append(time.monotonic() - killed)
            wait_results(results, 1)
            print(f"  kill {n + 1}: job taken over after {out[-1]:.2f} s", flush=True)
    finally:
        pool.stop()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--docs", type=int, default=8, help="DOC reports (plus the 7 frozen scans)")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each configuration, alternating")
    ap.add_argument("--kills", type=int, default=5)
    ap.add_argument("--claim-idle", type=float, default=10.0, help="the workers' takeover delay, seconds")
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="govarchive-worker-scale-") as tmp_name:
        tmp = Path(tmp_name)
        print("making documents…", flush=True)
        paths = make_documents(tmp / "docs", args.docs)
        data = tmp / "data"
        store = BlobStore(data / "blobs")
        shas = [store.put_file(p)[0] for p in paths]
        scans = shas[: len(shas) - args.docs]
        logs = tmp / "logs"
        logs.mkdir()
        proc, url = start_redis(tmp)
        try:
            load_before = os.getloadavg()
            walls: dict[int, list[float]] = {1: [], 2: []}
            cores: dict[int, list[float]] = {1: [], 2: []}
            for r in range(args.repeat):
                for workers in (1, 2) if r % 2 == 0 else (2, 1):
                    wall, cpu = run_once(url, data, logs, shas, workers, args.claim_idle)
                    walls[workers].append(wall)
                    cores[workers].append(cpu / wall)
                    print(
                        f"  run {r + 1}: {workers} worker(s) {wall:.1f} s, {cpu / wall:.2f} cores", flush=True
                    )
            load_after = os.getloadavg()
            picked = pickups(url, data, logs, scans, args.kills, args.claim_idle)
        finally:
            proc.terminate()
            proc.wait(timeout=10)

    one, two = statistics.median(walls[1]), statistics.median(walls[2])
    print()
    print(f"jobs: {args.docs} DOC (LibreOffice) + {len(scans)} scans (OCR); {os.cpu_count()} CPUs")
    print(f"load average before / after the runs: {load_before[0]:.2f} / {load_after[0]:.2f}")
    print("| workers | runs (s) | median wall s | jobs/min | cores the workers got (median) |")
    print("|---:|---|---:|---:|---:|")
    for n, w in ((1, one), (2, two)):
        runs = ", ".join(f"{x:.1f}" for x in walls[n])
        print(f"| {n} | {runs} | {w:.1f} | {60 * len(shas) / w:.1f} | {statistics.median(cores[n]):.2f} |")
    print(f"speed-up 2 vs 1 workers: {one / two:.2f}× (median of {args.repeat} alternating runs each)")
    print(
        f"killed worker's job taken over after: median {statistics.median(picked):.2f} s "
        f"(min {min(picked):.2f}, max {max(picked):.2f}; {len(picked)} kills; takeover delay {args.claim_idle:g} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
