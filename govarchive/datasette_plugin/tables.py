"""A report's figures laid out as the template prints them: table 二 (one small table per item of article
20), 三 (rows 一 … 四 × applicant columns) and 四 (reviews and lawsuits × outcomes), rows and columns in the
template's order with its Chinese labels; blank cells stay blank, derived values are marked. And the
year-over-year comparison of two reports of one body."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from archive.report import codes
from govarchive.datasette_plugin import vocab
from govarchive.datasette_plugin.data import Key, Row


@dataclass
class Cell:
    value: Any = None
    raw: str | None = None
    placed_by: str | None = None
    ocr: bool = False
    found: bool = False  # the report has this cell (printed, possibly blank)

    @property
    def derived(self) -> bool:
        return self.placed_by == "derived"

    @property
    def text(self) -> str:
        return "" if self.value is None else str(self.value)


@dataclass
class Line:
    code: str
    zh: str
    en: str
    cells: list[Cell]


@dataclass
class Table:
    caption: str
    columns: list[tuple[str, str, str]]  # code, zh, en
    lines: list[Line] = field(default_factory=list)
    caption_en: str = ""


@dataclass
class Section:
    code: str
    number: str
    zh: str
    en: str
    tables: list[Table]


def _cells(stats: list[Row]) -> dict[Key, Cell]:
    return {
        (s["section"], s["row"], s["col"]): Cell(s["value"], s["raw"], s["placed_by"], bool(s["ocr"]), True)
        for s in stats
    }


def _line(section: str, row: str, cols: list[tuple[str, str, str]], cells: dict[Key, Cell]) -> Line:
    return Line(
        row,
        codes.row_label(section, row),
        vocab.row_en(section, row),
        [cells.get((section, row, c[0]), Cell()) for c in cols],
    )


def layout(template: str | None, stats: list[Row]) -> tuple[list[Section], list[Row]]:
    """The template's three tables filled with a report's figures, and the figures they leave out (a
    figure under a code of the other template), in template order."""
    cells = _cells(stats)
    tpl = template if template in codes.TEMPLATES else None
    if tpl is None:
        # No template recognised: lay out on the template whose codes the figures use most.
        counts = {t: sum(1 for k in cells if k in set(vocab.code_order(t))) for t in codes.TEMPLATES}
        tpl = max(counts, key=lambda t: counts[t]) if any(counts.values()) else None
    if tpl is None:
        return [], []
    placed: set[Key] = set()
    sections: list[Section] = []

    active: list[Table] = []
    for group, caption in vocab.ACTIVE_GROUPS.items():
        rows = [r for r in codes.ACTIVE_ROWS_BY_TEMPLATE[tpl] if r.split(".")[0] == group]
        if not rows:
            continue
        cols = [(c.code, c.label, vocab.col_en("active", c.code)) for c in codes.active_columns(tpl, rows[0])]
        table = Table(
            caption, cols, [_line("active", r, cols, cells) for r in rows], vocab.ACTIVE_GROUPS_EN[group]
        )
        placed.update(("active", r, c[0]) for r in rows for c in cols)
        active.append(table)
    sections.append(_section("active", active))

    cols = [(c.code, c.label, vocab.col_en("applications", c.code)) for c in codes.APPLICATION_COLUMNS]
    rows = codes.APPLICATION_ROWS_BY_TEMPLATE[tpl]
    placed.update(("applications", r, c[0]) for r in rows for c in cols)
    sections.append(
        _section("applications", [Table("", cols, [_line("applications", r, cols, cells) for r in rows])])
    )

    cols = [(c.code, c.label, vocab.col_en("appeals", c.code)) for c in codes.APPEAL_COLUMNS]
    placed.update(("appeals", r, c[0]) for r in codes.APPEAL_ROWS for c in cols)
    sections.append(
        _section("appeals", [Table("", cols, [_line("appeals", r, cols, cells) for r in codes.APPEAL_ROWS])])
    )

    order = vocab.order_key(None)
    left = [s for s in stats if (s["section"], s["row"], s["col"]) not in placed]
    left.sort(
        key=lambda s: (order.get((s["section"], s["row"], s["col"]), 10**6), s["section"], s["row"], s["col"])
    )
    return sections, left


def _section(code: str, tables: list[Table]) -> Section:
    return Section(code, vocab.SECTION_NUMBER[code], codes.SECTIONS[code], vocab.SECTION_EN[code], tables)


@dataclass
class Change:
    key: Key
    zh: str
    en: str
    before: Any
    after: Any

    @property
    def delta(self) -> Any:
        if isinstance(self.before, int | float) and isinstance(self.after, int | float):
            return self.after - self.before
        return None

    @property
    def percent(self) -> str:
        d = self.delta
        if d is None or not self.before:
            return ""
        return f"{d / self.before * 100:+.0f}%"


def changes(template: str | None, before: list[Row], after: list[Row]) -> list[Change]:
    """Figures whose value differs between two reports of a body (blank ↔ figure included), in the
    template's order. Codes are stable across the 2019 and 2021 templates, so a code is one quantity."""
    b = {(s["section"], s["row"], s["col"]): s["value"] for s in before}
    a = {(s["section"], s["row"], s["col"]): s["value"] for s in after}
    order = vocab.order_key(template)
    fallback = vocab.order_key(None)
    out: list[Change] = []
    for key in sorted(set(a) | set(b), key=lambda k: (order.get(k, 10**6), fallback.get(k, 10**6), k)):
        if a.get(key) == b.get(key):
            continue
        row_zh, col_zh = vocab.label_zh(*key)
        out.append(
            Change(
                key,
                f"{vocab.SECTION_NUMBER.get(key[0], '')} {row_zh} · {col_zh}",
                f"{vocab.row_en(key[0], key[1])} · {vocab.col_en(key[0], key[2])}",
                b.get(key),
                a.get(key),
            )
        )
    return out


def check_changes(before: list[Row], after: list[Row]) -> list[dict[str, str]]:
    """Rules that began or stopped failing (or changed status at all) from one year to the next."""
    b = {c["rule"]: c["status"] for c in before}
    a = {c["rule"]: c["status"] for c in after}
    out = []
    for rule in sorted(set(a) | set(b)):
        old, new = b.get(rule, "—"), a.get(rule, "—")
        if old == new:
            continue
        if new == "failed":
            what = "began to fail 开始不成立"
        elif old == "failed":
            what = "stopped failing 不再不成立"
        else:
            what = "changed 变化"
        out.append({"rule": rule, "before": old, "after": new, "what": what})
    return out
