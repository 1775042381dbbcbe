"""Politeness and robustness of real crawls: robots.txt, per-site delay and concurrency, backoff retries
on 5xx and timeouts, traps bounded, off-site links, redirect loops, and a summary that counts right."""

from __future__ import annotations

import itertools

import pytest

from crawler.bounds import AHEAD, FREE, WINDOW
from crawler.middlewares.retry import backoff_delay
from tests.portals.harness import db, reports, summary
from tests.portals.runs import polite_portals, trs_portal

pytestmark = pytest.mark.slow


def test_robots_txt_is_obeyed() -> None:
    run = trs_portal()
    assert run.portal.requested("/robots.txt")
    assert run.portal.requested("/private/") == []


def test_off_site_links_are_not_followed() -> None:
    run = trs_portal()
    assert run.others["offsite"].log == []
    assert summary(run.data)["skipped/offsite"] >= 1


def test_a_503_then_200_ends_archived_after_a_backoff() -> None:
    run = trs_portal()
    hits = run.portal.requested("P020230115100100.docx")
    assert [status for _, _, _, status in hits] == [503, 200]
    assert hits[1][0] - hits[0][0] >= 0.9  # GOVARCHIVE_RETRY_BACKOFF = 1 s, not an immediate retry
    with db(run.data) as conn:
        row = conn.execute(
            "SELECT sha256 FROM captures WHERE url LIKE '%P020230115100100.docx' AND status = 200"
        ).fetchone()
    assert row is not None and row["sha256"]


def test_calendar_trap_is_bounded_by_url_shape_and_depth() -> None:
    run = trs_portal()
    days = [p for _, _, p, _ in run.portal.requested("/xxgk/rl/") if p.count("/") == 6]
    # Bounded by what the days yield (nothing): cut after FREE + WINDOW pages read of the shape, with at
    # most AHEAD requested ahead of the reading.
    assert 0 < len(days) <= FREE + WINDOW + AHEAD, len(days)
    s = summary(run.data)
    assert s["skipped/unproductive"] > 0
    assert any(k.startswith("cut/") and "/xxgk/rl/" in k for k in s), sorted(s)


def test_redirect_loop_and_endless_chain_stop() -> None:
    run = trs_portal()
    assert len(run.portal.requested("/xxgk/loop/")) <= 3
    assert len(run.portal.requested("/xxgk/chain/")) <= 12  # REDIRECT_MAX_TIMES = 10
    with db(run.data) as conn:
        errors = [r[0] for r in conn.execute("SELECT error FROM captures WHERE url LIKE '%/xxgk/chain/%'")]
        loops = [r[0] for r in conn.execute("SELECT error FROM captures WHERE url LIKE '%/xxgk/loop/%'")]
    assert errors and all(e and e.startswith("too many redirects: 10 hops") for e in errors)
    # The loop leaves a record too (it used to vanish in the duplicate filter).
    assert loops and all(e and e.startswith("redirect loop: ") for e in loops), loops


def test_summary_counts_match_the_corpus() -> None:
    run = trs_portal()
    s = summary(run.data)
    with db(run.data) as conn:
        by_role = dict(conn.execute("SELECT role, count(*) FROM captures GROUP BY role").fetchall())
        errors = conn.execute("SELECT count(*) FROM captures WHERE error IS NOT NULL").fetchone()[0]
        documents = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
        not_found = conn.execute("SELECT count(*) FROM captures WHERE error = 'http 404'").fetchone()[0]
    assert s["captures/list"] == by_role["list"]
    assert s["captures/article"] == by_role["article"]
    assert s["captures/attachment"] == by_role["attachment"]
    assert s["documents_new"] == documents
    assert s["duplicates"] == 1  # the same DOCX under two URLs
    # a report link that 404s, and a look-alike link explored last that 404s too
    assert s["errors/http_404"] == not_found == 2
    # each failure counted once, under its kind
    assert sum(v for k, v in s.items() if k.startswith("errors/")) == errors
    assert s["reports_recorded"] == 6  # five reports, one of them in two copies
    assert "errors/http_404" in run.proc.stdout


def test_per_site_delay_and_concurrency_apply_to_that_site_only() -> None:
    run = polite_portals()
    slow_times = sorted(t for t, _, p, _ in run.portal.log if p != "/robots.txt")
    gaps = [b - a for a, b in itertools.pairwise(slow_times)]
    assert len(slow_times) == 13, gaps
    # 0.6 s asked. Measured at arrival on a loaded 2-core machine, one late send shortens the next gap
    # (seen: 0.90 s then 0.39 s), so the delay is checked over the run and bursts are ruled out per gap.
    assert (slow_times[-1] - slow_times[0]) / len(gaps) >= 0.58, gaps
    assert min(gaps) >= 0.3, gaps
    assert all(a + b >= 1.1 for a, b in itertools.pairwise(gaps)), gaps
    fast = run.others["fast"]
    fast_times = sorted(t for t, _, p, _ in fast.log if p != "/robots.txt" and "/t/" not in p)
    fast_gaps = [b - a for a, b in itertools.pairwise(fast_times)]
    assert min(fast_gaps) < 0.3, fast_gaps


def test_timeouts_are_retried_and_a_dead_document_is_a_clear_error() -> None:
    run = polite_portals()
    fast = run.others["fast"]
    assert len(fast.requested("/t/late.docx")) == 2
    got = reports(run.data)
    assert ("测试县超时局", 2022, "annual_report") in got
    assert ("测试县无响应局", 2022, "annual_report") not in got
    assert got == run.planted.reports
    assert summary(run.data)["errors/timeout"] == 1


def test_backoff_doubles_and_honours_retry_after_up_to_the_cap() -> None:
    assert [backoff_delay(n, 1.0, 60.0) for n in (1, 2, 3)] == [1.0, 2.0, 4.0]
    assert backoff_delay(1, 1.0, 60.0, retry_after=10) == 10
    assert backoff_delay(9, 1.0, 30.0) == 30.0
