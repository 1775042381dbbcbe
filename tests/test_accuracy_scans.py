"""Accuracy gate for scans: the frozen scan set (tests/eval/scans, pages spoiled like real scans, with true
figures) read by the default OCR engine through extract_file → map_report → run_checks must hold the floors
of tests/eval/scans/floors.json, and its text must give the report's title, body, year, kind and template. The short set runs here; benchmarks/ocr_engines.py runs all variants and
both engines, with seconds per page."""

from __future__ import annotations

import dataclasses
import json

import pytest

from archive.extract.ocr import DEFAULT_ENGINE
from tests.eval.accuracy import DocResult
from tests.eval.ocr_engines import SCANS, SHORT, Row, gate, load_floors, main, manifest, truth
from tests.fixtures_docs import needs_ocr


def test_scan_set_is_frozen_small_and_covers_the_degradations() -> None:
    info = manifest()
    assert set(SHORT) <= set(info)
    files = [p for p in SCANS.rglob("*") if p.is_file()]
    assert sum(p.stat().st_size for p in files) <= 5_000_000
    for variant in info.values():
        assert all((SCANS / page).is_file() for page in variant["pages"])
    seen = {(v["dpi"], v["degradation"]["mode"]) for v in info.values()}
    assert {dpi for dpi, _ in seen} == {150, 200, 300}
    assert {mode for _, mode in seen} == {"grey", "bw", "colour"}
    assert max(abs(v["degradation"]["skew"]) for v in info.values()) >= 2.5
    assert any(v["degradation"]["seal"] for v in info.values())
    templates = {truth(name)["meta"]["template"] for name in info}
    assert templates == {"2019", "2021"}
    # Every variant has figures and verdicts to score, one of them a planted inconsistency.
    assert all(truth(name)["stats"] and truth(name)["checks"] for name in info)
    assert any(c["status"] == "failed" for name in info for c in truth(name)["checks"])


def test_gate_fails_on_a_wrong_figure_or_verdict() -> None:
    floors = load_floors()
    good = Row("rapid", "x", DocResult("scan", "x", cells=100, correct=100, rules=4, rules_right=4), 1, 1.0)
    assert gate([good], floors) == []
    low = dataclasses.replace(good, result=dataclasses.replace(good.result, correct=97))
    assert any("cells" in f for f in gate([low], floors))
    verdict = dataclasses.replace(good, result=dataclasses.replace(good.result, rules_right=3))
    assert any("rule verdicts" in f for f in gate([verdict], floors))
    misread = dataclasses.replace(good, meta_wrong=["year: got 2023, want 2024"])
    assert any("year" in f for f in gate([misread], floors))
    assert json.loads((SCANS / "floors.json").read_text(encoding="utf-8"))["cell_accuracy"] >= 0.98


@needs_ocr
@pytest.mark.slow
@pytest.mark.ocr
def test_short_scan_set_meets_its_floor(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--short", "--engines", DEFAULT_ENGINE, "--gate"]) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    for variant in SHORT:
        assert variant in out
    assert "ALL" in out
