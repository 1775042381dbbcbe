"""The shared crawl's command line: `govarchive crawl --redis URL` (`run_shared_crawl`), `govarchive writer` and
`govarchive worker` (registered on `govarchive` by cli.py); the work itself is archive/sharedcrawl/ (writer,
worker) and crawler/sharedcrawl/ (the crawl's Scrapy side).

`crawl --redis`: this process crawls its share of a crawl shared through Redis; unless told
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
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import click

from archive.errors import GovarchiveError
from archive.sharedcrawl.client import connect
from archive.sharedcrawl.keys import QUEUE_FORM, CrawlKeys, shared_crawl_name
from archive.sites import Site
from govarchive.options import DATA_OPTION, friendly_errors

logger = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """In the child, before exec: the kernel kills it when the process that started it dies."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def _child(args: list[str], redis_url: str) -> subprocess.Popen[bytes]:
    # The URL (it may carry a password) goes through the environment, not the command line `ps` shows.
    env = {**os.environ, "GOVARCHIVE_REDIS_URL": redis_url}
    cmd = [sys.executable, "-m", "govarchive", *args]
    return subprocess.Popen(cmd, env=env, preexec_fn=_die_with_parent)


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


def run_shared_crawl(
    data_dir: Path,
    sites_file: Path,
    sites: list[Site],
    redis_url: str,
    crawl_name: str | None = None,
    *,
    site_ids: list[str] | None = None,
    writer: bool = True,
    workers: int = 0,
) -> dict[str, Any]:
    """Crawl this process's share; return the run's summary (the writer's) once the shared crawl is done."""
    from govarchive.crawl import run_crawl

    site_ids = sorted(site_ids or [])
    keys = CrawlKeys(crawl_name or shared_crawl_name(sites_file, site_ids))
    client = connect(redis_url)
    if client.exists(keys.done) or client.hget(keys.run, "closing"):
        raise GovarchiveError(
            f"the shared crawl {keys.crawl} is finishing or finished moments ago; start the next one in a minute"
        )
    form = client.get(keys.form)
    earlier = client.exists(keys.former_queue) or (
        form.decode() != QUEUE_FORM
        if form is not None
        else next(iter(client.scan_iter(match=keys.inflight("*"), count=1000)), None) is not None
    )
    if earlier:
        raise GovarchiveError(
            f"the shared crawl {keys.crawl} was queued by an earlier govarchive (the queue's form changed): "
            f"finish it with that version, or delete its keys ({keys.pattern}) and start it again"
        )
    client.setnx(keys.form, QUEUE_FORM)
    client.hsetnx(keys.run, "wanted", f"{time.time():.3f}")  # a writer opens the run once one is asked for
    children: list[subprocess.Popen[bytes]] = []
    if writer:
        site_args = [a for sid in site_ids for a in ("--site", sid)]
        cmd = ["writer", "--data", str(data_dir), "--sites", str(sites_file), "--crawl-name", keys.crawl]
        children.append(_child([*cmd, *site_args], redis_url))
    for _ in range(workers):
        children.append(_child(["worker", "--data", str(data_dir)], redis_url))
    try:
        _wait_for_run(client, keys, children[0] if writer else None)
        overrides = {
            "GOVARCHIVE_REDIS_URL": redis_url,
            "GOVARCHIVE_CRAWL_NAME": keys.crawl,
            "GOVARCHIVE_SITES": str(sites_file),
        }
        crawled = run_crawl(data_dir, sites, overrides)
        # Scrapy's handlers outlive its reactor and would swallow a stop request from now on.
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        if crawled.get("fault"):
            return crawled
        reason = crawled.get("finish_reason")
        if reason != "finished":
            raise GovarchiveError(
                f"this process's crawl stopped ({reason}); the shared crawl goes on in the other processes"
            )
        logger.info("this process's share is crawled; waiting for the shared crawl to be written")
        run_id = _wait_for_done(client, keys, children[0] if writer else None)
    finally:
        _stop(children)
    return _run_summary(data_dir, run_id) or crawled


def _wait_for_run(client: Any, keys: CrawlKeys, writer: subprocess.Popen[bytes] | None) -> None:
    """Until a writer opened the run: it seeds the incremental state (validators) the crawl reads first."""
    said = False
    while not client.hget(keys.run, "run_id"):
        if writer is not None and writer.poll() is not None:
            raise GovarchiveError(f"the corpus writer stopped (exit {writer.returncode}); see the log")
        if not said and writer is None:
            logger.info("waiting for the shared crawl's corpus writer to open the run")
            said = True
        time.sleep(0.2)


