"""Born-digital variants of the report tables as other toolchains and portals publish them, with true values.

Independent of the project's renderer (govarchive/render*): its own consistent figures, its own layouts.
`python -m tests.eval.variants OUT_DIR` writes each variant once (text, HTML, and PDF printed by Chromium)
beside `<name>.truth.json`; the files are frozen in tests/eval/variants/ and scored by benchmarks/accuracy.py
through the production path (archive.extract.extract_file, then map_report and run_checks).

Variant classes (the `variant` field of each truth file):

* `wps-leak`   — a WPS-exported PDF text layer: no cell separators, the vertical merged labels
  三、本年度办理结果 / 不予公开 … leak their characters into the row labels beside them (`度不1.属于国家秘密`);
* `kangxi`     — text layer with Kangxi radical code points (⾏ ⽂ ⼈ ⼀ …) for the ideographs;
* `glyphs`     — text layer that lacks glyphs the page shows (`2.其他法律行政止公开`);
* `numbers`    — group rows with numbering but no labels (`(三)` / `1.` / `2.` …);
* `short`      — shortened labels (`1.国家秘密`, `（二）部分公开`);
* `rows`       — a row missing and an extra row (其中：…) the template does not have;
* `pagecut`    — rows whose label a page break cut in two (tab-separated text with form feeds);
* `other-row`  — a 2021 table with （六）其他处理 as one row;
* `html-pipe`  — an article page whose tables are pipe rows in paragraphs, one applicant column missing;
* `html-cells` — an article page with one cell per paragraph, rows separated by blank paragraphs,
  header cells wrapped;
* `html-table` — an HTML table with wrapped header cells (`商业<br>企业`) and a column missing;
* `chromium`   — an HTML table without vertical rules printed to PDF by Chromium (another toolchain);
* `cells`      — page text with one cell per line, empty cells dropped, no row boundaries;
* `chromium-vertical` — Chromium-printed tables whose merged labels are written vertically (their
  characters leak into the rows' text), running over a page break with the header repeated.
"""

from __future__ import annotations

import json
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archive.report import codes

Key = tuple[str, str, str]
APP = "applications"
CORNER = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
KANGXI = str.maketrans("行文人一二大工用日月入力方高面长见言", "⾏⽂⼈⼀⼆⼤⼯⽤⽇⽉⼊⼒⽅⾼⾯⻓⻅⾔")
GROUPS = {
    "denied": "（三）不予公开",
    "unavailable": "（四）无法提供",
    "not_processed": "（五）不予处理",
    "other": "（六）其他处理",
}
SHORT = {
    "partial": "（二）部分公开",
    "denied.state_secret": "1.国家秘密",
    "denied.prohibited_by_law": "2.法律法规禁止",
    "denied.security_stability": "3.三安全一稳定",
    "denied.third_party": "4.第三方权益",
    "denied.internal_affairs": "5.内部事务",
    "denied.process_info": "6.过程性信息",
    "unavailable.not_held": "1.不掌握",
    "unavailable.needs_creation": "2.需另行制作",
    "not_processed.confirmation": "5.要求确认或重新出具",
}
# Glyphs a text layer lacks: characters dropped from these labels.
DROPPED_ACTIVE = {
    "art20_6.penalty": "行政罚",
    "art20_1.normative_docs": "规范文件",
    "art20_8.fees": "行政事业收费",
}
DROPPED = {
    "denied.prohibited_by_law": "法规禁",
    "denied.third_party": "第三方",
    "denied.process_info": "过程性",
    "unavailable.unclear": "仍不明确",
    "not_processed.petition": "信访举报投诉",
    "not_processed.excessive": "大量反复",
    "other.no_fee": "缴纳费用",
}


