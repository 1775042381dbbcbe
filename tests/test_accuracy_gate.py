"""Accuracy gate: cell accuracy and rule verdicts per format must stay at or above tests/eval/floors.json.

Seeds are scored as text; rendered documents (tests.docfactory.render) of every format go through
archive.extract.extract_file, then map_report and run_checks — the production path.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from tests.eval.accuracy import (
    SEEDS_DIR,
    TRUTH_DIR,
    VARIANTS_DIR,
    DocResult,
    FormatRow,
    eval_specs,
    evaluate_baseline,
    evaluate_rendered,
    evaluate_seeds,
    evaluate_variants,
    figures,
    format_table,
    gate,
    load_floors,
    missing_render_interface,
    render_set,
    score,
    summarize,
)

PLAIN = ["html", "docx", "xlsx", "text", "pdf", "doc"]
N_RANDOM = 6  # plus the seed specs with tables
N_SCAN = 2  # OCR costs seconds per page


def _check(rows: list[FormatRow]) -> None:
    failures = gate(rows, load_floors())
    print("\n" + format_table(rows))
    assert not failures, "\n".join(failures) + "\n" + format_table(rows)


def test_floors_cover_every_format() -> None:
    floors = load_floors()
    for kind in ("cell_accuracy", "rule_accuracy"):
        assert set(floors[kind]) >= {"seed-text", *PLAIN, "scan"}
        assert all(0 < v <= 1 for v in floors[kind].values())


def test_seed_texts_meet_their_floor() -> None:
    results = evaluate_seeds()
    assert len(results) == 5
    assert sum(r.cells for r in results) == sum(
        len(json.loads(p.read_text(encoding="utf-8"))["stats"]) for p in TRUTH_DIR.glob("seed_*.json")
    )
    _check(summarize(results))


def test_a_wrong_value_lowers_accuracy_and_fails_the_gate() -> None:
    truth: dict[str, Any] = json.loads((TRUTH_DIR / "seed_003.json").read_text(encoding="utf-8"))
    text = (SEEDS_DIR / truth["seed"]).read_text(encoding="utf-8")
    stats, checks = figures([], text)
    exact = score(DocResult("seed-text", "003"), truth["stats"], truth["checks"], stats, checks)
    assert exact.correct == exact.cells
    wrong = [dataclasses.replace(s) for s in stats]
    target = next(s for s in wrong if s.row == "new" and s.col == "total")
    target.value = (target.value or 0) + 1
    hurt = score(DocResult("seed-text", "003"), truth["stats"], truth["checks"], wrong, checks)
    assert hurt.correct == exact.cells - 1
    assert summarize([hurt])[0].accuracy < summarize([exact])[0].accuracy
    failures = gate(summarize([hurt]), load_floors())
    assert failures and "seed-text" in failures[0]
    # A wrong verdict fails the rule floor too.
    flipped = [dataclasses.replace(c, status="failed") for c in checks]
    bad_rules = score(DocResult("seed-text", "003"), truth["stats"], truth["checks"], stats, flipped)
    assert any("rule verdicts" in f for f in gate(summarize([bad_rules]), load_floors()))


def test_a_blank_mistaken_for_zero_counts_as_wrong() -> None:
    truth: dict[str, Any] = json.loads((TRUTH_DIR / "seed_001.json").read_text(encoding="utf-8"))
    text = (SEEDS_DIR / truth["seed"]).read_text(encoding="utf-8")
    stats, checks = figures([], text)
    zeroed = [dataclasses.replace(s, value=0.0 if s.value is None else s.value) for s in stats]
    result = score(DocResult("seed-text", "001"), truth["stats"], truth["checks"], zeroed, checks)
    assert result.correct < result.cells


# --- born-digital variants from other toolchains (frozen files with their truth) -------------------------


def test_variants_are_frozen_with_their_truth() -> None:
    truths = sorted(VARIANTS_DIR.glob("*.truth.json"))
    assert len(truths) >= 15
    kinds = {json.loads(p.read_text(encoding="utf-8"))["variant"] for p in truths}
    assert {"wps-leak", "kangxi", "glyphs", "numbers", "other-row", "html-pipe", "chromium", "cells"} <= kinds
    for p in truths:
        truth = json.loads(p.read_text(encoding="utf-8"))
        assert (VARIANTS_DIR / truth["file"]).is_file()
        assert {"balance", "outcomes_sum", "row_total", "appeals_total"} == {
            c["rule"] for c in truth["checks"]
        }


def test_variants_meet_their_floors() -> None:
    results = evaluate_variants()
    floors = load_floors()
    rows = summarize(results)
    assert all(r.fmt in floors["cell_accuracy"] or r.fmt in floors["measured_only"] for r in rows)
    gated = [r for r in rows if r.fmt in floors["cell_accuracy"]]
    assert all(floors["cell_accuracy"][r.fmt] >= 0.999 for r in gated)  # born-digital floor
    assert len(gated) >= 10
    _check(rows)


def test_2021_variants_score_the_derived_other_row() -> None:
    # The 2021 truth holds `other` as the sum of its sub-rows: a mapper that drops it loses 7 cells.
    truth = json.loads((VARIANTS_DIR / "01-wps-leak-2021.truth.json").read_text(encoding="utf-8"))
    other = [t for t in truth["stats"] if t["row"] == "other"]
    assert len(other) == 7 and all(t["raw"] == "" for t in other)
    [result] = [r for r in evaluate_variants() if r.name == "01-wps-leak-2021.txt"]
    assert result.correct == result.cells


def test_a_baseline_checkout_is_read_by_its_own_code() -> None:
    # This checkout as its own baseline: the subprocess path scores exactly like the in-process one.
    root = VARIANTS_DIR.parent.parent.parent
    base = {(r.fmt, r.correct, r.cells, r.rules_right) for r in summarize(evaluate_baseline(root))}
    here = {
        (r.fmt, r.correct, r.cells, r.rules_right) for r in summarize(evaluate_seeds() + evaluate_variants())
    }
    assert base == here


# --- rendered documents --------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[DocResult]]:
    """Every evaluation spec rendered once per format (one LibreOffice call per format) and scored."""
    missing = missing_render_interface()
    if missing:
        pytest.skip(f"rendered formats need {missing}")
    out = tmp_path_factory.mktemp("accuracy")
    specs = eval_specs(N_RANDOM)
    results = evaluate_rendered(specs, render_set(specs, PLAIN, out), PLAIN)
    by_fmt: dict[str, list[DocResult]] = {}
    for r in results:
        by_fmt.setdefault(r.fmt, []).append(r)
    return by_fmt


@pytest.mark.slow
@pytest.mark.libreoffice
@pytest.mark.parametrize("fmt", PLAIN)
def test_rendered_format_meets_its_floor(rendered: dict[str, list[DocResult]], fmt: str) -> None:
    results = rendered.get(fmt, [])
    assert results, f"nothing rendered for {fmt}"
    _check(summarize(results))


@pytest.mark.slow
@pytest.mark.ocr
def test_scans_meet_their_floor(tmp_path: Path) -> None:
    missing = missing_render_interface()
    if missing:
        pytest.skip(f"scans need {missing}")
    specs = eval_specs(N_SCAN)[:N_SCAN]
    _check(summarize(evaluate_rendered(specs, render_set(specs, ["scan"], tmp_path), ["scan"])))


def test_command_line_prints_the_table(capsys: pytest.CaptureFixture[str]) -> None:
    from tests.eval.accuracy import main

    assert main(["--formats", ""]) == 0
    out = capsys.readouterr().out
    assert "seed-text" in out and "100.0000%" in out
