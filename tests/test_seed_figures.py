"""Each seed text → grids_from_text → map_report gives exactly the hand-made truth; run_checks its verdicts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from archive.report.checks import run_checks
from archive.report.template import map_report
from archive.report.texttables import grids_from_text

SEEDS = Path(__file__).resolve().parent / "eval" / "seeds"
TRUTH = Path(__file__).parent / "eval" / "truth"
TRUTHS = sorted(TRUTH.glob("seed_*.json"))


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def test_five_truth_files() -> None:
    assert [p.name for p in TRUTHS] == [f"seed_{i:03d}.json" for i in range(5)]
    assert [load(p)["seed"] for p in TRUTHS] == sorted(p.name for p in SEEDS.glob("*.txt"))


@pytest.mark.parametrize("truth_path", TRUTHS, ids=lambda p: p.stem)
def test_seed_figures_exact(truth_path: Path) -> None:
    truth = load(truth_path)
    text = (SEEDS / truth["seed"]).read_text(encoding="utf-8")
    mapped = map_report(grids_from_text(text), text)
    assert mapped.template == truth["meta"]["template"]
    got = [(s.section, s.row, s.col, s.raw, s.value) for s in mapped.stats]
    want = [(t["section"], t["row"], t["col"], t["raw"], t["value"]) for t in truth["stats"]]
    assert sorted(got, key=str) == sorted(want, key=str)
    assert all(s.row_label and s.col_label for s in mapped.stats)
    checks = run_checks(mapped.stats, mapped.template)
    assert [(c.rule, c.status) for c in checks] == [(c["rule"], c["status"]) for c in truth["checks"]]
