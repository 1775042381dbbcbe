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
    "nav.regions": ("各地按时公开", "Compliance by region"),
    "regions.title": ("各地区按时公开情况", "Publication by region"),
    "regions.intro": (
        "每个县级区划（行政区划代码）应公开的年度报告：按时、逾期、未公开。",
        "Expected annual reports of each county-level division: on time, late, not at all.",
    ),
    "regions.code": ("代码", "Code"),
    "regions.region": ("地区", "Region"),
    "regions.expected": ("应公开", "Expected"),
    "regions.on_time": ("按时", "On time"),
    "regions.late": ("逾期", "Late"),
    "regions.missing": ("未公开", "Missing"),
    "regions.removed": ("已撤下", "Removed"),
    "regions.not_checked": ("未核查", "Not checked"),
    "regions.none": (
        "尚无应公开的报告（站点的 expected_since、名册，或以往公开过的机关）。",
        "No expected report yet (a site's expected_since, a roster, or bodies that published before).",
    ),
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
        "每万人申请数需要人口数：运营者用 govarchive populations load 按行政区划代码和年份导入（空白即未知）。",
        "Requests per 10,000 residents need a population: the operator loads them by division code and year "
        "with `govarchive populations load` (blank: unknown).",
    ),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    # home
    "home.title": (
        "政府信息公开工作年度报告 — 研究者页面",
        "Information-disclosure annual reports — researcher's pages",
    ),
    "home.lead": (
        "无需写 SQL 即可查阅存档的报告、数字和原件。",
        "The archive's reports, figures and originals without writing SQL.",
    ),
    "home.reports": (
        "全部报告，按地区、机关、年度、类别、模板和勾稽关系筛选、排序、分页；每份报告有自己的页面",
        "every report, filtered, sorted and paged; each report has a page of its own",
    ),
    "home.search": (
        "在报告全文中检索中文，任意长度的词，可按年度、地区、机关、类别筛选",
        "the reports' text in Chinese, any word of one or more characters, filtered by year, region, body and kind",
    ),
    "home.compare": (
        "一个机关的历年报告及其变化、一个地区一年的各机关、任一数字，附图表",
        "one body across years and what changed, the bodies of a region in a year, any figure by code, with charts",
    ),
    "home.rates": (
        "予以公开率、不予公开率、信息不存在率、复议诉讼纠错率、每万人申请数、按时发布，按地区和年度排名",
        "shares disclosed, refused and not held, correction rates of reviews and lawsuits, requests per 10,000 residents, on-time publication, ranked by region and year",
    ),
    "home.exports": ("完整导出（不截断，逐批输出）：", "Exports, whole and streamed (no row cap):"),
    "home.filters": ("筛选参数：", "Filters:"),
    "home.release": (
        "最新版本 {version}（{date}）：CSV 与 Parquet、代码表、datapackage.json、CITATION.cff，可下载引用",
        "the latest, {version} ({date}): CSV and Parquet with a codebook, datapackage.json and CITATION.cff, to download and cite",
    ),
    "home.no_release": (
        "尚无（运营者用 govarchive release 生成）",
        "none yet (govarchive release makes one)",
    ),
    "home.schema": (
        "每张表、每一列、每个数字代码的中英文说明",
        "every table and column explained, every code with its Chinese and English label",
    ),
    "home.counts": (
        "{years} 个年度，{bodies} 个机关，{regions} 个地区。",
        "{years} years, {bodies} bodies, {regions} regions.",
    ),
    # compare, region, figure
    "compare.body_lead": (
        "历年主要数字的折线图、每份报告，以及每年相对上一年的变化（数字与勾稽关系）。",
        "Its main figures drawn across years, every report, and what changed each year (figures and rules).",
    ),
    "region.title": ("一个地区一年的各机关", "The bodies of a region in a year"),
    "region.rates": ("这些机关的比率与排名", "These bodies' rates and rankings"),
    "region.none": ("此处没有报告有这个数字。", "No report has this figure here."),
    "figure.title": ("任一数字", "Any figure by code"),
    "figure.count": (
        "代码 {code}：{bodies} 个机关的 {reports} 份报告",
        "Code {code}: {reports} reports of {bodies} bodies",
    ),
    "figure.many": (
        "代码 {code}：{reports} 份报告",
        "Code {code}: {reports} reports",
    ),
    "figure.partial": (
        "报告超过 {limit} 份时不画图、不计机关数；按年度或地区缩小范围即可看到。",
        "Over {limit} reports the chart and the number of bodies are not drawn: narrow by year or region to see them.",
    ),
    "figure.by_year": ("按年度：", "By year:"),
    "figure.by_region": ("按省份：", "By province:"),
    "figure.shown": (
        "（图中只画报告年份最多的 {shown} 个机关，表格列出全部）",
        "(the chart draws the {shown} bodies with most years; the table has all)",
    ),
    # search
    "search.title": ("检索报告全文", "Search the reports"),
    "search.help": (
        "每个词（以空格分隔）都须出现。任意长度均可：一两个字（复议、县）逐份精确扫描，三个字以上用三元组索引。",
        "Every word (separated by spaces) must occur. Words of any length work: one or two characters (复议, 县) are matched by scanning every text exactly; three or more through the trigram index.",
    ),
    "search.count": ("{n} 份报告", "{n} reports"),
    "search.hits": ("{n} 处", "{n} hits"),
    # errors
    "error.continue": ("从这里继续：", "Continue from here:"),
    "error.research": ("报告、比较、导出", "reports, comparisons, exports"),
    "error.search": ("在报告全文中检索", "search the reports' text"),
    "error.compare": ("机关、年度、地区", "bodies, years, regions"),
    "error.schema": ("表、列与数字代码", "tables, columns and figure codes"),
    # changes
    "changes.title": ("逐年变化", "year over year"),
    "changes.with": ("与之比较", "compare with"),
    "changes.report": ("{year} 年报告", "{year} report"),
    "changes.all_years": ("全部年度", "all years"),
    "changes.none": ("无可比较的上一年度报告。", "No earlier report of this body to compare with."),
    "changes.rules": ("勾稽关系的变化", "Rules that changed"),
    "changes.rule": ("规则", "Rule"),
    "changes.rules_same": ("各规则结论未变", "No rule changed its verdict"),
    "changes.still_failing": ("仍不成立：", "still failing:"),
    "changes.figures": ("数字的变化（{n}）", "Figures that changed ({n})"),
    "changes.change": ("变化", "Change"),
    "changes.blank_to_figure": ("空白 → 数字", "blank → figure"),
    "changes.figure_to_blank": ("数字 → 空白", "figure → blank"),
    "changes.same": ("所有数字相同。", "Every figure is the same."),
    # schema
    "schema.title": ("数据说明", "Schema of the corpus"),
    "schema.lead": (
        "corpus.db 的表和列（中英文）。数字以稳定代码（栏目 / 行 / 列）存放；两版模板对照见下文。",
        "Tables of corpus.db and their columns, in Chinese and English. Figures are under stable codes (section / row / col); the crosswalk below says which mean the same in the 2019 and 2021 templates.",
    ),
    "schema.codes": ("代码", "Codes"),
    "schema.rules": ("勾稽关系", "Consistency rules"),
    "schema.internal": ("内部或辅助表", "internal or auxiliary table"),
    "schema.relation": ("关系", "Relation"),
    "schema.crosswalk_lead": (
        "两版模板中含义不同、拆分、删去或新增的代码；其余代码两版含义相同。",
        "The codes whose meaning differs, that were split, dropped or added; every other code means the same in both templates.",
    ),
    # report page (its tables keep both labels: the template's Chinese is the source)
    "report.body": ("发布机关", "Body"),
    "report.archived": ("存档", "Archived"),
    "report.portal": ("门户页面", "Portal page"),
    "report.other_years": ("其他年度", "Other years"),
    "report.copies": ("存档副本", "Archived copies"),
    "report.tables": ("统计表", "Statistical tables"),
    "report.text": ("正文", "Text"),
    "report.seen": ("首次存档 {first}，最近一次见到 {last}", "first {first}, last seen {last}"),
    "report.removed": (
        "已从门户撤下 {when}（存档保留）",
        "removed from the portal {when} (the archive keeps it)",
    ),
    "report.local": ("本地文件导入", "ingested from a local file"),
    "report.compare_previous": ("与 {year} 年比较", "changes since {year}"),
    "report.format": ("格式", "Format"),
    "report.original_url": ("原网址", "Original URL"),
    "report.size": ("大小", "Size"),
    "report.first_archived": ("首次存档", "First archived"),
    "report.download": ("下载", "Download"),
    "report.from_this_copy": ("数字来源", "figures from this copy"),
    "report.revision": ("更正版", "corrected version"),
    "report.superseded": ("已被更正版取代", "superseded by a corrected version"),
    "report.removed_copy": ("已撤下 {when}", "removed {when}"),
    "report.download_original": ("下载存档原件", "archived original"),
    "report.no_table": ("没有读出统计表。", "No table was read."),
    "report.figures": (
        "{n} 个数字。空白格在报告中即为空白（未知，不是零）。",
        "{n} figures. Blank cells are blank in the report (unknown, not zero).",
    ),
    "report.derived": (
        "带 * 的底色格为推算值：报告未印出，由其下级行相加而得。",
        "Shaded * cells are derived: not printed, computed from their sub-rows.",
    ),
    "report.other_figures": ("其他数字（本模板以外的代码）", "Other figures (codes outside this template)"),
    "report.no_checks": ("没有核对（无统计表）。", "No checks (no statistical tables)."),
    "report.detail": ("详情", "detail"),
    "report.derived_title": ("推算", "derived"),
    "report.printed_title": ("原文印作：{raw}", "printed: {raw}"),
    # releases
    "release.lead": (
        "由 govarchive release 生成的版本化数据集：每份报告一行（含主要数字与比率）、全部数字、勾稽关系、中英文代码表和存档原件清单，CSV（UTF-8）与 Parquet 格式，附 datapackage.json（Frictionless）与 CITATION.cff。空白即空白（null），从不记为 0。",
        "Versioned data sets made by govarchive release: one row per report with its main figures and rates, every figure, the checks, a codebook in Chinese and English and a manifest of the archived originals, as CSV (UTF-8) and Parquet, described by datapackage.json (Frictionless) and citable with CITATION.cff. A blank figure is blank (null), never 0.",
    ),
    "release.none": (
        "暂无数据发布。运营者用 govarchive release 生成（存入数据目录的 releases/，本页列出）。",
        "No release yet. An operator makes one with govarchive release (it goes to the data folder's releases/, which this page lists).",
    ),
    "release.latest": ("最新", "Latest"),
    "release.rows": (
        "{reports} 份报告，{figures} 个数字，{checks} 项核对，{originals} 份原件。",
        "{reports} reports, {figures} figures, {checks} checks, {originals} originals.",
    ),
    "release.file": ("文件", "file"),
    "release.bytes": ("字节", "bytes"),
    "release.scripts": (
        "最新版本的文件也可供脚本下载：",
        "The latest release's files are also here, for scripts:",
    ),
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
    "body.aliases": ("又作", "Also printed as"),
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
