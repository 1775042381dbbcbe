"""The researcher's pages (govarchive/datasette_plugin) on a real `govarchive serve`, driven by Debian's
Chromium: report pages with their tables and downloads, comparisons with charts, search in Chinese,
whole exports. The corpus is the real demo's, grown with generated years and bodies (one per module)."""

from __future__ import annotations

import csv
import hashlib
import http.client
import io
import json
import os
import re
import shutil
import sqlite3
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from archive.model import Stat
from archive.report.checks import run_checks
from archive.store.blobs import BlobReader, BlobStore
from crawler.settings import PLAYWRIGHT_LAUNCH_OPTIONS
from tests.conftest import serving

CHROMIUM = str(PLAYWRIGHT_LAUNCH_OPTIONS["executable_path"])
CHROMIUM_ARGS = [*PLAYWRIGHT_LAUNCH_OPTIONS["args"], "--no-first-run"]  # type: ignore[misc]

BODY = "中宁县卫生健康局"
TEST_REGION = "示范省/示范市/测试县"
GENERATED_BODIES = 30  # × ~190 figures each: more than 5,000 rows of figures


@dataclass
class Served:
    url: str
    data: Path
    body_2020: int  # the demo's report of BODY
    body_2021: int  # a generated later year of BODY whose balance fails