@dataclass
class Report:
    name: str
    variant: str
    template: str
    figures: dict[Key, str] = field(default_factory=dict)
    omit_cols: list[str] = field(default_factory=list)  # applicant columns not printed
    missing_rows: list[str] = field(default_factory=list)  # section 三 rows not printed
    other_one_row: bool = False  # 2021: （六）其他处理 printed as one row instead of its three sub-rows

    def raw(self, key: Key) -> str:
        section, row, col = key
        if section == APP and (col in self.omit_cols or row in self.missing_rows):
            return ""
        if section == APP and self.template == "2021":
            if self.other_one_row and row in codes.OTHER_SUBROWS:
                return ""
            if not self.other_one_row and row == "other":
                return ""
        return self.figures.get(key, "")

    def app_rows(self) -> list[str]:
        rows = list(codes.APPLICATION_ROWS_BY_TEMPLATE[self.template])
        if self.template == "2021":
            drop = codes.OTHER_SUBROWS if self.other_one_row else ["other"]
            rows = [r for r in rows if r not in drop]
        return [r for r in rows if r not in self.missing_rows]

    def app_cols(self) -> list[str]:
        return [c.code for c in codes.APPLICATION_COLUMNS if c.code not in self.omit_cols]


# --- figures ------------------------------------------------------------------------------------------------


def make_report(name: str, variant: str, template: str, seed: int, error: bool = False) -> Report:
    """Consistent figures (every rule holds) unless `error` plants a wrong 总计."""
    rnd = random.Random(seed)
    rep = Report(name, variant, template)
    f = rep.figures
    for row in codes.ACTIVE_ROWS_BY_TEMPLATE[template]:
        for col in codes.active_columns(template, row):
            v = rnd.choice([0, 0, 1, 2, 3, 5, 8, 12, 40, 160])
            if col.code == "change":
                f[("active", row, col.code)] = rnd.choice(["0", f"+{v}", f"-{v}"]) if v else "0"
            elif col.code == "amount_10k_yuan":
                f[("active", row, col.code)] = f"{v * 7.3:.2f}" if v else "0"
            else:
                f[("active", row, col.code)] = str(v)
    cols = [c.code for c in codes.APPLICATION_COLUMNS if c.code != "total"]
    outcome = [r for r in codes.OUTCOME_ROWS if r != "other"]
    outcome += codes.OTHER_SUBROWS if template == "2021" else ["other"]
    for col in cols:
        vals = {r: rnd.choice([0, 0, 0, 0, 1, 2, 3, 7]) for r in outcome}
        if template == "2021":
            vals["other"] = sum(vals[r] for r in codes.OTHER_SUBROWS)
        processed = sum(v for r, v in vals.items() if r in outcome)
        carried_forward, carried_over = rnd.choice([0, 1, 2]), rnd.choice([0, 0, 1])
        new = processed + carried_forward - carried_over
        if new < 0:
            carried_over, new = 0, processed + carried_forward
        vals.update(new=new, carried_over=carried_over, processed_total=processed)
        vals["carried_forward"] = carried_forward
        for r, v in vals.items():
            f[(APP, r, col)] = str(v)
    for row in codes.APPLICATION_ROWS:
        f[(APP, row, "total")] = str(sum(int(f[(APP, row, c)]) for c in cols if (APP, row, c) in f))
    for group in codes.APPEAL_ROWS:
        parts = [rnd.choice([0, 0, 1, 2, 4]) for _ in range(4)]
        for c, v in zip(("upheld", "corrected", "other", "pending"), parts, strict=True):
            f[("appeals", group, c)] = str(v)
        f[("appeals", group, "total")] = str(sum(parts))
    if error:
        f[(APP, "granted", "total")] = str(int(f[(APP, "granted", "total")]) + 3)
    return rep


# --- truth --------------------------------------------------------------------------------------------------


def _value(raw: str) -> float | None:
    try:
        return float(raw.replace("+", "")) if raw.strip() else None
    except ValueError:
        return None


