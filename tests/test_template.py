"""map_report on hand-made grids: labels over positions, tolerant matching, findings instead of exceptions."""

from __future__ import annotations

from archive.model import Grid
from archive.report import codes
from archive.report.template import detect_template, map_report

APP_HEADER: Grid = [
    [
        "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
        "",
        "",
        "申请人情况",
        "",
        "",
        "",
        "",
        "",
        "",
    ],
    [
        "",
        "",
        "",
        "自然人",
        "法人或其他组织",
        "法人或其他组织",
        "法人或其他组织",
        "法人或其他组织",
        "法人或其他组织",
        "总计",
    ],
    ["", "", "", "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"],
]


def app_row(label: str, *figures: str) -> list[str | None]:
    return [label, label, label, *figures]


def values(mapped, section: str) -> dict[tuple[str, str], float | None]:
    return {(s.row, s.col): s.value for s in mapped.stats if s.section == section}


def test_traditional_and_spaced_labels_and_normative_variant() -> None:
    grid: Grid = [
        ["第二十條第（一）項", "", "", ""],
        ["信息內容", "本年新製作數量", "本年新公開數量", "對外公開總數量"],
        ["規 章", "1", "2", "3"],
        ["行政規範性文件", "4", "5", "6"],
    ]
    mapped = map_report([grid], "", 2020)
    v = values(mapped, "active")
    assert v[("art20_1.regulations", "made")] == 1
    assert v[("art20_1.regulations", "total_public")] == 3
    assert v[("art20_1.normative_docs", "published")] == 5
    label = next(s for s in mapped.stats if s.row == "art20_1.normative_docs" and s.col == "made")
    assert (label.row_label, label.col_label) == ("规范性文件", "本年新制作数量")


def test_active_columns_follow_header_order_not_position() -> None:
    grid: Grid = [["信息内容", "处理决定数量", "上一年项目数量", "本年增/减"], ["行政处罚", "7", "160", "+5"]]
    v = values(map_report([grid], "", 2020), "active")
    assert (v[("art20_6.penalty", "prev_items")], v[("art20_6.penalty", "change")]) == (160, 5)
    assert v[("art20_6.penalty", "decisions")] == 7


def test_active_without_header_is_positional_with_a_finding() -> None:
    mapped = map_report([[["行政许可", "15", "0", "3"], ["行政强制", "8", "1", "2"]]], "", 2020)
    assert values(mapped, "active")[("art20_5.licensing", "decisions")] == 3
    assert any("by position" in f for f in mapped.findings)


def test_regular_grid_keeps_blank_cells_in_their_columns() -> None:
    grid = [*APP_HEADER, app_row("一、本年新收政府信息公开申请数量", "1", "", "", "", "", "", "")]
    grid.append(app_row("（七）总计", "", "", "", "", "", "", "4"))
    v = values(map_report([grid], "", 2020), "applications")
    assert v[("new", "natural_person")] == 1
    assert v[("new", "total")] is None  # blank stays blank, not shifted
    assert v[("processed_total", "total")] == 4
    assert v[("processed_total", "natural_person")] is None


def test_columns_left_out_are_mapped_by_header_labels() -> None:
    header: Grid = [["", "自然人", "商业企业", "总计"]]
    grid: Grid = [*header, ["一、本年新收政府信息公开申请数量", "2", "3", "5"]]
    mapped = map_report([grid], "", 2020)
    v = values(mapped, "applications")
    assert (v[("new", "natural_person")], v[("new", "commercial")], v[("new", "total")]) == (2, 3, 5)
    assert v[("new", "research")] is None
    assert any("research" in f for f in mapped.findings)


def test_no_header_takes_template_order_with_finding() -> None:
    grid: Grid = [["二、上年结转政府信息公开申请数量", "1", "2", "3", "4", "5", "6", "21"]]
    mapped = map_report([grid], "", 2020)
    assert values(mapped, "applications")[("carried_over", "other_org")] == 6
    assert any("no usable column header" in f for f in mapped.findings)


