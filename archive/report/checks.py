"""The four consistency rules of report-format.md (勾稽关系), one Check per rule per report.

A rule is checked in parts: `balance` and `outcomes_sum` per applications column, `row_total` per
applications row, `appeals_total` per appeals group. A part that touches a blank (NULL) cell is unknown,
never zero. The rule's status combines its parts:

* `failed` if any part fails (the detail names each failing part and both sides);
* `ok` if no part fails and at least one part could be checked (unchecked parts are listed as unknown:
  seed 001 fills only 总计, so `balance` holds on 总计 and is unknown elsewhere → ok);
* `unknown` if every part touches a blank cell (the detail names the blank cells).

For the 2021 template, `other` is the sum of its three sub-rows when the report gives them (a derived row,
`placed_by == "derived"`, so it is not checked again); a 2021 table printing （六）其他处理 as one row and no
sub-row figures is checked with that row.
"""

from __future__ import annotations

from collections.abc import Sequence

from archive.model import Check, Stat
from archive.report import codes

_EPS = 1e-6
_Part = tuple[str, str]  # (status, description)


class _Table:
    def __init__(self, stats: Sequence[Stat]) -> None:
        self.values = {(s.section, s.row, s.col): s.value for s in stats}
        self.derived = {s.row for s in stats if s.section == "applications" and s.placed_by == "derived"}
        # 2021 printed as one row （六）其他处理: its figures stand for the sub-rows the table leaves out.
        self.printed_other = any(
            s.section == "applications"
            and s.row == "other"
            and s.placed_by != "derived"
            and s.value is not None
            for s in stats
        )
        self.sub_rows_given = any(
            s.section == "applications" and s.row in codes.OTHER_SUBROWS and s.value is not None
            for s in stats
        )

    def has(self, section: str, row: str) -> bool:
        return any(k[0] == section and k[1] == row for k in self.values)

    def get(self, section: str, row: str, col: str) -> float | None:
        return self.values.get((section, row, col))


def _num(v: float) -> str:
    return f"{v:.6f}".rstrip("0").rstrip(".") if v != int(v) else str(int(v))


def _part(where: str, lhs: list[tuple[str, float | None]], rhs: list[tuple[str, float | None]]) -> _Part:
    blank = [name for name, v in lhs + rhs if v is None]
    if blank:
        return "unknown", f"{where}: blank {', '.join(blank)}"
    left = sum(v for _, v in lhs if v is not None)
    right = sum(v for _, v in rhs if v is not None)
    if abs(left - right) < _EPS:
        return "ok", where

    def side(terms: list[tuple[str, float | None]], total: float) -> str:
        expr = "+".join(f"{n}({_num(v)})" for n, v in terms if v is not None)
        return f"{expr}={_num(total)}" if len(terms) > 1 else expr

    return "failed", f"{where}: {side(lhs, left)} != {side(rhs, right)}"


def _combine(rule: str, parts: list[_Part]) -> Check:
    failed = [d for s, d in parts if s == "failed"]
    unknown = [d for s, d in parts if s == "unknown"]
    if failed:
        return Check(rule, "failed", "; ".join(failed))
    if not parts or len(unknown) == len(parts):
        return Check(rule, "unknown", "; ".join(unknown) or "no figures")
    checked = [d for s, d in parts if s == "ok"]
    detail = f"holds on {', '.join(checked)}"
    return Check(rule, "ok", detail + (f"; unknown ({'; '.join(unknown)})" if unknown else ""))


def _outcome_rows(table: _Table, template: str) -> list[str]:
    rows = [r for r in codes.OUTCOME_ROWS if r != "other"]
    if (
        template == "2021"
        and any(table.has("applications", r) for r in codes.OTHER_SUBROWS)
        and (not table.printed_other or table.sub_rows_given)
    ):
        return rows + codes.OTHER_SUBROWS
    return [*rows, "other"]


def run_checks(stats: Sequence[Stat], template: str | None) -> list[Check]:
    """One Check per rule (balance, outcomes_sum, row_total, appeals_total); [] when there is no template."""
    if template is None:
        return []
    return [_combine(rule, parts) for rule, parts in _parts(stats, template).items()]


def confirmation(stats: Sequence[Stat], template: str | None) -> tuple[int, int]:
    """(parts that fail, parts that hold) over every rule: how far the rules confirm a reading of the
    tables."""
    if template is None:
        return 0, 0
    parts = [p for ps in _parts(stats, template).values() for p in ps]
    return sum(1 for s, _ in parts if s == "failed"), sum(1 for s, _ in parts if s == "ok")


def _parts(stats: Sequence[Stat], template: str) -> dict[str, list[_Part]]:
    t = _Table(stats)
    app = "applications"
    cols = [c.code for c in codes.APPLICATION_COLUMNS]

    def cell(row: str, col: str) -> tuple[str, float | None]:
        return row, t.get(app, row, col)

    balance = [
        _part(
            col,
            [cell("new", col), cell("carried_over", col)],
            [cell("processed_total", col), cell("carried_forward", col)],
        )
        for col in cols
    ]
    outcome_rows = _outcome_rows(t, template)
    outcomes = [
        _part(col, [cell(r, col) for r in outcome_rows], [cell("processed_total", col)]) for col in cols
    ]
    # A derived row (2021 `other`, the sum of its sub-rows) adds nothing the sub-rows do not say.
    rows = [r for r in codes.APPLICATION_ROWS_BY_TEMPLATE[template] if t.has(app, r) and r not in t.derived]
    row_total = [
        _part(
            row,
            [(c, t.get(app, row, c)) for c in codes.APPLICANT_COLUMNS],
            [("total", t.get(app, row, "total"))],
        )
        for row in rows
    ]
    appeals = [
        _part(
            group,
            [(c, t.get("appeals", group, c)) for c in ("upheld", "corrected", "other", "pending")],
            [("total", t.get("appeals", group, "total"))],
        )
        for group in codes.APPEAL_ROWS
    ]
    if not any(k[0] == app for k in t.values):
        balance, outcomes, row_total = [], [], []
    if not any(k[0] == "appeals" for k in t.values):
        appeals = []
    return {"balance": balance, "outcomes_sum": outcomes, "row_total": row_total, "appeals_total": appeals}