def truth(rep: Report) -> dict[str, Any]:
    t = rep.template
    stats: list[dict[str, Any]] = []

    def add(key: Key, raw: str, value: float | None) -> None:
        stats.append({"section": key[0], "row": key[1], "col": key[2], "raw": raw, "value": value})

    for row in codes.ACTIVE_ROWS_BY_TEMPLATE[t]:
        for c in codes.active_columns(t, row):
            add(
                ("active", row, c.code),
                rep.raw(("active", row, c.code)),
                _value(rep.raw(("active", row, c.code))),
            )
    for row in codes.APPLICATION_ROWS_BY_TEMPLATE[t]:
        for c in codes.APPLICATION_COLUMNS:
            key = (APP, row, c.code)
            if t == "2021" and row == "other" and not rep.other_one_row:
                # Derived: the sum of the three sub-rows when the report gives all three.
                subs = [_value(rep.raw((APP, r, c.code))) for r in codes.OTHER_SUBROWS]
                add(key, "", None if None in subs else sum(v for v in subs if v is not None))
            else:
                add(key, rep.raw(key), _value(rep.raw(key)))
    for row in codes.APPEAL_ROWS:
        for c in codes.APPEAL_COLUMNS:
            key = ("appeals", row, c.code)
            add(key, rep.raw(key), _value(rep.raw(key)))
    return {"variant": rep.variant, "template": t, "stats": stats, "checks": _checks(rep)}


def _rule(parts: list[tuple[list[float | None], list[float | None]]]) -> str:
    states = []
    for lhs, rhs in parts:
        if None in lhs or None in rhs:
            states.append("unknown")
        else:
            ok = abs(sum(v for v in lhs if v is not None) - sum(v for v in rhs if v is not None)) < 1e-6
            states.append("ok" if ok else "failed")
    if "failed" in states:
        return "failed"
    return "ok" if "ok" in states else "unknown"


def _checks(rep: Report) -> list[dict[str, str]]:
    def v(row: str, col: str, section: str = APP) -> float | None:
        return _value(rep.raw((section, row, col)))

    cols = [c.code for c in codes.APPLICATION_COLUMNS]
    outcome = [r for r in codes.OUTCOME_ROWS if r != "other"]
    outcome += ["other"] if rep.template == "2019" or rep.other_one_row else codes.OTHER_SUBROWS
    printed_rows = rep.app_rows()
    return [
        {
            "rule": "balance",
            "status": _rule(
                [
                    ([v("new", c), v("carried_over", c)], [v("processed_total", c), v("carried_forward", c)])
                    for c in cols
                ]
            ),
        },
        {
            "rule": "outcomes_sum",
            "status": _rule([([v(r, c) for r in outcome], [v("processed_total", c)]) for c in cols]),
        },
        {
            "rule": "row_total",
            "status": _rule([([v(r, c) for c in cols[:-1]], [v(r, "total")]) for r in printed_rows]),
        },
        {
            "rule": "appeals_total",
            "status": _rule(
                [
                    (
                        [v(g, c, "appeals") for c in ("upheld", "corrected", "other", "pending")],
                        [v(g, "total", "appeals")],
                    )
                    for g in codes.APPEAL_ROWS
                ]
            ),
        },
    ]


# --- table rows as label cells + figure cells ----------------------------------------------------------------

Row = tuple[list[str], list[str]]  # (label cells, figure cells)


def active_rows(rep: Report, labels: dict[str, str] | None = None) -> list[Row]:
    out: list[Row] = []
    items = {
        "art20_1": "（一）",
        "art20_5": "（五）",
        "art20_6": "（六）",
        "art20_8": "（八）",
        "art20_9": "（九）",
    }
    done: set[str] = set()
    for row in codes.ACTIVE_ROWS_BY_TEMPLATE[rep.template]:
        item = row.split(".")[0]
        cols = codes.active_columns(rep.template, row)
        if item not in done:
            done.add(item)
            out.append(([f"第二十条第{items[item]}项"], []))
            out.append((["信息内容", *[c.label for c in cols]], []))
        label = (labels or {}).get(row, codes.ACTIVE_ROWS[row])
        out.append(([label], [rep.raw(("active", row, c.code)) for c in cols]))
    return out


