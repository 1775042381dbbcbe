"""parse_value: report cell text → number or None (blank/placeholder), never raising."""

from __future__ import annotations

import pytest

from archive.report.values import clean_cell, is_value_cell, parse_value


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("0", 0.0),
        ("970", 970.0),
        ("+5", 5.0),
        ("-39", -39.0),
        ("＋５", 5.0),  # full-width sign and digit
        ("－3", -3.0),
        ("−2", -2.0),  # U+2212 minus
        ("增5", 5.0),
        ("减3", -3.0),
        ("3659.92 万元", 3659.92),
        ("122.51万元", 122.51),
        ("1,234", 1234.0),
        ("１２３", 123.0),
        (" 1 2 ", 12.0),  # stray spaces inside a number (PDF text)
        ("[bookmark: _GoBack]1", 1.0),
        ("<b>7</b>", 7.0),
        ("9 件", 9.0),
        ("-0", 0.0),
    ],
)
def test_numbers(raw: str, value: float) -> None:
    assert parse_value(raw) == value


@pytest.mark.parametrize("raw", ["", "   ", "-", "—", "——", "/", "无", "\\", None])
def test_blank_and_placeholders_are_unknown_not_zero(raw: str | None) -> None:
    assert parse_value(raw) is None
    assert is_value_cell(raw)


@pytest.mark.parametrize("raw", ["规章", "本年增/减", "abc", "1.2.3", "1e5", "三（七）总计", "\x00\ud800"])
def test_labels_and_junk_give_none_without_raising(raw: str) -> None:
    assert parse_value(raw) is None


def test_labels_are_not_value_cells() -> None:
    assert not is_value_cell("行政许可")
    assert is_value_cell("0")
    assert is_value_cell("—")


def test_clean_cell_drops_markup_and_normalises_width() -> None:
    assert clean_cell("<b>１２</b> ") == "12"
    assert clean_cell("[bookmark: _GoBack]3") == "3"


def test_never_raises_on_arbitrary_text() -> None:
    for raw in ["9" * 5000, "+" * 100, "万元", "增", "1" + "０" * 400 + ".5", "\u200b1\u200b"]:
        value = parse_value(raw)
        assert value is None or isinstance(value, float)


def test_zero_width_junk_and_overflow() -> None:
    assert parse_value("\u200b1\u200b") == 1.0
    assert parse_value("9" * 5000) is None  # not a finite count
