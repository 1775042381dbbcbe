"""Mapping: the rows and columns of section runs → canonical figures (section, row, col) of one template.

Rows are found by their template labels (codes.py), never by position alone. Columns come from the header
labels when the header is there; positions only as a last resort, with a finding. Whatever does not fit
yields what can be mapped plus a finding, never an exception.

Column placement in a run:
* regular run (every row as wide as the header, labels left of the first figure column): by header
  position, so blank cells keep their column;
* otherwise (text renderings, where a merged label takes one cell or two): the figures after the last label,
  with layout padding removed (covered cells, trailing blanks, then leading blanks); extra figures keep the
  first and the last (总计); too few are right-aligned to 总计.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from archive.model import Cell, Grid, Stat, Where, where_of
from archive.report import codes
from archive.report import rows as body_rows
from archive.report.codes import norm
from archive.report.segment import Run, has_figures, is_figure, label_cells, runs
from archive.report.values import parse_value


@dataclass
class Mapped:
    template: str | None
    stats: list[Stat] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)
    tables: list[Grid] = field(default_factory=list)  # the grids the figures were read from


def map_grids(tables: Sequence[Grid], template: str, prefer: str = "label") -> Mapped:
    """The figures of one set of grids under one template; `prefer` weighs a row's label or its numbering
    first where they disagree (archive/report/rows.py)."""
    mapper = _Mapper(template, prefer)
    for run in runs(tables):
        try:
            mapper.map_run(run)
        except Exception as exc:  # a table that fits nothing must not cost the report its other figures
            mapper.findings.append(f"{run.section} table skipped: {type(exc).__name__}: {exc}")
    return Mapped(template, mapper.stats(), mapper.findings)


def _text(cell: Cell) -> str:
    return (cell or "").strip()


def _fmt_row(row: Sequence[Cell]) -> str:
    return "|".join(_text(c) for c in row)[:80]


class _Mapper:
    def __init__(self, template: str, prefer: str = "label") -> None:
        self.template = template
        self.prefer = prefer
        self.cells: dict[tuple[str, str, str], str] = {}
        self.placed: dict[tuple[str, str], str] = {}  # (section, row) → how the row was placed
        self.where: dict[tuple[str, str, str], Where | None] = {}  # where each kept cell was read
        self.findings: list[str] = []
        self.sections: set[str] = set()

    # -- bookkeeping --
    def put(self, section: str, row: str, col: str, raw: Cell, how: str = "label") -> None:
        key = (section, row, col)
        text = _text(raw)
        self.placed.setdefault((section, row), how)
        if key in self.cells:
            if parse_value(self.cells[key]) != parse_value(text):
                self.findings.append(
                    f"{section}.{row}.{col} given twice ({self.cells[key]!r}, {text!r}): first kept"
                )
            return
        self.cells[key] = text
        self.where[key] = where_of(raw)
        self.sections.add(section)

    def stats(self) -> list[Stat]:
        out: list[Stat] = []
        derived = self._derived_other()
        for section, row, col in self._template_cells():
            if section not in self.sections:
                continue
            raw = self.cells.get((section, row, col), "")
            value = parse_value(raw)
            how = self.placed.get((section, row), "")
            where = self.where.get((section, row, col))
            if (section, row) == ("applications", "other") and derived is not None:
                value, how, where = derived.get(col), "derived", None
            out.append(
                Stat(
                    section=section,
                    row=row,
                    col=col,
                    value=value,
                    raw=raw,
                    row_label=codes.row_label(section, row),
                    col_label=codes.col_label(
                        section, col, self.template, row if section == "active" else None
                    ),
                    placed_by=how,
                    where=where,
                )
            )
        rows_seen = {(s, r) for s, r, _ in self.cells} | ({("applications", "other")} if derived else set())
        missing = sorted(
            {f"{s}.{r}" for s, r, _ in self._template_cells() if s in self.sections}
            - {f"{s}.{r}" for s, r in rows_seen}
        )
        if missing:
            self.findings.append(f"rows not found in the tables (left blank): {', '.join(missing)}")
        return out

    def _template_cells(self) -> list[tuple[str, str, str]]:
        t = self.template
        cells = [
            ("active", r, c.code)
            for r in codes.ACTIVE_ROWS_BY_TEMPLATE[t]
            for c in codes.active_columns(t, r)
        ]
        app_rows = list(codes.APPLICATION_ROWS_BY_TEMPLATE[t])
        cells += [("applications", r, c.code) for r in app_rows for c in codes.APPLICATION_COLUMNS]
        cells += [("appeals", r, c.code) for r in codes.APPEAL_ROWS for c in codes.APPEAL_COLUMNS]
        return cells

    def _derived_other(self) -> dict[str, float | None] | None:
        """2021: `other` (三（六）其他处理) as the sum of its three sub-rows when the report gives them and
        does not print the row itself; a column with a blank sub-row is blank (unknown), never a partial
        sum. None when there is nothing to derive."""
        cols = [c.code for c in codes.APPLICATION_COLUMNS]
        # A （六）其他处理 label with no figure of its own (a group heading on its own line) prints nothing.
        if self.template != "2021" or any(self.cells.get(("applications", "other", c)) for c in cols):
            return None
        if not all(("applications", r) in self.placed for r in codes.OTHER_SUBROWS):
            return None
        sums: dict[str, float | None] = {}
        for col in cols:
            parts = [parse_value(self.cells.get(("applications", r, col), "")) for r in codes.OTHER_SUBROWS]
            sums[col] = None if any(v is None for v in parts) else sum(v for v in parts if v is not None)
        return sums

    def map_run(self, run: Run) -> None:
        {"active": self._active, "applications": self._applications, "appeals": self._appeals}[run.section](
            run
        )

    # -- section 二 --
    def _active(self, run: Run) -> None:
        columns: dict[int, str] = {}
        for row in (run.header if run.inherited else []) + run.rows:
            labels = label_cells(row)
            # 信息内容 marks a header even when OCR misread one of its cells as a number.
            if not has_figures(row) or (labels and codes.ACTIVE_SUBHEADER in norm(row[labels[0]])):
                found = {i: c for i, cell in enumerate(row) if (c := codes.active_column(norm(cell)))}
                if found or has_figures(row):
                    columns = found
                continue
            joined = norm("".join(_text(row[i]) for i in labels)) if labels else ""
            code, how = codes.active_row(joined) if joined else None, "label"
            if code is None and joined:
                # A glyph missing from a short label (行政罚): the template row whose characters it shares.
                free = {
                    r: codes.ACTIVE_ROWS[r]
                    for r in codes.ACTIVE_ROWS_BY_TEMPLATE[self.template]
                    if ("active", r) not in self.placed
                }
                code = body_rows.closest(norm(_text(row[labels[-1]])), free)
                if code is not None:
                    self.findings.append(f"section 二: {code} placed by its characters: {_fmt_row(row)}")
            if code is None:
                self.findings.append(f"section 二: row without a known label skipped: {_fmt_row(row)}")
                continue
            expected = [c.code for c in codes.active_columns(self.template, code)]
            if not expected:
                self.findings.append(f"section 二: {code} is not in the {self.template} template: skipped")
                continue
            last = labels[-1]
            by_col = {c: i for i, c in sorted(columns.items(), reverse=True)}
            if columns and all(c in by_col and by_col[c] > last for c in expected):
                for col in expected:
                    self.put("active", code, col, row[by_col[col]] if by_col[col] < len(row) else "", how)
                continue
            values = _fit(row[last + 1 :], len(expected))
            self.findings.append(f"section 二: {code} mapped by position (no matching header)")
            for col, raw in zip(expected, values, strict=True):
                self.put("active", code, col, raw, how)

    # -- section 三 --
    def _applications(self, run: Run) -> None:
        cols, positions, width = _app_header(run.header)
        present = _columns_by_characters(run.header)
        per_row = _usual_figures(run.rows)
        if not positions and len(cols) != per_row and len(present) == per_row >= 3:
            # Header cells wrapped into fragments (商业 / 企业) name too few columns for the rows' figures; the
            # columns whose label characters occur in the header are as many as the figures: those.
            cols = present
            missing = [c.code for c in codes.APPLICATION_COLUMNS if c.code not in cols]
            self.findings.append(
                "section 三: columns read from header fragments"
                + (f"; none for {', '.join(missing)} (left blank)" if missing else "")
            )
        elif len([c for c in cols if c != "total"]) < 2:
            # No header, or one whose applicant labels were lost (wrapped one character a line in PDF text).
            cols, positions = [c.code for c in codes.APPLICATION_COLUMNS], {}
            self.findings.append("section 三: no usable column header; columns taken in template order")
        elif len(cols) < len(codes.APPLICATION_COLUMNS):
            missing = [c.code for c in codes.APPLICATION_COLUMNS if c.code not in cols]
            self.findings.append(f"section 三: header has no column for {', '.join(missing)} (left blank)")
        rows = [r for r in run.rows if label_cells(r)]
        first_pos = min(positions.values()) if positions else 0
        regular = bool(positions) and all(len(r) == width and label_cells(r)[-1] < first_pos for r in rows)
        readings = [
            body_rows.Row(
                tuple(norm(row[i]) for i in label_cells(row)) + (("",) if _blank_own_label(rows, k) else ()),
                has_figures(row),
            )
            for k, row in enumerate(rows)
        ]
        expected = self._rows_still_expected()
        for row, reading, placement in zip(
            rows, readings, body_rows.place(readings, expected, self.prefer), strict=True
        ):
            labels = label_cells(row)
            code = placement.code
            if code is None:
                named = body_rows.phrase_code(reading)
                if named is not None and named not in codes.APPLICATION_ROWS_BY_TEMPLATE[self.template]:
                    self.findings.append(
                        f"section 三: {named} is not in the {self.template} template: skipped"
                    )
                else:
                    self.findings.append(f"section 三: row without a known label skipped: {_fmt_row(row)}")
                continue
            if placement.placed_by != "label":
                self.findings.append(f"section 三: {code} placed by {placement.placed_by}: {_fmt_row(row)}")
            if regular:
                values = [row[positions[c]] for c in cols]
            else:
                tail = row[labels[-1] + 1 :]
                values = _fit(tail, len(cols))
                if sum(1 for c in tail if _text(c)) > len(cols):
                    self.findings.append(
                        f"section 三: {code}: more figures than columns; kept first and last"
                    )
            for col, raw in zip(cols, values, strict=True):
                self.put("applications", code, col, raw, placement.placed_by)

    def _rows_still_expected(self) -> list[str]:
        """The template rows after the last one placed: a run that continues the table over a page break
        continues its order (its `2.` is not the first group's `2.`); all rows for the first run."""
        rows = list(codes.APPLICATION_ROWS_BY_TEMPLATE[self.template])
        placed = [rows.index(r) for s, r in self.placed if s == "applications" and r in rows]
        rest = rows[max(placed) + 1 :] if placed else rows
        return rest or rows

    # -- section 四 --
    def _appeals(self, run: Run) -> None:
        n = len(codes.APPEAL_COLUMNS)
        groups = list(codes.APPEAL_ROWS)
        for row in run.rows:
            labels = label_cells(row)
            if labels:  # a layout with one row per group: 行政复议 | 5 figures
                group = codes.appeal_row(norm("".join(_text(row[i]) for i in labels)))
                if group is None:
                    self.findings.append(f"section 四: row without a known label skipped: {_fmt_row(row)}")
                    continue
                for col, raw in zip(codes.APPEAL_COLUMNS, _fit(row[labels[-1] + 1 :], n), strict=True):
                    self.put("appeals", group, col.code, raw)
                continue
            cells = list(row)
            if len(cells) != n * len(groups):
                self.findings.append(f"section 四: {len(cells)} cells for 15 figures; padding removed")
                cells = _fit(cells, n * len(groups))
            for k, raw in enumerate(cells):
                # The template's single row of 15 figures: its groups are placed by their order.
                self.put("appeals", groups[k // n], codes.APPEAL_COLUMNS[k % n].code, raw, "order")


def _app_header(header: list[list[Cell]]) -> tuple[list[str], dict[str, int], int]:
    """Columns the header names, in column order; their positions; the header width."""
    positions: dict[str, int] = {}
    for row in header:
        for i, cell in enumerate(row):
            code = codes.application_column(norm(cell))
            if code and code not in positions:
                positions[code] = i
    order = [c.code for c in codes.APPLICATION_COLUMNS]
    cols = sorted(positions, key=lambda c: (positions[c], order.index(c)))
    if len(set(positions.values())) != len(positions) or cols != [c for c in order if c in positions]:
        # Columns out of template order or sharing a cell: positions mean nothing, keep template order.
        return [c for c in order if c in positions], {}, 0
    width = max((len(r) for r in header), default=0)
    return cols, positions, width


def _usual_figures(rows: list[list[Cell]]) -> int:
    """The most common number of figures after a body row's labels (0 when there are no body rows)."""
    counts: dict[int, int] = {}
    for row in rows:
        labels = label_cells(row)
        if labels and has_figures(row):
            n = sum(1 for c in row[labels[-1] + 1 :] if c is not None and _text(c))
            counts[n] = counts.get(n, 0) + 1
    return max(counts, key=lambda n: (counts[n], n)) if counts else 0


def _columns_by_characters(header: list[list[Cell]]) -> list[str]:
    """Applicant columns whose label characters all occur in the header's text, in template order."""
    text = norm("".join(c for row in header for c in row if c))
    if not text:
        return []
    return [c.code for c in codes.APPLICATION_COLUMNS if all(ch in text for ch in norm(c.label))]


def _blank_own_label(rows: Sequence[Sequence[Cell]], k: int) -> bool:
    """Row k's own label was lost: the cell after its last label is empty ("", not a position a merged
    cell covers) before its first figure, and that last label is a merged cell standing beside the row
    above or below too (a group heading over several rows, as （六）其他处理 over its three items). A
    picture's label running over the rules is erased with them; a group printed as one row keeps its
    heading to itself."""
    row = rows[k]
    labels = label_cells(row)
    first = next((i for i, c in enumerate(row) if is_figure(c)), len(row))
    if not labels or labels[-1] + 1 >= first or row[labels[-1] + 1] != "" or not has_figures(row):
        return False
    col, text = labels[-1], row[labels[-1]]
    return any(0 <= j < len(rows) and len(rows[j]) > col and rows[j][col] == text for j in (k - 1, k + 1))


def _fit(cells: Sequence[Cell], n: int) -> list[Cell]:
    """Exactly n figure cells out of a row tail: drop covered cells (None: a merge, never a column of its
    own), then trailing blanks, then leading blanks; more than n → the first n-1 and the last; fewer →
    right-aligned (the 总计 side)."""
    tail: list[Cell] = [c for c in cells if c is not None]
    while len(tail) > n and not _text(tail[-1]):
        tail.pop()
    while len(tail) > n and not _text(tail[0]):
        tail.pop(0)
    if len(tail) > n:
        tail = [*tail[: n - 1], tail[-1]]
    return [""] * (n - len(tail)) + tail
