"""Candidates without a crawl: every place a page or a data answer carries a URL, and how each is ranked."""

from __future__ import annotations

from archive.extract.pageinfo import page_info
from crawler.candidates import Candidate, data_candidates, is_data_answer, page_candidates
from crawler.ranking import rank

BASE = "http://gov.example.cn/xxgk/nb/index.html"


def _candidates(html: str) -> dict[str, Candidate]:
    info = page_info(html, BASE)
    return {c.url: c for c in page_candidates(info.doc, BASE, info.links, info.scripts)}


def test_urls_beyond_plain_links() -> None:
    found = _candidates(
        """<html><body>
        <map><area href="/a/map.html" alt="2022年度报告"></map>
        <iframe src="list_frame.html" title="年报列表"></iframe><frameset><frame src="/f/left.html"></frameset>
        <embed src="/files/r.pdf"><object data="/files/o.pdf"></object>
        <span onclick="window.open('/w/open.html')">2021年报</span>
        <li data-href="/d/row.html">某某镇2023年政府信息公开工作年度报告</li>
        <a href="javascript:void(0)" onclick="location.href='/j/go.html'">下一页</a>
        <a href="/viewer.html?file=%2Fuploads%2Fx.pdf">财政局2022年政府信息公开工作年度报告</a>
        <a href="/preview.jsp?url=http%3A%2F%2Ffiles.example.cn%2Fd%2Fy.docx">y</a>
        <script>$.getJSON("/api/nb/list.json?page=" + p); var css = "/s/site.css";</script>
        </body></html>"""
    )
    host = "http://gov.example.cn"
    assert found[host + "/a/map.html"].via == "area"
    assert found[host + "/xxgk/nb/list_frame.html"].via == "frame"
    assert found[host + "/f/left.html"].via == "frame"
    assert found[host + "/files/r.pdf"].via == "embed" and found[host + "/files/o.pdf"].via == "embed"
    assert found[host + "/w/open.html"].text == "2021年报"
    assert found[host + "/d/row.html"].text.startswith("某某镇2023年")
    assert host + "/j/go.html" in found
    # the document behind a viewer, named by the viewer link's words
    assert found[host + "/uploads/x.pdf"].text == "财政局2022年政府信息公开工作年度报告"
    assert "http://files.example.cn/d/y.docx" in found
    # a data call named in a script, its page parameter filled; not the page's style sheet
    assert host + "/api/nb/list.json?page=1" in found
    assert host + "/s/site.css" not in found


def test_get_forms_give_each_option_of_a_select_and_search_boxes_nothing() -> None:
    found = _candidates(
        """<form action="/nb/list.jsp" method="get"><input type="hidden" name="col" value="7">
        <select name="year"><option value="2023">2023年</option><option value="2022">2022年</option></select>
        <input type="submit" value="查询"></form>
        <form action="/search"><input type="text" name="q"></form>
        <form action="/post" method="post"><select name="y"><option>1</option></select></form>"""
    )
    urls = sorted(u for u, c in found.items() if c.via == "form")
    assert urls == [
        "http://gov.example.cn/nb/list.jsp?col=7&year=2022",
        "http://gov.example.cn/nb/list.jsp?col=7&year=2023",
    ]
    assert found["http://gov.example.cn/nb/list.jsp?col=7&year=2022"].text == "2022年"


def test_records_of_json_jsonp_and_xml_answers() -> None:
    jsonp = b'cb({"data":{"list":[{"title":"2022\xe5\xb9\xb4\xe5\xba\xa6\xe6\x8a\xa5\xe5\x91\x8a","link":"/t/1.html"}]}});'
    got = {c.url: c.text for c in data_candidates(jsonp, "http://gov.example.cn/api?cb=cb")}
    assert got == {"http://gov.example.cn/t/1.html": "2022年度报告"}
    xml = (
        "<?xml version='1.0' encoding='utf-8'?><rows><row><name>某局2021年政府信息公开工作年度报告</name>"
        "<path>/f/2021.pdf</path></row><record><![CDATA[<li><a href='/t/2.html'>某镇年报</a></li>]]></record></rows>"
    ).encode()
    got = {c.url: c.text for c in data_candidates(xml, "http://gov.example.cn/data.xml")}
    assert got["http://gov.example.cn/f/2021.pdf"] == "某局2021年政府信息公开工作年度报告"
    assert got["http://gov.example.cn/t/2.html"] == "某镇年报"
    assert is_data_answer(jsonp, "application/javascript") and is_data_answer(xml, None)
    assert not is_data_answer(b"<!doctype html><html></html>", "text/html")


def test_ranking_orders_and_never_drops() -> None:
    def plan(url: str, text: str, via: str = "a", on_report: bool = False) -> tuple[str, bool]:
        r = rank(Candidate(url, text, via), on_report_page=on_report, page_about_reports=True)  # type: ignore[arg-type]
        return r.plan, r.budgeted

    assert plan("http://g.cn/a.pdf", "财政局2022年政府信息公开工作年度报告") == ("attachment", False)
    assert plan("http://g.cn/a.pdf", "附件1") == ("attachment", True)  # unnamed: explored
    assert plan("http://cdn.g.cn/a.pdf", "附件1", on_report=True) == ("attachment", False)
    assert plan("http://g.cn/t.png", "", on_report=True) == ("image", False)
    assert plan("http://g.cn/index_1.html", "下一页", on_report=True) == ("continuation", False)
    assert plan("http://g.cn/x.html", "2022年度法治政府建设情况的通知") == (
        "explore",
        True,
    )  # a look-alike: last
    assert plan("http://g.cn/news/1.html", "领导之窗") == ("explore", True)
    assert plan("http://g.cn/api/list.json", "", via="script") == ("data", False)


def test_hostile_answers_and_scripts_cost_little_and_break_nothing() -> None:
    import time

    assert data_candidates(b"[" * 200_000, "http://g.cn/api") == []
    assert data_candidates(b"<rows><r><![CDATA[<html></html>]]></r></rows>", "http://g.cn/x.xml") == []
    started = time.monotonic()
    found = list(page_candidates(None, BASE, [], ['var s = "' + "a" * 80_000]))
    assert found == [] and time.monotonic() - started < 1.0