def _wait_for_done(client: Any, keys: CrawlKeys, writer: subprocess.Popen[bytes] | None) -> int:
    while not client.exists(keys.done):
        if writer is not None and writer.poll() is not None and not client.exists(keys.done):
            raise GovarchiveError(f"the corpus writer stopped (exit {writer.returncode}); see the log")
        time.sleep(0.5)
    return int(client.get(keys.done) or 0)


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


def register_sharedcrawl_commands(main: click.Group) -> None:
    @main.command("writer")
    @DATA_OPTION
    @click.option(
        "--redis", "redis_url", envvar="GOVARCHIVE_REDIS_URL", required=True, help="The shared crawl's Redis."
    )
    @click.option(
        "--sites", "sites_file", type=click.Path(path_type=Path), default="sites.toml", show_default=True
    )
    @click.option(
        "--site",
        "site_ids",
        multiple=True,
        help="Only this site id (repeatable), as the crawlers were given.",
    )
    @click.option(
        "--crawl-name", default=None, help="The shared crawl's name (default: from the sites file)."
    )
    @friendly_errors
    def writer(
        data_dir: Path, redis_url: str, sites_file: Path, site_ids: tuple[str, ...], crawl_name: str | None
    ) -> None:
        """Write the corpus of a shared crawl (one writer at a time; `crawl --redis` runs one itself).

        Waits while another process holds the writer lease, takes over when it stops; returns once the
        shared crawl is written. Example: govarchive writer --redis redis://127.0.0.1:6379/0 --sites sites.toml
        """
        from archive.sharedcrawl.writer import run_writer
        from archive.sites import load_sites, select_sites
        from archive.store.workspace import DEFAULT_MAX_BYTES, data_folder_faults
        from crawler.config import store_max_bytes

        sites = select_sites(load_sites(sites_file), list(site_ids))
        name = crawl_name or shared_crawl_name(sites_file, list(site_ids))
        max_bytes = store_max_bytes() or DEFAULT_MAX_BYTES  # as the crawl's store
        with data_folder_faults(data_dir):
            run_writer(data_dir, sites, redis_url, name, max_bytes)

    @main.command("worker")
    @click.option(
        "--redis",
        "redis_url",
        envvar="GOVARCHIVE_REDIS_URL",
        required=True,
        help="Redis of the shared crawl, e.g. redis://10.0.0.5:6379/0 (or GOVARCHIVE_REDIS_URL).",
    )
    @DATA_OPTION
    @click.option(
        "--processes",
        type=click.IntRange(min=1),
        default=1,
        show_default=True,
        help="Extraction processes, i.e. jobs done at once (one per core is a good start).",
    )
    @click.option(
        "--claim-idle",
        "claim_idle_s",
        type=click.FloatRange(min=0.5),
        default=10.0,
        show_default=True,
        help="Seconds after which a silent worker's jobs are taken over.",
    )
    @click.option(
        "--max-attempts",
        type=click.IntRange(min=1),
        default=3,
        show_default=True,
        help="Workers lost on one job before it is answered as abandoned.",
    )
    @click.option(
        "--timeout",
        "timeout_s",
        type=click.FloatRange(min=1),
        default=600,
        show_default=True,
        help="Seconds one document may take.",
    )
    @click.option("-v", "--verbose", is_flag=True, help="Log one line per job.")
    @friendly_errors
    def worker(redis_url: str, data_dir: Path, processes: int, claim_idle_s: float, max_attempts: int,
               timeout_s: float, verbose: bool) -> None:  # fmt: skip
        """Extract the documents a distributed crawl queued, until SIGTERM or Ctrl-C.

        Run any number, on any machine that sees the shared data folder (its blobs/). Each job's result
        goes back to its crawl through Redis; a killed worker's jobs are taken over by the others.
        Example: govarchive worker --redis redis://127.0.0.1:6379/0 --data /srv/govarchive --processes 2
        """
        import redis

        from archive.errors import GovarchiveError
        from archive.sharedcrawl.client import without_password
        from archive.sharedcrawl.worker import run_worker

        if verbose:
            logging.getLogger().setLevel(logging.DEBUG)
        try:
            run_worker(redis_url, data_dir, processes, claim_idle_ms=int(claim_idle_s * 1000),
                       max_attempts=max_attempts, timeout_s=timeout_s)  # fmt: skip
        except (redis.ConnectionError, redis.TimeoutError) as e:
            raise GovarchiveError(f"cannot reach Redis at {without_password(redis_url)}: {e}") from None
