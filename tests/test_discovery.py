"""Link classification, URL shapes and the families' parsers, on the markup real portals send."""

from __future__ import annotations

import pytest

from archive.extract.pageinfo import page_info
from archive.report.meta import classify_title, is_lookalike_document, looks_like_agency, title_from_text
from crawler.discovery import LinkKind, classify_link, url_pattern
from crawler.families import hanweb, jsonlist, trs, yeardept


@pytest.mark.parametrize(
    ("url", "text", "kind"),
    [
        (
            "http://x.gov.cn/xxgk/202301/t20230115_1.html",
            "XX县财政局2022年政府信息公开工作年度报告",
            LinkKind.REPORT,
        ),
        (
            "http://x.gov.cn/a/1.html",
            "关于做好2022年政府信息公开工作年度报告编制发布工作的通知",
            LinkKind.LOOKALIKE,
        ),
        ("http://x.gov.cn/a/2.html", "2022年度各部门政府信息公开工作年度报告汇总", LinkKind.LOOKALIKE),
        ("http://x.gov.cn/xxgk/3.html", "测试县2023年政务公开工作要点", LinkKind.LOOKALIKE),
        ("http://x.gov.cn/xxgk/P0202301.docx", "附件", LinkKind.ATTACHMENT),
        (
            "http://x.gov.cn/module/download/downfile.jsp?classid=0&filename=a.pdf",
            "下载",
            LinkKind.ATTACHMENT,
        ),
        ("http://x.gov.cn/list?page=2", "下一页", LinkKind.PAGER),
        ("http://x.gov.cn/xxgk/index_3.html", "3", LinkKind.PAGER),
        ("http://x.gov.cn/col/col1/index.html", "政府信息公开年报", LinkKind.SECTION),
        ("http://x.gov.cn/news/1.html", "领导调研", LinkKind.OTHER),
        ("http://x.gov.cn/xxgk/calendar?date=2023-01-01", "政务公开", LinkKind.OTHER),
    ],
)
def test_classify_link(url: str, text: str, kind: LinkKind) -> None:
    assert classify_link(url, text) is kind


def test_work_summary_is_its_own_kind() -> None:
    assert classify_title("测试县司法局2018年政务公开工作总结").kind == "work_summary"
    assert is_lookalike_document("2023年政务公开工作要点")
    assert not is_lookalike_document("政务公开专栏")  # a section, no year


def test_title_on_its_own_line_is_not_glued_to_navigation() -> None:
    text = "首页\n>\n政府信息公开年报\n测试县司法局2018年政务公开工作总结\n正文"
    assert title_from_text(text) == "测试县司法局2018年政务公开工作总结"
    broken = "测试县卫生健康局2020年政府信息公开工作\n年度报告\n一、总体情况"
    assert title_from_text(broken) == "测试县卫生健康局2020年政府信息公开工作年度报告"


def test_url_pattern_blanks_digits_and_query_values() -> None:
    assert url_pattern("http://h/xxgk/rl/2023/1/5/") == url_pattern("http://h/xxgk/rl/2024/12/31/")
    assert url_pattern("http://h/list?page=2&year=2023") == url_pattern("http://h/list?year=2021&page=9")
    assert url_pattern("http://h/a/1.html") != url_pattern("http://h/b/1.html")


def test_trs_pager_from_create_page_html_and_count_page() -> None:
    found = trs.pager(['createPageHTML(5, 0, "index", "shtml");'])
    assert found == (5, 0, "index", "shtml")
    assert trs.pager(["var currentPage = 2;var countPage = 7"]) == (7, 2, "index", "html")
    assert trs.pager(["createPageHTML('page_div', 12, 1, 'index', 'html', 240);"]) == (12, 1, "index", "html")
    assert trs.pager(["var x = 1;"]) is None
    urls = trs.page_urls("http://h/xxgk/nb/index.html", 3, "index", "html")
    assert urls == [
        "http://h/xxgk/nb/index.html",
        "http://h/xxgk/nb/index_1.html",
        "http://h/xxgk/nb/index_2.html",
    ]
    assert len(trs.page_urls("http://h/a/", 10**6, "index", "html")) == trs.MAX_LIST_PAGES


