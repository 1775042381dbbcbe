"""One body, one identity (issue 19): names as portals print them read against the national division list,
reports of one body across its spellings, a person's merges and splits kept through `reprocess`, and a
monitor that expects a body's later years with no hand list."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from archive.bodies.names import read_body, site_place
from archive.products.monitor import expected_reports, region_rollup
from archive.rebuild import decide, ingest, reprocess
from archive.sites import Site, parse_sites
from archive.store.workspace import Workspace
from tests.portals.harness import ROOT, bodies_split_apart

ZN = site_place("宁夏回族自治区/中卫市/中宁县", "中宁县人民政府")
HZ = site_place("江苏省/淮安市/洪泽区", "洪泽区人民政府")


@pytest.mark.parametrize(
    ("a", "b", "site"),
    [
        ("洪泽区人民政府", "淮安市洪泽区人民政府", None),  # with and without the city
        ("江苏省淮安市洪泽区人民政府", "洪泽区政府", None),
        ("洪泽区", "洪泽区人民政府", None),  # a place alone is its government
        ("现公布青铜峡市财政局", "青铜峡市财政局", None),  # a verb before the place
        ("关于中宁县财政局", "中宁财政局", None),  # a county's short name
        ("财政局", "中卫市中宁县财政局", ZN),  # the site's place
        ("县财政局", "中宁县财政局", ZN),
        ("中宁县（中卫市）财政局", "中宁县财政局", None),
        ("中宁县卫生和计划生育局", "中宁县卫生健康局", None),  # renamed in the 2019 reform
        ("中卫市卫计委", "中卫市卫生健康委员会", None),
        ("平潭综合实验区管委会", "平潭综合实验区", None),  # a zone
        ("苏州工业园区管理委员会", "苏州工业园区管委会", None),
        ("宁安镇人民政府", "中宁县宁安镇人民政府", ZN),  # a township
        ("东华门街道办事处", "北京市东城区东华门街道办事处", None),  # a street office
        ("泾县人民政府", "安徽省宣城市泾县人民政府", None),  # one character + 县
        ("和县教育局", "马鞍山市和县教育局", None),
        ("铜陵市郊区人民政府", "郊区人民政府", site_place("安徽省/铜陵市/郊区", None)),  # … + 区
        ("示范县财政局", "示范市示范县财政局", None),  # a place the list does not know, by its name
    ],
)
def test_spellings_of_one_body(a: str, b: str, site: object) -> None:
    assert read_body(a, site).key == read_body(b, site).key  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("a", "b", "site"),
    [
        ("中宁县财政局", "中宁县教育局", None),
        ("中宁县人民政府", "中宁县人民政府办公室", None),
        ("利通区财政局", "财政局", ZN),
        ("公安局", "公安县公安局", ZN),  # 公安 is a county's short name, not this head's
        ("中宁县工商行政管理局", "中宁县市场监督管理局", None),  # merged in 2019: not one body
        ("金积镇人民政府", "利通区人民政府", site_place("宁夏回族自治区/吴忠市/利通区", None)),
    ],
)
def test_different_bodies(a: str, b: str, site: object) -> None:
    assert read_body(a, site).key != read_body(b, site).key  # type: ignore[arg-type]


def test_what_a_name_says_canonical_kind_and_code() -> None:
    cases = {
        "淮安市洪泽区人民政府": ("洪泽区人民政府", "government", "320813"),
        "现公布青铜峡市财政局": ("青铜峡市财政局", "department", "640381"),
        "盂县财政局": ("盂县财政局", "department", "140322"),
        "岚皋县佐龙镇人民政府": ("岚皋县佐龙镇人民政府", "township", "610925101"),
        "东城区东华门街道办事处": ("东城区东华门街道办事处", "street_office", "110101001"),
        "平潭综合实验区管委会": ("平潭综合实验区管理委员会", "zone", "350128"),
        "中宁县卫生和计划生育局": ("中宁县卫生健康局", "department", "640521"),
    }
    for printed, (name, kind, code) in cases.items():
        body = read_body(printed)
        assert (body.name, body.kind, body.division_code, body.parsed) == (name, kind, code, True), printed
    assert read_body("洪泽区人民政府").place == "江苏省/淮安市/洪泽区"


def test_a_name_that_does_not_parse_stays_as_printed_and_is_flagged() -> None:
    shared = read_body("城关镇人民政府")  # hundreds of townships: nothing tells which
    assert (shared.parsed, shared.name) == (False, "城关镇人民政府")
    unknown = read_body("示范县财政局")
    assert not unknown.parsed and unknown.division_code is None
    assert read_body("城关镇人民政府", site_place("甘肃省/兰州市/永登县", None)).parsed  # the site tells


def _report(folder: Path, name: str, agency: str, year: int) -> Path:
    title = f"{agency}{year}年政府信息公开工作年度报告"
    html = (
        f"<html><head><title>{title}</title></head><body><h1>{title}</h1>"
        f"<p>本报告依据《中华人民共和国政府信息公开条例》编制。一、总体情况。二、主动公开政府信息情况。"
        f"三、收到和处理政府信息公开申请情况。</p></body></html>"
    )
    path = folder / name
    path.write_text(html, encoding="utf-8")
    return path


@pytest.fixture
def hongze(tmp_path: Path) -> Workspace:
    """A district's government printed with and without its city, a department that stopped publishing."""
    docs = tmp_path / "docs"
    docs.mkdir()
    files = [
        _report(docs, "a.html", "洪泽区人民政府", 2021),
        _report(docs, "b.html", "淮安市洪泽区人民政府", 2022),
        _report(docs, "c.html", "江苏省淮安市洪泽区人民政府", 2023),
        _report(docs, "d.html", "洪泽区财政局", 2021),
        _report(docs, "e.html", "淮安市洪泽区财政局", 2022),
    ]
    ws = Workspace(tmp_path / "data")
    ws.corpus.upsert_site(Site(id="hz", name="洪泽区人民政府", start_urls=[], region="江苏省/淮安市/洪泽区"))
    ingest(ws, files, workers=1, site_id="hz")
    return ws


