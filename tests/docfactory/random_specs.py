"""Random but consistent report specs, deterministic by seed (test corpora and benchmarks)."""

from __future__ import annotations

import random

from archive.report import codes
from tests.docfactory.spec import FigureKey, ReportSpec, truth_checks

_PLACES = [
    "中宁县",
    "利通区",
    "青铜峡市",
    "盐池县",
    "同心县",
    "红寺堡区",
    "沙坡头区",
    "海原县",
    "隆德县",
    "泾源县",
]
_BODIES = [
    "卫生健康局",
    "财政局",
    "教育局",
    "民政局",
    "自然资源局",
    "人力资源和社会保障局",
    "住房和城乡建设局",
    "农业农村局",
    "市场监督管理局",
    "人民政府",
]
_TITLES = [
    "{agency}{year}年政府信息公开工作年度报告",
    "{year}年度{agency}政府信息公开工作年报",
    "{agency}关于{year}年政府信息公开工作的年度报告",
]
_PROSE = [
    "{year}年，{agency}坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实《中华人民共和国政府信息公开条例》，坚持以公开为常态、不公开为例外，全面推进决策、执行、管理、服务、结果公开。",
    "主动公开情况。全年通过政府门户网站主动公开政府信息{n1}条，其中政策文件{n2}条，政策解读{n3}条，通过微信公众号发布信息{n4}条。",
    "依申请公开情况。严格按照法定程序和时限办理政府信息公开申请，规范受理、登记、审核、答复等环节，做到件件有回音。",
    "政府信息管理情况。建立健全信息发布审核机制，落实“三审三校”制度，加强保密审查，确保公开内容准确、及时、规范。",
    "平台建设情况。持续优化政府网站信息公开专栏，及时更新栏目内容，强化政务新媒体管理，拓宽公开渠道。",
    "监督保障情况。将政务公开工作纳入年度目标考核，明确分管领导和专职人员，加强业务培训，确保工作落到实处。",
]
_PROBLEMS = [
    "存在的主要问题：一是信息公开的及时性有待提高；二是政策解读形式较为单一；三是工作人员业务能力有待进一步加强。",
    "改进措施：一是加强业务培训，提升工作人员业务水平；二是丰富政策解读形式，增强解读实效；三是完善工作机制，确保信息公开及时准确。",
]


def _pick_counts(rng: random.Random, busy: bool) -> dict[str, int]:
    """Outcome counts for one applicant column; mostly zeros, a few small numbers when busy."""
    counts = dict.fromkeys(codes.OUTCOME_ROWS, 0)
    if not busy:
        return counts
    weights = {"granted": 8, "partial": 2, "unavailable.not_held": 3, "not_processed.repeated": 1, "other": 1}
    for _ in range(rng.randint(1, 9)):
        row = rng.choices(list(weights), list(weights.values()))[0]
        if row == "other" or rng.random() < 0.1:
            row = rng.choice(codes.OUTCOME_ROWS)
        counts[row] += 1
    return counts


def _applications(rng: random.Random, template: str) -> dict[FigureKey, str]:
    figs: dict[FigureKey, str] = {}
    totals: dict[str, int] = {}
    for col in codes.APPLICANT_COLUMNS:
        busy = col == "natural_person" or rng.random() < 0.25
        counts = _pick_counts(rng, busy)
        if template == "2021":  # the 2021 template splits （六）其他处理 into three sub-rows
            other = counts.pop("other")
            subs = dict.fromkeys(codes.OTHER_SUBROWS, 0)
            for _ in range(other):
                subs[rng.choice(codes.OTHER_SUBROWS)] += 1
            counts.update(subs)
        processed = sum(counts.values())
        carried_forward = rng.choice([0, 0, 0, 1, 2]) if busy else 0
        carried_over = rng.choice([0, 0, 0, 1]) if busy else 0
        values = dict(counts)
        values["processed_total"] = processed
        values["carried_forward"] = carried_forward
        values["carried_over"] = carried_over
        values["new"] = processed + carried_forward - carried_over
        if values["new"] < 0:
            values["carried_over"], values["new"] = 0, processed + carried_forward
        for row, n in values.items():
            figs[("applications", row, col)] = str(n)
            totals[row] = totals.get(row, 0) + n
    for row, n in totals.items():
        figs[("applications", row, "total")] = str(n)
    return figs


def _signed(rng: random.Random, prev: int) -> str:
    delta = rng.choice([0, 0, 0, rng.randint(1, 20), -rng.randint(0, max(prev, 0))])
    return f"+{delta}" if delta > 0 else str(delta)


def _amount(rng: random.Random) -> str:
    value = rng.choice([0, rng.randint(1, 2000), round(rng.uniform(1, 5000), 2)])
    if value and rng.random() < 0.5:
        return f"{value} 万元" if rng.random() < 0.5 else f"{value}万元"
    return str(value)


