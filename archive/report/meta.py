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
    r"报送|通报|解读|培训|指南|意见|征求|评估|整改|的函|公示|专栏|链接|索引|工作计划|模板|范本|样本|提纲"
)
_YEAR = re.compile(r"(19[89]\d|20[0-4]\d)\s*年")
_AGENCY_SUFFIX = re.compile(
    r"(人民政府办公室|人民政府办公厅|人民政府|管理委员会|委员会|办公室|管委会|局|委|厅|署|院|所|中心|站|办|部|处|会|队|馆|街道办事处|街道|镇|乡|公司)$"
)


_AGENCY_NAME = re.compile(r"^[\u4e00-\u9fff（）()·]{2,30}$")


def looks_like_agency(text: str) -> bool:
    """A bare body name such as 县财政局 or 城关镇人民政府 (a link text on year × department lists)."""
    t = re.sub(r"\s+", "", text or "")
    return bool(_AGENCY_NAME.match(t) and _AGENCY_SUFFIX.search(t)) and not _REPORT_CORE.search(t)


def is_lookalike_document(text: str) -> bool:
    """A link text naming a dated document about disclosure work that is not a report (2023年政务公开工作要点)."""
    t = normalize_title(text or "")
    return bool(_YEAR.search(t) and _LOOKALIKE.search(t) and re.search(r"政务公开|信息公开", t))


def normalize_title(title: str) -> str:
    t = title.translate(_FULLWIDTH)
    t = re.sub(r"\s+", "", t)
    t = t.replace("（", "(").replace("）", ")")
    t = _CN_YEAR.sub(lambda m: "".join(_CN_DIGITS.get(c, c) for c in m.group()), t)
    return t.strip("《》“”\"'")


@dataclass(frozen=True)
class TitleInfo:
    kind: ReportKind | None
    year: int | None
    agency: str | None
    reason: str  # why it is or is not a report, for logs and counters


@functools.lru_cache(maxsize=65536)  # pure; the same link texts recur on every page of a portal
def classify_title(title: str | None) -> TitleInfo:
    """Classify a title: an annual report, a work summary, or not a report (with the reason)."""
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


def _year(t: str) -> int | None:
    m = _YEAR.search(t)
    if m:
        return int(m.group(1))
    m = re.search(r"\((19[89]\d|20[0-4]\d)\)", t)  # 政府信息公开工作年度报告(2020)
    return int(m.group(1)) if m else None


def agency_from_title(t: str) -> str | None:
    """The body named in a normalised title, or None when the title names none."""
    t = re.sub(r"^关于", "", t)
    m = _YEAR.search(t)
    if not m:
        return None
    before = t[: m.start()].strip(" :：-—_")
    after = t[m.end() :]
    candidates = [before]
    # "{year}年度{body}政府信息公开工作年报"
    m2 = re.match(r"度?(.+?)(政府信息公开|信息公开|政务公开)", after)
    if m2:
        candidates.append(m2.group(1))
    for c in candidates:
        c = re.sub(r"(的|关于|度)$", "", c).strip()
        if len(c) >= 2 and _AGENCY_SUFFIX.search(c):
            return c
    return None


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