def _years(ws: Workspace) -> dict[str, list[int]]:
    rows = ws.corpus.conn.execute(
        "SELECT b.name, r.year FROM reports r JOIN bodies b ON b.id = r.body_id ORDER BY r.year"
    )
    out: dict[str, list[int]] = {}
    for name, year in rows:
        out.setdefault(name, []).append(year)
    return out


def test_a_district_printed_with_and_without_its_city_is_one_body(hongze: Workspace) -> None:
    ws = hongze
    assert _years(ws) == {"洪泽区人民政府": [2021, 2022, 2023], "洪泽区财政局": [2021, 2022]}
    printed = {r[0] for r in ws.corpus.conn.execute("SELECT printed_agency FROM report_sources")}
    assert "江苏省淮安市洪泽区人民政府" in printed  # the copy keeps the name as printed
    aliases = {r[0] for r in ws.corpus.conn.execute("SELECT name FROM body_aliases")}
    assert {"洪泽区人民政府", "淮安市洪泽区人民政府", "洪泽区财政局", "淮安市洪泽区财政局"} <= aliases
    # No expected_agencies: the department that published in 2021 and 2022 is missing from 2023 on.
    rows = expected_reports(ws.corpus)
    missing = {(r["agency"], r["year"]) for r in rows if r["status"] == "missing"}
    assert ("洪泽区财政局", 2023) in missing and ("洪泽区人民政府", 2023) not in missing
    assert all(r["inferred"] for r in rows)
    rollup = {(r["division_code"], r["year"]): r for r in region_rollup(ws.corpus)}
    county = rollup[("320813", 2023)]  # the government (archived today, so late) and the department
    assert (county["expected"], county["missing"], county["late"]) == (2, 1, 1)
    ws.close()