def item_label(row: str) -> str:
    """`三（三）1. 属于国家秘密` → `1.属于国家秘密`; `三（一）予以公开` → `（一）予以公开`."""
    label = codes.APPLICATION_ROWS[row].replace(" ", "")
    if label.startswith("三（"):
        label = label[1:]
    if "." in label and label.startswith("（"):
        label = label[3:]
    return label


def application_rows(
    rep: Report, labels: dict[str, str] | None = None
) -> list[tuple[str, list[str], list[str]]]:
    """(code, [outer, group, item] label cells, figures) per printed row; merged cells repeat as ""."""
    cols = rep.app_cols()
    out = []
    seen_groups: set[str] = set()
    first_outcome = True
    for row in rep.app_rows():
        figs = [rep.raw((APP, row, c)) for c in cols]
        label = (labels or {}).get(row, item_label(row))
        if row in ("new", "carried_over", "carried_forward"):
            out.append((row, [codes.APPLICATION_ROWS[row], "", ""], figs))
            continue
        outer = "三、本年度办理结果" if first_outcome else ""
        first_outcome = False
        group = row.split(".")[0]
        if "." in row:
            g = GROUPS[group] if group not in seen_groups else ""
            seen_groups.add(group)
            out.append((row, [outer, g, label], figs))
        else:
            out.append((row, [outer, label, ""], figs))
    return out


def app_header(rep: Report) -> list[list[str]]:
    cols = rep.app_cols()
    orgs = [
        c.label
        for c in codes.APPLICATION_COLUMNS
        if c.code in cols and c.code not in ("natural_person", "total")
    ]
    return [[CORNER, "申请人情况"], ["自然人", "法人或其他组织", "总计"], orgs]


APPEAL_HEADER = [
    ["行政复议", "行政诉讼"],
    ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计", "未经复议直接起诉", "复议后起诉"],
    ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2,
]


def appeal_figures(rep: Report) -> list[str]:
    return [rep.raw(("appeals", g, c.code)) for g in codes.APPEAL_ROWS for c in codes.APPEAL_COLUMNS]


PROSE = [
    "一、总体情况",
    "本年度，本机关认真贯彻落实《中华人民共和国政府信息公开条例》，坚持以公开为常态、不公开为例外，"
    "全面推进决策、执行、管理、服务、结果公开，现将本年度政府信息公开工作情况报告如下。",
    "二、主动公开政府信息情况",
]


BODIES = ["卫生健康局", "财政局", "教育局", "民政局", "自然资源局", "农业农村局", "市场监督管理局"]


def _title(rep: Report) -> str:
    year = 2020 if rep.template == "2019" else 2022
    body = BODIES[int(rep.name[:2]) % len(BODIES)]
    return f"某县{body}{year}年政府信息公开工作年度报告"


# --- text layers ---------------------------------------------------------------------------------------------


