"""Section-三 rows placed by structure (archive/report/rows.py): numbering and order are the skeleton, labels
confirm; the consistency rules decide between readings; every figure says how it was placed."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from archive.model import Grid, Stat
from archive.report import codes
from archive.report.checks import confirmation, run_checks
from archive.report.rows import Numbering, Row, numbering, place
from archive.report.template import map_report
from archive.store.corpus import Corpus

EXPECTED_2019 = codes.APPLICATION_ROWS_BY_TEMPLATE["2019"]
HEADER: Grid = [["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "申请人情况"]]
HEADER += [["", "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]]


def by_row(stats: list[Stat]) -> dict[str, Stat]:
    return {s.row: s for s in stats if s.section == "applications" and s.col == "total"}


def test_numbering_survives_leaked_characters_and_reads_groups() -> None:
    assert numbering(["度办1.属于国家秘密"]) == (Numbering(None, None, 1), "属于国家秘密")
    assert numbering(["理结2.其他法律行政止公开"]) == (Numbering(None, None, 2), "其他法律行政止公开")
    assert numbering(["三、本年度办理结果", "(三)不予公开", "4.保护第三方合法权益"])[0] == Numbering(
        "三", "三", 4
    )
    assert numbering(["一、本年新收政府信息公开申请数量"])[0] == Numbering("一", None, None)
    assert numbering(["属于国家秘密"]) == (Numbering(), "属于国家秘密")


def test_damaged_labels_are_placed_by_number_and_order() -> None:
    labels = [
        "一、本年新收政府信息公开申请数量",
        "(一)予以公开",
        "(三)不予公开",  # a group heading without figures
        "度办1.属于国家秘密",
        "理结2.其他法律行政止公开",  # glyphs missing: no phrase left
        "3.",  # numbering without a label
        "4.保护第三方合法权益",
    ]
    rows = [Row((lab,), lab != "(三)不予公开") for lab in labels]
    got = [(p.code, p.placed_by) for p in place(rows, EXPECTED_2019)]
    assert got == [
        ("new", "label"),
        ("granted", "label"),
        (None, ""),
        ("denied.state_secret", "label"),
        ("denied.prohibited_by_law", "label"),  # most of its characters are there: they confirm it
        ("denied.security_stability", "number"),
        ("denied.third_party", "label"),
    ]


def test_a_row_without_label_or_number_takes_the_one_free_row_between_neighbours() -> None:
    rows = [Row(("4.保护第三方合法权益",), True), Row(("xx",), True), Row(("6.属于四类过程性信息",), True)]
    assert [(p.code, p.placed_by) for p in place(rows, EXPECTED_2019)][1] == (
        "denied.internal_affairs",
        "order",
    )


def test_kangxi_radicals_and_traditional_forms_normalise_to_the_template() -> None:
    grid: Grid = [*HEADER, ["⼀、本年新收政府信息公开申請數量", *["1"] * 6, "6"]]
    grid.append(["5.要求⾏政機關確認或重新出具已獲取信息", *["0"] * 7])
    stats = by_row(map_report([grid], "", 2020).stats)
    assert (stats["new"].value, stats["new"].placed_by) == (6, "label")
    assert stats["not_processed.confirmation"].placed_by == "label"


def test_the_rules_choose_between_label_and_numbering() -> None:
    # 2. and 3. carry leaked characters that spell another row's phrase (新收, row 一); their numbering says
    # 2. and 3. The label-first reading cannot place them (row 一 is taken, the phrase contradicts the
    # number) and outcomes_sum stays unknown; the structure-first reading places them and the rule holds.
    rows = []
    for code in EXPECTED_2019:
        label = codes.APPLICATION_ROWS[code]
        total = {"new": "8", "denied.state_secret": "2", "processed_total": "8"}.get(code, "0")
        if code == "denied.prohibited_by_law":
            label, total = "新收2.其他法律行政法规止公开", "3"
        if code == "denied.security_stability":
            label, total = "新收3.危及三安全一稳定", "3"
        rows.append([label, total, *["0"] * 5, total])
    mapped = map_report([[*HEADER, *rows]], "", 2020)
    stats = by_row(mapped.stats)
    assert stats["denied.state_secret"].value == 2
    assert (stats["denied.prohibited_by_law"].value, stats["denied.prohibited_by_law"].placed_by) == (
        3,
        "number",
    )
    assert any("rules confirm" in f for f in mapped.findings)
    failed, holding = confirmation(mapped.stats, "2019")
    assert failed == 0 and holding > 0


def _rows_2021(one_row: bool) -> Grid:
    head = [*HEADER, ["(七)总计", *["0"] * 6, "4"]]
    if one_row:
        return [*head[:-1], ["(六)其他处理", "0", "0", "0", "0", "0", "0", "0"], head[-1]]
    subs = [
        [
            "(六)其他处理",
            "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
            "1",
            *["0"] * 5,
            "1",
        ],
        [
            "",
            "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
            "2",
            *["0"] * 5,
            "2",
        ],
        ["", "3.其他", "1", *["0"] * 5, "1"],
    ]
    return [*head[:-1], *subs, head[-1]]


def test_2021_other_is_derived_from_its_sub_rows_and_marked() -> None:
    mapped = map_report([_rows_2021(one_row=False)], "", 2022)
    other = by_row(mapped.stats)["other"]
    assert (other.value, other.raw, other.placed_by) == (4, "", "derived")
    person = next(s for s in mapped.stats if s.row == "other" and s.col == "natural_person")
    assert person.value == 4  # 1+2+1: every sub-row printed
    # The derived row is not checked a second time: row_total names only printed rows.
    row_total = next(c for c in run_checks(mapped.stats, "2021") if c.rule == "row_total")
    assert re.search(r"(?<![.\w])other(?![.\w])", row_total.detail) is None, row_total.detail


def test_2021_other_printed_as_one_row_is_checked_with_that_row() -> None:
    grid = _rows_2021(one_row=True)
    grid[-2] = ["(六)其他处理", *["0"] * 6, "4"]
    mapped = map_report([grid], "", 2022)
    other = by_row(mapped.stats)["other"]
    assert (other.value, other.raw, other.placed_by) == (4, "4", "label")
    assert by_row(mapped.stats)["other.no_fee"].value is None
    # outcomes_sum sums the printed row, not the three blank sub-rows it stands for.
    outcomes = next(c for c in run_checks(mapped.stats, "2021") if c.rule == "outcomes_sum")
    assert "other.no_fee" not in outcomes.detail and "granted" in outcomes.detail


def test_a_blank_sub_row_leaves_the_derived_other_blank() -> None:
    grid = _rows_2021(one_row=False)
    grid[-2] = ["", "3.其他", "", *["0"] * 5, "1"]
    stats = map_report([grid], "", 2022).stats
    person = next(s for s in stats if s.row == "other" and s.col == "natural_person")
    assert (person.value, person.placed_by) == (None, "derived")  # unknown, never a partial sum
    assert by_row(stats)["other"].value == 4


def test_placed_by_is_stored_in_the_corpus(tmp_path: Path) -> None:
    corpus = Corpus(tmp_path / "corpus.db")
    try:
        stats = map_report([_rows_2021(one_row=False)], "", 2022).stats
        rid = corpus.conn.execute(
            "INSERT INTO reports(agency, year, kind, first_seen, last_seen) VALUES ('x', 2022, 'annual_report', "
            "'2023-01-01', '2023-01-01') RETURNING id"
        ).fetchone()[0]
        corpus.set_report_content(rid, "0" * 64, "", "2021", stats, [])
        got = dict(
            corpus.conn.execute(
                "SELECT row, placed_by FROM report_stats WHERE report_id=? AND col='total'", (rid,)
            ).fetchall()
        )
    finally:
        corpus.close()
    assert got["other"] == "derived" and got["other.other"] == "label"
    assert got["new"] is None  # a row the table does not print has no placement
    db = sqlite3.connect(tmp_path / "corpus.db")
    assert "006_stats_placed_by" in [r[0] for r in db.execute("SELECT name FROM _migrations")]
    db.close()


def test_the_single_appeals_row_is_placed_by_order() -> None:
    grid: Grid = [["行政复议", "行政诉讼"], ["结果维持", "结果纠正"], [str(i) for i in range(15)]]
    stats = [s for s in map_report([grid], "", 2020).stats if s.section == "appeals"]
    assert {s.placed_by for s in stats} == {"order"}


def test_a_table_continued_over_a_page_break_continues_the_template_order() -> None:
    first: Grid = [*HEADER, ["(三)不予公开", "1.属于国家秘密", *["0"] * 6, "1"], ["", "2.", *["0"] * 6, "2"]]
    for i in range(3, 9):
        first.append(["", f"{i}.", *["0"] * 6, "0"])
    first.append(["(四)无法提供", "1.", *["0"] * 6, "3"])
    second: Grid = [["2.", *["0"] * 6, "4"], ["3.", *["0"] * 6, "5"]]  # next page, no header, no group label
    stats = by_row(map_report([first, second], "", 2020).stats)
    assert stats["denied.prohibited_by_law"].value == 2
    assert (stats["unavailable.needs_creation"].value, stats["unavailable.unclear"].value) == (4, 5)


def test_sub_rows_whose_labels_a_picture_lost_are_placed_by_order_under_their_group() -> None:
    # A picture's long labels ran over the rules: OCR read the first sub-row's label as nothing and the
    # others as noise; the merged （六）其他处理 beside all three (repeated in each row, as OCR grids hold a
    # merged cell) names the group, not the row.
    grid = _rows_2021(one_row=False)
    grid[-4] = ["(六)其他处理", "", "1", *["0"] * 5, "1"]
    grid[-3] = ["(六)其他处理", "隶改菜精行", "2", *["0"] * 5, "2"]
    grid[-2] = ["(六)其他处理", "其政府得息公开", "1", *["0"] * 5, "1"]
    rows = by_row(map_report([grid], "", 2022).stats)
    assert [rows[f"other.{s}"].value for s in ("no_correction", "no_fee", "other")] == [1, 2, 1]
    assert rows["other"].placed_by == "derived"


def test_a_group_printed_as_one_row_beside_an_empty_cell_stays_that_row() -> None:
    grid = _rows_2021(one_row=True)
    grid[-2] = ["(六)其他处理", "", *["0"] * 6, "4"]
    other = by_row(map_report([grid], "", 2022).stats)["other"]
    assert (other.value, other.raw) == (4, "4")
