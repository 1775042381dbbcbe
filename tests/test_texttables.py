"""grids_from_text on the seed renderings and on small hand-made texts."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive.model import Grid
from archive.report.texttables import grids_from_text
from archive.report.values import is_value_cell

SEEDS = Path(__file__).resolve().parent / "eval" / "seeds"


def seed(prefix: str) -> str:
    return next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


def row_with(grids: list[Grid], text: str) -> list[str | None]:
    return next(r for g in grids for r in g if any(c and text in c for c in r))


def test_tab_rows_with_split_label_rejoined_000() -> None:
    grids = grids_from_text(seed("000"))
    assert len(grids) == 3  # 二 active, 三 applications, 四 appeals
    row = row_with(grids, "其他法律行政法规禁")
    assert "2. 其他法律行政法规禁止公开" in row
    assert row[-7:] == ["0"] * 7
    # The fragment row (理 结 果 | 开 | 止公开) is gone: every row of the table with labels has figures.
    apps = grids[1]
    assert not any(r for r in apps if r[0] == "理 结 果" and not any(c == "0" for c in r))


def test_repeated_header_dropped_and_padding_trimmed_001() -> None:
    grids = grids_from_text(seed("001"))
    apps = grids[1]
    assert sum(1 for r in apps if any(c and "本列数据" in c for c in r)) == 1
    assert sum(1 for r in apps if "商业企业" in r) == 1
    # After the page break every row ends with its 总计 figure (no trailing layout cell).
    after = apps[apps.index(row_with([apps], "8. 属于行政查询事项")) :]
    assert all(r[-1] == "0" for r in after)


def test_html_noise_removed_001() -> None:
    grids = grids_from_text(seed("001"))
    assert not any("<b>" in c for g in grids for r in g for c in r if c)
    assert ["信息内容", "上一年项目数量", "本年增/减", ""] in grids[0]


def test_one_cell_per_line_003() -> None:
    grids = grids_from_text(seed("003"))
    assert len(grids) == 3
    assert ["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"] in grids[
        0
    ]  # wrapped cells joined
    assert ["一、本年新收政府信息公开申请数量", "1", "1", "0", "0", "0", "0", "2"] in grids[1]
    assert ["0"] * 15 in grids[2]


def test_missing_columns_kept_as_given_004() -> None:
    grids = grids_from_text(seed("004"))
    row = row_with(grids, "一、本年新收")
    assert [c for c in row if c and is_value_cell(c)] == ["0"] * 6


def test_summary_without_tables_002() -> None:
    assert grids_from_text(seed("002")) == []


def test_markdown_pipe_table() -> None:
    text = "前言\n\n| 信息内容 | 本年新制作数量 |\n|---|---|\n| 规章 | 3 |\n| 规范性文件 | |\n\n后记\n"
    assert grids_from_text(text) == [[["信息内容", "本年新制作数量"], ["规章", "3"], ["规范性文件", ""]]]


def test_tables_separated_by_prose() -> None:
    text = "a\tb\n1\t2\n\n标题\n\nc\td\n3\t4\n"
    assert grids_from_text(text) == [[["a", "b"], ["1", "2"]], [["c", "d"], ["3", "4"]]]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\t",
        "只有一行\t",
        "\x00\x01\t\x02\n" * 50,
        "a\t" * 10000,
        "\t\n" * 1000,
        "|",
        "||\n||",
        "\r\n\t1\r\n",
    ],
)
def test_odd_input_gives_a_list(text: str) -> None:
    grids = grids_from_text(text)
    assert isinstance(grids, list)
    assert all(isinstance(r, list) for g in grids for r in g)


PDF_TEXT = """二、主动公开政府信息情况
第二十条第（一）项
信息内容 本年新制作数量 本年新公开数量 对外公开总数量
规章 3 3 11
规范性文件 1 1 [bookmark: _GoBack]1
第二十条第（九）项
信息内容 采购项目数量 采购总金额
政府集中采购 6 3659.92 万元
\f三、收到和处理政府信息公开申请情况
申请人情况
自然
人
法人或其他组织 总计
一、本年新收政府信息公开申请数量 11
5.要求行政机关确认或重新出
具已获取信息
0 0 0 0 0 0 0
（六）其
他处理
1.申请人无正当理由逾期不补
正、行政机关不再处理其政府
信息公开申请
0 0 0 0 0 0 1
行政复议 行政诉讼
结果
维持
结果
纠正
其他
结果
尚未
审结
总计 未经复议直接起诉 复议后起诉
0 0 0 0 0 0 2 2 0 4 1 0 2 0 3
五、存在的主要问题及改进情况，这是一段很长的正文，说明本年度工作中存在的问题以及下一步的改进措施和工作安排。
"""


def test_text_without_separators_pdf_text_layer() -> None:
    [grid] = grids_from_text(PDF_TEXT)
    assert ["规章", "3", "3", "11"] in grid
    assert ["规范性文件", "1", "1", "1"] in grid  # bookmark junk dropped
    assert ["政府集中采购", "6", "3659.92 万元"] in grid
    assert ["一、本年新收政府信息公开申请数量", "11"] in grid  # blank cells leave no trace
    assert ["5.要求行政机关确认或重新出具已获取信息", *["0"] * 7] in grid  # wrapped label joined
    assert ["1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", *["0"] * 6, "1"] in grid
    assert [*"000000220410203"] in grid  # header fragments are not a label
    assert not any("很长的正文" in (c or "") for r in grid for c in r)


def test_two_rows_run_into_one_line_are_split_at_the_numbered_label() -> None:
    text = "3.其他 2 0 1 7 7 17（七）总计 35 16 33 36 42 188\n四、结转下年度继续办理 0 2 0 1 2 6\n"
    [grid] = grids_from_text(text)
    assert grid[0] == ["3.其他", "2", "0", "1", "7", "7", "17"]
    assert grid[1] == ["（七）总计", "35", "16", "33", "36", "42", "188"]


def test_header_cells_wrapped_one_fragment_a_line_stay_in_the_header() -> None:
    text = "申请人情况\n自然人\n法人或其他组织\n商业 总计\n企业\n科研\n机构\n其他\n一、本年新收政府信息公开申请数量 1 2 3 4 10\n"
    [grid] = grids_from_text(text)
    assert grid[2] == ["法人或其他组织", "商业", "总计", "企业", "科研", "机构", "其他"]
    assert grid[3] == ["一、本年新收政府信息公开申请数量", "1", "2", "3", "4", "10"]  # not a wrapped label


def test_one_cell_per_line_without_row_boundaries_is_rebuilt_from_labels() -> None:
    # Empty cells dropped, no blank line between rows (real-world.md: `规章\n0\n规范性文件`).
    cells = [
        "二、主动公开政府信息情况",
        "第二十条第（一）项",
        "信息内容",
        "本年新",
        "制作数量",
        "本年新公开数量",
    ]
    cells += ["对外公开总数量", "规章", "0", "3", "12", "规范性文件", "40", "8", "3"]
    cells += [
        "三、收到和处理政府信息公开申请情况",
        "申请人情况",
        "自然人",
        "总计",
        "一、本年新收政府信息公开申请数量",
    ]
    cells += ["1", "1", "（三）不予公开", "1.属于国家秘密", "0", "0"]
    cells += [
        "四、政府信息公开行政复议、行政诉讼情况",
        "行政复议",
        "行政诉讼",
        "结果维持",
        "总计",
        *["0"] * 15,
    ]
    [grid] = grids_from_text("\n".join(cells))
    assert ["规章", "0", "3", "12"] in grid
    assert ["信息内容", "本年新", "制作数量", "本年新公开数量", "对外公开总数量"] in grid
    assert ["一、本年新收政府信息公开申请数量", "1", "1"] in grid
    assert ["1.属于国家秘密", "0", "0"] in grid
    assert ["行政复议", "行政诉讼", "结果维持", "总计"] in grid  # 总计 under a header is a column
    assert ["0"] * 15 in grid


def test_a_label_written_vertically_one_character_a_line_is_joined() -> None:
    text = "（二）部分公开 1 0 1\n（\n六\n）\n其\n他\n处\n理\n0 0 7 7\n（七）总计 1 0 8 9\n"
    [grid] = grids_from_text(text)
    assert ["（六）其他处理", "0", "0", "7", "7"] in grid


def test_a_header_repeated_after_a_page_break_is_split_from_the_row_it_follows() -> None:
    text = "二、上年结转政府信息公开申请数量 1 1 4（本列数据的勾稽关系为：第一项加第二项之和）\n申请人情况\n"
    text += "（一）予以公开 7 7 23\n"
    [grid] = grids_from_text(text)
    assert grid[0] == ["二、上年结转政府信息公开申请数量", "1", "1", "4"]
