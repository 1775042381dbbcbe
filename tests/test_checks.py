"""run_checks: four rules, one verdict each; blank is unknown, never zero; failures name both sides."""

from __future__ import annotations

from archive.model import Stat
from archive.report import codes
from archive.report.checks import run_checks


def apps(template: str = "2019", fill: float | None = 0.0, **cells: float | None) -> list[Stat]:
    """A full applications table of `template`, every cell `fill`, overridden by row__col=value."""
    out = []
    for row in codes.APPLICATION_ROWS_BY_TEMPLATE[template]:
        if template == "2021" and row == "other":
            continue
        for col in codes.APPLICATION_COLUMNS:
            v = cells.get(f"{row.replace('.', '_')}__{col.code}", fill)
            out.append(Stat("applications", row, col.code, v, "" if v is None else str(v)))
    return out


def appeals(**cells: float | None) -> list[Stat]:
    return [
        Stat("appeals", r, c.code, cells.get(f"{r}__{c.code}", 0.0), "0")
        for r in codes.APPEAL_ROWS
        for c in codes.APPEAL_COLUMNS
    ]


def verdicts(stats: list[Stat], template: str = "2019") -> dict[str, tuple[str, str]]:
    checks = run_checks(stats, template)
    assert [c.rule for c in checks] == ["balance", "outcomes_sum", "row_total", "appeals_total"]
    return {c.rule: (c.status, c.detail) for c in checks}


def test_all_zero_report_is_ok() -> None:
    v = verdicts(apps() + appeals())
    assert {s for s, _ in v.values()} == {"ok"}


def test_balance_failure_names_column_and_both_sides() -> None:
    v = verdicts(
        apps(
            new__total=3,
            processed_total__total=2,
            granted__total=2,
            new__natural_person=3,
            processed_total__natural_person=2,
            granted__natural_person=2,
        )
        + appeals()
    )
    status, detail = v["balance"]
    assert status == "failed"
    assert "total: new(3)+carried_over(0)=3 != processed_total(2)+carried_forward(0)=2" in detail
    assert "natural_person" in detail


def test_outcomes_sum_and_row_total_failures() -> None:
    v = verdicts(apps(granted__total=1) + appeals())
    assert v["outcomes_sum"][0] == "failed"
    assert "total:" in v["outcomes_sum"][1]
    assert v["row_total"][0] == "failed"
    assert "granted:" in v["row_total"][1]
    assert v["balance"][0] == "ok"


def test_appeals_total_failure() -> None:
    v = verdicts(apps() + appeals(review__upheld=1))
    assert v["appeals_total"] == (
        "failed",
        "review: upheld(1)+corrected(0)+other(0)+pending(0)=1 != total(0)",
    )


def test_blank_is_unknown_not_zero() -> None:
    # Only 总计 filled (seed 001): balance holds on 总计 → ok; row_total touches blanks everywhere → unknown.
    stats = [s for s in apps() if s.col == "total"] + [
        Stat("applications", s.row, s.col, None, "") for s in apps() if s.col != "total"
    ]
    v = verdicts(stats + appeals())
    assert v["balance"][0] == "ok"
    assert "unknown" in v["balance"][1]
    assert v["row_total"][0] == "unknown"
    assert "blank natural_person" in v["row_total"][1]


def test_blank_that_would_hide_a_failure_is_not_zero() -> None:
    # total 5 but a blank applicant cell: treating blank as 0 would call it failed; it is unknown.
    v = verdicts(
        apps(
            new__total=5,
            processed_total__total=5,
            granted__total=5,
            new__natural_person=None,
            new__commercial=5,
            processed_total__commercial=5,
            granted__commercial=5,
        )
        + appeals()
    )
    assert v["row_total"][0] == "ok"  # other rows check; `new` is unknown
    stats = [s for s in apps(new__natural_person=None, new__total=1) if s.row == "new"]
    assert verdicts(stats)["row_total"][0] == "unknown"


def test_failure_anywhere_wins_over_unknown() -> None:
    v = verdicts(apps(new__natural_person=None, carried_over__total=1) + appeals())
    assert v["balance"][0] == "failed"


def test_2021_other_is_the_sum_of_its_subrows() -> None:
    stats = apps(
        "2021",
        other_no_fee__total=2,
        processed_total__total=2,
        new__total=2,
        other_no_fee__natural_person=2,
        processed_total__natural_person=2,
        new__natural_person=2,
    )
    v = verdicts(stats + appeals(), "2021")
    assert v["outcomes_sum"][0] == "ok"
    assert v["balance"][0] == "ok"
    broken = apps("2021", other_other__total=1)
    assert verdicts(broken + appeals(), "2021")["outcomes_sum"][0] == "failed"


def test_no_template_no_checks_and_no_figures_unknown() -> None:
    assert run_checks([], None) == []
    v = verdicts([])
    assert {s for s, _ in v.values()} == {"unknown"}
