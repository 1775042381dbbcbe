"""The short version of benchmarks/kill_chaos.py: a small portal in every format, the crawl SIGKILLed six
times at chosen moments (random, a blob write, a SQLite transaction, extraction, the end-of-run pass) and
resumed after each; the checks after every kill and the final corpus are the benchmark's."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.kill_chaos import run

pytestmark = pytest.mark.slow


def test_kill_chaos_short(tmp_path: Path) -> None:
    outcome = run(8, kills=6, seed=3, work=tmp_path, workers=1, history_share=0.34, log=lambda _: None)
    report = outcome.summary()
    assert outcome.kills == 6, report
    assert outcome.problems == [], report
    assert outcome.differences == [], report
    assert len(outcome.moments()) >= 2, report  # the kills landed in more than one phase
