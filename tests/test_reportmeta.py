"""Titles: reports, work summaries and look-alikes; dates."""

from __future__ import annotations

import pytest

from archive.report.meta import classify_title, iso_date, looks_like_agency, signing_date, title_from_text


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


# Bodies of every kind that publish reports (issue 8: 平潭综合实验区 came back without an agency). The body
# is whatever proper name stands before the year (or between the year and 政府信息公开); a place alone
# stands for its people's government; zones keep their own name.
@pytest.mark.parametrize(
    ("title", "agency"),
    [
        ("平潭综合实验区2019年度政府信息公开工作年度报告", "平潭综合实验区"),
        ("平潭综合实验区管理委员会2020年政府信息公开工作年度报告", "平潭综合实验区管理委员会"),
        ("福州经济技术开发区管委会2021年政府信息公开工作年度报告", "福州经济技术开发区管委会"),
        ("长沙高新区2020年政府信息公开工作年度报告", "长沙高新区"),
        ("浦东新区2020年政府信息公开工作年度报告", "浦东新区"),
        ("中宁县石空镇人民政府2020年政府信息公开工作年度报告", "中宁县石空镇人民政府"),
        ("石空镇2020年政府信息公开工作年度报告", "石空镇人民政府"),
        ("大战场乡2021年政府信息公开工作年度报告", "大战场乡人民政府"),
        ("胜利街道办事处2022年政府信息公开工作年度报告", "胜利街道办事处"),
        ("金凤区满城北街街道2021年政府信息公开工作年度报告", "金凤区满城北街街道办事处"),
        ("中宁县2020年政府信息公开工作年度报告", "中宁县人民政府"),
        ("中宁县政府2020年政府信息公开工作年度报告", "中宁县人民政府"),
        ("2020年中宁县政府信息公开工作年度报告", "中宁县人民政府"),
        ("2020年中宁县人民政府政府信息公开工作年度报告", "中宁县人民政府"),
        ("宁夏回族自治区卫生健康委员会2020年政府信息公开工作年度报告", "宁夏回族自治区卫生健康委员会"),
        ("中宁县政务服务中心2020年政府信息公开工作年度报告", "中宁县政务服务中心"),
        ("中卫市住房公积金管理中心2020年度政府信息公开工作年度报告", "中卫市住房公积金管理中心"),
        ("中宁县人民政府办公室关于2020年政府信息公开工作年度报告", "中宁县人民政府办公室"),
        ("中宁县公安局交通警察大队2020年政府信息公开工作年度报告", "中宁县公安局交通警察大队"),
        ("中卫市中级人民法院2020年政府信息公开工作年度报告", "中卫市中级人民法院"),
        ("国家税务总局中宁县税务局2020年政府信息公开工作年度报告", "国家税务总局中宁县税务局"),
        ("附件1：中宁县财政局2020年政府信息公开工作年度报告", "中宁县财政局"),
        ("【年报】中宁县财政局2020年政府信息公开工作年度报告", "中宁县财政局"),
        ("中宁县财政局政府信息公开工作年度报告（2020年）", "中宁县财政局"),
        ("城关社区2020年政府信息公开工作年度报告", "城关社区"),
        ("本溪市2020年政府信息公开工作年度报告", "本溪市人民政府"),  # 本/全 as part of a place name
        ("全椒县教育体育局2021年政府信息公开工作年度报告", "全椒县教育体育局"),
        # Look-alikes of a name: a verb, a pronoun, a quantifier, navigation, the report's own words.
        ("现公布2020年政府信息公开工作年度报告", None),
        ("本机关2020年政府信息公开工作年度报告", None),
        ("我局2020年政府信息公开工作年度报告", None),
        ("全县2020年政府信息公开工作年度报告", None),
        ("各部门2020年政府信息公开工作年度报告", None),
        ("首页2020年政府信息公开工作年度报告", None),
        ("新闻中心2020年政府信息公开工作年度报告", None),
        ("政府信息公开2020年工作年度报告", None),
        ("2020年度政府信息公开工作年度报告", None),
    ],
)
def test_body_names_of_every_kind(title: str, agency: str | None) -> None:
    info = classify_title(title)
    assert (info.kind, info.agency) == ("annual_report", agency)


@pytest.mark.parametrize(
    ("text", "is_body"),
    [
        ("县人力资源和社会保障局", True),
        ("城关镇人民政府", True),
        ("平潭综合实验区", True),
        ("福州经济技术开发区管委会", True),
        ("胜利街道办事处", True),
        ("石空镇", True),
        ("中宁县政务服务中心", True),
        ("中卫市发展和改革委员会", True),
        ("首页", False),
        ("政务公开", False),
        ("机构设置", False),
        ("新闻中心", False),
        ("通知公告", False),
        ("领导之窗", False),
        ("政策文件", False),
        ("互动交流", False),
        ("信息公开指南", False),
        ("政府信息公开年报", False),
        ("本机关", False),
        ("部门", False),
        ("更多>>", False),
        ("2020年", False),
    ],
)
def test_looks_like_agency_is_strict(text: str, is_body: bool) -> None:
    assert looks_like_agency(text) is is_body


def test_one_date_reader_rejects_impossible_dates() -> None:
    """Page metadata and report text share archive.dates: 2023-02-31 is no date anywhere."""
    from archive.extract.pageinfo import read_page_meta

    assert iso_date("2023-02-31") is None
    assert iso_date("2024-02-29") == "2024-02-29"
    page = "<html><head><meta name='PubDate' content='2023-02-31'></head><body>发布日期：2023-02-03</body></html>"
    assert read_page_meta(page)["published_at"] == "2023-02-03"


def test_other_annual_reports_of_a_government_are_reports_only_by_their_content() -> None:
    from archive.model import Extraction
    from archive.report.interpret import SourceContext, interpret

    rule_of_law = Extraction(
        "html",
        text="某县2022年法治政府建设年度报告\n一、主要举措\n深入推进依法行政，全面推进政务公开。\n二、存在的不足",
        page_meta={"title": "某县2022年法治政府建设年度报告"},
    )
    assert interpret(rule_of_law, SourceContext()).kind is None
    bare = Extraction(
        "html",
        text="2022年度报告\n一、总体情况\n二、主动公开政府信息情况\n三、收到和处理政府信息公开申请情况",
        page_meta={"title": "2022年度报告"},
    )
    assert interpret(bare, SourceContext(site_name="某县人民政府")).kind == "annual_report"


@pytest.mark.parametrize(
    ("titles", "revision"),
    [
        (["某县2022年政府信息公开工作年度报告（更正版）"], 1),
        (["某县2022年政府信息公开工作年度报告", "某县2022年政府信息公开工作年度报告(修订)"], 1),
        (["某县2022年政府信息公开工作年度报告修订版"], 1),
        (["某县2022年政府信息公开工作年度报告"], 0),
    ],
)
def test_a_corrected_version_says_so_in_one_of_its_names(titles: list[str], revision: int) -> None:
    from archive.report.meta import revision_of

    assert revision_of(titles) == revision


def test_a_notice_about_a_correction_is_a_look_alike() -> None:
    assert classify_title("关于某县2022年政府信息公开工作年度报告的更正说明").kind is None


def test_an_illustrated_summary_is_a_look_alike() -> None:
    assert classify_title("图解2020年政府信息公开工作年度报告").kind is None
