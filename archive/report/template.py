"""Table grids → canonical figures of the national template (report-format.md).

Sections and rows are found by their template LABELS, never by position: a row is "label cells, then figure
cells". Columns come from the header labels when the header is there; positions only as a last resort, with a
finding. Whatever does not fit yields what can be mapped plus a finding, never an exception.

Column placement in a table segment:
* regular segment (every row as wide as the header, labels left of the first figure column): by header
  position, so blank cells keep their column;
* otherwise (text renderings, where a merged label takes one cell or two): the figures after the last label,
  with layout padding removed (covered cells, trailing blanks, then leading blanks); extra figures keep the
  first and the last (总计); too few are right-aligned to 总计.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from archive.model import Cell, Grid, Stat
from archive.report import codes
from archive.report.texttables import grids_from_text
from archive.report.values import is_value_cell, parse_value

# --- label normalisation and key phrases --------------------------------------------------------------------

# Traditional → simplified for the template vocabulary (portals publishing in traditional script, OCR).
_TRAD = str.maketrans(
    "規範許處罰強費採購開與務項數請資計總結轉續辦審議訟復維糾據關決為護權屬國險穩內過執檔詢機"
    "沒現製補確訪舉報訴複當發廢經別區僅這實對門單繳納獲證圍體組織業構會個額萬減條況稱於號從錄"
    "問題應將並無計劃衛設營產種類幹",
    "规范许处罚强费采购开与务项数请资计总结转续办审议讼复维纠据关决为护权属国险稳内过执档询机"
    "没现制补确访举报诉复当发废经别区仅这实对门单缴纳获证围体组织业构会个额万减条况称于号从录"
    "问题应将并无计划卫设营产种类干",
)
_DROP = re.compile(r"</?[a-zA-Z][^<>]{0,40}>|[\s\"'“”‘’「」『』《》]")


def norm(text: Cell) -> str:
    """NFKC (full-width brackets/digits → ASCII), traditional → simplified, no whitespace, quotes or tags."""
    if not text:
        return ""
    return _DROP.sub("", unicodedata.normalize("NFKC", text).translate(_TRAD))


# Section 三 rows: the first entry whose phrase occurs in the label wins (order matters: 其他法律… before 其他).
_APP_ROWS: list[tuple[str, tuple[str, ...]]] = [
    ("new", ("新收",)),
    ("carried_over", ("上年结转",)),
    ("carried_forward", ("结转下年", "继续办理")),
    ("partial", ("部分公开",)),
    ("denied.state_secret", ("国家秘密",)),
    ("denied.prohibited_by_law", ("法律行政法规", "法规禁止", "禁止公开")),
    ("denied.security_stability", ("三安全", "一稳定")),
    ("denied.third_party", ("第三方",)),
    ("denied.internal_affairs", ("内部事务",)),
    ("denied.process_info", ("过程性",)),
    ("denied.enforcement_file", ("执法案卷",)),
    ("denied.query_service", ("查询事项",)),
    ("unavailable.not_held", ("不掌握",)),
    ("unavailable.needs_creation", ("另行制作", "现成信息")),
    ("unavailable.unclear", ("仍不明确", "补正后申请")),
    ("not_processed.petition", ("信访", "举报投诉")),
    ("not_processed.repeated", ("重复申请",)),
    ("not_processed.publication", ("出版物",)),
    ("not_processed.excessive", ("大量反复",)),
    ("not_processed.confirmation", ("重新出具", "确认或")),
    ("other.no_correction", ("不补正",)),
    ("other.no_fee", ("缴纳费用", "收费通知")),
    ("other", ("其他处理",)),
    ("processed_total", ("总计", "合计")),
]
_APP_COLS: list[tuple[str, str]] = [
    ("自然人", "natural_person"),
    ("商业企业", "commercial"),
    ("科研机构", "research"),
    ("社会公益", "social_welfare"),
    ("法律服务", "legal_service"),
    ("总计", "total"),
    ("合计", "total"),
]
_ACTIVE_ROWS: list[tuple[str, tuple[str, ...]]] = [
    ("art20_1.normative_docs", ("规范性文件",)),
    ("art20_1.regulations", ("规章",)),
    ("art20_5.licensing", ("行政许可",)),
    ("art20_5.other_services", ("对外管理服务",)),
    ("art20_6.penalty", ("行政处罚",)),
    ("art20_6.coercion", ("行政强制",)),
    ("art20_8.fees", ("事业性收费",)),
    ("art20_9.procurement", ("集中采购",)),
]
_ACTIVE_COLS: list[tuple[str, str]] = [
    ("新制作", "made"),
    ("新公开", "published"),
    ("公开总数", "total_public"),
    ("上一年项目", "prev_items"),
    ("上年项目", "prev_items"),
    ("增/减", "change"),
    ("增减", "change"),
    ("处理决定", "decisions"),
    ("采购项目", "projects"),
    ("总金额", "amount_10k_yuan"),
    ("收费金额", "amount_10k_yuan"),
    ("制发", "issued"),
    ("废止", "repealed"),
    ("现行有效", "in_force"),
]
_APPEAL_GROUPS: list[tuple[str, str]] = [
    ("未经复议", "litigation_direct"),
    ("复议后", "litigation_after_review"),
    ("行政复议", "review"),
]
_APPEAL_HEADER = ("行政复议", "行政诉讼", "结果维持", "结果纠正", "尚未审结")
_APP_HEADER = ("本列数据", "申请人情况", "自然人", "法人或其他组织", "商业企业")
_ACTIVE_HEADER = ("信息内容", "第二十条")
_APP_GROUP_WORDS = ("办理结果", "不予公开", "无法提供", "不予处理", "其他处理")

_MARKERS = {
    "2021": ("本年制发件数", "本年废止件数", "现行有效件数", "不补正", "缴纳费用", "本年收费金额"),
    "2019": (
        "本年新制作数量",
        "本年新公开数量",
        "第二十条第(九)项",
        "上一年项目数量",
        "集中采购",
        "对外管理服务",
    ),
}
_CIRCULAR = {"2021": re.compile(r"2021[\]〕】)]?30号"), "2019": re.compile(r"2019[\]〕】)]?60号")}


def _first(label: str, table: Sequence[tuple[str, tuple[str, ...]]]) -> str | None:
    return next((code for code, phrases in table if any(p in label for p in phrases)), None)


def _app_row(label: str) -> str | None:
    code = _first(label, _APP_ROWS)
    if code is None and "予以公开" in label and "不予" not in label:
        return "granted"
    return code


def _app_col(cell: str) -> str | None:
    if not cell or any(w in cell for w in ("法人或其他组织", "申请人情况", "本列数据")):
        return None
    code = next((c for p, c in _APP_COLS if p in cell), None)
    return code or ("other_org" if cell == "其他" else None)


def _bare_other(label: str) -> bool:
    return re.sub(r"^[\d.、()一二三四五六七八九十]+", "", label) == "其他"


# --- public API -------------------------------------------------------------------------------------------


@dataclass
class Mapped:
    template: str | None
    stats: list[Stat] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)


def detect_template(tables: Sequence[Grid], text: str, year: int | None = None) -> str | None:
    """ "2021" / "2019" from template labels (本年制发件数 … vs 本年新制作数量, 第二十条第（九）项), else from the
    year (≥2021 → 2021, 2019–2020 → 2019), else 2019 when a template table is there at all."""
    corpus = norm(text) + "|" + "|".join(norm(c) for t in tables for r in t for c in r if c)
    score = {
        t: sum(m in corpus for m in marks) + bool(_CIRCULAR[t].search(corpus))
        for t, marks in _MARKERS.items()
    }
    if score["2021"] != score["2019"]:
        return "2021" if score["2021"] > score["2019"] else "2019"
    if year is not None:
        return "2021" if year >= 2021 else "2019" if year >= 2019 else None
    if any(w in corpus for w in (*_APP_HEADER, "新收")):
        return "2019"
    return None


def map_report(tables: Sequence[Grid], text: str, year: int | None = None) -> Mapped:
    """Canonical figures of one report. Sections absent from the tables are absent from the stats; inside a
    section found, every template cell is listed (blank when the document leaves it out).

    The text layer is a second opinion: when the grids recovered from `text` give more figures than `tables`
    (an extractor fused two columns or lost a header) and agree with them wherever both give one, those are
    used."""
    # Extractors promise str|None cells; a number slipping through (spreadsheets) must not break matching.
    tables = [
        [[c if c is None or isinstance(c, str) else str(c) for c in row] for row in grid] for grid in tables
    ]
    text = text if isinstance(text, str) else ""
    template = detect_template(tables, text, year)
    if template is None:
        return Mapped(None, [], ["no template table and no year from 2019 on: no statistics"])
    mapped = _map(tables, template)
    if text:
        alt_tables = grids_from_text(text)
        if alt_tables and alt_tables != list(tables):
            mapped = _second_opinion(mapped, _map(alt_tables, template))
    return mapped


def _second_opinion(mapped: Mapped, alt: Mapped) -> Mapped:
    """Per section, the text layer's figures replace the tables' when they are more and agree with them."""
    stats, findings = list(mapped.stats), list(mapped.findings)
    for section in ("active", "applications", "appeals"):
        mine = [s for s in mapped.stats if s.section == section]
        theirs = [s for s in alt.stats if s.section == section]
        known, alt_known = _known(mine), _known(theirs)
        if alt_known > known and _agree(mine, theirs):
            stats = [s for s in stats if s.section != section] + theirs
            findings.append(
                f"section {section}: {alt_known} figures from the text layer, {known} in the tables"
            )
    order = {k: i for i, k in enumerate((s.section, s.row, s.col) for s in alt.stats + mapped.stats)}
    stats.sort(key=lambda s: order[(s.section, s.row, s.col)])
    return Mapped(mapped.template, stats, findings)


def _map(tables: Sequence[Grid], template: str) -> Mapped:
    mapper = _Mapper(template)
    for run in _runs(tables):
        try:
            mapper.map_run(run)
        except Exception as exc:  # a table that fits nothing must not cost the report its other figures
            mapper.findings.append(f"{run.section} table skipped: {type(exc).__name__}: {exc}")
    return Mapped(template, mapper.stats(), mapper.findings)


def _known(stats: Sequence[Stat]) -> int:
    return sum(1 for s in stats if s.value is not None)


def _agree(a: Sequence[Stat], b: Sequence[Stat]) -> bool:
    """Both give the same value wherever both give one (at most 1% misreads)."""
    values = {(s.section, s.row, s.col): s.value for s in a if s.value is not None}
    common = [
        (values[k], s.value) for s in b if (k := (s.section, s.row, s.col)) in values and s.value is not None
    ]
    differ = sum(1 for x, y in common if abs(x - (y or 0)) > 1e-6)
    return differ <= len(common) // 100


# --- splitting grids into section runs --------------------------------------------------------------------


@dataclass
class _Run:
    section: str
    header: list[list[Cell]] = field(default_factory=list)
    rows: list[list[Cell]] = field(default_factory=list)
    inherited: bool = False  # continues the previous table of the same section (no header of its own)


def _is_label(cell: Cell) -> bool:
    return bool(cell and cell.strip()) and not is_value_cell(cell)


def _is_figure(cell: Cell) -> bool:
    return cell is not None and bool(cell.strip()) and is_value_cell(cell)


def _labels(row: Sequence[Cell]) -> list[int]:
    """Positions of the row's label cells: those before its first figure (text that OCR or a broken layout
    leaves among the figures is a bad figure, not a label); all of them when the row has no figure."""
    first = next((i for i, c in enumerate(row) if _is_figure(c)), len(row))
    return [i for i, c in enumerate(row[:first]) if _is_label(c)]


def _has_figures(row: Sequence[Cell]) -> bool:
    return any(c is not None and c.strip() and is_value_cell(c) for c in row)


def _header_section(joined: str) -> str | None:
    if any(w in joined for w in _APPEAL_HEADER):
        return "appeals"
    if any(w in joined for w in _APP_HEADER):
        return "applications"
    if any(w in joined for w in _ACTIVE_HEADER) or any(p in joined for p, _ in _ACTIVE_COLS[:3]):
        return "active"
    return None


def _data_section(joined: str) -> str | None:
    if _first(joined, _ACTIVE_ROWS):
        return "active"
    if _app_row(joined):
        return "applications"
    return None


def _runs(tables: Sequence[Grid]) -> list[_Run]:
    """Rows grouped into runs of one section: a header starts a run, data rows join the current run."""
    runs: list[_Run] = []
    current: _Run | None = None
    last_by_section: dict[str, _Run] = {}
    for grid in tables:
        for row in grid:
            joined = norm("|".join(c for c in row if c))
            if not joined:
                continue
            if not _has_figures(row):
                section = _header_section(joined)
                if section is None:
                    data_section = _data_section(joined)
                    if current is not None and data_section == current.section:
                        current.rows.append(list(row))  # a row whose figures are blank or unreadable
                    elif sum(1 for c in row if c and c.strip()) >= 2 and not (
                        data_section or any(w in joined for w in _APP_GROUP_WORDS)
                    ):
                        current = None  # a header of some other table
                    continue
                # Section 二 is one run with a sub-header per 第二十条 item; elsewhere a header after data
                # rows (a table split over pages and rejoined) starts a run with its own columns.
                if current is None or current.section != section or (current.rows and section != "active"):
                    current = _Run(section)
                    runs.append(current)
                    last_by_section[section] = current
                current.header.append(list(row))
                if section == "active":
                    current.rows.append(list(row))  # sub-headers must stay in order with the data rows
                continue
            if current is None:
                section = _data_section(joined)
                if section is None:
                    continue
                prev = last_by_section.get(section)
                current = _Run(section, header=list(prev.header) if prev else [], inherited=prev is not None)
                runs.append(current)
                last_by_section[section] = current
            current.rows.append(list(row))
        # A table ends with its grid; the next grid continues it only through an inherited header.
        current = None
    return runs


# --- mapping runs ------------------------------------------------------------------------------------------


def _text(cell: Cell) -> str:
    return (cell or "").strip()


def _fmt_row(row: Sequence[Cell]) -> str:
    return "|".join(_text(c) for c in row)[:80]


class _Mapper:
    def __init__(self, template: str) -> None:
        self.template = template
        self.cells: dict[tuple[str, str, str], str] = {}
        self.findings: list[str] = []
        self.sections: set[str] = set()

    # -- bookkeeping --
    def put(self, section: str, row: str, col: str, raw: Cell) -> None:
        key = (section, row, col)
        text = _text(raw)
        if key in self.cells:
            if parse_value(self.cells[key]) != parse_value(text):
                self.findings.append(
                    f"{section}.{row}.{col} given twice ({self.cells[key]!r}, {text!r}): first kept"
                )
            return
        self.cells[key] = text
        self.sections.add(section)

    def stats(self) -> list[Stat]:
        out: list[Stat] = []
        for section, row, col in self._template_cells():
            if section not in self.sections:
                continue
            raw = self.cells.get((section, row, col), "")
            out.append(
                Stat(
                    section=section,
                    row=row,
                    col=col,
                    value=parse_value(raw),
                    raw=raw,
                    row_label=codes.row_label(section, row),
                    col_label=codes.col_label(
                        section, col, self.template, row if section == "active" else None
                    ),
                )
            )
        rows_seen = {(s, r) for s, r, _ in self.cells}
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
        if t == "2021" and not any(k[:2] == ("applications", "other") for k in self.cells):
            app_rows.remove("other")  # 2021: (六) is a group of three rows; its sum is derived, not a cell
        cells += [("applications", r, c.code) for r in app_rows for c in codes.APPLICATION_COLUMNS]
        cells += [("appeals", r, c.code) for r in codes.APPEAL_ROWS for c in codes.APPEAL_COLUMNS]
        return cells

    def map_run(self, run: _Run) -> None:
        {"active": self._active, "applications": self._applications, "appeals": self._appeals}[run.section](
            run
        )

    # -- section 二 --
    def _active(self, run: _Run) -> None:
        columns: dict[int, str] = {}
        for row in (run.header if run.inherited else []) + run.rows:
            labels = _labels(row)
            # 信息内容 marks a header even when OCR misread one of its cells as a number.
            if not _has_figures(row) or (labels and "信息内容" in norm(row[labels[0]])):
                found = {i: c for i, cell in enumerate(row) if (c := _first_col(norm(cell)))}
                if found or _has_figures(row):
                    columns = found
                continue
            code = _first(norm("".join(_text(row[i]) for i in labels)), _ACTIVE_ROWS) if labels else None
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
                    self.put("active", code, col, row[by_col[col]] if by_col[col] < len(row) else "")
                continue
            values = _fit(row[last + 1 :], len(expected))
            self.findings.append(f"section 二: {code} mapped by position (no matching header)")
            for col, raw in zip(expected, values, strict=True):
                self.put("active", code, col, raw)

    # -- section 三 --
    def _applications(self, run: _Run) -> None:
        cols, positions, width = _app_header(run.header)
        if len([c for c in cols if c != "total"]) < 2:
            # No header, or one whose applicant labels were lost (wrapped one character a line in PDF text).
            cols, positions = [c.code for c in codes.APPLICATION_COLUMNS], {}
            self.findings.append("section 三: no usable column header; columns taken in template order")
        elif len(cols) < len(codes.APPLICATION_COLUMNS):
            missing = [c.code for c in codes.APPLICATION_COLUMNS if c.code not in cols]
            self.findings.append(f"section 三: header has no column for {', '.join(missing)} (left blank)")
        rows = [r for r in run.rows if _labels(r)]
        first_pos = min(positions.values()) if positions else 0
        regular = bool(positions) and all(len(r) == width and _labels(r)[-1] < first_pos for r in rows)
        previous: str | None = None
        for row in rows:
            labels = _labels(row)
            last, joined = norm(row[labels[-1]]), norm("".join(_text(row[i]) for i in labels))
            code = _app_row(last)
            if (
                code is None
                and _bare_other(last)
                and ("其他处理" in joined or (previous or "").startswith("other"))
            ):
                code = "other.other"  # 三（六）3. 其他, under the (六) group label or right after (六)2.
            code = code or _app_row(joined)
            if code is None:
                self.findings.append(f"section 三: row without a known label skipped: {_fmt_row(row)}")
                continue
            previous = code
            if code not in codes.APPLICATION_ROWS_BY_TEMPLATE[self.template]:
                self.findings.append(f"section 三: {code} is not in the {self.template} template: skipped")
                continue
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
                self.put("applications", code, col, raw)

    # -- section 四 --
    def _appeals(self, run: _Run) -> None:
        n = len(codes.APPEAL_COLUMNS)
        groups = list(codes.APPEAL_ROWS)
        for row in run.rows:
            labels = _labels(row)
            if labels:  # a layout with one row per group: 行政复议 | 5 figures
                group = _first_group(norm("".join(_text(row[i]) for i in labels)))
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
                self.put("appeals", groups[k // n], codes.APPEAL_COLUMNS[k % n].code, raw)


def _first_col(cell: str) -> str | None:
    return next((code for phrase, code in _ACTIVE_COLS if phrase in cell), None)


def _first_group(label: str) -> str | None:
    return next((code for phrase, code in _APPEAL_GROUPS if phrase in label), None)


def _app_header(header: list[list[Cell]]) -> tuple[list[str], dict[str, int], int]:
    """Columns the header names, in column order; their positions; the header width."""
    positions: dict[str, int] = {}
    for row in header:
        for i, cell in enumerate(row):
            code = _app_col(norm(cell))
            if code and code not in positions:
                positions[code] = i
    order = [c.code for c in codes.APPLICATION_COLUMNS]
    cols = sorted(positions, key=lambda c: (positions[c], order.index(c)))
    if len(set(positions.values())) != len(positions) or cols != [c for c in order if c in positions]:
        # Columns out of template order or sharing a cell: positions mean nothing, keep template order.
        return [c for c in order if c in positions], {}, 0
    width = max((len(r) for r in header), default=0)
    return cols, positions, width


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
