"""The researcher's pages' pure parts, without a server: file names and headers of downloads, the English
vocabulary, template order, search words and snippets, charts."""

from __future__ import annotations

import random
import re
import sqlite3
from pathlib import Path

from archive.report import codes
from archive.store.blobs import BlobStore
from govarchive.datasette_plugin import charts, download, search, tables, vocab

SHA = "ab" * 32


def test_only_a_64_hex_digest_maps_into_the_store(tmp_path: Path) -> None:
    assert download.is_digest(SHA)
    for bad in ["../" + SHA[3:], SHA.upper(), SHA[:63], SHA + "0", "g" * 64, "..", "", SHA[:62] + "/."]:
        assert not download.is_digest(bad) and not download.held(download.store(tmp_path), bad), bad
    # The server reads what the store writes.
    store = BlobStore(tmp_path / "blobs")
    sha, _ = store.put_bytes(b"%PDF-1.4 x")
    served = download.store(tmp_path)
    assert download.held(served, sha) and served.read(sha) == b"%PDF-1.4 x"
    assert not download.held(served, SHA)


def test_file_names_are_safe_and_keep_the_extension_of_the_bytes() -> None:
    name = download.file_name(
        SHA, "pdf", None, "http://x.gov.cn/a/P0202101.PDF?x=1", "中宁县卫生健康局", 2020
    )
    assert name == "中宁县卫生健康局_2020_P0202101.pdf"
    hostile = download.file_name(SHA, "docx", '../../etc/pa"ss\r\nwd;.exe', None, "局/科", None)
    assert "/" not in hostile and "\\" not in hostile and '"' not in hostile and "\n" not in hostile
    assert hostile.endswith(".docx") and not hostile.startswith(".")
    assert download.file_name(SHA, "unknown-kind", None, None, None, None) == SHA[:12] + ".bin"
    cd = download.content_disposition("中宁县卫生健康局_2020_报告.pdf", SHA)
    assert cd.startswith('attachment; filename="') and "filename*=UTF-8''%E4%B8%AD" in cd
    cd.encode("latin-1")  # a header value must be ASCII-safe
    ascii_part = cd.split('filename="', 1)[1].split('"', 1)[0]
    assert ascii_part.endswith(".pdf") and len(ascii_part) > 4


def test_media_types_come_from_the_sniffed_kind() -> None:
    assert download.media_type("pdf") == "application/pdf"
    assert download.media_type("docx").endswith("wordprocessingml.document")
    assert download.media_type(None) == download.media_type("zzz") == "application/octet-stream"
    assert download.headers("a.pdf", SHA)["x-content-type-options"] == "nosniff"


def test_every_code_has_an_english_label_and_a_place_in_the_template_order() -> None:
    for section, rows in (
        ("active", codes.ACTIVE_ROWS),
        ("applications", codes.APPLICATION_ROWS),
        ("appeals", codes.APPEAL_ROWS),
    ):
        assert set(vocab.ROW_EN[section]) == set(rows), section
    cols = {c.code for t in codes.ACTIVE_COLUMNS.values() for cs in t.values() for c in cs}
    assert set(vocab.COL_EN["active"]) == cols
    assert set(vocab.COL_EN["applications"]) == {c.code for c in codes.APPLICATION_COLUMNS}
    assert set(vocab.COL_EN["appeals"]) == {c.code for c in codes.APPEAL_COLUMNS}
    order = vocab.code_order("2019")
    rows = [r for s, r, c in order if s == "applications" and c == "total"]
    assert rows == codes.APPLICATION_ROWS_BY_TEMPLATE["2019"]  # 三（一） … 四, not alphabetical
    assert [s for s, _, _ in order] == sorted(
        (s for s, _, _ in order), key=["active", "applications", "appeals"].index
    )
    assert len(vocab.code_order("2021")) == len(set(vocab.code_order("2021")))


def _stat(
    section: str, row: str, col: str, value: float | None, placed_by: str = "label"
) -> dict[str, object]:
    return {
        "section": section,
        "row": row,
        "col": col,
        "value": value,
        "raw": None,
        "placed_by": placed_by,
        "ocr": 0,
    }


