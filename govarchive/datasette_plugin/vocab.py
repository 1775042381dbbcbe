"""The researcher's pages' vocabulary: the template's order of codes and the grouping of section 二 into
its sub-tables, over archive/report/codes.py (codes and Chinese labels) and archive/report/english.py (English
labels, the rules in words), whose names this module re-exports for the plugin."""

from __future__ import annotations

import functools

from archive.report import codes
from archive.report.english import (  # noqa: F401  (the plugin's names for them)
    COL_EN,
    KIND_EN,
    PLACED_BY_EN,
    ROW_EN,
    RULES,
    SECTION_EN,
    STATUS_WORDS,
)

# The template numbers the three statistical tables 二、三、四 (section 一 is prose).
SECTION_NUMBER: dict[str, str] = {"active": "二", "applications": "三", "appeals": "四"}


# Section 二 is printed as one small table per item of article 20 (第二十条).
ACTIVE_GROUPS: dict[str, str] = {
    "art20_1": "第二十条第（一）项",
    "art20_5": "第二十条第（五）项",
    "art20_6": "第二十条第（六）项",
    "art20_8": "第二十条第（八）项",
    "art20_9": "第二十条第（九）项",
}
ACTIVE_GROUPS_EN: dict[str, str] = {g: f"Article 20, item ({g.rsplit('_', 1)[1]})" for g in ACTIVE_GROUPS}


def kind_label(kind: str | None) -> str:
    """A report kind as people read it (年度报告 annual report); an unknown code as it is."""
    return KIND_EN.get(kind or "", kind or "")


def row_en(section: str, row: str) -> str:
    return ROW_EN.get(section, {}).get(row, row)


def col_en(section: str, col: str) -> str:
    return COL_EN.get(section, {}).get(col, col)


def code_order(template: str | None) -> list[tuple[str, str, str]]:
    """Every (section, row, col) in the order the template prints them: 二 then 三 then 四, rows top to
    bottom, columns left to right. Without a template, the union of both templates (2021's first)."""
    out: list[tuple[str, str, str]] = []
    seen: set[tuple[str, str, str]] = set()
    templates = [template] if template in codes.TEMPLATES else ["2021", "2019"]
    for section in ("active", "applications", "appeals"):
        for tpl in templates:
            for k in _section_codes(section, str(tpl)):
                if k not in seen:
                    seen.add(k)
                    out.append(k)
    return out


def _section_codes(section: str, tpl: str) -> list[tuple[str, str, str]]:
    if section == "active":
        return [("active", r, c.code) for r in codes.ACTIVE_ROWS for c in codes.active_columns(tpl, r)]
    if section == "applications":
        rows = codes.APPLICATION_ROWS_BY_TEMPLATE[tpl]
        return [("applications", r, c.code) for r in rows for c in codes.APPLICATION_COLUMNS]
    return [("appeals", r, c.code) for r in codes.APPEAL_ROWS for c in codes.APPEAL_COLUMNS]


@functools.cache
def order_key(template: str | None) -> dict[tuple[str, str, str], int]:
    """Position of each code in the template's order; codes outside it sort after, in code order.
    (Cached: the same dict for every call, never to be changed by a caller.)"""
    return {k: i for i, k in enumerate(code_order(template))}


def all_codes() -> list[tuple[str, str, str]]:
    """Every code of either template, in template order (for pickers and the schema page)."""
    return code_order(None)


def label_zh(section: str, row: str, col: str) -> tuple[str, str]:
    try:
        row_zh = codes.row_label(section, row)
    except KeyError:
        row_zh = row
    return row_zh, codes.col_label(section, col, row=row if section == "active" else None)