def _vertical(text: str, n: int) -> list[str]:
    """The characters of a vertical label spread over n rows, centred, as a text layer leaks them."""
    chars = list(text)
    if n == 0:
        return []
    out = [""] * n
    start = max(0, (n - len(chars)) // 2)
    for i, ch in enumerate(chars):
        out[min(n - 1, start + i)] += ch
    return out


def wps_text(rep: Report, mutate: dict[str, str] | None = None, kangxi: bool = False) -> str:
    """A PDF text layer without cell separators: `label fig fig …` per line, vertical labels leaking."""
    lines = [_title(rep), *PROSE]
    for labels, figs in active_rows(rep, mutate):
        lines.append(" ".join(labels + [f or "" for f in figs]).strip())
    lines += ["三、收到和处理政府信息公开申请情况", f"{CORNER} 申请人情况", "自然人 法人或其他组织 总计"]
    lines.append(" ".join(app_header(rep)[2]))
    rows = application_rows(rep, mutate)
    outcome = [
        i for i, (code, _, _) in enumerate(rows) if code not in ("new", "carried_over", "carried_forward")
    ]
    leak_outer = _vertical("三、本年度办理结果", len(outcome))
    leaks = {i: leak_outer[k] for k, i in enumerate(outcome)}
    for group, label in GROUPS.items():
        members = [i for i, (code, _, _) in enumerate(rows) if code.startswith(group + ".")]
        for k, ch in enumerate(_vertical(label[3:], len(members))):
            leaks[members[k]] += ch
    for i, (code, labels, figs) in enumerate(rows):
        if code in ("new", "carried_over", "carried_forward"):
            label = labels[0]
        else:
            label = leaks.get(i, "") + (labels[2] or labels[1])
        lines.append(" ".join([label, *[f or "0" for f in figs]]))
    lines += ["四、政府信息公开行政复议、行政诉讼情况"]
    lines += [" ".join(r) for r in APPEAL_HEADER]
    lines.append(" ".join(f or "0" for f in appeal_figures(rep)))
    lines += ["五、存在的主要问题及改进情况", "信息公开工作仍存在一些不足，下一步将进一步加强。"]
    text = "\n".join(lines) + "\n"
    return text.translate(KANGXI) if kangxi else text


def tab_text(
    rep: Report,
    mutate: dict[str, str] | None = None,
    kangxi: bool = False,
    cut: tuple[str, ...] = (),
    extra: bool = False,
) -> str:
    """DOCX/PDF text with tab-separated cells (seed 000's rendering); `cut` rows have their label split by
    a page break; `extra` adds a 其中 row the template does not have."""
    lines = [_title(rep), *PROSE]
    width = 4  # text renderers pad every row of a table to its width
    for labels, figs in active_rows(rep, mutate):
        cells = labels + figs
        lines.append("\t".join(cells + [""] * (width - len(cells))))
    lines += ["", "三、收到和处理政府信息公开申请情况", ""]
    head = app_header(rep)
    n = len(rep.app_cols())
    pad = [""] * (n - 1)
    lines += [
        "\t".join([CORNER, "", "", "申请人情况", *pad]),
        "\t".join(["", "", "", "自然人", "法人或其他组织", *[""] * (len(head[2]) - 1), "总计"]),
        "\t".join(["", "", "", "", *head[2], ""]),
    ]
    for code, labels, figs in application_rows(rep, mutate):
        if code in cut and len(labels[2]) > 4:
            keep, rest = labels[2][:-2], labels[2][-2:]
            lines.append("\t".join([labels[0], labels[1], keep, *figs]))
            lines += ["\f", "\t".join(["", "", rest] + [""] * len(figs))]
            continue
        lines.append("\t".join([*labels, *figs]))
        if extra and code == "new":
            lines.append("\t".join(["其中：通过互联网提交的申请", "", "", *(["1"] * len(figs))]))
    lines += ["", "四、政府信息公开行政复议、行政诉讼情况", ""]
    lines += ["\t".join(r) for r in APPEAL_HEADER]
    lines.append("\t".join(appeal_figures(rep)))
    lines += ["", "五、存在的主要问题及改进情况", "信息公开工作仍存在一些不足。"]
    text = "\n".join(lines) + "\n"
    return text.translate(KANGXI) if kangxi else text


# --- HTML as portals publish it -------------------------------------------------------------------------------


def _page(rep: Report, body: str, style: str = "") -> str:
    title = _title(rep)
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}_某县人民政府</title>'
        f'<meta name="ArticleTitle" content="{title}"><style>{style}</style></head>'
        f'<body><div class="article"><h1>{title}</h1>{body}</div></body></html>'
    )


def _p(text: str) -> str:
    return f"<p>{text}</p>"


