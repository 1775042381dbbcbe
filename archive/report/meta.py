"""What a title or a document says about itself: is it a report, of which body, for which year, what kind.

Precedence when sources disagree (documented in the README):
  agency, year, kind — the document's own text (its title block) > the page's ArticleTitle / <title> / <h1>
                        > the link text on the list page > ContentSource / 发布机构 > the site's name;
  published_at       — the page's own metadata (PubDate, 发布日期/发布时间/成文日期) > the date that signs the
                        document's text > none (never the date in the URL).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from archive.dates import find_dates, iso_date
from archive.model import ReportKind

_CN_DIGITS = {
    "〇": "0",
    "○": "0",
    "零": "0",
    "Ｏ": "0",
    "O": "0",
    "一": "1",
    "二": "2",
    "三": "3",
    "四": "4",
    "五": "5",
    "六": "6",
    "七": "7",
    "八": "8",
    "九": "9",
}
_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")
_CN_YEAR = re.compile(r"[二][〇○零Ｏ一二三四五六七八九O]{3}")

# A report title names the disclosure work and calls itself a report / 年报.
_REPORT_CORE = re.compile(
    r"(政府信息公开|信息公开|政务公开)(工作)?(年度)?(报告|年报)|年度报告|信息公开年报|政务公开工作总结|政府信息公开工作总结"
)
_SUMMARY = re.compile(r"(政务公开|政府信息公开|信息公开)工作(总结|情况总结)")
# Look-alikes: notices about compiling reports, collections, plans, budget pages, statistics …
_LOOKALIKE = re.compile(
    r"通知|关于做好|关于印发|编制|发布工作|汇总|目录|要点|实施方案|工作方案|预算|决算|统计年鉴|统计公报|考核|"
    r"报送|通报|解读|培训|指南|意见|征求|评估|整改|的函|公示|专栏|链接|索引|工作计划|模板|范本|样本|提纲|"
    r"更正说明|更正公告|更正声明|勘误|图解"
)
# A corrected version of a report calls itself so; a notice *about* a correction is a look-alike above.
_REVISION = re.compile(
    r"[(（【\[]\s*(更正|修订|修正|更新|重发|更正后|修改)[版稿]?\s*[)）】\]]|更正版|修订版|修正版"
)
# The national template's own sections (2008, 2019 and 2021 forms): a report whose title does not name
# disclosure work (2022年度报告) shows them; a government's other annual reports (法治政府建设) do not.
_TEMPLATE_SECTIONS = re.compile(
    r"主动公开政府信息|依申请公开|政府信息公开申请|收到和处理|不予公开|信息公开(工作)?(的)?(行政复议|行政诉讼)|"
    r"政府信息公开(收费|费用)|因政府信息公开"
)
_YEAR = re.compile(r"(19[89]\d|20[0-4]\d)\s*年")
# The last character(s) of an organisation's name: the head noun of what it is (局, 委员会, 中心, 实验区,
# 街道办事处, 人民政府 …). Not a list of body types: any 开发区/实验区/新区 ends in 区, any 管委会/委员会 in 会.
_ORG_HEAD = re.compile(
    r"(局|委|会|办|厅|署|院|所|部|处|科|室|中心|站|队|馆|区|县|市|州|盟|旗|省|镇|乡|街道|村|社区|社|公司|集团|府|组|"
    r"校|园|场|台|行|厂|监狱|庭)$"
)
# A place alone (a chain of administrative divisions): its report is its people's government's.
_PLACE = re.compile(
    r"^(?:[\u4e00-\u9fff]{1,8}?(?:自治区|自治州|自治县|自治旗|省|市|州|盟|县|区|旗|镇|乡|街道))+$"
)
# …except zones run by a 管委会, which keep their own name (平潭综合实验区, 经济技术开发区), and areas that
# have no government of their own (社区, 校区).
_ZONE = re.compile(
    r"(实验区|试验区|开发区|高新区|新区|园区|保税区|示范区|合作区|经济区|管理区|度假区|景区|林区|垦区|社区|小区|校区|片区)$"
)
_DISCLOSURE = re.compile(r"(?:人民)?政府信息公开|信息公开|政务公开")
# Words no body's name contains: the report's own words, and what list-page navigation is made of.
_NOT_NAME = re.compile(
    r"公开|报告|年报|总结|工作|首页|新闻|资讯|动态|专题|专栏|地图|导航|公告|通知|指南|目录|索引|搜索|登录|注册|帮助|"
    r"下载|留言|信箱|热线|投诉|文件|法规|解读|回应|设置|简介|概况|职能|互动|交流|在线|访谈|征集|调查|之窗|信息$"
)
# A pronoun or quantifier before a word that only says "a body" (本机关, 我局, 全县, 各部门) — not 本溪市 or
# 全椒县, whose first character is part of the place name — and such words alone.
_GENERIC = re.compile(
    r"^(本|我|全|各|该|有关)?(政府|人民政府|部门|单位|机关|机构|系统|[省市县区乡镇]?级|局|委|办|厅|院|所|中心|站|"
    r"县|市|区|镇|乡|街道|州|省|旗|行业)+$"
)
_NAME_CHARS = re.compile(r"^[\u4e00-\u9fff（）()·0-9]{2,30}$")  # 第2中学: digits inside a name
_LINK_NAME_CHARS = re.compile(r"^[\u4e00-\u9fff（）()·]{2,30}$")  # a bare link text: no digits (pagers)
_LEAD_JUNK = re.compile(r"^(附件[一二三四五六七八九十\d]*|关于|转发|印发)+")
_TAIL_JUNK = re.compile(r"(关于|的|度|发布|公布|转发|印发)+$")


def body_name(span: str) -> str | None:
    """The body a span of a title names (the words before its year or before 政府信息公开), or None when the
    span is not a proper name. A place alone stands for its government (中宁县 → 中宁县人民政府)."""
    pieces = [p for p in re.split(r"[^\u4e00-\u9fff（）()·0-9]+", span or "") if p]
    if not pieces:
        return None
    name = _TAIL_JUNK.sub("", _LEAD_JUNK.sub("", pieces[-1])).strip("（）()·")
    if name.endswith("政府") and not name.endswith("人民政府") and _PLACE.match(name[:-2]):
        name = name[:-2]  # 中宁县政府 is 中宁县人民政府
    if not _NAME_CHARS.match(name) or _NOT_NAME.search(name) or _GENERIC.search(name):
        return None
    if _PLACE.match(name) and not _ZONE.search(name):
        return name + ("办事处" if name.endswith("街道") else "人民政府")
    return name if _ORG_HEAD.search(name) else None


def looks_like_agency(text: str) -> bool:
    """A bare body name such as 县财政局 or 城关镇人民政府 (a link text on year × department lists).
    Stricter than a title's span: the whole text must be the name, navigation words are not."""
    t = "".join((text or "").split())
    return bool(_LINK_NAME_CHARS.match(t)) and body_name(t) is not None and not _REPORT_CORE.search(t)


