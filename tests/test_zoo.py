"""The zoo: one real crawl over simulated portals the crawler was not written against, scored against the
planted truth. Floors (tests/zoo/floors.json) hold today's recall and precision; raise them, never lower."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.zoo.measure import PARTS, PartResult, run_parts

FLOORS: dict[str, Any] = json.loads(
    (Path(__file__).parent / "zoo" / "floors.json").read_text(encoding="utf-8")
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def parts() -> Iterator[dict[str, PartResult]]:
    # Both parts in one crawl, scored apart (tests/zoo/measure.run_parts); servers are stopped inside
    # run_parts, whatever happens. No per-site delay: the zoo scores discovery, not politeness (checked on
    # tests/test_politeness.py's portals); benchmarks/zoo_recall.py keeps the sites file's defaults.
    yield run_parts(PARTS, timeout=780, politeness={"download_delay": 0.0})


@pytest.fixture(scope="module")
def open_part(parts: dict[str, PartResult]) -> PartResult:
    return parts["open"]


@pytest.fixture(scope="module")
def sealed_part(parts: dict[str, PartResult]) -> PartResult:
    return parts["sealed"]


def _check(res: PartResult, floors: dict[str, Any], verbose: bool) -> None:
    assert res.crawl_error is None, res.crawl_error
    problems = []
    total = res.totals()
    if total["recall"] < floors["recall"] or total["precision"] < floors["precision"]:
        problems.append(f"{res.part}: recall {total['recall']:.3f} precision {total['precision']:.3f}")
    for s in res.sites:
        f = floors["sites"].get(s.site, {"recall": 1.0, "precision": 1.0})
        if s.recall < f["recall"] or s.precision < f["precision"]:
            what = f"{s.site}: recall {s.recall:.3f} < {f['recall']} or precision {s.precision:.3f} < {f['precision']}"
            if verbose:  # only the open part may say which reports went wrong
                what += f"; missed {[(m['body'], m['year'], m['form']) for m in s.missed]}"
                what += (
                    f"; false positives {[(x['agency'], x['year'], x['title']) for x in s.false_positives]}"
                )
            problems.append(what)
        if s.supersede_ok < s.supersede_total:  # a corrected version's figures must win
            problems.append(f"{s.site}: {s.supersede_ok}/{s.supersede_total} corrections supersede")
    assert not problems, "\n".join(problems)


@pytest.mark.timeout(900)
def test_zoo_open_floors(open_part: PartResult) -> None:
    _check(open_part, FLOORS["open"], verbose=True)


@pytest.mark.timeout(900)
def test_zoo_sealed_floors(sealed_part: PartResult) -> None:
    _check(sealed_part, FLOORS["sealed"], verbose=False)