def html_pipe(rep: Report) -> str:
    """Tables as pipe rows inside paragraphs (`a | b | c |`), trailing empty cells as `||`."""
    body = [_p(x) for x in PROSE]
    for labels, figs in active_rows(rep):
        body.append(_p(" | ".join(labels + figs) + " |"))
    body.append(_p("三、收到和处理政府信息公开申请情况"))
    head = app_header(rep)
    body += [_p(f"{CORNER} | | | 申请人情况 ||||||"), _p(" | | | 自然人 | 法人或其他组织 | | | | | 总计 |")]
    body.append(_p(" | | | | " + " | ".join(head[2]) + " | |"))
    for _, labels, figs in application_rows(rep):
        body.append(_p(" | ".join([*labels, *figs]) + " |"))
    body.append(_p("四、政府信息公开行政复议、行政诉讼情况"))
    body += [_p(" | ".join(r) + " |") for r in APPEAL_HEADER]
    body.append(_p(" | ".join(appeal_figures(rep)) + " |"))
    body.append(_p("五、存在的主要问题及改进情况"))
    return _page(rep, "".join(body))


def _cells_block(rows: list[list[str]]) -> list[str]:
    out = []
    for row in rows:
        out += [_p(c if c else "&nbsp;") for c in row if c is not None] + ["<p></p>"]
    return out


def html_cells(rep: Report) -> str:
    """One cell per paragraph, empty cells dropped, header cells wrapped (`本年新<br>制作数量`)."""
    body = [_p(x) for x in PROSE]
    rows: list[list[str]] = []
    for labels, figs in active_rows(rep):
        wrapped = [lab[:3] + "<br>" + lab[3:] if len(lab) > 5 and not figs else lab for lab in labels]
        rows.append(wrapped + figs)
    body += _cells_block(rows)
    body.append(_p("三、收到和处理政府信息公开申请情况"))
    head = app_header(rep)
    rows = [
        [CORNER, "申请人情况"],
        ["自然人", "法人或其他组织", "总计"],
        [h[:2] + "<br>" + h[2:] for h in head[2]],
    ]
    rows += [[c for c in labels if c] + figs for _, labels, figs in application_rows(rep)]
    body += _cells_block(rows)
    body.append(_p("四、政府信息公开行政复议、行政诉讼情况"))
    body += _cells_block([*APPEAL_HEADER, appeal_figures(rep)])
    body.append(_p("五、存在的主要问题及改进情况"))
    return _page(rep, "".join(body))


def cells_text(rep: Report) -> str:
    """Page text with one cell per line, empty cells dropped and no row boundary (real-world.md: `规章\n0\n
    规范性文件`), header cells wrapped over two lines."""
    lines = [_title(rep), *PROSE]
    for labels, figs in active_rows(rep):
        for cell in labels + figs:
            lines += [cell[:3], cell[3:]] if len(cell) > 5 and not figs else [cell]
    lines.append("三、收到和处理政府信息公开申请情况")
    head = app_header(rep)
    lines += [CORNER, "申请人情况", "自然人", "法人或其他组织", "总计"]
    for h in head[2]:
        lines += [h[:2], h[2:]]
    for _, labels, figs in application_rows(rep):
        lines += [c for c in labels if c] + figs
    lines.append("四、政府信息公开行政复议、行政诉讼情况")
    lines += [c for row in APPEAL_HEADER for c in row] + appeal_figures(rep)
    lines += ["五、存在的主要问题及改进情况", "信息公开工作仍存在一些不足。"]
    return "\n".join(line for line in lines if line) + "\n"


def _html_table(rows: list[list[tuple[str, int, int]]], cls: str = "", head: int = 0) -> str:
    """A table; the first `head` rows in <thead> (Chromium repeats them on every printed page); label cells
    whose text is in VERTICAL are written vertically."""

    def cell(t: str, r: int, c: int) -> str:
        style = ' class="v"' if t in VERTICAL else ""
        return f'<td rowspan="{r}" colspan="{c}"{style}>{t}</td>'

    out = [f'<table class="{cls}">']
    for i, row in enumerate(rows):
        if head and i == 0:
            out.append("<thead>")
        out.append("<tr>" + "".join(cell(t, r, c) for t, r, c in row) + "</tr>")
        if head and i == head - 1:
            out.append("</thead><tbody>")
    return "".join(out) + ("</tbody>" if head else "") + "</table>"


