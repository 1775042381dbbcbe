"""The distributed crawl, end to end: a real redis-server, two `govarchive crawl --redis` processes and two
`govarchive worker` processes on a portal with reports in every format; the crawler holding the writer
lease and a worker holding a job are SIGKILLed mid-run. The survivors finish, the crawl returns, and the
corpus equals a single-process crawl's row for row (benchmarks/dist_crawl.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.dist_crawl import run

pytestmark = pytest.mark.slow


def test_shared_crawl_with_a_crawler_and_a_worker_killed_equals_the_single_process_crawl(
    tmp_path: Path,
) -> None:
    outcome = run(
        24,
        tmp_path,
        crawlers=2,
        workers=2,
        kill=True,
        delay_s=0.1,
        timeout_s=300,
        log=lambda _: None,
        overlap=True,
    )
    report = outcome.summary()
    assert len(outcome.killed) == 2, report
    assert sorted(outcome.returncodes) == [-9, 0], report  # the survivor returned, with success
    assert outcome.problems == [], report
    assert outcome.differences == [], report
