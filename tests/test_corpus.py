"""The corpus schema (interface.md), its migrations, FTS and bad databases."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from archive.errors import CorpusError
from archive.model import Check, ReportMeta, Stat
from archive.report import codes
from archive.store.corpus import Capture, Corpus
from archive.store.migrations import MIGRATIONS, migrate

# The columns interface.md promises ("at least").
INTERFACE_COLUMNS = {
    "sites": {"id", "name", "region", "start_urls"},
    "captures": {
        "url",
        "fetched_at",
        "status",
        "content_type",
        "sha256",
        "etag",
        "last_modified",
        "site_id",
        "referer",
    },
    "documents": {
        "sha256",
        "size",
        "media_type",
        "filename",
        "first_url",
        "first_seen",
        "text",
        "pages",
        "extractor",
        "ocr",
        "error",
    },
    "reports": {
        "id",
        "site_id",
        "agency",
        "region",
        "year",
        "kind",
        "title",
        "template",
        "published_at",
        "page_url",
        "sha256",
        "text",
        "first_seen",
        "last_seen",
        "removed_at",
    },
    "report_sources": {"report_id", "sha256", "url", "format"},
    "report_stats": {"report_id", "section", "row", "col", "value", "raw", "row_label", "col_label"},
    "report_checks": {"report_id", "rule", "status", "detail"},
    "expected_reports": {"site_id", "agency", "year", "status", "report_id", "published_at"},
}


def columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return {r[1] for r in conn.execute(f"PRAGMA table_info([{table}])")}


def test_fresh_database_matches_the_interface(tmp_path: Path) -> None:
    corpus = Corpus(tmp_path / "corpus.db")
    for table, wanted in INTERFACE_COLUMNS.items():
        assert wanted <= columns(corpus.conn, table), table
    assert corpus.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    names = [r[0] for r in corpus.conn.execute("SELECT name FROM _migrations ORDER BY name")]
    assert names == sorted(name for name, _ in MIGRATIONS)


def test_migrations_apply_once_and_resume(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "c.db", isolation_level=None)
    assert migrate(conn, MIGRATIONS[:1]) == [MIGRATIONS[0][0]]
    assert migrate(conn) == [name for name, _ in MIGRATIONS[1:]]
    assert migrate(conn) == []


def test_failing_step_leaves_no_trace(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "c.db", isolation_level=None)
    broken = [("900_broken", "CREATE TABLE half (x INTEGER); INSERT INTO nowhere VALUES (1);")]
    with pytest.raises(sqlite3.OperationalError):
        migrate(conn, broken)
    assert conn.execute("SELECT name FROM sqlite_master WHERE name='half'").fetchone() is None
    assert conn.execute("SELECT count(*) FROM _migrations").fetchone()[0] == 0


def _report(corpus: Corpus, agency: str, year: int, text: str) -> int:
    rid = corpus.upsert_report(
        "s",
        ReportMeta(
            title=f"{agency}{year}年政府信息公开工作年度报告",
            agency=agency,
            year=year,
            kind="annual_report",
            template="2019",
        ),
        None,
        None,
        "2021-01-01T00:00:00+00:00",
    )
    corpus.set_report_content(
        rid,
        "ab" * 32,
        text,
        "2019",
        [Stat("applications", "new", "total", 3.0, "3", "一、本年新收政府信息公开申请数量", "总计")],
        [Check("balance", "ok", "")],
    )
    return rid


def test_trigram_search_finds_chinese_substrings(tmp_path: Path) -> None:
    corpus = Corpus(tmp_path / "corpus.db")
    rid = _report(corpus, "中宁县卫生健康局", 2020, "（二）依申请公开情况 2020年，未收到政府信息公开申请。")
    _report(corpus, "中宁县财政局", 2020, "主动公开政府信息123条。")
    hits = [
        r[0]
        for r in corpus.conn.execute(
            "SELECT rowid FROM reports_fts WHERE reports_fts MATCH ?", ('"依申请公开"',)
        )
    ]
    assert hits == [rid]
    # Updates keep the index in step.
    corpus.conn.execute("UPDATE reports SET text = '无' WHERE id = ?", (rid,))
    assert (
        corpus.conn.execute(
            "SELECT count(*) FROM reports_fts WHERE reports_fts MATCH ?", ('"依申请公开"',)
        ).fetchone()[0]
        == 0
    )


def test_one_report_per_body_year_kind(tmp_path: Path) -> None:
    corpus = Corpus(tmp_path / "corpus.db")
    a = _report(corpus, "中宁县卫生健康局", 2020, "x")
    b = _report(corpus, "中宁县卫生健康局", 2020, "y")
    assert a == b
    assert corpus.count("reports") == 1
    assert corpus.count("report_stats") == 1


def test_captures_and_documents(tmp_path: Path) -> None:
    corpus = Corpus(tmp_path / "corpus.db")
    assert corpus.ensure_document("cd" * 32, 10, "pdf", "a.pdf", "http://x/a.pdf", "2024-01-01") is True
    assert corpus.ensure_document("cd" * 32, 10, "pdf", "b.pdf", "http://x/b.pdf", "2024-01-02") is False
    corpus.add_capture(
        Capture(url="http://x/a.pdf", status=200, fetched_at="2024-01-01", sha256="cd" * 32, etag='"e1"')
    )
    row = corpus.latest_capture_held("http://x/a.pdf")
    assert row is not None and row["etag"] == '"e1"'
    assert corpus.document("cd" * 32)["first_url"] == "http://x/a.pdf"


def test_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "corpus.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(CorpusError, match="cannot open the corpus"):
        Corpus(path)
    assert path.read_bytes() == b"this is not sqlite" * 100  # never silently rebuilt


def test_codes_table_carries_chinese_labels(tmp_path: Path) -> None:
    corpus = Corpus(tmp_path / "corpus.db")
    label = corpus.conn.execute(
        "SELECT label FROM codes WHERE section='applications' AND kind='row' AND code='denied.state_secret'"
    ).fetchone()[0]
    assert "属于国家秘密" in label


def _vocabulary() -> set[tuple[str, str, str]]:
    rows = {(sec, "section", sec) for sec in codes.SECTIONS}
    rows |= {("active", "row", row) for row in codes.ACTIVE_ROWS}
    for tpl in codes.TEMPLATES:
        for row in codes.ACTIVE_ROWS_BY_TEMPLATE[tpl]:
            rows |= {("active", "col", c.code) for c in codes.active_columns(tpl, row)}
    rows |= {("applications", "row", row) for row in codes.APPLICATION_ROWS}
    rows |= {("applications", "col", c.code) for c in codes.APPLICATION_COLUMNS}
    rows |= {("appeals", "row", row) for row in codes.APPEAL_ROWS}
    rows |= {("appeals", "col", c.code) for c in codes.APPEAL_COLUMNS}
    return rows


def test_codes_table_is_seeded_once_with_the_whole_vocabulary(tmp_path: Path) -> None:
    """The codes table comes from a migration: a code added to archive/report/codes.py needs a new step."""
    corpus = Corpus(tmp_path / "corpus.db")
    table = {tuple(r) for r in corpus.conn.execute("SELECT section, kind, code FROM codes")}
    assert table == _vocabulary()
    corpus.close()
    again = Corpus(tmp_path / "corpus.db")  # opening again refills nothing
    assert again.count("codes") == len(table)


def test_step_007_fills_the_source_url_of_existing_reports(tmp_path: Path) -> None:
    """A corpus made before step 007 gets the URL of each report's best copy, so the best-copy choice
    has something to compare with."""
    conn = sqlite3.connect(tmp_path / "corpus.db", isolation_level=None)
    migrate(conn, [step for step in MIGRATIONS if step[0] < "007"])
    conn.execute(
        "INSERT INTO reports(id, agency, year, kind, sha256, first_seen, last_seen) "
        "VALUES (1, '某局', 2022, 'annual_report', 'aa', '2023', '2023')"
    )
    conn.executemany(
        "INSERT INTO report_sources(report_id, sha256, url, format) VALUES (1, ?, ?, 'docx')",
        [("aa", "http://h/b.docx"), ("aa", "http://h/a.docx"), ("bb", "http://h/0.pdf")],
    )
    conn.close()
    corpus = Corpus(tmp_path / "corpus.db")
    assert (
        corpus.conn.execute("SELECT source_url FROM reports WHERE id = 1").fetchone()[0] == "http://h/a.docx"
    )
    corpus.close()
