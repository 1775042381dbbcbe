"""`govarchive worker`: extraction jobs from a shared crawl's Redis (registered on `govarchive` by cli.py)."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from govarchive.options import DATA_OPTION, friendly_errors


def register_worker_command(main: click.Group) -> None:
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

        from archive.dist.client import without_password
        from archive.dist.worker import run_worker
        from archive.errors import GovarchiveError

        if verbose:
            logging.getLogger().setLevel(logging.DEBUG)
        try:
            run_worker(redis_url, data_dir, processes, claim_idle_ms=int(claim_idle_s * 1000),
                       max_attempts=max_attempts, timeout_s=timeout_s)  # fmt: skip
        except (redis.ConnectionError, redis.TimeoutError) as e:
            raise GovarchiveError(f"cannot reach Redis at {without_password(redis_url)}: {e}") from None
