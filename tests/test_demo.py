"""`govarchive demo --no-serve`: the bundled portals crawled into a corpus holding the seed reports."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from archive.store.blobs import BlobReader

SEED_REPORTS = {
    ("中宁县卫生健康局", 2020, "annual_report", "2019"),
    ("莱州市卫生健康局", 2020, "annual_report", "2019"),
    ("宜春市卫生健康委", 2020, "annual_report", "2019"),
    ("利通区卫生健康局", 2023, "annual_report", "2021"),
}


def connect(data: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(data / "corpus.db")
    conn.row_factory = sqlite3.Row
    return conn


def test_demo_corpus_holds_every_seed_report(demo_data: Path) -> None:
    db = connect(demo_data)
    rows = db.execute("SELECT agency, year, kind, template FROM reports").fetchall()
    found = {tuple(r) for r in rows}
    assert found >= SEED_REPORTS
    summaries = [r for r in rows if r["kind"] == "work_summary"]
    assert [(r["year"], r["template"]) for r in summaries] == [(2018, None)]
    assert len(rows) == 5  # no look-alike (the 编制发布工作的通知, 工作要点, 预算公开 pages) became a report


def test_every_table_report_has_figures_and_all_four_checks(demo_data: Path) -> None:
    db = connect(demo_data)
    for r in db.execute("SELECT id, agency FROM reports WHERE kind = 'annual_report'"):
        known = db.execute(
            "SELECT count(*) FROM report_stats WHERE report_id = ? AND value IS NOT NULL", (r["id"],)
        ).fetchone()[0]
        assert known >= 40, r["agency"]
        rules = {c[0] for c in db.execute("SELECT rule FROM report_checks WHERE report_id = ?", (r["id"],))}
        assert rules == {"balance", "outcomes_sum", "row_total", "appeals_total"}, r["agency"]


def test_figures_of_seed_000_match_its_truth(demo_data: Path) -> None:
    truth = json.loads(
        (Path(__file__).parent / "eval" / "truth" / "seed_000.json").read_text(encoding="utf-8")
    )
    db = connect(demo_data)
    rid = db.execute("SELECT id FROM reports WHERE agency = '中宁县卫生健康局' AND year = 2020").fetchone()[0]
    got = {
        (s["section"], s["row"], s["col"]): s["value"]
        for s in db.execute("SELECT section, row, col, value FROM report_stats WHERE report_id = ?", (rid,))
    }
    wrong = [
        (t["section"], t["row"], t["col"], t["value"], got.get((t["section"], t["row"], t["col"])))
        for t in truth["stats"]
        if got.get((t["section"], t["row"], t["col"])) != t["value"]
    ]
    assert wrong == []


def test_copies_are_sources_of_one_report_and_blobs_exist(demo_data: Path) -> None:
    db = connect(demo_data)
    rid = db.execute("SELECT id FROM reports WHERE agency = '中宁县卫生健康局'").fetchone()[0]
    formats = {r[0] for r in db.execute("SELECT format FROM report_sources WHERE report_id = ?", (rid,))}
    assert {"pdf", "docx", "html"} <= formats
    blobs = BlobReader(demo_data / "blobs")
    for (sha,) in db.execute("SELECT sha256 FROM documents"):
        assert blobs.has(sha)


def test_metadata_comes_from_the_page(demo_data: Path) -> None:
    db = connect(demo_data)
    published = db.execute(
        "SELECT published_at FROM reports WHERE agency = '宜春市卫生健康委' AND year = 2020"
    ).fetchone()[0]
    assert published == "2021-02-26"


def test_full_text_search_finds_reports(demo_data: Path) -> None:
    db = connect(demo_data)
    hits = db.execute(
        "SELECT count(*) FROM reports_fts WHERE reports_fts MATCH ?", ('"依申请公开"',)
    ).fetchone()[0]
    assert hits >= 3


def test_summary_is_printed(demo_data: Path) -> None:
    out = (demo_data / "demo-stdout.txt").read_text(encoding="utf-8")
    assert "crawl summary:" in out
    assert "中宁县卫生健康局 2020 annual_report" in out
    assert "missing" in out  # the monitor part: 示范县财政局 publishes nothing


def test_console_is_for_people(demo_data: Path) -> None:
    """The console shows the progress line and warnings once each; Scrapy's start-up dumps stay in -v."""
    err = (demo_data / "demo-stderr.txt").read_text(encoding="utf-8")
    assert "Overridden settings" not in err and "Enabled extensions" not in err
    assert "Crawled " not in err  # Scrapy's LogStats counts items, not reports: ours replaces it
    messages = [line.split(" ", 3)[-1] for line in err.splitlines() if line.strip()]
    assert len(messages) == len(set(messages))  # each record once