def test_table_split_into_two_grids_inherits_the_header() -> None:
    first = [*APP_HEADER, app_row("一、本年新收政府信息公开申请数量", "1", "0", "0", "0", "0", "0", "1")]
    second: Grid = [app_row("四、结转下年度继续办理", "", "0", "0", "0", "0", "0", "0")]
    v = values(map_report([first, second], "", 2020), "applications")
    assert v[("carried_forward", "natural_person")] is None
    assert v[("carried_forward", "total")] == 0


def test_appeals_one_row_per_group_and_15_cell_row() -> None:
    per_group: Grid = [
        ["", "结果维持", "结果纠正", "其他结果", "尚未审结", "总计"],
        ["行政复议", "1", "0", "0", "1", "2"],
        ["行政诉讼（未经复议直接起诉）", "0", "0", "0", "0", "0"],
        ["行政诉讼（复议后起诉）", "0", "1", "0", "0", "1"],
    ]
    v = values(map_report([per_group], "", 2021), "appeals")
    assert v[("review", "total")] == 2
    assert v[("litigation_after_review", "corrected")] == 1
    flat: Grid = [["行政复议", "", "", "", "", "行政诉讼"], ["结 果 维 持", "总 计"], [*["0"] * 14, "9"]]
    assert values(map_report([flat], "", 2021), "appeals")[("litigation_after_review", "total")] == 9


def test_appeals_row_with_layout_padding() -> None:
    grid: Grid = [["行政复议", "行政诉讼"], ["结果维持"], ["", *[str(i) for i in range(15)], ""]]
    mapped = map_report([grid], "", 2020)
    v = values(mapped, "appeals")
    assert v[("review", "upheld")] == 0
    assert v[("litigation_after_review", "total")] == 14
    assert mapped.findings


def test_template_detection() -> None:
    assert detect_template([[["信息内容", "本年制发件数"]]], "", 2020) == "2021"  # labels beat the year
    assert detect_template([], "第二十条第（九）项 本年新制作数量", 2023) == "2019"
    assert detect_template([], "", 2022) == "2021"
    assert detect_template([], "", 2019) == "2019"
    assert detect_template([], "2018年政务公开工作总结", 2018) is None
    assert detect_template([], "", None) is None
    assert map_report([], "2018年政务公开工作总结", 2018).stats == []