def test_layout_puts_each_figure_in_its_cell_and_keeps_blanks_blank() -> None:
    stats = [
        _stat("applications", "new", "total", 5),
        _stat("applications", "other", "total", 2, "derived"),
        _stat("applications", "new", "research", None),
        _stat("appeals", "review", "pending", 1),
    ]
    sections, left = tables.layout("2021", stats)
    assert [s.number for s in sections] == ["二", "三", "四"] and left == []
    apps = sections[1].tables[0]
    cols = [c[0] for c in apps.columns]
    line = {ln.code: ln for ln in apps.lines}
    assert line["new"].cells[cols.index("total")].text == "5"
    assert (
        line["new"].cells[cols.index("research")].text == ""
        and line["new"].cells[cols.index("research")].found
    )
    assert line["other"].cells[cols.index("total")].derived
    assert [ln.code for ln in apps.lines] == codes.APPLICATION_ROWS_BY_TEMPLATE["2021"]


def test_year_over_year_changes_and_rules() -> None:
    before = [_stat("applications", "new", "total", 5), _stat("appeals", "review", "total", 1)]
    after = [_stat("applications", "new", "total", 8), _stat("appeals", "review", "total", 1)]
    [change] = tables.changes("2019", before, after)
    assert change.key == ("applications", "new", "total") and change.delta == 3 and change.percent == "+60%"
    moved = tables.check_changes(
        [{"rule": "balance", "status": "ok"}, {"rule": "row_total", "status": "failed"}],
        [{"rule": "balance", "status": "failed"}, {"rule": "row_total", "status": "ok"}],
    )
    assert [(m["rule"], m["what"].split()[0]) for m in moved] == [
        ("balance", "began"),
        ("row_total", "stopped"),
    ]


def test_search_matches_short_words_by_scanning_and_long_ones_by_trigram() -> None:
    db = sqlite3.connect(":memory:")
    db.executescript(
        """CREATE TABLE reports (id INTEGER PRIMARY KEY, agency TEXT, region TEXT, year INT, kind TEXT,
             title TEXT, text TEXT);
           CREATE VIRTUAL TABLE reports_fts USING fts5(title, text, content='reports', content_rowid='id',
             tokenize='trigram');"""
    )
    rows = [
        (1, "甲局", "省/市", 2020, "annual_report", "甲局报告", "本年收到行政复议1件，依申请公开2件。"),
        (2, "乙局", "省/县", 2021, "annual_report", "乙局报告", "未发生行政诉讼。<script>"),
    ]
    db.executemany("INSERT INTO reports VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    db.execute("INSERT INTO reports_fts(reports_fts) VALUES ('rebuild')")
    assert (
        db.execute("SELECT count(*) FROM reports_fts WHERE reports_fts MATCH '\"复议\"'").fetchone()[0] == 0
    )
    total, found, how = search.query(db, search.Filters(q="复议"))
    assert total == 1 and found[0]["id"] == 1 and "<mark>复议</mark>" in found[0]["snippet"] and "scan" in how
    total, found, how = search.query(db, search.Filters(q="依申请公开 复议"))
    assert total == 1 and "trigram" in how and "scan" in how
    total, found, _ = search.query(db, search.Filters(q="局", region="省/县"))
    assert [r["id"] for r in found] == [2] and "&lt;script&gt;" in found[0]["snippet"]  # escaped
    _, found, _ = search.query(db, search.Filters(q="诉讼"))
    assert "<script>" not in str(found[0]["snippet"])
    assert search.query(db, search.Filters(q="局", year=2020))[0] == 1


def test_a_snippet_squeezes_only_the_start_it_shows() -> None:
    """search.squeezed_head: the squeezed text's start, reaching a window and a character past every word's
    first occurrence (or all of it), so the snippet is the one of the whole squeezed text."""
    rng = random.Random(7)
    pieces = [*"复议诉讼申请公开年度报告", " ", "\n", "\u3000", "  \n\t  ", " " * 150]
    for _ in range(2000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 300)))
        ws = rng.sample(["复议", "诉讼", "公开年", "县", "不存在"], rng.randint(1, 3))
        whole, head = re.sub(r"\s+", " ", text), search.squeezed_head(text, ws)
        assert whole.startswith(head), (text, ws)
        ends = [whole.find(w) + len(w) + 40 for w in ws if w in whole]
        assert head == whole or len(head) > max([*ends, 80]), (text, ws)


