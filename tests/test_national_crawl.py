"""The national crawl's simulation, short (benchmarks/national_crawl.py runs it long): rate-limited portals,
each on its own loopback address, crawled by two `govarchive crawl --redis` processes on one Redis. The
portals answer 429 to a request that comes sooner than their limit after the previous one, robots.txt
included: politeness must hold across the processes (no 429), and every page is fetched once."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.national import run

pytestmark = pytest.mark.slow


def test_rate_limited_portals_shared_by_two_crawlers_get_no_429_and_give_every_page(tmp_path: Path) -> None:
    (result,) = run(
        portals=20, articles=6, delay=0.2, processes=[2], work=tmp_path, timeout_s=240, log=lambda _: None
    )
    assert result.too_many == 0, result
    assert result.min_gap_s >= 0.2, result
    assert result.pages == result.distinct_urls == result.expected_pages == 20 * 8, result