def _grow(data: Path) -> tuple[int, int]:
    """Add to the demo corpus, with the checks the real rules give: BODY's 2019, 2021 and 2022 reports
    (its 2020 figures moved; in 2021 only 新收 总计 grows, by 7, so its balance and row totals fail), and
    GENERATED_BODIES bodies of TEST_REGION in 2021 whose tables differ but add up."""
    db = sqlite3.connect(data / "corpus.db")
    db.row_factory = sqlite3.Row
    base = db.execute("SELECT * FROM reports WHERE agency = ? AND year = 2020", (BODY,)).fetchone()
    stats = db.execute("SELECT * FROM report_stats WHERE report_id = ?", (base["id"],)).fetchall()
    now = "2026-01-01T00:00:00+00:00"

    def consistent(n: int) -> dict[tuple[str, str, str], float]:
        """n more applications from natural persons, a third of them not held, the rest granted; n % 4
        more reviews upheld. Every rule still holds."""
        grow: dict[tuple[str, str, str], float] = {}
        for c in ("natural_person", "total"):
            grow[("applications", "new", c)] = grow[("applications", "processed_total", c)] = float(n)
            grow[("applications", "granted", c)] = float(n - n // 3)
            grow[("applications", "unavailable.not_held", c)] = float(n // 3)
            grow[("appeals", "review", "upheld" if c == "natural_person" else "total")] = float(n % 4)
        return grow

    def add(
        agency: str,
        region: str,
        year: int,
        text: str,
        grow: dict[tuple[str, str, str], float],
        template: str = "2019",
    ) -> int:
        cur = db.execute(
            """INSERT INTO reports (site_id, agency, region, year, kind, title, template, published_at,
                 page_url, sha256, text, first_seen, last_seen)
               VALUES (?, ?, ?, ?, 'annual_report', ?, ?, ?, NULL, ?, ?, ?, ?)""",
            (base["site_id"], agency, region, year, f"{agency}{year}年政府信息公开工作年度报告", template,
             f"{year + 1}-01-20", base["sha256"], text, now, now),
        )  # fmt: skip
        rid = int(cur.lastrowid or 0)
        model = []
        for s in stats:
            key = (s["section"], s["row"], s["col"])
            if template == "2021" and key[1].startswith("art20_1.") and key[2] == "made":
                key = (key[0], key[1], "issued")  # where the 2021 template prints 本年制发件数
            value = None if s["value"] is None else s["value"] + grow.get(key, 0.0)
            db.execute(
                """INSERT INTO report_stats (report_id, section, row, col, value, raw, row_label, col_label, ocr,
                     source_sha256, placed_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (rid, *key, value, s["raw"], s["row_label"], s["col_label"], s["ocr"], s["source_sha256"],
                 s["placed_by"]),
            )  # fmt: skip
            model.append(Stat(*key, value, s["raw"] or "", placed_by=s["placed_by"] or ""))
        for c in run_checks(model, template):
            db.execute(
                "INSERT INTO report_checks (report_id, rule, status, detail) VALUES (?, ?, ?, ?)",
                (rid, c.rule, c.status, c.detail),
            )
        return rid

    add(BODY, base["region"], 2019, base["text"], consistent(3))
    later = add(BODY, base["region"], 2021, base["text"], {("applications", "new", "total"): 7.0})
    add(BODY, base["region"], 2022, base["text"], consistent(12), template="2021")
    for i in range(GENERATED_BODIES):
        add(
            f"测试县第{i:02d}局",
            TEST_REGION,
            2021,
            f"测试县第{i:02d}局的报告正文，没有那个词。",
            consistent(i + 1),
        )
    db.commit()
    db.close()
    return int(base["id"]), later


@pytest.fixture(scope="module")
def served(demo_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    data = tmp_path_factory.mktemp("research") / "data"
    shutil.copytree(demo_data, data)
    body_2020, body_2021 = _grow(data)
    with serving(data) as url:
        yield Served(url, data, body_2020, body_2021)


@pytest.fixture(scope="module")
def browser(served: Served) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


def q(text: str) -> str:
    return urllib.parse.quote(text)


def corpus(served: Served) -> sqlite3.Connection:
    db = sqlite3.connect(served.data / "corpus.db")
    db.row_factory = sqlite3.Row
    return db


def open_page(browser: Any, url: str) -> tuple[Any, list[str]]:
    """A page at `url` that answered 200, and the JavaScript console errors it logged."""
    page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    response = page.goto(url, wait_until="load")
    assert response is not None and response.status == 200, (url, response and response.status)
    return page, errors


def shots_dir(tmp_path: Path) -> Path:
    d = Path(os.environ.get("GOVARCHIVE_SCREENSHOTS", tmp_path))
    d.mkdir(parents=True, exist_ok=True)
    return d


def _overflow(page: Any) -> int:
    """How many pixels the page is wider than its window (0: no horizontal scrolling)."""
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


def _not_blank(path: Path) -> None:
    import numpy as np
    from PIL import Image

    px = np.asarray(Image.open(path).convert("L")).astype(int)
    assert px.std() > 10 and (px < 128).mean() > 0.002, path  # text and lines, not an empty page


@pytest.mark.browser
def test_every_page_and_query_opens_without_error(served: Served, browser: Any, tmp_path: Path) -> None:
    """Every page opens without a script error; the site's own pages, in Chinese at 1,280 px and in English
    on a 390 px phone, are never wider than the window, and their screenshots are not blank."""
    db = corpus(served)
    report_ids = [r[0] for r in db.execute("SELECT id FROM reports ORDER BY id LIMIT 8")]
    with_figure = db.execute(
        "SELECT min(report_id) FROM report_stats WHERE section = 'applications' AND row = 'new' AND col = 'total'"
    ).fetchone()[0]
    queries = [r for r in json.loads(_get(served.url + "/corpus.json"))["queries"]]
    site_pages = [
        "/research",
        *[f"/report/{i}" for i in report_ids],
        f"/report/{with_figure}/figure/applications/new/total",
        "/reports",
        f"/reports?rule=balance&sort=agency&region={q('示范省')}",
        "/compare",
        f"/compare/body?agency={q(BODY)}",
        f"/compare/changes?id={served.body_2021}",
        f"/compare/region?region={q('示范省')}&year=2021&code={q('applications|new|total')}",
        f"/compare/figure?code={q('appeals|review|total')}",
        "/regions",
        f"/compare/rates?region={q(TEST_REGION)}&year=2021",
        f"/search?q={q('复议')}&year=2020",
        f"/search?q={q('依申请公开')}",
        "/schema",
        "/release",
    ]
    pages = [
        *site_pages,
        "/corpus/reports",
        "/corpus/report_stats",
        *[
            f"/corpus/{x['name']}?section=applications&row=new&col=total&q={q('复议')}"
            for x in queries
            if not x.get("private")
        ],
    ]
    for path in pages:
        page, errors = open_page(browser, served.url + path)
        title = page.title()
        wider = _overflow(page) if path in site_pages else 0
        page.close()
        assert "Error" not in title and errors == [], (path, title, errors)
        assert wider <= 0, (path, "wider than 1,280 px by", wider)
    # The same pages in English on a phone; the cookie keeps the language from page to page.
    shots = shots_dir(tmp_path)
    phone = browser.new_page(viewport={"width": 390, "height": 844})
    try:
        phone.goto(served.url + "/research?lang=en", wait_until="load")
        for i, path in enumerate(site_pages):
            response = phone.goto(served.url + path, wait_until="load")
            assert response is not None and response.status == 200, path
            nav = phone.locator(".ga-nav").inner_text()
            assert "Researcher's pages" in nav and "中文" in nav and "研究者页面" not in nav, (path, nav)
            assert _overflow(phone) <= 0, (path, "wider than 390 px by", _overflow(phone))
            if i % 4 == 0:
                shot = shots / f"phone-en-{i:02d}.png"
                phone.screenshot(path=str(shot), full_page=False)
                _not_blank(shot)
        phone.goto(served.url + "/research?lang=zh", wait_until="load")
        assert "研究者页面" in phone.locator(".ga-nav").inner_text()
        phone.set_viewport_size({"width": 1280, "height": 900})
        for path in ("/reports", f"/compare/rates?region={q(TEST_REGION)}&year=2021"):
            phone.goto(served.url + path, wait_until="load")
            shot = shots / f"desktop-zh-{path.split('?')[0].strip('/').replace('/', '-')}.png"
            phone.screenshot(path=str(shot))
            _not_blank(shot)
    finally:
        phone.close()


@pytest.mark.browser
def test_report_page_lays_out_the_template_tables(served: Served, browser: Any, tmp_path: Path) -> None:
    db = corpus(served)
    page, _ = open_page(browser, f"{served.url}/report/{served.body_2020}")
    try:
        headings = [h.strip() for h in page.locator("h3").all_inner_texts()]
        assert [h[:2] for h in headings[:3]] == ["二、", "三、", "四、"], headings
        for section, row, col in [
            ("applications", "new", "total"),
            ("applications", "processed_total", "total"),
            ("appeals", "review", "total"),
            ("active", "art20_1.regulations", "made"),
        ]:
            value = db.execute(
                "SELECT value FROM report_stats WHERE report_id = ? AND section = ? AND row = ? AND col = ?",
                (served.body_2020, section, row, col),
            ).fetchone()[0]
            cell = page.locator(
                f'table.stats[data-section="{section}"] tr[data-row="{row}"] td[data-col="{col}"]'
            )
            expected = "" if value is None else str(int(value) if float(value).is_integer() else value)
            assert cell.inner_text().strip() == expected, (section, row, col)
        # Rows in the template's order (三（一） before 三（三）1., 四、结转 last), not sorted by code.
        rows = page.locator('table.stats[data-section="applications"] tr[data-row]').evaluate_all(
            "els => els.map(e => e.dataset.row)"
        )
        assert rows[:3] == ["new", "carried_over", "granted"] and rows[-1] == "carried_forward"
        verdicts = page.locator("#checks").inner_text()
        assert "收支平衡" in verdicts and ("成立" in verdicts or "无法核对" in verdicts)
        assert page.locator("#other-years a", has_text="2021").count() == 1
        assert "政府信息公开" in page.locator("#report-text").inner_text()
        page.locator("#section-applications").scroll_into_view_if_needed()
        page.screenshot(
            path=str(shots_dir(tmp_path) / "research-report-page.png"),
            full_page=True,
            clip={"x": 0, "y": 0, "width": 1280, "height": 1700},
        )

        # Download the PDF copy: the bytes are the blob's.
        sha = db.execute(
            "SELECT sha256 FROM report_sources WHERE report_id = ? AND format = 'pdf'", (served.body_2020,)
        ).fetchone()[0]
        with page.expect_download() as info:
            page.locator(f'#copies a.download[href$="{sha}"]').click()
        download = info.value
        got = Path(download.path()).read_bytes()
        assert got == BlobReader(served.data / "blobs").read(sha) and hashlib.sha256(got).hexdigest() == sha
        assert download.suggested_filename.endswith(".pdf") and BODY in download.suggested_filename
    finally:
        page.close()


def test_derived_and_blank_cells_are_shown_as_such(served: Served) -> None:
    db = corpus(served)
    derived = db.execute(
        "SELECT report_id, row, col FROM report_stats WHERE placed_by = 'derived' LIMIT 1"
    ).fetchone()
    html = _get(f"{served.url}/report/{derived[0]}")
    assert f'data-row="{derived[1]}"' in html and 'title="推算"' in html
    blank = db.execute(
        "SELECT report_id FROM report_stats WHERE value IS NULL AND section = 'applications' LIMIT 1"
    ).fetchone()
    html = _get(f"{served.url}/report/{blank[0]}")
    assert 'class="num blank"' in html


def test_download_headers(served: Served) -> None:
    db = corpus(served)
    sha = db.execute("SELECT sha256 FROM report_sources WHERE format = 'pdf' LIMIT 1").fetchone()[0]
    status, headers, body = _raw(served, f"/blob/{sha}")
    assert status == 200
    assert headers["content-type"] == "application/pdf"
    assert headers["x-content-type-options"] == "nosniff"
    cd = headers["content-disposition"]
    assert cd.startswith("attachment; filename=") and "filename*=UTF-8''" in cd
    assert urllib.parse.quote(BODY) in cd or "%E" in cd
    assert body[:5] == b"%PDF-"
    html_sha = db.execute("SELECT sha256 FROM report_sources WHERE format = 'html' LIMIT 1").fetchone()[0]
    status, headers, _ = _raw(served, f"/blob/{html_sha}")
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert "sandbox" in headers["content-security-policy"]  # an archived page never runs as this site


def test_hostile_sha256_values_get_404(served: Served) -> None:
    # A file in the store that the corpus does not name is not served either.
    store = BlobStore(served.data / "blobs")
    stray, _ = store.put_bytes(b"not in the corpus")
    store.close()
    real = corpus(served).execute("SELECT sha256 FROM documents LIMIT 1").fetchone()[0]
    for target in [
        "/blob/../corpus.db",
        "/blob/..%2Fcorpus.db",
        "/blob/..%2F..%2Fcorpus.db",
        "/blob/%2e%2e%2fcorpus.db",
        "/blob/corpus.db",
        "/blob/" + "g" * 64,
        "/blob/" + real.upper(),
        "/blob/" + real + "%00",
        "/blob/" + real[:63],
        "/blob/" + "0" * 64,
        "/blob/" + stray,
    ]:
        status, _, body = _raw(served, target)
        assert status == 404, (target, status)
        assert b"SQLite format" not in body and b"not in the corpus" not in body


def test_search_finds_two_character_words_with_snippets(served: Served, browser: Any) -> None:
    db = corpus(served)
    expected = {
        r["id"]
        for r in db.execute("SELECT id, title, text FROM reports")
        if "复议" in (r["text"] or "") + (r["title"] or "")
    }
    assert expected and len(expected) < db.execute("SELECT count(*) FROM reports").fetchone()[0]
    page, errors = open_page(browser, served.url + "/search")
    try:
        page.fill("input[name=q]", "复议")
        page.press("input[name=q]", "Enter")
        page.wait_for_load_state("networkidle")
        links = page.locator(".ga-hit > a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
        found = {int(h.rsplit("/", 1)[1]) for h in links}
        assert found == expected
        marks = page.locator(".ga-hit .snippet mark").all_inner_texts()
        assert marks and set(marks) == {"复议"}
        assert errors == []
        # Datasette's own search box on the reports table: a two-character word lands on the same search.
        page.goto(served.url + "/corpus/reports", wait_until="load")
        page.fill("input[name=_search]", "复议")
        page.press("input[name=_search]", "Enter")
        page.wait_for_load_state("load")
        assert "/search?q=" in page.url and page.locator(".ga-hit").count() == len(expected)
    finally:
        page.close()
    # Filters: the year narrows the result; one character works too.
    html = _get(f"{served.url}/search?q={q('复议')}&year=2021")
    years = {
        r[0] for r in db.execute(f"SELECT year FROM reports WHERE id IN ({','.join(map(str, expected))})")
    }
    assert (
        2021 in years and f"/report/{served.body_2021}" in html and f"/report/{served.body_2020}" not in html
    )
    html = _get(f"{served.url}/search?q={q('局')}&region={q(TEST_REGION)}")
    assert f"{GENERATED_BODIES} 份报告" in html


@pytest.mark.browser
def test_chart_renders(served: Served, browser: Any, tmp_path: Path) -> None:
    import numpy as np
    from PIL import Image

    page, errors = open_page(browser, f"{served.url}/compare/body?agency={q(BODY)}")
    try:
        shot = shots_dir(tmp_path) / "research-chart.png"
        page.locator("#chart svg").screenshot(path=str(shot))
        assert errors == []
        assert page.locator("#chart svg polyline").count() >= 1  # a line joins 2020 and 2021
    finally:
        page.close()
    px = np.asarray(Image.open(shot).convert("RGB")).astype(int)
    coloured = int(((px.max(axis=2) - px.min(axis=2)) > 60).sum())  # the lines and dots, not grey text
    inked = int((px.sum(axis=2) < 600).sum())  # anything not near the white background
    assert coloured > 300 and inked > 0.01 * px.shape[0] * px.shape[1], (coloured, inked, px.shape)
    page, errors = open_page(browser, f"{served.url}/compare/region?region={q(TEST_REGION)}&year=2021")
    try:
        assert page.locator("#chart svg rect[fill='#1f77b4']").count() == GENERATED_BODIES
        assert errors == []
    finally:
        page.close()


def test_year_over_year_shows_what_changed(served: Served) -> None:
    html = _get(f"{served.url}/compare/changes?id={served.body_2021}")
    assert "2020 → 2021" in html
    rules = _between(html, 'id="rule-changes"', "</table>")
    assert (
        rules.count("began to fail") == 2 and "收支平衡" in rules and "行合计" in rules
    )  # balance, row_total
    figures = _between(html, 'id="figure-changes"', "</table>")
    assert figures.count('<tr><th class="rowlabel">') == 1  # only 新收 总计 moved
    assert "一、本年新收政府信息公开申请数量 · 总计" in figures and "+7" in figures
    body = _get(f"{served.url}/compare/body?agency={q(BODY)}")
    assert f"/compare/changes?id={served.body_2021}" in body


def test_a_body_is_found_by_any_spelling_met(served: Served) -> None:
    # The demo's 2018 work summary is printed under the name before the 2019 reform: one body.
    db = corpus(served)
    spellings = {tuple(r) for r in db.execute(
        "SELECT b.name, a.name FROM body_aliases a JOIN bodies b ON b.id = a.body_id WHERE a.name != b.name")}  # fmt: skip
    db.close()
    assert ("中卫市卫生健康局", "中卫市卫生和计划生育局") in spellings
    page = _get(f"{served.url}/compare/body?agency={q('中卫市卫生和计划生育局')}")
    assert "<h1>中卫市卫生健康局 " in page and "又作" in page and "中卫市卫生和计划生育局" in page
    found = json.loads(
        _get(f"{served.url}/search.json?q={q('信息公开')}&agency={q('中卫市卫生和计划生育局')}")
    )
    assert found["results"] and {r["agency"] for r in found["results"]} == {"中卫市卫生健康局"}


def test_a_body_series_runs_across_the_template_change_with_the_break_marked(served: Served) -> None:
    """2019 → 2022 is one line per figure; 2022 follows the 2021 template, where 规范性文件's 本年新制作数量
    became 本年制发件数 (the crosswalk's `changed`): that line is cut at the change and a dashed rule marks it."""
    html = _get(f"{served.url}/compare/body?agency={q(BODY)}")
    chart = _between(html, 'id="chart"', "</svg>")
    assert chart.count('class="template-break"') == 1 and "模板改变" in chart
    assert 'id="template-break"' in html
    table = _between(html, 'id="years"', "</table>")
    head = table.split("</tr>")[0]
    assert head.count("†") == 1 and "规范性文件制发 †" in head
    column = head.split("<th").index(next(h for h in head.split("<th") if "规范性文件制发" in h)) - 1
    with corpus(served) as db:
        made = {
            year: value
            for year, value in db.execute(
                """SELECT r.year, s.value FROM report_stats s JOIN reports r ON r.id = s.report_id
                   WHERE r.agency = ? AND s.section = 'active' AND s.row = 'art20_1.normative_docs'
                     AND s.col = CASE WHEN r.template = '2021' THEN 'issued' ELSE 'made' END""",
                (BODY,),
            )
        }
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", line) for line in table.split("</tr>")[1:] if "<td" in line]
    assert [c[column] for c in cells] == ["" if v is None else str(int(v)) for _, v in sorted(made.items())]
    assert len(made) == 4 and len(cells) == 4
    # In English: the same page, the break in English words.
    en = _get(f"{served.url}/compare/body?lang=en&agency={q(BODY)}")
    assert "template changed" in en and "normative documents issued †" in en


def test_whole_csv_export_of_more_than_5000_figures(served: Served) -> None:
    db = corpus(served)
    total = db.execute("SELECT count(*) FROM report_stats").fetchone()[0]
    assert total >= 5000
    with urllib.request.urlopen(served.url + "/export/figures.csv", timeout=60) as r:
        declared = int(r.headers["x-total-rows"])
        text = r.read().decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == total == declared
    assert {
        "agency",
        "region",
        "year",
        "section",
        "row",
        "col",
        "row_zh",
        "row_en",
        "col_zh",
        "col_en",
    } <= set(rows[0])
    counts = [r["value"] for r in rows if r["row"] == "new" and r["col"] == "total"]
    assert counts and all(v == "" or "." not in v for v in counts)  # 2, not 2.0
    # Where each figure was read, as the release writes it (a PDF's page and box, a table's cell).
    boxed = [r for r in rows if r["src_page"]]
    stored = db.execute(
        "SELECT src_box FROM report_stats WHERE report_id = ? AND section = ? AND row = ? AND col = ?",
        [boxed[0][k] for k in ("report_id", "section", "row", "col")],
    ).fetchone()[0]
    assert stored == ",".join(f"{float(boxed[0][k]):.1f}" for k in ("src_x0", "src_y0", "src_x1", "src_y1"))
    assert any(r["src_table"] and r["src_row"] and r["src_col"] for r in rows)
    # One report's figures come in its template's order: 二 before 三 before 四.
    first = [r["section"] for r in rows if r["report_id"] == rows[0]["report_id"]]
    assert first == sorted(first, key=["active", "applications", "appeals"].index)


def test_datasette_query_csv_is_whole_not_cut_at_1000(served: Served) -> None:
    """Datasette cuts a query at max_returned_rows (1,000); its CSV links now give every row."""
    total = corpus(served).execute("SELECT count(*) FROM report_stats").fetchone()[0]
    sql = q("SELECT report_id, section, row, col, value FROM report_stats")
    capped = json.loads(_get(f"{served.url}/corpus.json?sql={sql}"))
    assert capped["truncated"] is True and len(capped["rows"]) == 1000  # what Datasette itself does
    with urllib.request.urlopen(f"{served.url}/corpus.csv?sql={sql}&_size=max", timeout=60) as r:
        rows = list(csv.reader(io.StringIO(r.read().decode("utf-8"))))
    assert len(rows) == total + 1 and rows[0] == ["report_id", "section", "row", "col", "value"]
    assert all("." not in row[4] for row in rows[1:] if row[3] == "total" and row[1] == "applications")
    canned = _get(f"{served.url}/corpus/figures_by_code.csv?section=applications&row=new&col=total")
    with_figure = (
        corpus(served)
        .execute(
            "SELECT count(*) FROM report_stats WHERE section = 'applications' AND row = 'new' AND col = 'total'"
        )
        .fetchone()[0]
    )
    assert len(canned.strip().splitlines()) == 1 + with_figure > GENERATED_BODIES
    status, _, body = _raw(served, "/export/query.csv?sql=" + q("DELETE FROM reports"))
    assert status == 400 and b"read-only" in body
    rows_json = json.loads(
        _get(f"{served.url}/corpus/figures_by_code.json?_shape=array&section=applications&row=new&col=total")
    )
    assert all(isinstance(r["value"], int) for r in rows_json if r["value"] is not None)


def test_datasette_table_csv_is_whole(served: Served) -> None:
    total = corpus(served).execute("SELECT count(*) FROM report_stats").fetchone()[0]
    with urllib.request.urlopen(f"{served.url}/corpus/report_stats.csv?_size=max", timeout=60) as r:
        rows = list(csv.reader(io.StringIO(r.read().decode("utf-8"))))
    assert len(rows) == total + 1 > 5000
    appeals = (
        corpus(served).execute("SELECT count(*) FROM report_stats WHERE section = 'appeals'").fetchone()[0]
    )
    filtered = _get(f"{served.url}/corpus/report_stats.csv?section=appeals")  # Datasette's own stream
    assert len(list(csv.reader(io.StringIO(filtered)))) == appeals + 1 > 500  # more than a page
    page = _get(f"{served.url}/corpus/report_stats.csv?_size=10")  # a page asked for is a page
    assert len(page.strip().splitlines()) == 11


def test_json_exports_are_whole_and_integers_are_integers(served: Served) -> None:
    db = corpus(served)
    figures = json.loads(_get(f"{served.url}/export/figures.json?report_id={served.body_2021}"))
    assert (
        len(figures)
        == db.execute(
            "SELECT count(*) FROM report_stats WHERE report_id = ?", (served.body_2021,)
        ).fetchone()[0]
    )
    new = next(f for f in figures if (f["section"], f["row"], f["col"]) == ("applications", "new", "total"))
    assert isinstance(new["value"], int)
    reports = json.loads(_get(f"{served.url}/export/reports.json"))
    assert len(reports) == db.execute("SELECT count(*) FROM reports").fetchone()[0] > 30
    region = json.loads(_get(f"{served.url}/export/reports.json?region={q('示范省/示范市')}"))
    assert {r["region"] for r in region} >= {TEST_REGION}
    # A region's figures of one code: its places only (read through the region index), the count declared.
    code = "section=applications&row=new&col=total"
    with urllib.request.urlopen(f"{served.url}/export/figures.json?region={q('示范省')}&{code}") as r:
        declared, shown = int(r.headers["x-total-rows"]), json.loads(r.read())
    regions = [f["region"] for f in shown]
    assert (
        len(shown)
        == declared
        == db.execute(
            """SELECT count(*) FROM report_stats s JOIN reports r ON r.id = s.report_id WHERE (r.region = '示范省'
           OR r.region LIKE '示范省/%') AND s.section = 'applications' AND s.row = 'new' AND s.col = 'total'"""
        ).fetchone()[0]
        > 0
    )
    assert all(x == "示范省" or x.startswith("示范省/") for x in regions)


def test_reports_table_shows_an_excerpt_not_the_text(served: Served) -> None:
    db = corpus(served)
    text = db.execute("SELECT text FROM reports WHERE id = ?", (served.body_2020,)).fetchone()[0]
    html = _get(f"{served.url}/corpus/reports?id={served.body_2020}")
    assert text[:100] in html and text[400:600] not in html
    assert f'href="/report/{served.body_2020}"' in html
    stats = _get(f"{served.url}/corpus/report_stats?report_id={served.body_2021}&row=new&col=total")
    assert ">2.0<" not in stats and ".0</td>" not in stats


def test_report_figures_query_lists_them_in_template_order(served: Served) -> None:
    rows = json.loads(
        _get(f"{served.url}/corpus/report_figures.json?_shape=array&report_id={served.body_2020}")
    )
    assert [r["section"] for r in rows[:1]] == ["active"] and rows[-1]["section"] == "appeals"
    apps = [r["row"] for r in rows if r["section"] == "applications" and r["col"] == "total"]
    assert apps[:3] == ["new", "carried_over", "granted"] and apps[-1] == "carried_forward"
    assert rows[0]["row_en"] and all(
        not isinstance(r["value"], float) or not r["value"].is_integer() for r in rows
    )


def test_report_and_search_as_json(served: Served) -> None:
    report = json.loads(_get(f"{served.url}/report/{served.body_2021}.json"))
    assert report["report"]["agency"] == BODY and report["report"]["year"] == 2021
    assert [y["year"] for y in report["other_years"]] == [2019, 2020, 2021, 2022]
    figures = report["figures"]
    assert figures[0]["section"] == "active" and figures[-1]["section"] == "appeals"  # template order
    new = next(f for f in figures if (f["section"], f["row"], f["col"]) == ("applications", "new", "total"))
    assert isinstance(new["value"], int)
    found = json.loads(_get(f"{served.url}/search.json?q={q('复议')}&year=2021"))
    assert found["total"] == 1 and found["results"][0]["id"] == served.body_2021
    assert "<mark>复议</mark>" in found["results"][0]["snippet"]


def test_odd_parameters_never_break_a_page(served: Served) -> None:
    codes = {
        "/report/0": 404,
        "/report/99999999999999999999999": 404,
        "/report/1e3": 404,
        # A bad parameter is a 400 page naming it (tests/test_pages_edges.py), never a quiet default.
        "/compare/changes": 400,
        "/compare/changes?id=abc": 400,
        "/compare/changes?id=99999999": 404,
        f"/compare/changes?id={served.body_2021}&base=zz": 400,
        f"/compare/changes?id={served.body_2021}&base={served.body_2021}": 400,
        "/compare/figure?code=" + q("bad|bad|bad"): 400,
        "/compare/figure?section=appeals&row=nope": 400,
        "/compare/region?year=abc&region=" + q("'\"<"): 400,
        "/compare/region?year=2021&region=" + q("'\"<"): 200,
        "/compare/body?agency=" + q("<script>"): 200,
        "/search?q=" + q('"""'): 200,
        "/search?q=" + q("* OR NEAR(依申请) -"): 200,
        "/search?q=" + q("* OR NEAR(依申请) -") + "&offset=-3": 400,
        "/export/figures.json?report_id=x": 400,
        "/export/query.csv": 400,
        "/export/query.csv?canned=nope": 404,
        "/export/query.json?sql=" + q("select 1; select 2"): 400,
    }
    for path, expected in codes.items():
        status, _, body = _raw(served, path)
        assert status == expected, (path, status, body[:300])
    _, _, body = _raw(served, "/compare/body?agency=" + q("<script>"))
    assert b"<h1>&lt;script&gt; <span" in body and b"<h1><script>" not in body  # escaped, not run


def test_schema_page_documents_tables_and_codes(served: Served) -> None:
    html = _get(served.url + "/schema")
    for words in [
        "report_stats",
        "数值",
        "value (NULL when blank",
        "三（七）总计",
        "Total handled",
        "勾稽关系",
    ]:
        assert words in html, words


def _between(text: str, start: str, end: str) -> str:
    i = text.index(start)
    return text[i : text.index(end, i)]


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as r:
        return str(r.read().decode("utf-8"))


def _raw(served: Served, target: str) -> tuple[int, dict[str, str], bytes]:
    """A request with the path exactly as given (no client-side normalisation of ../), following
    Datasette's own redirects (it rewrites %2F in a path to its ~2F encoding) like a browser would."""
    host, port = urllib.parse.urlsplit(served.url).netloc.split(":")
    for _ in range(3):
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        try:
            conn.request("GET", target)
            r = conn.getresponse()
            headers = {k.lower(): v for k, v in r.getheaders()}
            body = r.read()
        finally:
            conn.close()
        location = headers.get("location", "")
        if location.startswith(served.url + "/"):
            location = location[len(served.url) :]
        if r.status not in (301, 302) or not location.startswith("/"):
            return r.status, headers, body
        target = location
    raise AssertionError(f"redirect loop at {target}")


def test_a_figure_cites_itself_and_shows_where_it_was_read(served: Served) -> None:
    """Issue 21: the report page's figure cell has a permanent anchor and links to the figure's page, which
    gives the cite text and the original's page drawn as a PNG with the figure's region marked (a PDF), or
    the original's table with the cell marked (a DOCX)."""
    from PIL import Image

    db = corpus(served)
    pdf_report = db.execute(
        """SELECT r.* FROM reports r JOIN documents d ON d.sha256 = r.sha256 WHERE d.media_type = 'pdf'
           ORDER BY r.id LIMIT 1"""
    ).fetchone()
    rid, key = pdf_report["id"], "applications/new/total"
    fig = db.execute(
        """SELECT * FROM report_stats WHERE report_id = ? AND section = 'applications' AND row = 'new'
             AND col = 'total'""",
        (rid,),
    ).fetchone()
    report_html = _get(f"{served.url}/report/{rid}")
    assert 'id="f-applications.new.total"' in report_html
    assert f'href="/report/{rid}/figure/{key}"' in report_html
    page = _get(f"{served.url}/report/{rid}/figure/{key}")
    cite_zh = page.split('id="cite-zh" lang="zh">')[1].split("</blockquote>")[0]
    for part in (pdf_report["agency"], str(pdf_report["year"]), "applications.new.total", fig["source_sha256"],
                 f"/report/{rid}#f-applications.new.total", "本语料尚无包含此数字的数据发布"):  # fmt: skip
        assert part in cite_zh, (part, cite_zh)
    assert f"第 {fig['src_page']} 页" in page and "按行标签定位" in page and 'id="where-img"' in page
    with urllib.request.urlopen(f"{served.url}/report/{rid}/figure/{key}.png", timeout=60) as r:
        assert r.headers["Content-Type"] == "image/png"
        png = r.read()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    image = Image.open(io.BytesIO(png)).convert("RGB")
    scale = image.width / 595.3  # the demo's PDFs are A4
    x0, y0, x1, y1 = (float(v) * scale for v in fig["src_box"].split(","))
    red = sum(
        1 for x in range(int(x0) - 4, int(x1) + 4) for y in (int(y0) - 3, int(y1) + 3)
        if (lambda p: p[0] > 180 and p[1] < 80 and p[2] < 100)(image.getpixel((x, y)))
    )  # fmt: skip
    assert red > (x1 - x0), red  # the box's outline runs along the cell's top and bottom edges
    dark = sum(image.convert("L").histogram()[:128])
    assert dark > 0.005 * image.width * image.height, (
        dark
    )  # the page is drawn (text, rules), not a blank sheet
    docx_report = db.execute(
        """SELECT min(s.report_id) AS id FROM report_stats s JOIN documents d ON d.sha256 = s.source_sha256
           WHERE d.media_type = 'docx' AND s.src_table IS NOT NULL"""
    ).fetchone()
    page = _get(f"{served.url}/report/{docx_report['id']}/figure/{key}")
    assert "文中第 2 个表格" in page and 'id="where-table"' in page
    raw = db.execute(
        """SELECT raw FROM report_stats WHERE report_id = ? AND section = 'applications' AND row = 'new'
             AND col = 'total'""",
        (docx_report["id"],),
    ).fetchone()[0]
    assert f'class="ga-marked" id="marked-cell">{raw}</td>' in page
    derived = _get(f"{served.url}/report/{rid}/figure/applications/other/total")
    assert "推算所得" in derived and "where-img" not in derived


def test_reports_page_filters_sorts_and_pages(served: Served) -> None:
    def listing(query: str) -> dict[str, Any]:
        return dict(json.loads(_get(f"{served.url}/reports.json?{query}")))

    region = listing(f"region={q(TEST_REGION)}&year=2021&sort=agency")
    assert region["total"] == GENERATED_BODIES and region["next_offset"] is None
    agencies = [r["agency"] for r in region["reports"]]
    assert agencies == sorted(agencies) and all(r["failed"] == [] for r in region["reports"])
    failing = listing("rule=balance")
    assert served.body_2021 in [r["id"] for r in failing["reports"]]
    assert all("balance" in r["failed"] for r in failing["reports"])
    with corpus(served) as db:
        n = db.execute("SELECT count(*) FROM reports").fetchone()[0]
        newest = db.execute("SELECT max(year) FROM reports").fetchone()[0]
        tpl_2021 = db.execute("SELECT count(*) FROM reports WHERE template = '2021'").fetchone()[0]
    everything = listing("")
    assert everything["total"] == n and everything["reports"][0]["year"] == newest
    assert listing("template=2021")["total"] == tpl_2021
    # Pages: 10 at a time would be PAGE; offsets walk the same order without a gap or a repeat.
    first, second = listing("sort=year_asc"), listing("sort=year_asc&offset=20")
    assert [r["id"] for r in first["reports"]][20:] == [r["id"] for r in second["reports"]][
        : len(first["reports"]) - 20
    ]
    html = _get(f"{served.url}/reports?region={q(TEST_REGION)}&year=2021")
    assert f"共 {GENERATED_BODIES} 份" in html and "年度报告" in html and 'id="reports"' in html


def test_rates_page_ranks_a_regions_bodies_with_formulas(served: Served) -> None:
    from archive.report import measures

    with corpus(served) as db:
        db.execute("INSERT OR REPLACE INTO populations VALUES (?, 2020, 250000, 'test')", (TEST_REGION,))
        db.commit()
        want = {}
        for (rid,) in db.execute("SELECT id FROM reports WHERE region = ? AND year = 2021", (TEST_REGION,)):
            figs = {(s, r, c): v for s, r, c, v in db.execute(
                "SELECT section, row, col, value FROM report_stats WHERE report_id = ?", (rid,))}  # fmt: skip
            want[rid] = measures.compute(figs, 250000.0)
    got = json.loads(
        _get(f"{served.url}/compare/rates.json?region={q(TEST_REGION)}&year=2021&measure=not_held_share")
    )
    rows = got["rows"]
    assert len(rows) == GENERATED_BODIES
    for r in rows:
        for name in measures.RATE:
            assert r[name] == pytest.approx(want[r["report_id"]][name]), (r["agency"], name)
    shares = [r["not_held_share"] for r in rows]
    assert shares == sorted(shares, reverse=True) and rows[0]["rank"] == 1
    assert all(r["requests_per_10k_residents"] is not None for r in rows)
    html = _get(f"{served.url}/compare/rates?region={q(TEST_REGION)}&year=2021&measure=not_held_share")
    assert "本机关不掌握相关政府信息（总计） ÷ 办理结果总计" in html and 'id="ranking"' in html
    en = _get(f"{served.url}/compare/rates?lang=en&region={q(TEST_REGION)}&year=2021")
    assert "not_held ÷ processed_total" in en and "Rates and rankings" in en
    # Datasette's canned query gives the same ranking.
    canned = json.loads(
        _get(
            f"{served.url}/corpus/rates.json?_shape=objects&region={q(TEST_REGION)}&year=2021"
            "&measure=not_held_share"
        )
    )["rows"]
    assert [r["report_id"] for r in canned] == [r["report_id"] for r in rows]


def test_regions_page_shows_the_county_table_in_both_languages(served: Served) -> None:
    db = corpus(served)
    rows = db.execute("SELECT division_code, year, expected FROM region_compliance").fetchall()
    db.close()
    assert rows, "the demo corpus expects reports (its sites file names bodies and expected_since)"
    code, year, expected = rows[0]
    zh = _get(f"{served.url}/regions?year={year}")
    assert "各地区按时公开情况" in zh and 'id="regions"' in zh
    table = _between(zh, 'id="regions"', "</table>")
    assert (code or "—") in table and f'<td class="num">{expected}</td>' in table
    en = _get(f"{served.url}/regions?year={year}&lang=en")
    assert "Publication by region" in en and "Not checked" in en and "各地区按时公开情况" not in en


def test_figure_page_counts_the_whole_selection_and_narrows_it(served: Served) -> None:
    db = corpus(served)
    sql = """SELECT count(*) FROM report_stats s JOIN reports r ON r.id = s.report_id
             WHERE s.section = 'applications' AND s.row = 'new' AND s.col = 'total'"""
    everyone = db.execute(sql).fetchone()[0]
    in_2021 = db.execute(sql + " AND r.year = 2021").fetchone()[0]
    code = q("applications|new|total")
    html = _get(f"{served.url}/compare/figure?code={code}")
    assert f"{everyone:,} 份报告" in _between(html, 'id="figure-count"', "</p>")
    assert html.count("<tr data-report=") == min(everyone, 100) > 0
    assert "year=2021" in _between(html, 'id="narrow"', "</div>")  # a link narrows it to a year
    html = _get(f"{served.url}/compare/figure?code={code}&year=2021")
    assert f"{in_2021:,} 份报告" in _between(html, 'id="figure-count"', "</p>")
    assert html.count("<tr data-report=") == min(in_2021, 100) > 0
