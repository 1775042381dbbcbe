"""`govarchive crawl --redis URL`: this process crawls its share of a crawl shared through Redis; unless told
not to, it also runs a corpus writer (which writes only while it holds the writer lease, so one of the
crawl's processes writes at a time) and, if asked, extraction workers. It returns when the shared crawl
is done: frontier drained, every capture written, every extraction job answered, the run closed.

The writer and workers are child processes: the reactor of the crawl stays free of SQLite and extraction
work, and each dies with this process (PR_SET_PDEATHSIG), so a killed crawler leaves no orphan and its
writer lease expires for another process's writer to take over.
"""

from __future__ import annotations

import ctypes
import logging
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from archive.dist.keys import CrawlKeys, crawl_name_for
from archive.errors import GovarchiveError
from archive.sites import Site

logger = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """In the child, before exec: the kernel kills it when the process that started it dies."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def _child(args: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "govarchive", *args], preexec_fn=_die_with_parent)


def _stop(children: list[subprocess.Popen[bytes]]) -> None:
    for proc in children:
        if proc.poll() is None:
            proc.terminate()
    for proc in children:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def connect(redis_url: str) -> Any:
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        client.ping()
    except redis.RedisError as e:
        raise GovarchiveError(f"cannot reach Redis at {redis_url}: {e}") from None
    return client


def run_shared_crawl(
    data_dir: Path,
    sites_file: Path,
    sites: list[Site],
    redis_url: str,
    crawl_name: str | None = None,
    *,
    writer: bool = True,
    workers: int = 0,
) -> dict[str, Any]:
    """Crawl this process's share; return the run's summary (the writer's) once the shared crawl is done."""
    from govarchive.crawl import run_crawl

    keys = CrawlKeys(crawl_name or crawl_name_for(sites_file))
    client = connect(redis_url)
    if client.exists(keys.done):
        raise GovarchiveError(
            f"the shared crawl {keys.crawl} finished moments ago; start the next one in a minute"
        )
    site_args = [a for s in sites for a in ("--site", s.id)]
    children: list[subprocess.Popen[bytes]] = []
    if writer:
        children.append(
            _child(
                [
                    "writer",
                    "--redis",
                    redis_url,
                    "--data",
                    str(data_dir),
                    "--sites",
                    str(sites_file),
                    "--crawl-name",
                    keys.crawl,
                    *site_args,
                ]
            )
        )
    for _ in range(workers):
        children.append(_child(["worker", "--redis", redis_url, "--data", str(data_dir)]))
    try:
        overrides = {
            "GOVARCHIVE_REDIS_URL": redis_url,
            "GOVARCHIVE_CRAWL_NAME": keys.crawl,
            "GOVARCHIVE_SITES": str(sites_file),
        }
        crawled = run_crawl(data_dir, sites, overrides)
        if crawled.get("fault"):
            return crawled
        logger.info("this process's share is crawled; waiting for the shared crawl to be written")
        while not client.exists(keys.done):
            if writer and children[0].poll() not in (None, 0):
                raise GovarchiveError(
                    f"the corpus writer stopped (exit {children[0].returncode}); see the log"
                )
            time.sleep(0.5)
        run_id = int(client.get(keys.done) or 0)
    finally:
        _stop(children)
    return _run_summary(data_dir, run_id) or crawled


def _run_summary(data_dir: Path, run_id: int) -> dict[str, Any] | None:
    """The summary the writer wrote for the run, when the corpus is on this machine."""
    import json
    import sqlite3

    path = data_dir / "corpus.db"
    if not path.exists():
        return None
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        row = conn.execute("SELECT summary FROM crawl_runs WHERE id = ?", (run_id,)).fetchone()
    return json.loads(row[0]) if row and row[0] else None


def run_writer(data_dir: Path, sites: list[Site], redis_url: str, crawl_name: str) -> bool:
    """`govarchive writer`: write the shared crawl's corpus (whenever this process holds the lease)."""
    import threading

    from archive.dist.keys import process_name
    from archive.store.workspace import Workspace
    from pipelines.writer import CorpusWriter

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    ws = Workspace(data_dir)
    try:
        return CorpusWriter(connect(redis_url), CrawlKeys(crawl_name), ws, sites, process_name()).run(stop)
    finally:
        ws.close()
