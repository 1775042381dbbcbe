"""Accuracy gate for tables published as pictures: the frozen picture set (tests/eval/pictures, screenshots
drawn by Pillow and by Chromium at 96-150 dpi, PNG and JPEG, none by the project's scan pipeline) read
by the default OCR engine through extract_file → map_report → run_checks must hold the floors of
tests/eval/pictures/floors.json. The short set runs here; `benchmarks/ocr_pictures.py --gate` runs all
pictures."""

from __future__ import annotations

import dataclasses
import json

import pytest

from archive.extract.ocr import DEFAULT_ENGINE
from tests.eval.accuracy import DocResult
from tests.eval.ocr_engines import Row
from tests.eval.ocr_pictures import FLOORS, PICTURES, SHORT, gate, load_floors, main, manifest, truth
from tests.fixtures_docs import needs_ocr


def test_picture_set_is_frozen_small_and_covers_the_kinds() -> None:
    info = manifest()
    assert set(SHORT) <= set(info)
    files = [p for p in PICTURES.rglob("*") if p.is_file()]
    assert sum(p.stat().st_size for p in files) <= 5_000_000
    assert all((PICTURES / v["file"]).is_file() for v in info.values())
    assert {v["dpi"] for v in info.values()} == {96, 120, 150}
    assert {v["format"] for v in info.values()} == {"png", "jpg"}
    assert {v["look"] for v in info.values()} >= {"pil", "chrome"}  # two renderers, neither ours
    assert {truth(name)["meta"]["template"] for name in info} == {"2019", "2021"}
    assert {(info[n]["look"], info[n]["format"]) for n in SHORT} >= {("pil", "png"), ("chrome", "jpg")}
    assert all(truth(name)["stats"] and truth(name)["checks"] for name in info)


def test_gate_fails_on_a_wrong_figure_or_verdict() -> None:
    floors = load_floors()
    good = Row(
        "rapid", "x", DocResult("picture", "x", cells=200, correct=200, rules=4, rules_right=4), 1, 1.0
    )
    assert gate([good], floors) == []
    # One picture at 94% fails its own floor even when the set as a whole is above 98%.
    weak = dataclasses.replace(good, result=dataclasses.replace(good.result, name="y", correct=188))
    many = [good] * 9 + [weak]
    assert any("y: cells" in f for f in gate(many, floors))
    low = dataclasses.replace(good, result=dataclasses.replace(good.result, correct=195))
    assert any("cells" in f for f in gate([low], floors))
    verdict = dataclasses.replace(good, result=dataclasses.replace(good.result, rules_right=3))
    assert any("rule verdicts" in f for f in gate([verdict], floors))
    data = json.loads(FLOORS.read_text(encoding="utf-8"))
    assert data["cell_accuracy"] >= 0.98 and data["picture_cell_accuracy"] >= 0.95


@needs_ocr
@pytest.mark.slow
@pytest.mark.ocr
def test_short_picture_set_meets_its_floor(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--short", "--engines", DEFAULT_ENGINE, "--gate"]) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    for picture in SHORT:
        assert picture in out
    assert "ALL" in out