def test_hanweb_records_and_proxy_form() -> None:
    script = (
        '<datastore><nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&webid=3&path=/'
        '&columnid=77&unitid=99&webname=X&permissiontype=0"></a>]]></nextgroup><recordset>'
        "<record><![CDATA[<li><a href='/art/2023/1/2/art_77_1.html'>甲局2022年政府信息公开工作年度报告</a></li>]]></record>"
        "</recordset></datastore> $('#99').jpage({perpage:12, totalRecord:40})"
    )
    links = hanweb.records(script, "http://h/col/col77/index.html").links
    assert [(link.url, link.text) for link in links] == [
        ("http://h/art/2023/1/2/art_77_1.html", "甲局2022年政府信息公开工作年度报告")
    ]
    found = hanweb.proxy_form("http://h/col/col77/index.html", script)
    assert found is not None
    url, form, per = found
    assert url == "http://h/module/web/jpage/dataproxy.jsp" and per == 12
    assert form["columnid"] == "77" and form["unitid"] == "99" and form["webid"] == "3" and form["col"] == "1"
    assert hanweb.proxy_form("http://h/a.html", "no proxy here") is None


def test_jsonlist_finds_api_records_and_pages() -> None:
    urls = jsonlist.api_urls("http://h/xxgk/list.html", ["fetch(`/api/list?page=${page}&size=4`).then(r=>r)"])
    assert urls == ["http://h/api/list?page=1&size=4"]
    data = {
        "data": {"rows": [{"title": "甲局2022年政府信息公开工作年度报告", "link": "/d/1.html"}], "total": 9}
    }
    assert jsonlist._records(data) == [("甲局2022年政府信息公开工作年度报告", "/d/1.html")]
    assert jsonlist.page_count(data, 4) == 3
    assert jsonlist.with_page("http://h/api/list?page=1&size=4", 3).endswith("size=4&page=3")


def test_yeardept_year_links_and_body_names() -> None:
    assert yeardept.link_year("2022年度") == 2022
    assert yeardept.link_year("2022年政府信息公开工作年度报告") == 2022
    assert yeardept.link_year("2022年预算公开") is None
    assert looks_like_agency("县人力资源和社会保障局") and looks_like_agency("城关镇人民政府")
    assert not looks_like_agency("政府信息公开年报") and not looks_like_agency("首页")


@pytest.mark.parametrize(
    "html",
    [
        "\x00\x01\x02garbage\x00",
        "",
        '<html><head><base href="http://[broken"></head><body><a href="a.html">a</a></body></html>',
        '<html><body><a href="http://[bad">bad</a><a href="javascript:void(0)">js</a></body></html>',
        "<html><body>" + "<div>" * 5000 + "深</body></html>",
    ],
)
def test_page_info_survives_broken_pages(html: str) -> None:
    info = page_info(html, "http://h/x/")
    assert all(link.url.startswith("http://h/") for link in info.links)


def test_page_info_reads_xhtml_that_declares_its_encoding() -> None:
    html = '<?xml version="1.0" encoding="gbk"?><html><head><meta name="PubDate" content="2023-01-16 09:30">'
    html += '<title>甲</title></head><body><a href="./P0.docx">附件</a></body></html>'
    info = page_info(html, "http://h/x/t.html")
    assert [link.url for link in info.links] == ["http://h/x/P0.docx"]
    assert info.meta == {"title": "甲", "published_at": "2023-01-16"}


def test_hanweb_and_json_answers_that_are_not_what_they_claim() -> None:
    assert hanweb.records("<html>系统繁忙</html>", "http://h/").links == []
    assert jsonlist._records("not json at all") == []
    assert jsonlist.page_count({"total": "x"}, 0) == 1