VERTICAL = {"三、本年度办理结果", *GROUPS.values()}


def html_vertical(rep: Report) -> str:
    """html_tables with the merged labels 三、本年度办理结果 / （三）不予公开 … written vertically, rows tall
    enough that the applications table runs over a page with its header repeated (printed by Chromium)."""
    page = html_tables(rep, head=3)
    extra = ".v{writing-mode:vertical-rl;text-orientation:upright}.apps td{padding:6pt 2pt}"
    return page.replace("</style>", extra + "</style>", 1)


def html_tables(rep: Report, head: int = 0) -> str:
    """Real tables with merged cells, wrapped header cells (`商业<br>企业`), a column possibly missing."""
    body = [_p(x) for x in PROSE]
    rows: list[list[tuple[str, int, int]]] = []
    for labels, figs in active_rows(rep):
        cells = [(lab, 1, 1) for lab in labels] + [(f, 1, 1) for f in figs]
        if len(cells) == 1:
            cells = [(labels[0], 1, 4)]
        rows.append(cells)
    body.append(_html_table(rows, "active"))
    body.append(_p("三、收到和处理政府信息公开申请情况"))
    cols = rep.app_cols()
    orgs = [
        c for c in codes.APPLICATION_COLUMNS if c.code in cols and c.code not in ("natural_person", "total")
    ]
    app_rows = application_rows(rep)
    rows = [
        [(CORNER, 3, 3), ("申请人情况", 1, len(cols))],
        [("自然人", 2, 1), ("法人或其他组织", 1, len(orgs)), ("总计", 2, 1)],
        [(c.label[:2] + "<br>" + c.label[2:], 1, 1) for c in orgs],
    ]
    outcome = [code for code, _, _ in app_rows if code not in ("new", "carried_over", "carried_forward")]
    for code, labels, figs in app_rows:
        cells: list[tuple[str, int, int]] = []
        if code in ("new", "carried_over", "carried_forward"):
            cells.append((labels[0], 1, 3))
        else:
            if labels[0]:
                cells.append((labels[0], len(outcome), 1))
            group = code.split(".")[0]
            if "." in code:
                if labels[1]:
                    cells.append((labels[1], sum(1 for c in outcome if c.startswith(group + ".")), 1))
                cells.append((labels[2], 1, 1))
            else:
                cells.append((labels[1], 1, 2))
        rows.append(cells + [(f, 1, 1) for f in figs])
    body.append(_html_table(rows, "apps", head))
    body.append(_p("四、政府信息公开行政复议、行政诉讼情况"))
    rows = [
        [("行政复议", 1, 5), ("行政诉讼", 1, 10)],
        [*[(c, 2, 1) for c in APPEAL_HEADER[1][:5]], ("未经复议直接起诉", 1, 5), ("复议后起诉", 1, 5)],
        [(c, 1, 1) for c in APPEAL_HEADER[2]],
        [(f, 1, 1) for f in appeal_figures(rep)],
    ]
    body.append(_html_table(rows, "appeals"))
    body.append(_p("五、存在的主要问题及改进情况"))
    # Horizontal rules only: no vertical lines between cells (a common portal and WPS table style).
    style = (
        "body{font-family:'Noto Sans CJK SC','WenQuanYi Zen Hei',sans-serif;font-size:10pt}"
        "table{border-collapse:collapse;width:100%;margin:8pt 0}"
        "td{border-top:0.8pt solid #000;border-bottom:0.8pt solid #000;padding:2pt;font-size:8pt}"
    )
    return _page(rep, "".join(body), style)


