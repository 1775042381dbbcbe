"""The soak harness in short (benchmarks/soak.py runs 200,000 pages): several generated sites crawled with
the frontier on disk, every page fetched once, memory and rate reported along the way."""

from __future__ import annotations

import pytest

from tests.support.soak import soak

pytestmark = pytest.mark.slow


def test_a_short_soak_fetches_every_page_with_the_frontier_on_disk() -> None:
    result = soak(sites=2, pages=2_000, every=400, concurrency=8)
    assert result["pages"] == result["expected_pages"], result  # robots.txt, home, lists, articles
    # Every page archived once: distinct URLs, so a page fetched twice cannot hide one lost.
    assert result["distinct_urls"] == result["expected_pages"] - result["sites"], result
    assert len(result["curve"]) >= 4
    assert all(c["rss_mb"] > 0 and c["pages_per_s"] > 0 for c in result["curve"])
    assert result["frontier_urls"] >= result["pages"] - result["sites"]  # the seen URLs were on disk
