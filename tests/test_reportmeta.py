"""Titles: reports, work summaries and look-alikes; dates."""

from __future__ import annotations

import pytest

from archive.report.meta import classify_title, iso_date, signing_date, title_from_text


@pytest.mark.parametrize(
    ("title", "kind", "year", "agency"),
    [
        ("中宁县卫生健康局2020年政府信息公开工作年度报告", "annual_report", 2020, "中宁县卫生健康局"),
        ("2020年度中宁县财政局政府信息公开工作年报", "annual_report", 2020, "中宁县财政局"),
        ("关于2020年政府信息公开工作的年度报告", "annual_report", 2020, None),
        ("中宁县卫生健康局 2020 年政府信息公开工作年度报告", "annual_report", 2020, "中宁县卫生健康局"),
        ("吴忠市利通区人民政府2023年政府信息公开工作年度报告", "annual_report", 2023, "吴忠市利通区人民政府"),
        ("2018 年政务公开工作总结", "work_summary", 2018, None),
        ("宜春市卫生健康委二〇二〇年政府信息公开工作年度报告", "annual_report", 2020, "宜春市卫生健康委"),
        ("２０２２年政府信息公开工作年度报告", "annual_report", 2022, None),
    ],
)
def test_reports(title: str, kind: str, year: int, agency: str | None) -> None:
    info = classify_title(title)
    assert (info.kind, info.year, info.agency) == (kind, year, agency)


@pytest.mark.parametrize(
    "title",
    [
        "关于做好2022年政府信息公开工作年度报告编制发布工作的通知",
        "中宁县2021年政府信息公开工作年度报告汇总",
        "2023年政务公开工作要点",
        "中宁县2022年部门预算公开",
        "政府信息公开年报",  # a section name: no year
        "县长调研春耕生产",
        "",
    ],
)
def test_not_reports(title: str) -> None:
    assert classify_title(title).kind is None


def test_title_broken_over_lines_is_found_in_text() -> None:
    text = "\n宜春市卫生健康委2020年政府信息公开工作\n年度报告\n\n本报告依据……"
    assert title_from_text(text) == "宜春市卫生健康委2020年政府信息公开工作年度报告"


def test_dates() -> None:
    assert iso_date("发布日期：2021-01-25 10:00") == "2021-01-25"
    assert iso_date("2021年2月6日") == "2021-02-06"
    assert iso_date("2021年13月6日") is None
    assert signing_date("……特此报告。\n中宁县卫生健康局\n二〇二一年一月二十日\n2021年1月20日") == "2021-01-20"


def test_body_name_heading_above_the_title_is_its_agency() -> None:
    text = "\n\n# 中宁县卫生健康局\n\n## 2020 年政府信息公开工作年度报告\n\n本报告依据……"
    title = title_from_text(text)
    assert title is not None
    assert classify_title(title).agency == "中宁县卫生健康局"
    # …but a navigation line above a complete title is not glued on.
    nav = "首页 > 政府信息公开 > 年报\n中宁县财政局2021年政府信息公开工作年度报告\n正文"
    assert title_from_text(nav) == "中宁县财政局2021年政府信息公开工作年度报告"
