"""The researcher's pages at their edges, on a real `govarchive serve` of the demo's corpus with a report
ingested from a local file: a bad parameter is a 400 naming it, error pages carry the site's navigation in
Chinese and English, codes show as labels, a report without figures says why, an ingested report shows no
local path, and Datasette's own table search finds 2-character words."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import shutil
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import docx
import pytest

from tests.conftest import REPO, free_port, run_cli, stop_serve

NO_TABLE_TITLE = "示范县审计局2022年政府信息公开工作年度报告"


@dataclass
class Site:
    url: str
    data: Path
    ingested: int  # a report ingested from a local DOCX that holds no table


def _docx_without_table(path: Path) -> Path:
    d = docx.Document()
    d.add_heading(NO_TABLE_TITLE, 0)
    d.add_paragraph("一、总体情况。本年度未收到政府信息公开申请，也没有行政复议。")
    d.save(str(path))
    return path


@pytest.fixture(scope="module")
def site(demo_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    work = tmp_path_factory.mktemp("pages-edges")
    data = work / "data"
    shutil.copytree(demo_data, data)
    (work / "in").mkdir()
    proc = run_cli("ingest", "--data", str(data), str(_docx_without_table(work / "in" / "audit.docx")))
    assert proc.returncode == 0, proc.stderr[-2000:]
    with sqlite3.connect(data / "corpus.db") as db:
        ingested = db.execute("SELECT id FROM reports WHERE title = ?", (NO_TABLE_TITLE,)).fetchone()[0]
    with serving(data) as url:
        yield Site(url, data, ingested)


@contextlib.contextmanager
def serving(data: Path) -> Iterator[str]:
    """`govarchive serve` on a free port, its console to a file: Datasette prints a traceback for each of its
    own 404s, which would fill a pipe nobody reads and stall the server."""
    port = free_port()
    log = data.parent / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "govarchive", "serve", "--data", str(data), "--port", str(port)],
            cwd=REPO,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url + "/-/versions.json", timeout=2):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"datasette did not start: {log.read_text()[-2000:]}") from None
                time.sleep(0.3)
        yield url
    finally:
        stop_serve(proc)


def q(text: str) -> str:
    return urllib.parse.quote(text)


def fetch(url: str) -> tuple[int, str, str]:
    """(status, content type, body) of a GET, errors included."""
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status, r.headers.get("content-type", ""), r.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("content-type", ""), e.read().decode("utf-8")


def db(site: Site) -> sqlite3.Connection:
    conn = sqlite3.connect(site.data / "corpus.db")
    conn.row_factory = sqlite3.Row
    return conn


def report_of(site: Site, agency_like: str, kind: str = "annual_report") -> sqlite3.Row:
    with db(site) as conn:
        row = conn.execute(
            "SELECT * FROM reports WHERE agency LIKE ? AND kind = ? ORDER BY id LIMIT 1", (agency_like, kind)
        ).fetchone()
    assert row is not None, agency_like
    return row


NAV = {
    "zh": (">研究者页面<", ">报告<", ">检索<", ">比较<", ">数据说明<", 'id="lang-switch"', ">English<"),
    "en": (">Researcher&#39;s pages<", ">Reports<", ">Search<", ">Compare<", ">Schema<", ">中文<"),
}


def assert_site_page(html: str, lang: str = "zh") -> None:
    """The site's navigation in the page's language, with the switch to the other."""
    assert 'class="ga-nav"' in html, html[:2000]
    for words in NAV[lang]:
        assert words in html, words


def test_a_bad_parameter_is_a_400_page_naming_it(site: Site) -> None:
    mine = report_of(site, "中宁县%")["id"]
    cases = {
        "/compare/figure?code=foo": ("code=&#39;foo&#39;", "section|row|col"),
        "/compare/figure?code=" + q("bad|bad|bad"): ("code=", "no figure of either template"),
        "/compare/figure?section=appeals&row=nope": ("row=&#39;nope&#39;", "no row of that name"),
        "/compare/figure?offset=x": ("offset=&#39;x&#39;", "not a row offset"),
        "/compare/figure?offset=-5": ("offset=&#39;-5&#39;", "not a row offset"),
        "/compare/figure?offset=100000": ("offset=&#39;100000&#39;", "past the last page"),
        "/compare/figure?year=20x": ("year=&#39;20x&#39;", "not a year"),
        "/compare/region?year=abc": ("year=&#39;abc&#39;", "not a year"),
        "/search?q=" + q("复议") + "&year=20x": ("year=&#39;20x&#39;", "not a year"),
        "/search?q=" + q("复议") + "&offset=-1": ("offset=&#39;-1&#39;", "not a row offset"),
        "/compare/changes": ("parameter id:", "required"),
        "/compare/changes?id=abc": ("id=&#39;abc&#39;", "not a report id"),
        f"/compare/changes?id={mine}&base=zz": ("base=&#39;zz&#39;", "not a report id"),
        f"/compare/changes?id={mine}&base={mine}": ("base=", "the report itself"),
        f"/compare/changes?id={mine}&base=99999999": ("base=", "no report has this id"),
    }
    for path, says in cases.items():
        status, ctype, html = fetch(site.url + path)
        assert status == 400 and ctype.startswith("text/html"), (path, status, html[:500])
        assert_site_page(html)
        assert "请求参数有误" in html and "参数" in html
        for words in says:
            assert words in html, (path, words)
    status, _, html = fetch(site.url + "/compare/region?lang=en&year=abc")
    assert status == 400 and "Bad request" in html and "not a year" in html
    assert_site_page(html, "en")
    for path, says in {
        "/reports?rule=nosuch": "must be one of balance",
        "/reports?sort=x": "must be one of year_desc",
        "/reports?offset=-1": "not a row offset",
        "/compare/rates?measure=x": "must be one of granted_share",
        "/compare/rates?region=" + q("无此地"): "no report is of this region",
    }.items():
        status, _, html = fetch(site.url + path)
        assert status == 400 and says in html, (path, status)
    # Exports answer in their own format.
    status, ctype, text = fetch(site.url + "/export/figures.csv?year=abc")
    assert status == 400 and ctype.startswith("text/plain") and "year='abc'" in text and "not a year" in text
    status, _, text = fetch(site.url + "/export/figures.json?report_id=x")
    assert status == 400 and "report_id='x'" in json.loads(text)["error"]
    for path in ("/export/reports.csv?kind=annual", "/export/figures.csv?section=nope"):
        status, _, text = fetch(site.url + path)
        assert status == 400 and "parameter" in text, (path, status, text[:300])
    # Good values still work.
    assert fetch(site.url + "/export/figures.csv?year=2020&kind=annual_report&section=applications")[0] == 200
    assert fetch(site.url + "/compare/region?year=&code=" + q("applications|new|total"))[0] == 200


def test_comparing_two_bodies_under_one_heading_is_refused(site: Site) -> None:
    mine = report_of(site, "中宁县%")
    other = report_of(site, "莱州市%")
    status, _, html = fetch(f"{site.url}/compare/changes?id={mine['id']}&base={other['id']}")
    assert status == 400, html[:500]
    assert_site_page(html)
    assert "another body" in html and other["agency"] in html and mine["agency"] in html
    assert "/compare/figure" in html  # where bodies are compared
    # The form offers only the same body's reports; those still compare.
    status, _, html = fetch(f"{site.url}/compare/changes?id={mine['id']}")
    assert status == 200


def test_not_found_pages_carry_the_navigation_in_chinese_and_english(site: Site) -> None:
    for path in ("/no-such-page", "/report/99999999", "/corpus/no_such_table", "/blob/" + "0" * 64):
        status, ctype, html = fetch(site.url + path)
        assert status == 404 and ctype.startswith("text/html"), (path, status)
        assert_site_page(html)
        assert "未找到" in html and "/research" in html and "/search" in html, path
        status, _, html = fetch(site.url + path + "?lang=en")
        assert status == 404 and "Not found" in html and "未找到" not in html, path
        assert_site_page(html, "en")
    _, _, html = fetch(site.url + "/no-such-page")
    assert "此地址没有页面" in html and "there is no page at this address" in html
    status, ctype, body = fetch(site.url + "/report/99999999.json")  # JSON stays JSON
    assert status == 404 and json.loads(body)["status"] == 404


def test_codes_show_as_labels_in_filters_and_lists(site: Site) -> None:
    _, _, html = fetch(site.url + "/search?q=" + q("复议"))
    assert '<option value="annual_report">年度报告</option>' in html
    assert '<option value="work_summary">工作总结</option>' in html
    assert "· annual_report ·" not in html and "· 年度报告 ·" in html
    _, _, html = fetch(site.url + "/search?lang=en&q=" + q("复议"))
    assert '<option value="annual_report">annual report</option>' in html and "· annual report ·" in html
    summary = report_of(site, "%", kind="work_summary")
    _, _, html = fetch(site.url + "/compare/body?agency=" + q(summary["agency"]))
    assert "<td>工作总结</td>" in html and ">work_summary<" not in html
    for path in ("/reports", "/reports?lang=en"):
        _, _, html = fetch(site.url + path)
        assert (
            ">annual_report<" not in html and ">work_summary<" not in html and 'value="annual_report"' in html
        )
    _, _, html = fetch(site.url + "/corpus/reports")
    assert "年度报告 annual report" in html  # the reports table's kind column


def test_a_report_without_figures_says_why(site: Site) -> None:
    summary = report_of(site, "%", kind="work_summary")
    _, _, html = fetch(f"{site.url}/report/{summary['id']}")
    assert "没有读出统计表" in html and "这不是年度报告" in html and "No table was read" not in html
    _, _, html = fetch(f"{site.url}/report/{summary['id']}?lang=en")
    assert "No table was read" in html and "not an annual report" in html and "没有读出统计表" not in html
    assert 'data-section="applications"' not in html  # no empty template under "0 figures"
    _, _, html = fetch(f"{site.url}/report/{site.ingested}?lang=en")
    assert "No table was read" in html and "the document holds no table" in html
    assert "0 figures" not in html and 'data-section="applications"' not in html
    # What the corpus knows of the document decides the reason: a scan, a document that could not be read.
    with db(site) as conn:
        sha = conn.execute("SELECT sha256 FROM reports WHERE id = ?", (site.ingested,)).fetchone()[0]
        conn.execute("UPDATE documents SET ocr = 1 WHERE sha256 = ?", (sha,))
    _, _, html = fetch(f"{site.url}/report/{site.ingested}?lang=en")
    assert "the document is a scan, and OCR read no table" in html
    with db(site) as conn:
        conn.execute(
            "UPDATE documents SET ocr = 0, error = 'extraction failed: bad xref' WHERE sha256 = ?", (sha,)
        )
    _, _, html = fetch(f"{site.url}/report/{site.ingested}?lang=en")
    assert "the document could not be read: extraction failed: bad xref" in html
    with db(site) as conn:
        conn.execute("UPDATE documents SET error = NULL WHERE sha256 = ?", (sha,))
    # A report with figures shows them as before.
    _, _, html = fetch(f"{site.url}/report/{report_of(site, '中宁县%')['id']}")
    assert "No table was read" not in html and 'data-section="applications"' in html


def test_report_labels_follow_the_language(site: Site) -> None:
    from govarchive.datasette_plugin import vocab

    rid = report_of(site, "中宁县%")["id"]
    row_zh, col_zh = vocab.label_zh("applications", "new", "total")
    row_en, col_en = vocab.row_en("applications", "new"), vocab.col_en("applications", "total")
    _, _, zh = fetch(f"{site.url}/report/{rid}")
    _, _, en = fetch(f"{site.url}/report/{rid}?lang=en")
    assert f'<tr data-row="new"><th class="rowlabel">{row_zh}</th>' in zh and row_en not in zh
    assert f'<th data-col="total">{col_zh}</th>' in zh and "No table was read" not in zh
    assert f'<tr data-row="new"><th class="rowlabel">{row_en} <code class="ga-code">new</code></th>' in en
    assert f'<th data-col="total">{col_en} <code class="ga-code">total</code></th>' in en
    assert f">{row_zh}<" not in en and ">Statistical tables<" in en


def test_an_ingested_report_shows_no_local_path(site: Site) -> None:
    _, _, html = fetch(f"{site.url}/report/{site.ingested}")
    assert "file://" not in html and str(site.data.parent) not in html
    assert '<td id="portal-page"><em>本地文件导入</em></td>' in html
    assert "(audit.docx)" in html  # the copy keeps its file name, and its download
    crawled = report_of(site, "中宁县%")
    _, _, html = fetch(f"{site.url}/report/{crawled['id']}")
    assert f'href="{crawled["page_url"]}"' in html  # a crawled report links its portal page


def test_datasette_table_search_finds_two_character_words(site: Site) -> None:
    found = json.loads(fetch(site.url + "/search.json?q=" + q("复议"))[2])
    expected = sorted(r["id"] for r in found["results"])
    assert found["total"] >= 2 and site.ingested in expected
    status, _, body = fetch(site.url + "/corpus/reports.json?_shape=objects&_search=" + q("复议"))
    assert status == 200, body[:500]
    table = json.loads(body)
    assert sorted(r["id"] for r in table["rows"]) == expected
    assert "复议" in table["human_description_en"]
    # With a word of 3+ characters beside it, both must occur; one character works too.
    both = json.loads(
        fetch(site.url + "/corpus/reports.json?_shape=objects&_search=" + q("复议 依申请公开"))[2]
    )
    with db(site) as conn:
        want = sorted(
            r[0]
            for r in conn.execute(
                "SELECT id FROM reports WHERE (instr(text, '复议') OR instr(title, '复议'))"
                " AND (instr(text, '依申请公开') OR instr(title, '依申请公开'))"
            )
        )
        county = sorted(
            r[0] for r in conn.execute("SELECT id FROM reports WHERE instr(text, '县') OR instr(title, '县')")
        )
    assert sorted(r["id"] for r in both["rows"]) == want and want
    one = json.loads(fetch(site.url + "/corpus/reports.json?_shape=objects&_search=" + q("县"))[2])
    assert sorted(r["id"] for r in one["rows"]) == county
    # The CSV scripts download, and a 3-character search as Datasette does it.
    status, _, text = fetch(site.url + "/corpus/reports.csv?_stream=on&_search=" + q("复议"))
    assert status == 200 and sorted(int(r["id"]) for r in csv.DictReader(io.StringIO(text))) == expected
    three = json.loads(fetch(site.url + "/corpus/reports.json?_shape=objects&_search=" + q("依申请公开"))[2])
    assert three["rows"] and "依申请公开" in three["human_description_en"]
