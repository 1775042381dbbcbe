"""What a rendered report says: ReportSpec, and the truth (stats and checks) it implies.

A spec is the single source from which every format (DOCX, PDF, DOC, HTML, XLSX, scan, text) is rendered,
so tests can compare what an extractor reads out of any format against `truth_stats()`/`truth_checks()`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from archive.report import codes

# (section, row, col) → the cell's raw text as printed; "" is a blank cell.
FigureKey = tuple[str, str, str]

_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")


@dataclass
class ReportSpec:
    title: str
    agency: str
    year: int
    kind: str = "annual_report"  # annual_report | work_summary
    template: str | None = "2019"  # "2019" | "2021" | None (no tables)
    published_at: str = ""  # ISO date
    paragraphs: list[str] = field(default_factory=list)
    figures: dict[FigureKey, str] = field(default_factory=dict)
    # Layout options that imitate real-world variants of the template.
    omit_columns: list[str] = field(default_factory=list)  # applicant columns left out of section 三
    split_page_break: bool = False  # force the applications table across a page break
    repeat_header: bool = False  # repeat the table header rows on the next page

    def raw(self, section: str, row: str, col: str) -> str:
        if section == "applications" and col in self.omit_columns:
            return ""  # not printed
        return self.figures.get((section, row, col), "")

    def application_columns(self) -> list[str]:
        return [c.code for c in codes.APPLICATION_COLUMNS if c.code not in self.omit_columns]

    def truth_stats(self) -> list[dict[str, Any]]:
        return truth_stats(self)

    def truth_checks(self) -> list[dict[str, Any]]:
        return truth_checks(self)

    def truth(self) -> dict[str, Any]:
        """The spec's ground truth in the format of tests/eval/truth/seed_NNN.json."""
        meta = {k: getattr(self, k) for k in ("agency", "year", "kind", "template", "title", "published_at")}
        return {"meta": meta, "stats": truth_stats(self), "checks": truth_checks(self)}


def parse_value(raw: str) -> float | None:
    """The number a cell states: `+5` → 5, `3659.92 万元` → 3659.92, blank → None."""
    m = _NUMBER.search(raw.replace(",", "").replace("，", ""))
    return float(m.group()) if m else None


def figure_keys(spec: ReportSpec) -> list[FigureKey]:
    """Every cell of the three tables of the spec's template, in reading order."""
    tpl = spec.template
    if tpl is None:
        return []
    keys: list[FigureKey] = []
    for row in codes.ACTIVE_ROWS_BY_TEMPLATE[tpl]:
        keys += [("active", row, c.code) for c in codes.active_columns(tpl, row)]
    # Omitted columns stay in the truth as blanks (NULL), like seed 004's.
    cols = [c.code for c in codes.APPLICATION_COLUMNS]
    for row in codes.APPLICATION_ROWS_BY_TEMPLATE[tpl]:
        if tpl == "2021" and row == "other":
            continue  # the 2021 template prints only the three sub-rows
        keys += [("applications", row, c) for c in cols]
    for row in codes.APPEAL_ROWS:
        keys += [("appeals", row, c.code) for c in codes.APPEAL_COLUMNS]
    return keys


def truth_stats(spec: ReportSpec) -> list[dict[str, Any]]:
    """The figures an exact extractor should report: one dict per printed cell, and for the 2021 template
    the row `other` derived as the sum of its three sub-rows (blank where one of them is blank)."""
    stats = [
        {"section": s, "row": r, "col": c, "raw": spec.raw(s, r, c), "value": parse_value(spec.raw(s, r, c))}
        for s, r, c in figure_keys(spec)
    ]
    if spec.template == "2021":
        for col in (c.code for c in codes.APPLICATION_COLUMNS):
            parts = [
                parse_value(spec.raw("applications", f"other.{sub}", col))
                for sub in ("no_correction", "no_fee", "other")
            ]
            total = None if any(v is None for v in parts) else sum(v or 0.0 for v in parts)
            stats.append({"section": "applications", "row": "other", "col": col, "raw": "", "value": total})
    return stats


# --- consistency rules (report-format.md) ------------------------------------------------------------


def _compare(lhs: list[float | None], rhs: list[float | None]) -> str:
    if any(v is None for v in lhs + rhs):
        return "unknown"
    return "ok" if abs(sum(v or 0 for v in lhs) - sum(v or 0 for v in rhs)) < 1e-6 else "failed"


def _combine(results: list[tuple[str, str]]) -> tuple[str, str]:
    """One status per rule: failed if any part fails; ok if some part holds (parts that touch a blank are
    unknown and do not count); unknown if every part touches a blank (the seed truths' convention)."""
    failed = [where for status, where in results if status == "failed"]
    unknown = [where for status, where in results if status == "unknown"]
    if failed:
        return "failed", "failed: " + ", ".join(failed)
    if len(unknown) == len(results):
        return "unknown", "every part touches a blank cell"
    checked = f"{len(results) - len(unknown)} checked"
    return "ok", checked + (f"; unknown (blank): {', '.join(unknown)}" if unknown else "")


def _outcome_rows(template: str) -> list[str]:
    rows = [r for r in codes.OUTCOME_ROWS if r in codes.APPLICATION_ROWS_BY_TEMPLATE[template]]
    if template == "2021":
        rows = [r for r in rows if r != "other"] + codes.OTHER_SUBROWS  # the sub-rows stand for （六）
    return rows


def truth_checks(spec: ReportSpec) -> list[dict[str, Any]]:
    """The four rules evaluated on the printed figures; a report without tables has no checks."""
    if spec.template is None:
        return []

    def value(section: str, row: str, col: str) -> float | None:
        return parse_value(spec.raw(section, row, col))

    cols = [c.code for c in codes.APPLICATION_COLUMNS]  # an omitted column is blank: unknown
    app = "applications"
    balance, outcomes, row_total = [], [], []
    for col in cols:
        balance.append(
            (
                _compare(
                    [value(app, "new", col), value(app, "carried_over", col)],
                    [value(app, "processed_total", col), value(app, "carried_forward", col)],
                ),
                col,
            )
        )
        outcomes.append(
            (
                _compare(
                    [value(app, r, col) for r in _outcome_rows(spec.template)],
                    [value(app, "processed_total", col)],
                ),
                col,
            )
        )
    for row in codes.APPLICATION_ROWS_BY_TEMPLATE[spec.template]:
        if spec.template == "2021" and row == "other":
            continue
        parts = [value(app, row, c) for c in codes.APPLICANT_COLUMNS]
        row_total.append((_compare(parts, [value(app, row, "total")]), row))
    appeals = []
    for row in codes.APPEAL_ROWS:
        parts = [value("appeals", row, c) for c in ("upheld", "corrected", "other", "pending")]
        appeals.append((_compare(parts, [value("appeals", row, "total")]), row))
    out = []
    for rule, results in (
        ("balance", balance),
        ("outcomes_sum", outcomes),
        ("row_total", row_total),
        ("appeals_total", appeals),
    ):
        status, detail = _combine(results)
        out.append({"rule": rule, "status": status, "detail": detail})
    return out