def test_charts_are_svg_with_every_point_and_no_zero_for_a_blank() -> None:
    svg = charts.line_chart([2019, 2020, 2021], {"新收 <new>": [3, None, 7]}, "标题")
    assert svg.startswith("<svg") and svg.count("<circle") == 2 and "&lt;new&gt;" in svg
    bars = charts.bar_chart([("甲", 4), ("乙", None)], "t")
    assert bars.count('fill="#1f77b4"') == 1 and "空 blank" in bars


def test_a_corrected_copy_supersedes_and_the_report_page_says_which(tmp_path: Path) -> None:
    from archive.model import ParseResult, Stat
    from archive.store.corpus import Corpus
    from archive.store.reports import SourceRef
    from govarchive.datasette_plugin import data

    corpus = Corpus(tmp_path / "corpus.db")

    def copy(sha: str, title: str, value: float | None, revision: int) -> int | None:
        result = ParseResult(
            title=title, agency="某县人民政府", year=2022, kind="annual_report", template="2021",
            published_at=None, text=title, tables=[], stats=[Stat("applications", "new", "total", value, str(value))],
            checks=[], media_type="pdf", revision=revision,
        )  # fmt: skip
        ref = SourceRef(sha, f"http://g.cn/{sha[:4]}.pdf", "s", None, None, "2026-01-01T00:00:00+00:00")
        return corpus.record_report(result, ref)

    # The corrected version arrives first, then the original with more figures: the correction still wins.
    rid = copy("c" * 64, "某县2022年政府信息公开工作年度报告（更正版）", 7, 1)
    assert copy("a" * 64, "某县2022年政府信息公开工作年度报告", 5, 0) == rid
    assert corpus.conn.execute("SELECT sha256 FROM reports WHERE id = ?", (rid,)).fetchone()[0] == "c" * 64
    rows = {
        r["sha256"]: (r["revision"], r["superseded"]) for r in data.sources(sqlite3.connect(corpus.path), rid)
    }
    assert rows == {"c" * 64: (1, 0), "a" * 64: (0, 1)}
    # A later correction that could not be read (a scan OCR made nothing of) never wipes the figures.
    copy("d" * 64, "某县2022年政府信息公开工作年度报告（修订）", None, 1)
    assert corpus.conn.execute("SELECT sha256 FROM reports WHERE id = ?", (rid,)).fetchone()[0] == "c" * 64


def test_every_word_the_templates_ask_for_is_in_both_languages() -> None:
    import re

    from govarchive.datasette_plugin import i18n

    used: set[str] = set()
    for template in (Path(vocab.__file__).parent / "templates").glob("*.html"):
        used |= set(re.findall(r"\bt\('([a-z_.]+)'", template.read_text(encoding="utf-8")))
    assert used and used <= set(i18n.STRINGS), sorted(used - set(i18n.STRINGS))
    for key, (zh, en) in i18n.STRINGS.items():
        assert zh and en and zh != en, key
        assert sorted(re.findall(r"\{(\w+)\}", zh)) == sorted(re.findall(r"\{(\w+)\}", en)), key
    t_en, t_zh = i18n.translator("en"), i18n.translator("zh")
    assert t_en("nav.search") == "Search" and t_zh("nav.search") == "检索"
    assert t_en("page_of", a=1, b=50, n="1,000") == "1–50 of 1,000"


def test_a_json_export_stays_valid_when_a_batch_holds_no_rows() -> None:
    """200 reports without the figure between two with it: the array has no empty element."""
    import asyncio
    import json

    from govarchive.datasette_plugin.export import stream

    batches: dict[int, tuple[int | None, list[list[object]]]] = {
        0: (1, [[1, "a"]]),
        1: (2, []),
        2: (3, [[3, "c"]]),
        3: (None, []),
    }
    out: list[str] = []

    async def write(text: str) -> None:
        out.append(text)

    async def batch(after: int) -> tuple[int | None, list[list[object]]]:
        return batches[after]

    n = asyncio.run(stream(write, "json", ["id", "v"], batch))
    assert n == 2 and json.loads("".join(out)) == [{"id": 1, "v": "a"}, {"id": 3, "v": "c"}]