def test_2021_other_subrows_and_single_other_row() -> None:
    rows: Grid = [
        [
            "",
            "（六）其他处理",
            "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
            *["0"] * 7,
        ],
        ["", "", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", *["0"] * 7],
        ["", "", "3.其他", "1", "0", "0", "0", "0", "0", "1"],
    ]
    mapped = map_report([APP_HEADER + rows], "", 2022)
    v = values(mapped, "applications")
    assert mapped.template == "2021"
    assert v[("other.other", "total")] == 1
    # （六）其他处理 is derived (report-format.md: the sum of the three sub-rows), marked so, never printed.
    other = next(s for s in mapped.stats if s.row == "other" and s.col == "total")
    assert (other.value, other.raw, other.placed_by) == (1, "", "derived")
    assert next(s for s in mapped.stats if s.row == "other.other" and s.col == "total").placed_by == "label"
    single = map_report([[*APP_HEADER, app_row("（六）其他处理", *["0"] * 6, "2")]], "", 2022)
    assert values(single, "applications")[("other", "total")] == 2


def test_foreign_tables_are_ignored() -> None:
    foreign: Grid = [["项目", "数量"], ["网站发布信息", "120"], ["微信公众号", "52"]]
    mapped = map_report([foreign], "", 2020)
    assert mapped.stats == []


def test_bad_grids_never_raise() -> None:
    bad: list[Grid] = [
        [],
        [[]],
        [[None, None], [None]],
        [["自然人"], ["一、本年新收政府信息公开申请数量"]],  # label without figures
        [["信息内容", "本年新制作数量"], ["规章", "1", "2", "3", "4", "5"]],  # too many figures
        [["行政复议"], ["1"]],  # appeals row far too short
        [["x" * 10000, "1"] * 50] * 50,
    ]
    for grid in bad:
        mapped = map_report([grid], "", 2020)
        assert mapped.template == "2019"
        assert all(s.raw is not None for s in mapped.stats)


def test_every_template_cell_of_a_found_section_is_listed() -> None:
    grid = [*APP_HEADER, app_row("一、本年新收政府信息公开申请数量", *["0"] * 7)]
    mapped = map_report([grid], "", 2020)
    listed = {(s.row, s.col) for s in mapped.stats if s.section == "applications"}
    assert len(listed) == len(codes.APPLICATION_ROWS_BY_TEMPLATE["2019"]) * 7
    assert not any(s.section == "appeals" for s in mapped.stats)  # a section absent is not invented
    assert any("rows not found" in f for f in mapped.findings)


def test_text_layer_is_a_second_opinion_per_section() -> None:
    # An extractor fused 自然人 with 商业企业 ("70") and lost their header; the text layer has every figure.
    header: Grid = [["", "自然法人或其他组织", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]]
    fused: Grid = [*header, ["一、本年新收政府信息公开申请数量", "70", "0", "0", "0", "0", "7"]]
    appeals: Grid = [
        ["行政复议", "行政诉讼"],
        ["结果维持"],
        ["", "", "", "", "0", "", "", "2", "", "2", "", "", "", "", "0"],
    ]
    text = "一、本年新收政府信息公开申请数量 7 0 0 0 0 0 7\n行政复议 行政诉讼\n0 2 2 0\n"
    mapped = map_report([fused, appeals], text, 2020)
    apps = values(mapped, "applications")
    assert (apps[("new", "natural_person")], apps[("new", "commercial")], apps[("new", "total")]) == (7, 0, 7)
    assert any("text layer" in f for f in mapped.findings)
    # The appeals text lost its blanks (4 figures for 15 cells): the tables, which keep them, stay.
    assert values(mapped, "appeals")[("litigation_direct", "other")] == 2
    assert values(mapped, "appeals")[("litigation_after_review", "other")] is None


def test_text_layer_that_disagrees_is_not_used() -> None:
    grid: Grid = [*APP_HEADER, app_row("一、本年新收政府信息公开申请数量", "1", "", "", "", "", "", "1")]
    text = "一、本年新收政府信息公开申请数量 5 1 1 1 1 1 10\n"
    assert values(map_report([grid], text, 2020), "applications")[("new", "total")] == 1


def test_numbers_as_cells_are_read_as_text() -> None:
    grid = [["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"], ["规章", 1, 2.5, None]]
    v = values(map_report([grid], "", 2020), "active")  # type: ignore[list-item]
    assert (v[("art20_1.regulations", "made")], v[("art20_1.regulations", "published")]) == (1, 2.5)
    assert v[("art20_1.regulations", "total_public")] is None


def test_columns_from_wrapped_header_fragments_locate_a_missing_column() -> None:
    # 法律服务机构 and 社会公益组织 are absent: none of the header fragments carries 律 or 社; five figures a row.
    header: Grid = [
        ["申请人情况"],
        ["自然人"],
        ["法人或其他组织", "商业", "总计", "企业", "科研", "机构", "其他"],
    ]
    grid = [*header, ["一、本年新收政府信息公开申请数量", "1", "2", "3", "4", "10"]]
    mapped = map_report([grid], "", 2020)
    v = values(mapped, "applications")
    assert (v[("new", "natural_person")], v[("new", "research")], v[("new", "other_org")]) == (1, 3, 4)
    assert v[("new", "legal_service")] is None and v[("new", "social_welfare")] is None
    assert any("header fragments" in f for f in mapped.findings)


def test_short_labels_with_a_glyph_missing_are_placed_by_their_characters() -> None:
    grid: Grid = [
        ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"],
        ["行政罚", "160", "+5", "7"],  # 处 missing from the text layer
        ["行政强制", "8", "0", "2"],
    ]
    mapped = map_report([grid], "", 2020)
    penalty = next(s for s in mapped.stats if s.row == "art20_6.penalty" and s.col == "decisions")
    assert (penalty.value, penalty.placed_by) == (7, "label")
    assert values(mapped, "active")[("art20_6.coercion", "prev_items")] == 8
    assert any("placed by its characters" in f for f in mapped.findings)
    # Too little in common with any row (or a tie): skipped, never guessed.
    skipped = map_report([[grid[0], ["行政", "1", "2", "3"]]], "", 2020)
    assert not any(s.value is not None for s in skipped.stats)