def print_pdf(html: str, out: Path) -> None:
    """Chromium's own PDF printer (Skia), not LibreOffice: a toolchain the project's renderer never uses."""
    from playwright.sync_api import sync_playwright

    args = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
    ]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=args)
        try:
            page = browser.new_page()
            page.set_content(html)
            page.pdf(path=str(out), format="A4", print_background=True)
        finally:
            browser.close()


# --- the frozen set -------------------------------------------------------------------------------------------


def variant_set() -> list[tuple[Report, str, Any]]:
    """(report, file suffix, renderer) for every variant; both templates, one planted error."""
    plan = [
        ("wps-leak", "2019", ".txt", lambda r: wps_text(r)),
        ("wps-leak", "2021", ".txt", lambda r: wps_text(r)),
        ("kangxi", "2019", ".txt", lambda r: tab_text(r, kangxi=True)),
        ("kangxi", "2021", ".txt", lambda r: wps_text(r, kangxi=True)),
        ("glyphs", "2019", ".txt", lambda r: wps_text(r, mutate=_dropped(r))),
        ("glyphs", "2021", ".txt", lambda r: tab_text(r, mutate=_dropped(r))),
        ("numbers", "2019", ".txt", lambda r: tab_text(r, mutate=_numbers_only(r))),
        ("numbers", "2021", ".txt", lambda r: wps_text(r, mutate=_numbers_only(r))),
        ("short", "2021", ".txt", lambda r: tab_text(r, mutate=SHORT)),
        ("rows", "2019", ".txt", lambda r: tab_text(r, extra=True)),
        (
            "pagecut",
            "2019",
            ".txt",
            lambda r: tab_text(r, cut=("denied.prohibited_by_law", "unavailable.unclear")),
        ),
        ("other-row", "2021", ".txt", lambda r: tab_text(r)),
        ("other-row", "2021", ".html", html_tables),
        ("html-pipe", "2019", ".html", html_pipe),
        ("html-pipe", "2021", ".html", html_pipe),
        ("html-cells", "2019", ".html", html_cells),
        ("html-table", "2021", ".html", html_tables),
        ("chromium", "2019", ".pdf", html_tables),
        ("chromium", "2021", ".pdf", html_tables),
        ("cells", "2019", ".txt", cells_text),
        ("cells", "2021", ".txt", cells_text),
        ("chromium-vertical", "2019", ".pdf", html_vertical),
        ("chromium-vertical", "2021", ".pdf", html_vertical),
    ]
    out = []
    for i, (variant, template, suffix, render) in enumerate(plan):
        name = f"{i:02d}-{variant}-{template}"
        rep = make_report(name, variant, template, seed=1000 + i, error=i % 7 == 3)
        if variant == "rows":
            rep.missing_rows = ["denied.query_service"]
        if variant in ("html-pipe", "html-table") or (variant == "chromium" and template == "2021"):
            rep.omit_cols = ["other_org"] if i % 2 else ["legal_service"]
        if variant == "other-row":
            rep.other_one_row = True
        out.append((rep, suffix, render))
    return out


def _dropped(rep: Report) -> dict[str, str]:
    labels = dict(DROPPED_ACTIVE)
    for row, chars in DROPPED.items():
        label = item_label(row)
        for ch in chars[: max(1, len(chars) // 2 + 1)]:
            label = label.replace(ch, "", 1)
        labels[row] = label
    return labels


def _numbers_only(rep: Report) -> dict[str, str]:
    return {row: item_label(row).split(".")[0] + "." for row in codes.APPLICATION_ROWS if "." in row}


def build(out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for rep, suffix, render in variant_set():
        path = out_dir / f"{rep.name}{suffix}"
        content = render(rep)
        if suffix == ".pdf":
            print_pdf(content, path)
        else:
            path.write_text(content, encoding="utf-8")
        data = truth(rep)
        data["file"] = path.name
        (out_dir / f"{rep.name}.truth.json").write_text(
            json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
        written.append(path)
    return written


if __name__ == "__main__":
    for p in build(Path(sys.argv[1] if len(sys.argv) > 1 else "tests/eval/variants")):
        print(p)
