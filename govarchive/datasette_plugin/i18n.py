"""The site's words in Chinese and English, in one place, and the reader's language: `?lang=zh|en` (kept in a
`lang` cookie by hooks.asgi_wrapper), else the cookie, else Chinese. Templates call `t('key')`; figure labels
come from archive/report/codes.py (Chinese) and english.py (English) through `pick(zh, en)`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

LANGS = ("zh", "en")
DEFAULT = "zh"
COOKIE = "lang"

STRINGS: dict[str, tuple[str, str]] = {
    # navigation
    "site": ("政府信息公开工作年度报告", "Government information-disclosure annual reports"),
    "nav.research": ("研究者页面", "Researcher's pages"),
    "nav.reports": ("报告", "Reports"),
    "nav.search": ("检索", "Search"),
    "nav.compare": ("比较", "Compare"),
    "nav.rates": ("比率排名", "Rates"),
    "nav.schema": ("数据说明", "Schema"),
    "nav.release": ("数据发布", "Releases"),
    "nav.sql": ("SQL（Datasette）", "SQL (Datasette)"),
    "lang.switch": ("English", "中文"),
    # filters and forms
    "show": ("显示", "Show"),
    "all": ("全部", "all"),
    "region": ("地区", "Region"),
    "year": ("年度", "Year"),
    "body": ("机关", "Body"),
    "kind": ("类别", "Kind"),
    "template": ("模板", "Template"),
    "failed_rule": ("不成立的勾稽关系", "Failing rule"),
    "any": ("不限", "any"),
    "none_failed": ("均成立或无法核对", "none fails"),
    "sort": ("排序", "Sort"),
    "figure": ("数字", "Figure"),
    "value": ("值", "Value"),
    "printed": ("原文", "Printed"),
    "title": ("标题", "Title"),
    "published": ("发布日期", "Published"),
    "figures": ("数字个数", "Figures"),
    "checks_failed": ("不成立", "Failing"),
    "next": ("下一页", "Next"),
    "previous": ("上一页", "Previous"),
    "page_of": ("第 {a}–{b} 份，共 {n} 份", "{a}–{b} of {n}"),
    "no_reports": ("没有符合条件的报告。", "No report matches."),
    # reports page
    "reports.title": ("报告", "Reports"),
    "reports.lead": (
        "按地区、机关、年度、类别、模板和不成立的勾稽关系筛选全部报告。",
        "Every report, filtered by region, body, year, kind, template and failing rule.",
    ),
    "sort.year_desc": ("年度（新→旧）", "Year (newest first)"),
    "sort.year_asc": ("年度（旧→新）", "Year (oldest first)"),
    "sort.agency": ("机关", "Body"),
    "sort.published_desc": ("发布日期（新→旧）", "Published (newest first)"),
    "sort.figures_desc": ("数字个数（多→少）", "Figures (most first)"),
    # rates page
    "rates.title": ("比率与排名", "Rates and rankings"),
    "rates.lead": (
        "一个地区一年内各机关的比率，按所选比率排名。空白表示所需数字空白或分母为零（不是 0）。",
        "The rates of a region's bodies in a year, ranked by the chosen rate. A blank means a figure it needs is "
        "blank or its denominator is zero (never 0).",
    ),
    "rates.measure": ("比率", "Rate"),
    "rates.order": ("顺序", "Order"),
    "rates.desc": ("从高到低", "highest first"),
    "rates.asc": ("从低到高", "lowest first"),
    "rates.rank": ("名次", "Rank"),
    "rates.formula": ("公式", "Formula"),
    "rates.choose_region": ("请选择地区和年度。", "Choose a region and a year."),
    "rates.on_time": ("按时发布", "On time"),
    "rates.deadline": ("截止日期", "Deadline"),
    "rates.on_time_share": (
        "按时发布：{on} / {dated} 份有发布日期的报告",
        "Published on time: {on} of {dated} reports with a known day",
    ),
    "rates.population": ("常住人口", "Population"),
    "rates.population_note": (
        "每万人申请数需要人口数：运营者可在 populations 表中按地区和年份填写（空白即未知）。",
        "Requests per 10,000 residents need a population: the operator fills the populations table by region "
        "and year (blank: unknown).",
    ),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    # body series
    "series.break": (
        "虚线：2021 年起模板改变，此数字含义不同，前后不可直接比较",
        "dashed line: the 2021 template changed this figure's meaning; the two sides are not directly comparable",
    ),
    "series.title": ("历年主要数字", "main figures by year"),
    "series.changed_note": (
        "2021 模板中此栏含义改变（规范性文件：2019 为“本年新制作数量”，2021 为“本年制发件数”）；其他数字两版含义相同",
        "the 2021 template changed this column's meaning (normative documents: 2019 counts those made this year, "
        "2021 those issued); the other figures mean the same in both",
    ),
    "body.none": ("无此机关的报告。", "No report of this body."),
    "body.pick": ("一个机关的历年报告", "One body across years"),
    "body.vs_before": ("与上一年", "vs. year before"),
    "body.changes": ("变化", "changes"),
    "body.all_figures": ("此机关的全部数字", "All figures of this body"),
    "series.crosswalk": ("2019 与 2021 模板对照", "2019 and 2021 templates compared"),
    "series.same": ("同一含义", "same meaning"),
    "series.changed": ("含义改变", "meaning changed"),
}


def lang_of(request: Any) -> str:
    """The reader's language: ?lang=, else the cookie, else Chinese."""
    if request is None:
        return DEFAULT
    asked = (request.args.get("lang") or "").strip()
    if asked in LANGS:
        return asked
    cookie = request.cookies.get(COOKIE, "")
    return cookie if cookie in LANGS else DEFAULT


def translator(lang: str) -> Callable[..., str]:
    i = LANGS.index(lang) if lang in LANGS else 0

    def t(key: str, **fill: Any) -> str:
        text = STRINGS[key][i] if key in STRINGS else key
        return text.format(**fill) if fill else text

    return t


def picker(lang: str) -> Callable[[str, str], str]:
    """`pick(zh, en)`: the label in the reader's language (figure labels, rules, reasons)."""
    return (lambda zh, en: en) if lang == "en" else (lambda zh, en: zh)


def switch_url(request: Any, lang: str) -> str:
    """This page in the other language: its path and query with `lang` replaced."""
    from urllib.parse import parse_qsl, urlencode

    other = "en" if lang == "zh" else "zh"
    if request is None:
        return f"?lang={other}"
    pairs = [(k, v) for k, v in parse_qsl(request.query_string, keep_blank_values=True) if k != "lang"]
    return request.path + "?" + urlencode([*pairs, ("lang", other)])
