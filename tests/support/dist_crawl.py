"""A crawl shared through Redis by several `govarchive crawl --redis` processes and `govarchive worker`
processes, one of each SIGKILLed mid-run, compared with a single-process crawl of the same portal.

The portal is benchmarks/kill_chaos.py's: reports in every format (HTML, PDF, DOCX, XLSX, DOC, ZIP,
scans with --reports ≥ 70), each answer a little late so that the kills land while work is in flight.
The corpus of the shared crawl must equal the single-process crawl's row for row (ids and times aside:
tests/support/kill_chaos.differences) and pass its integrity checks (kill_chaos.check_corpus).

    .venv/bin/python benchmarks/dist_crawl.py --reports 60 --crawlers 2 --workers 2
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.conftest import start_redis  # noqa: E402
from tests.portals.server import Answer, Portal, Req  # noqa: E402
from tests.support.kill_chaos import build_portal, check_corpus, crawl_env, differences, write_site  # noqa: E402


def slow_down(portal: Portal, delay_s: float) -> None:
    """Every answer but robots.txt comes `delay_s` late (a portal at a realistic pace)."""

    def late(handler: Callable[[Req], Answer]) -> Callable[[Req], Answer]:
        return lambda req: dataclasses.replace(handler(req), delay_s=delay_s)

    for path, handler in list(portal.paths.items()):
        if path != "/robots.txt":
            portal.paths[path] = late(handler)


def _govarchive(*args: str) -> list[str]:
    return [sys.executable, "-m", "govarchive", *args]


def _start(cmd: list[str], log: Path, extract_workers: int = 1) -> subprocess.Popen[bytes]:
    # A session of its own: killing it kills its children (extraction pool, LibreOffice) too.
    out = open(log, "wb")  # noqa: SIM115 - closed with the process (the test reads it after)
    return subprocess.Popen(
        cmd,
        cwd=ROOT,
        env=crawl_env(extract_workers),
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _kill(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            _kill(proc)


def _count(data: Path, sql: str) -> int:
    import sqlite3

    db = data / "corpus.db"
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
            return int(conn.execute(sql).fetchone()[0])
    except sqlite3.Error:
        return 0


@dataclass
class Outcome:
    reports: int
    formats: dict[str, int]
    single_s: float
    shared_s: float
    killed: list[str] = field(default_factory=list)
    returncodes: list[int | None] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    differences: list[str] = field(default_factory=list)
    logs: dict[str, str] = field(default_factory=dict)

    def summary(self) -> str:
        lines = [
            f"{self.reports} reports {self.formats}",
            f"single process {self.single_s:.1f} s; shared {self.shared_s:.1f} s; killed: {', '.join(self.killed) or '-'}",
            f"crawler exit codes {self.returncodes}",
            f"problems: {self.problems or 'none'}",
            f"differences from the single-process corpus: {self.differences or 'none'}",
        ]
        if self.problems or self.differences:
            lines += [f"--- {name}\n{text[-3000:]}" for name, text in self.logs.items()]
        return "\n".join(lines)


def run(
    n_reports: int,
    work: Path,
    crawlers: int = 2,
    workers: int = 2,
    kill: bool = True,
    delay_s: float = 0.05,
    timeout_s: float = 600,
    log: Callable[[str], Any] = print,
    overlap: bool = False,
) -> Outcome:
    """overlap: the single-process crawl runs beside the shared one instead of before it (its own data
    folder, the same portal; the corpora compared are the same), for a shorter test; its time is then not
    a reference for the shared crawl's, so the benchmark keeps them apart."""
    portal = Portal()
    base = portal.start()
    redis_proc, redis_url = start_redis(work)
    procs: list[subprocess.Popen[bytes]] = []
    try:
        formats = build_portal(portal, n_reports, work / "files")
        slow_down(portal, delay_s)
        sites = write_site(work, base)
        single = work / "single"
        t = time.monotonic()
        single_cmd = _govarchive("crawl", "--sites", str(sites), "--data", str(single))
        single_s = 0.0
        if overlap:
            single_proc = _start(single_cmd, work / "single.log", workers)
            procs.append(single_proc)
        else:
            done = subprocess.run(
                single_cmd, cwd=ROOT, env=crawl_env(workers), capture_output=True, text=True
            )
            single_s = time.monotonic() - t
            if done.returncode != 0:
                raise RuntimeError(f"the single-process crawl failed: {done.stderr[-3000:]}")
            log(f"single process: {single_s:.1f} s")

        shared = work / "shared"
        shared.mkdir()
        t = time.monotonic()
        worker_procs = [
            _start(
                _govarchive("worker", "--redis", redis_url, "--data", str(shared)), work / f"worker{i}.log"
            )
            for i in range(workers)
        ]
        crawler_procs = [
            _start(
                _govarchive("crawl", "--redis", redis_url, "--sites", str(sites), "--data", str(shared)),
                work / f"crawler{i}.log",
            )
            for i in range(crawlers)
        ]
        procs += worker_procs + crawler_procs
        killed: list[str] = []
        if kill:
            client = redis.Redis.from_url(redis_url)
            # The crawler whose writer holds the lease, once the shared crawl has archived some pages: the
            # frontier, the writing and the lease all have to pass to the survivor.
            _wait(lambda: _count(shared, "SELECT count(*) FROM captures") >= max(3, n_reports // 3), 180)
            victim = _holding(crawler_procs, _pid_in(client.get(_key(client, "writer")))) or crawler_procs[0]
            _kill(victim)
            killed.append(f"crawler {crawler_procs.index(victim)}")
            # A worker while it holds a job.
            _wait(lambda: _holding(worker_procs, _job_holder(client)) is not None, 180)
            victim = _holding(worker_procs, _job_holder(client)) or worker_procs[0]
            _kill(victim)
            killed.append(f"worker {worker_procs.index(victim)} holding a job")
            log(f"killed {', '.join(killed)} after {time.monotonic() - t:.1f} s")
        deadline = time.monotonic() + timeout_s
        for proc in crawler_procs:
            left = max(1.0, deadline - time.monotonic())
            try:
                proc.wait(timeout=left)
            except subprocess.TimeoutExpired:
                _kill(proc)
        shared_s = time.monotonic() - t
        for proc in worker_procs:
            _stop(proc)
        if overlap:
            try:
                single_proc.wait(timeout=max(1.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _kill(single_proc)
            single_s = time.monotonic() - t
            if single_proc.returncode != 0:
                text = (work / "single.log").read_text(errors="replace")[-3000:]
                raise RuntimeError(f"the single-process crawl failed ({single_proc.returncode}): {text}")
            log(f"single process, beside the shared crawl: {single_s:.1f} s")
        logs = {p.name: p.read_text(errors="replace") for p in sorted(work.glob("*.log"))}
        return Outcome(
            reports=n_reports,
            formats=formats,
            single_s=single_s,
            shared_s=shared_s,
            killed=killed,
            returncodes=[p.returncode for p in crawler_procs],
            problems=check_corpus(shared),
            differences=differences(single, shared),
            logs=logs,
        )
    finally:
        for proc in procs:
            _kill(proc)
        redis_proc.terminate()
        redis_proc.wait(timeout=10)
        portal.stop()


def _key(client: Any, name: str) -> str:
    """The key `name` of the one shared crawl on this Redis."""
    for key in client.scan_iter(match=f"govarchive:*:{name}"):
        return str(key.decode())
    return f"govarchive:-:{name}"


def _pid_in(process_name: bytes | str | None) -> int | None:
    """The pid in an archive.sharedcrawl.keys.process_name (host-pid-nonce)."""
    if not process_name:
        return None
    text = process_name.decode() if isinstance(process_name, bytes) else process_name
    try:
        return int(text.rsplit("-", 2)[-2])
    except (ValueError, IndexError):
        return None


def _job_holder(client: Any) -> int | None:
    """The pid of a worker holding an extraction job now."""
    try:
        consumers = client.xpending("govarchive:jobs", "workers").get("consumers") or []
    except redis.ResponseError:
        return None
    for consumer in consumers:
        if int(consumer["pending"]) > 0:
            return _pid_in(consumer["name"])
    return None


def _holding(procs: list[subprocess.Popen[bytes]], pid: int | None) -> subprocess.Popen[bytes] | None:
    """The process among `procs` that is `pid` or whose process group `pid` is in."""
    if pid is None:
        return None
    try:
        group = os.getpgid(pid)
    except ProcessLookupError:
        return None
    return next((p for p in procs if p.pid in (pid, group) and p.poll() is None), None)


def _wait(condition: Callable[[], bool], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the shared crawl did not get that far")
        time.sleep(0.1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--reports", type=int, default=60)
    parser.add_argument("--crawlers", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-kill", action="store_true")
    parser.add_argument("--keep", type=Path, default=None)
    args = parser.parse_args(argv)
    work = args.keep or Path(tempfile.mkdtemp(prefix="govarchive-dist-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        outcome = run(args.reports, work, args.crawlers, args.workers, kill=not args.no_kill)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    print(outcome.summary())
    return 0 if not outcome.problems and not outcome.differences else 1


if __name__ == "__main__":
    sys.exit(main())
