"""Rates and rankings (archive/report/measures.py): defined once, blank when a figure is blank, never a
division by zero; the SQL the pages and Datasette run gives the numbers the Python (the release) gives."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import pytest

from archive.report import measures
from archive.store.corpus import Corpus
from govarchive.datasette_plugin import rates

APP = "applications"


def figures(**by_row: float | None) -> dict[measures.Code, float | None]:
    return {(APP, row.replace("__", "."), "total"): v for row, v in by_row.items()}


def test_shares_and_blanks() -> None:
    denied = {
        f"denied__{r.split('.')[1]}": 1.0 for r in measures.codes.APPLICATION_ROWS if r.startswith("denied.")
    }
    got = measures.compute(
        figures(granted=30, partial=10, processed_total=100, unavailable__not_held=5, **denied)
    )
    assert got["granted_share"] == 0.3 and got["granted_or_partial_share"] == 0.4
    assert got["refused_share"] == 0.08 and got["not_held_share"] == 0.05  # 8 refusal rows of 1
    # One refusal row blank: the sum is unknown, so is the share (never 0, never the other seven).
    denied["denied__state_secret"] = None  # type: ignore[assignment]
    got = measures.compute(figures(granted=30, processed_total=100, **denied))
    assert got["refused"] is None and got["refused_share"] is None and got["granted_share"] == 0.3
    # Nothing handled: a rate of 0/0 is blank, not 0 and not an error; a missing figure is blank.
    got = measures.compute(figures(granted=0, processed_total=0))
    assert got["granted_share"] is None and got["partial"] is None and got["granted_or_partial_share"] is None


def test_correction_rates_count_concluded_cases_only() -> None:
    f = {("appeals", "review", c): v for c, v in (("corrected", 2.0), ("total", 10.0), ("pending", 2.0))}
    assert measures.compute(f)["review_correction_rate"] == 0.25  # 2 of the 8 with a result
    f[("appeals", "review", "pending")] = 10.0
    assert measures.compute(f)["review_correction_rate"] is None  # none concluded
    lit = {("appeals", r, c): 1.0 for r in ("litigation_direct", "litigation_after_review")
           for c in ("corrected", "total", "pending")}  # fmt: skip
    lit[("appeals", "litigation_direct", "total")] = 5.0
    assert measures.compute(lit)["lawsuit_correction_rate"] == pytest.approx(2 / 4)


def test_requests_per_10k_residents_need_a_population() -> None:
    f = figures(new=120)
    assert measures.compute(f)["requests_per_10k_residents"] is None
    assert measures.compute(f, population=400_000)["requests_per_10k_residents"] == 3.0
    assert measures.nearest_population([(2010, 1.0), (2020, 2.0)], 2016) == 2.0
    assert measures.nearest_population([(2010, 1.0), (2020, 2.0)], 2015) == 2.0  # a tie: the later census
    assert measures.nearest_population([], 2016) is None


def test_deadlines_by_kind_of_body() -> None:
    assert measures.body_kind("示范县卫生健康局") == "department"
    assert measures.body_kind("示范县人民政府") == "government"
    assert measures.body_kind("某某镇人民政府") == measures.body_kind("某某街道办事处") == "township"
    assert measures.body_kind("示范县人民政府", known="department") == "department"  # the bodies table wins
    assert measures.deadline(2022, "示范县人民政府") == "2023-03-31"
    assert measures.deadline(2022, "示范县教育局") == "2023-01-31"
    assert measures.on_time("2023-01-31", 2022, "示范县教育局") == 1
    assert measures.on_time("2023-02-01", 2022, "示范县教育局") == 0
    assert measures.on_time("2023-02-01", 2022, "示范县人民政府") == 1
    assert measures.on_time(None, 2022, "示范县教育局") is None
    assert (
        measures.on_time("2023-01", 2022, "x局") is None
        and measures.on_time("2023-01-05", None, "x局") is None
    )


def test_every_rate_shows_its_formula() -> None:
    for r in measures.RATES:
        assert "÷" in r.formula("zh") and "÷" in r.formula("en"), r.name
    assert measures.RATE["review_correction_rate"].formula("en") == (
        "reviews_corrected ÷ (reviews − reviews_pending)"
    )
    assert "× 10,000" in measures.RATE["requests_per_10k_residents"].formula("zh")


def _corpus(path: Path, n: int) -> sqlite3.Connection:
    """n annual reports of one county in 2022 with random figures, some blank, some zero."""
    Corpus(path).conn.close()
    db = sqlite3.connect(path)
    rnd = random.Random(7)
    agencies = ["示范县人民政府", "示范县教育局", "某镇人民政府", "示范县财政局"]
    for i in range(1, n + 1):
        published = rnd.choice([None, "2023-01-20", "2023-02-15", "2023-03-31", "2023-04-01", "2023年"])
        db.execute(
            """INSERT INTO reports (id, site_id, agency, region, year, kind, title, template, published_at,
                 first_seen, last_seen) VALUES (?, 's' || ?, ?, ?, 2022, 'annual_report', 't', '2021', ?, 'x', 'x')""",
            (
                i,
                i,
                f"{i}{agencies[i % 4]}" if i % 5 else agencies[i % 4],
                "省/市/县" if i % 3 else "省/市",
                published,
            ),
        )
        for code in measures.FIGURE_CODES:
            if rnd.random() < 0.1:
                continue  # no cell
            value = None if rnd.random() < 0.1 else float(rnd.choice([0, 0, 1, 2, 5, 40]))
            db.execute("INSERT INTO report_stats (report_id, section, row, col, value) VALUES (?, ?, ?, ?, ?)",
                       (i, *code, value))  # fmt: skip
    db.execute("INSERT INTO populations VALUES ('省/市/县', 2020, 350000, '七普')")
    db.commit()
    return db


def test_the_pages_sql_gives_what_the_python_gives(tmp_path: Path) -> None:
    db = _corpus(tmp_path / "corpus.db", 80)
    rows = {r["report_id"]: r for r in rates.sql_region_rates(db, "省/市", 2022)}
    python = {r["report_id"]: r for r in rates.region_rates(db, "省/市", 2022)}
    assert python.keys() == rows.keys()
    assert (
        len(rows) == 80
        and rates.region_rates(db, "省/市/县", 2022)
        and not rates.region_rates(db, "省", 2021)
    )
    seen_blank = seen_value = 0
    for rid, row in rows.items():
        figs = {(s, r, c): v for s, r, c, v in db.execute(
            "SELECT section, row, col, value FROM report_stats WHERE report_id = ?", (rid,))}  # fmt: skip
        agency, region, published = db.execute(
            "SELECT agency, region, published_at FROM reports WHERE id = ?", (rid,)
        ).fetchone()
        want = measures.compute(figs, 350000.0 if region == "省/市/县" else None)
        for name, value in want.items():
            assert row[name] == pytest.approx(value), (rid, name)
            seen_blank += value is None
            seen_value += value is not None
        for name in (*want, "population", "deadline", "on_time", "body_kind"):
            assert python[rid][name] == pytest.approx(row[name]), (rid, name)
        assert row["deadline"] == measures.deadline(2022, agency)
        assert row["on_time"] == measures.on_time(published, 2022, agency), (rid, published, agency)
    assert seen_blank and seen_value
    ranked = rates.ranked(list(rows.values()), "granted_share")
    values = [r["granted_share"] for r in ranked if r["granted_share"] is not None]
    assert values == sorted(values, reverse=True) and ranked[0]["rank"] == 1
    assert all(r["rank"] is None for r in ranked[len(values) :])
    # Datasette's canned query is the same SQL, ranked by the chosen measure.
    cur = db.execute(rates.canned_sql(), {"region": "省/市", "year": "2022", "measure": "granted_share"})
    names = [d[0] for d in cur.description]
    canned = [dict(zip(names, r, strict=True)) for r in cur]
    assert len(canned) == 80 and [r["granted_share"] for r in canned][: len(values)] == pytest.approx(values)


def test_the_crosswalk_names_every_code_of_both_templates_once() -> None:
    from archive.report import crosswalk

    links = crosswalk.crosswalk()
    for tpl, side in (("2019", "y2019"), ("2021", "y2021")):
        named = [c for link in links for c in getattr(link, side)]
        assert sorted(named) == sorted(crosswalk.template_codes(tpl)), tpl  # each code once
    assert all(link.relation in crosswalk.RELATIONS for link in links)
    made = ("active", "art20_1.normative_docs", "made")
    assert crosswalk.relation_of(made) == "changed"
    assert crosswalk.counterpart(made, "2021") == ("active", "art20_1.normative_docs", "issued")
    assert crosswalk.counterpart(("active", "art20_1.normative_docs", "issued"), "2019") == made
    assert crosswalk.relation_of(("applications", "granted", "total")) == "same"
    assert crosswalk.relation_of(("applications", "other", "total")) == "split"
    assert crosswalk.relation_of(("applications", "other.no_fee", "total")) == "added"
    assert crosswalk.relation_of(("active", "art20_9.procurement", "projects")) == "dropped"
    assert crosswalk.counterpart(("active", "art20_9.procurement", "projects"), "2021") is None


def test_ranks_share_ties_and_skip_blanks() -> None:
    assert measures.ranks({1: 0.5, 2: 0.9, 3: None, 4: 0.5, 5: 0.1}) == {2: 1, 1: 2, 4: 2, 5: 4, 3: None}
    assert measures.ranks({1: 0.5, 2: 0.9}, ascending=True) == {1: 1, 2: 2}
