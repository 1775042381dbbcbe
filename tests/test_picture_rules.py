"""Ruling lines of tables published as pictures (archive/extract/ocr/rules.py): light grey rules on white
and on shaded rows, and rules a cell's overflowing text runs on from."""

from __future__ import annotations

from PIL import Image, ImageDraw

from archive.extract.ocr.rules import page_rules

XS = [20, 220, 360, 500]
YS = [20, 70, 120, 170, 220]


def _grid(rule: int, shade: int | None = None) -> Image.Image:
    img = Image.new("L", (540, 260), 255)
    draw = ImageDraw.Draw(img)
    if shade is not None:
        for k in range(1, len(YS) - 1, 2):
            draw.rectangle((XS[0], YS[k], XS[-1], YS[k + 1]), fill=shade)
    for y in YS:
        draw.line((XS[0], y, XS[-1], y), fill=rule, width=2)
    for x in XS:
        draw.line((x, YS[0], x, YS[-1]), fill=rule, width=2)
    return img


def _shape(img: Image.Image, faint: bool) -> list[tuple[int, int]]:
    _, tables = page_rules(img, 200, faint)
    return [(len(t.ys) - 1, len(t.xs) - 1) for t in tables]


def test_light_grey_rules_are_found_when_faint_rules_count() -> None:
    for shade in (None, 242):
        img = _grid(200, shade)
        assert _shape(img, False) == []  # lighter than the scans' ink threshold
        assert _shape(img, True) == [(4, 3)]
    assert _shape(_grid(0), True) == _shape(_grid(0), False) == [(4, 3)]  # black rules as before


def test_a_rule_prolonged_by_text_touching_its_end_is_cut_back_to_the_crossing() -> None:
    img = _grid(0)
    draw = ImageDraw.Draw(img)
    # Text above the table touching its top rule right where a column rule meets it: the column rule's
    # ink runs on 14 px past the crossing (a screenshot's label running over a rule does the same).
    draw.line((XS[1], YS[0] - 14, XS[1], YS[0]), fill=0, width=2)
    assert _shape(img, False) == [(4, 3)]