def is_lookalike_document(text: str) -> bool:
    """A link text naming a dated document about disclosure work that is not a report (2023年政务公开工作要点)."""
    t = normalize_title(text or "")
    return bool(_YEAR.search(t) and _LOOKALIKE.search(t) and re.search(r"政务公开|信息公开", t))


# Chinese characters, kana, CJK and full-width punctuation and digits: between these (and ASCII digits) a
# space is an artefact of a PDF's text layer or a line break in a page (2023 年, 政府信息 公开), never a word gap.
_CJK = "\u2e80-\u2fff\u3001-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff60"
_STRAY_SPACE = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}0-9])|(?<=[{_CJK}0-9])\s+(?=[{_CJK}])")


def tidy_title(title: str | None) -> str | None:
    """A title as a reader writes it: runs of spaces made one, and none between Chinese characters and
    digits (2023 年 → 2023年); spaces between Latin words stay. Derived data: `interpret` applies it, so a
    fresh crawl and `reprocess` give the same title."""
    if title is None:
        return None
    return _STRAY_SPACE.sub("", re.sub(r"\s+", " ", title).strip()) or None


def normalize_title(title: str) -> str:
    t = title.translate(_FULLWIDTH)
    t = "".join(t.split())
    t = t.replace("（", "(").replace("）", ")")
    t = _CN_YEAR.sub(lambda m: "".join(_CN_DIGITS.get(c, c) for c in m.group()), t)
    return t.strip("《》“”\"'")


@dataclass(frozen=True)
class TitleInfo:
    kind: ReportKind | None
    year: int | None
    agency: str | None
    reason: str  # why it is or is not a report, for logs and counters


def classify_title(title: str | None) -> TitleInfo:
    """Classify a title: an annual report, a work summary, or not a report (with the reason)."""
    # A plain str for the cache: lxml's "smart" strings keep their whole parsed page alive.
    return _classify_title(str(title) if title else None)