def _active(rng: random.Random, template: str) -> dict[FigureKey, str]:
    figs: dict[FigureKey, str] = {}
    for row in codes.ACTIVE_ROWS_BY_TEMPLATE[template]:
        prev = rng.choice([0, rng.randint(0, 30), rng.randint(0, 200)])
        made = rng.choice([0, 0, rng.randint(0, 5)])
        for c in codes.active_columns(template, row):
            if c.code in ("made", "issued", "published"):
                val = str(made)
            elif c.code in ("repealed",):
                val = str(rng.choice([0, 0, 1]))
            elif c.code in ("total_public", "in_force"):
                val = str(made + rng.randint(0, 40))
            elif c.code == "prev_items":
                val = str(prev)
            elif c.code == "change":
                val = _signed(rng, prev)
            elif c.code == "amount_10k_yuan":
                val = _amount(rng)
            else:  # decisions, projects
                val = str(rng.choice([0, rng.randint(0, 20), rng.randint(0, 600)]))
            figs[("active", row, c.code)] = val
    return figs


def _appeals(rng: random.Random) -> dict[FigureKey, str]:
    figs: dict[FigureKey, str] = {}
    quiet = rng.random() < 0.75  # most bodies see no appeals at all
    for row in codes.APPEAL_ROWS:
        parts = [0 if quiet else rng.choice([0, 0, 0, 0, 1, 2]) for _ in range(4)]
        for col, n in zip(("upheld", "corrected", "other", "pending"), parts, strict=True):
            figs[("appeals", row, col)] = str(n)
        figs[("appeals", row, "total")] = str(sum(parts))
    return figs


def _plant_error(rng: random.Random, spec: ReportSpec) -> None:
    """One published error, like real reports: a total off by one."""
    kind = rng.choice(["row_total", "appeals_total", "balance"])
    if kind == "appeals_total":
        key = ("appeals", rng.choice(list(codes.APPEAL_ROWS)), "total")
    elif kind == "row_total":
        key = ("applications", rng.choice(["granted", "partial", "unavailable.not_held"]), "total")
    else:
        key = ("applications", "carried_forward", "natural_person")
    spec.figures[key] = str(int(spec.figures[key]) + 1)


def _blank(rng: random.Random, spec: ReportSpec) -> None:
    """Leave cells empty the way real reports do: every column but 总计 (seed 001), or stray cells."""
    if rng.random() < 0.5:
        for s, r, c in list(spec.figures):
            if s == "applications" and c != "total":
                spec.figures[(s, r, c)] = ""
    else:
        for key in rng.sample(sorted(spec.figures), 3):
            spec.figures[key] = ""


def random_spec(seed: int, template: str, with_error: bool = False) -> ReportSpec:
    """A realistic report of `template` ("2019"|"2021") whose figures obey the four rules (unless with_error)."""
    if template not in codes.TEMPLATES:
        raise ValueError(f"unknown template {template!r}")
    rng = random.Random(f"{seed}:{template}:{with_error}")
    year = rng.choice([2019, 2020]) if template == "2019" else rng.randint(2021, 2024)
    agency = rng.choice(_PLACES) + rng.choice(_BODIES)
    title = rng.choice(_TITLES).format(agency=agency, year=year)
    nums = {f"n{i}": rng.randint(5, 400) for i in range(1, 5)}
    paragraphs = [
        f"本报告依据《中华人民共和国政府信息公开条例》和{codes.TEMPLATES[template]}要求编制，"
        f"统计期限为{year}年1月1日至{year}年12月31日。",
        "一、总体情况",
        *[p.format(year=year, agency=agency, **nums) for p in _PROSE],
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
        "五、存在的主要问题及改进情况",
        *_PROBLEMS,
        "六、其他需要报告的事项",
        "无。",
    ]
    spec = ReportSpec(
        title=title,
        agency=agency,
        year=year,
        kind="annual_report",
        template=template,
        published_at=f"{year + 1}-0{rng.randint(1, 3)}-{rng.randint(10, 28)}",
        paragraphs=paragraphs,
    )
    spec.figures.update(_active(rng, template))
    spec.figures.update(_applications(rng, template))
    spec.figures.update(_appeals(rng))
    spec.repeat_header = rng.random() < 0.5
    spec.split_page_break = rng.random() < 0.3
    if with_error:
        _plant_error(rng, spec)
    elif rng.random() < 0.2:
        _blank(rng, spec)
    elif rng.random() < 0.1:  # like seed 004: two applicant columns left out of the table
        spec.omit_columns = ["legal_service", "other_org"]
    assert with_error or all(c["status"] != "failed" for c in truth_checks(spec))
    return spec