def test_merge_split_and_end_survive_reprocess(hongze: Workspace) -> None:
    ws = hongze
    decide(ws, "split", "江苏省淮安市洪泽区人民政府", None, None, "a test of a split", "tester")
    assert _years(ws)["江苏省淮安市洪泽区人民政府"] == [2023]
    decide(ws, "end", "洪泽区财政局", None, 2022, "merged away in a test", "tester")
    reprocess(ws, workers=1)
    years = _years(ws)
    assert years["江苏省淮安市洪泽区人民政府"] == [2023] and years["洪泽区人民政府"] == [2021, 2022]
    assert ("江苏省淮安市洪泽区人民政府", "洪泽区人民政府") in {  # the portals' check sees a split body
        tuple(sorted(p, key=len, reverse=True)) for p in bodies_split_apart(ws.root)
    }
    assert not any(r["status"] == "missing" for r in expected_reports(ws.corpus) if "财政局" in r["agency"])
    decide(ws, "merge", "洪泽区人民政府", "江苏省淮安市洪泽区人民政府", None, "one government", "tester")
    ids = dict(
        ws.corpus.conn.execute("SELECT year, id FROM reports WHERE agency = '洪泽区人民政府'").fetchall()
    )
    reprocess(ws, workers=1)
    assert _years(ws)["洪泽区人民政府"] == [2021, 2022, 2023]
    assert bodies_split_apart(ws.root) == []
    after = dict(
        ws.corpus.conn.execute("SELECT year, id FROM reports WHERE agency = '洪泽区人民政府'").fetchall()
    )
    assert after == ids  # report ids kept through reprocess
    who = ws.corpus.conn.execute("SELECT action, who, why FROM body_decisions ORDER BY id").fetchall()
    assert tuple(who[0]) == ("split", "tester", "a test of a split")
    ws.close()
    listing = subprocess.run(
        [sys.executable, "-m", "govarchive", "bodies", "--data", str(ws.root)],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=True,
    ).stdout  # fmt: skip
    assert "洪泽区人民政府  government  320813  years: 2021,2022,2023" in listing
    assert "江苏省淮安市洪泽区人民政府" in listing  # a spelling of it
    bad = subprocess.run(
        [sys.executable, "-m", "govarchive", "bodies", "merge", "洪泽区人民政府", "无此机关", "--why", "x",
         "--data", str(ws.root)],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1


ROSTER = (
    "division_code,name,kind,from,until\n320813,洪泽区教育局,department,2021,\n"
    "320813,洪泽区工商局,department,2019,2018\n"
    "320813101,人民政府,township,2022,\n"  # a township's government, by its code: 洪泽区蒋坝镇人民政府
)


def test_a_roster_file_names_who_must_publish(tmp_path: Path) -> None:
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    sites = parse_sites(
        '[[sites]]\nid = "hz"\nname = "洪泽区人民政府"\nregion = "江苏省/淮安市/洪泽区"\n'
        'start_urls = ["http://127.0.0.1:9/"]\nexpected_since = 2021\nroster = "roster.csv"\n',
        tmp_path / "sites.toml",
    )
    assert sites[0].roster_rows[0] == ("320813", "洪泽区教育局", "department", 2021, None)
    ws = Workspace(tmp_path / "data")
    ws.corpus.upsert_site(sites[0])
    rows = expected_reports(ws.corpus)
    assert {r["agency"] for r in rows} == {"洪泽区教育局", "人民政府"}  # the ended body in no year
    assert {r["source"] for r in rows} == {"roster"}
    town = {ws.corpus.conn.execute("SELECT name, kind FROM bodies WHERE id = ?", (r["body_id"],)).fetchone()
            for r in rows if r["agency"] == "人民政府"}  # fmt: skip
    assert {tuple(t) for t in town} == {("洪泽区蒋坝镇人民政府", "township")}
    assert {r["deadline"][5:] for r in rows} == {"01-31"}  # departments and townships: 31 January
    ws.close()
    (tmp_path / "bad.csv").write_text("division_code,name,kind\n320813,,department\n", encoding="utf-8")
    with pytest.raises(Exception, match="line 2: no body name"):
        parse_sites(
            '[[sites]]\nid = "x"\nname = "x"\nstart_urls = ["http://127.0.0.1:9/"]\nroster = "bad.csv"\n',
            tmp_path / "sites.toml",
        )


def test_monitor_json_by_region(hongze: Workspace) -> None:
    root = hongze.root
    hongze.close()
    proc = subprocess.run(
        [sys.executable, "-m", "govarchive", "monitor", "--data", str(root), "--regions", "--json"],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    rows = json.loads(proc.stdout)
    assert {r["division_code"] for r in rows} == {"320813"}


def test_a_corpus_made_before_bodies_gets_them_when_opened(tmp_path: Path) -> None:
    import sqlite3

    from archive.store.corpus import Corpus
    from archive.store.migrations import MIGRATIONS, migrate

    db = sqlite3.connect(tmp_path / "corpus.db")
    migrate(db, [m for m in MIGRATIONS if m[0] < "017"])
    db.execute(
        "INSERT INTO sites(id, name, region, start_urls) VALUES ('hz', '洪泽区人民政府', '江苏省/淮安市/洪泽区', '[]')"
    )
    for i, (agency, year) in enumerate(
        [("洪泽区人民政府", 2022), ("淮安市洪泽区人民政府", 2023), ("财政局", 2023)]
    ):
        db.execute(
            "INSERT INTO reports(site_id, agency, year, kind, first_seen, last_seen) VALUES ('hz', ?, ?, 'annual_report', 't', 't')",
            (agency, year),
        )
        db.execute("INSERT INTO report_sources(report_id, sha256, url) VALUES (?, 'x', ?)", (i + 1, f"u{i}"))
    db.commit()
    db.close()
    corpus = Corpus(tmp_path / "corpus.db")
    rows = corpus.conn.execute("SELECT agency, body_id FROM reports ORDER BY id").fetchall()
    assert [r[0] for r in rows] == ["洪泽区人民政府", "洪泽区人民政府", "洪泽区财政局"]
    assert rows[0][1] == rows[1][1] != rows[2][1]
    printed = [
        r[0] for r in corpus.conn.execute("SELECT printed_agency FROM report_sources ORDER BY report_id")
    ]
    assert printed == ["洪泽区人民政府", "淮安市洪泽区人民政府", "财政局"]
    corpus.close()


def test_a_generic_level_word_means_the_sites_own_place() -> None:
    assert read_body("县人民政府", ZN).key == read_body("中宁县人民政府").key
    assert read_body("县财政局", ZN).division_code == "640521"


@pytest.mark.parametrize(
    ("printed", "name", "parsed"),
    [
        ("林业局", "林业局", False),  # a township-level unit of the list named 林业局 is no place
        ("浦东新区", "浦东新区人民政府", True),  # a district with a government, not a zone
        ("苏州工业园区", "苏州工业园区管理委员会", True),  # a zone run by a 管委会
        ("姚伏镇人民政府", "平罗县姚伏镇人民政府", True),  # a township goes with its county
    ],
)
def test_names_read_as_a_person_would(printed: str, name: str, parsed: bool) -> None:
    body = read_body(printed)
    assert (body.name, body.parsed) == (name, parsed)


def test_researcher_pages_follow_the_body_across_spellings(hongze: Workspace) -> None:
    from govarchive.datasette_plugin import data

    conn = hongze.corpus.conn
    by_year = dict(conn.execute("SELECT year, id FROM reports WHERE agency = '洪泽区人民政府'").fetchall())
    prev = data.previous_report(conn, by_year[2023])  # printed 江苏省淮安市…; 2022 printed 淮安市…
    assert prev is not None and prev["id"] == by_year[2022]
    name = data.body_name(conn, "江苏省淮安市洪泽区人民政府")
    assert name == "洪泽区人民政府"
    assert [r["year"] for r in data.body_reports(conn, name)] == [2021, 2022, 2023]
    assert "淮安市洪泽区人民政府" in data.body_aliases(conn, name)
    hongze.close()


def test_an_unknown_city_is_not_a_known_countys_short_name() -> None:
    # 兴海 is 兴海县's short name; 兴海市 is another place (one the list does not know).
    body = read_body("兴海市交通运输局")
    assert (body.name, body.parsed) == ("兴海市交通运输局", False)


def test_a_place_the_sites_place_does_not_tell_stays_as_printed() -> None:
    # 桃园镇 is a township of 长安区 (130102) and of 晋州市 (130183): a 石家庄市 site tells neither.
    sjz = site_place("河北省/石家庄市", "石家庄市人民政府")
    body = read_body("桃园镇人民政府", sjz)
    assert (body.parsed, body.name, body.key) == (False, "桃园镇人民政府", "name:1301:桃园镇人民政府")
    # A township whose name is unique under the site's county still parses.
    assert read_body("宁安镇人民政府", ZN).parsed
    assert read_body("城关镇人民政府", site_place("甘肃省/兰州市/永登县", None)).parsed
    demo = site_place(None, "示范县人民政府")  # a place the list does not know: its own township
    assert read_body("城关镇人民政府", demo).key == read_body("示范县城关镇人民政府").key


def test_a_name_kept_as_printed_is_one_body_per_site(tmp_path: Path) -> None:
    qtx = site_place("宁夏回族自治区/吴忠市/青铜峡市", "青铜峡市人民政府")
    a, b = read_body("政务公开办公室", ZN), read_body("政务公开办公室", qtx)
    assert not a.parsed and a.key != b.key and (a.division_code, b.division_code) == ("640521", "640381")
    # Sites of no known place: the site's id tells them apart; a place the list does not know still groups.
    ws = Workspace(tmp_path / "data")
    for sid in ("p1", "p2"):
        ws.corpus.upsert_site(Site(id=sid, name="政务公开平台", start_urls=[]))
    one, two = (ws.corpus.resolve_body("政务公开办公室", sid) for sid in ("p1", "p2"))
    assert one is not None and two is not None and one.body_id != two.body_id
    same = ws.corpus.resolve_body("示范市示范县财政局", "p1")
    assert same is not None and same == ws.corpus.resolve_body("示范县财政局", "p1")
    ws.close()


def test_a_split_is_of_one_sites_spelling(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    ws = Workspace(tmp_path / "data")
    for sid, name, region in (
        ("yd", "永登县人民政府", "甘肃省/兰州市/永登县"),
        ("wh", "五河县人民政府", "安徽省/蚌埠市/五河县"),
    ):
        ws.corpus.upsert_site(Site(id=sid, name=name, start_urls=[], region=region))
        files = [_report(docs, f"{sid}1.html", f"{name[:-4]}城关镇人民政府", 2021)]
        files.append(_report(docs, f"{sid}2.html", "城关镇人民政府", 2022))
        with files[-1].open("a", encoding="utf-8") as f:
            f.write(f"<!-- {sid} -->")  # two documents, not one blob
        ingest(ws, files, workers=1, site_id=sid)
    assert _years(ws) == {"永登县城关镇人民政府": [2021, 2022], "五河县城关镇人民政府": [2021, 2022]}
    with pytest.raises(ValueError, match="2 sites"):
        decide(ws, "split", "城关镇人民政府", None, None, "which one?", "tester")
    with pytest.raises(ValueError, match="not met on site"):
        decide(ws, "split", "城关镇人民政府", "zz", None, "no such site", "tester")
    decide(ws, "split", "城关镇人民政府", "yd", None, "one site's spelling", "tester")
    reprocess(ws, workers=1)
    years = _years(ws)
    assert years["城关镇人民政府"] == [2022] and years["永登县城关镇人民政府"] == [2021]
    assert years["五河县城关镇人民政府"] == [2021, 2022]  # the other site's spelling untouched
    ws.close()