# Pure; navigation texts recur on every page of a portal. Bounded small: report titles never recur, and a
# large cache is memory a long crawl keeps growing into (benchmarks/soak.py).
@functools.lru_cache(maxsize=4096)
def _classify_title(title: str | None) -> TitleInfo:
    if not title:
        return TitleInfo(None, None, None, "no title")
    t = normalize_title(title)
    core = _REPORT_CORE.search(t)
    if not core:
        return TitleInfo(None, None, None, "title does not name a disclosure report")
    bad = _LOOKALIKE.search(t)
    if bad:
        return TitleInfo(None, _year(t), None, f"look-alike ({bad.group()})")
    kind: ReportKind = "work_summary" if _SUMMARY.search(t) else "annual_report"
    year = _year(t)
    if year is None:
        return TitleInfo(None, None, None, "report title without a year")
    return TitleInfo(kind, year, agency_from_title(t), "report title")


def revision_of(titles: list[str]) -> int:
    """1 when any of a document's names says it is a corrected version, else 0."""
    return int(any(_REVISION.search(normalize_title(t)) for t in titles if t))


def names_disclosure(title: str | None) -> bool:
    """The title names disclosure work itself, not only an annual report."""
    return bool(title and _DISCLOSURE.search(normalize_title(title)))


def shows_template_sections(text: str) -> bool:
    """Two distinct sections or subjects of the national template in the text."""
    return len({m.group(0) for m in _TEMPLATE_SECTIONS.finditer("".join((text or "").split()))}) >= 2


def _year(t: str) -> int | None:
    m = _YEAR.search(t)
    if m:
        return int(m.group(1))
    m = re.search(r"\((19[89]\d|20[0-4]\d)\)", t)  # 政府信息公开工作年度报告(2020)
    return int(m.group(1)) if m else None


def agency_from_title(t: str) -> str | None:
    """The body named in a normalised title — the span before its year (中宁县财政局2020年…), or between
    the year and 政府信息公开 (2020年度中宁县财政局政府信息公开…) — or None when the title names none."""
    m = _YEAR.search(t) or re.search(r"\((19[89]\d|20[0-4]\d)\)", t)
    if not m:
        return None
    before = t[: m.start()]
    cut = _DISCLOSURE.search(before)  # 中宁县财政局政府信息公开工作年度报告(2020年)
    if cut:
        before = before[: cut.start()]
    after = re.sub(r"^度", "", t[m.end() :])
    cut = _DISCLOSURE.search(after)
    between = after[: cut.start()] if cut else ""
    return body_name(before) or body_name(between)


_TITLE_IN_TEXT = re.compile(
    r"([^\n。；]{0,40}?(19[89]\d|20[0-4]\d)\s*年度?[^\n。；]{0,20}?(政府信息公开|政务公开)工作[^\n。；]{0,6}?(年度报告|年报|总结|报告))"
)


def title_from_text(text: str) -> str | None:
    """The report's own title from the first lines of its text (titles are often broken over lines)."""
    head = text[:1500]
    # A title whole on one line beats any joining: navigation lines above it must not become its prefix.
    lines = [re.sub(r"[#*>]+", "", line).strip() for line in head.splitlines()[:40]]
    for i, line in enumerate(lines):
        m = _TITLE_IN_TEXT.search(line)
        if m and m.start() == 0:
            title = re.split(r"[，,：:]", m.group(1))[-1].strip()
            # A body name set as its own heading above the title ("# 中宁县卫生健康局 / ## 2020 年…报告").
            above = next((p for p in reversed(lines[:i]) if p), "")
            if title and agency_from_title(normalize_title(title)) is None and looks_like_agency(above):
                return above + title
            return title or None
    joined = re.sub(r"[ \t\u3000]*\n[ \t\u3000]*", "", head)  # a title broken over lines
    joined = re.sub(r"[#*>]+", "", joined)
    m = _TITLE_IN_TEXT.search(joined)
    if not m:
        return None
    title = m.group(1)
    # Keep the last clause: what precedes it on the same logical line is usually a heading or a date.
    title = re.split(r"[，,：:]", title)[-1]
    return title.strip() or None


def signing_date(text: str) -> str | None:
    """The date that signs the report: the last full date in its closing lines."""
    tail = text[-400:].translate(_FULLWIDTH)
    tail = _CN_YEAR.sub(lambda m: "".join(_CN_DIGITS.get(c, c) for c in m.group()), tail)
    dates = find_dates(tail)
    return iso_date(dates[-1].group()) if dates else None
