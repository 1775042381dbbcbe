"""What a page is by its own content, and which of its images are the report's."""

from __future__ import annotations

from archive.extract.pageinfo import page_info
from crawler.images import MAX_IMAGES, content_images
from crawler.pagekind import Reading, read_page

NAV = (
    '<div class="header"><a href="/">测试县人民政府</a> <a href="/xwzx/">新闻中心</a> '
    '<a href="http://www.nx.gov.cn/">宁夏回族自治区人民政府</a></div>'
)
YEAR_PAGE = (
    "<html><head><title>2022年度政府信息公开工作年度报告</title></head><body>" + NAV + "<table>"
    '<tr><td><a href="/nb/2022/P1.doc">县财政局</a></td></tr><tr><td><a href="/nb/2022/P2.doc">县教育局</a></td></tr>'
    '<tr><td><a href="/nb/2022/c3.html">县公安局</a></td></tr></table></body></html>'
)


def _read(
    html: str, link_text: str | None = None, year: int | None = None, from_body: bool = False
) -> Reading:
    return read_page(page_info(html, "http://h/nb/"), html, link_text, year=year, from_body=from_body)


def test_a_year_page_titled_like_a_report_that_lists_bodies_is_a_list() -> None:
    r = _read(YEAR_PAGE, "2022年")
    assert r.named and r.is_list and not r.is_report
    assert r.year == 2022  # from its own title
    assert [link.text for link in r.year_dept_bodies(continued=False)] == ["县财政局", "县教育局", "县公安局"]


def test_body_names_in_the_header_do_not_make_a_report_page_a_list() -> None:
    page = (
        "<html><head><title>测试县财政局2022年政府信息公开工作年度报告</title></head><body>" + NAV
        + '<p>详见附件。</p><a href="/nb/P1.pdf">测试县财政局2022年政府信息公开工作年度报告.pdf</a></body></html>'
    )  # fmt: skip
    r = _read(page)
    assert r.is_report and not r.is_list and r.year_dept_bodies(continued=False) == []


def test_a_report_needs_its_content_not_only_its_title() -> None:
    bare = "<html><head><title>测试县财政局2022年政府信息公开工作年度报告</title></head><body>页面维护中</body></html>"
    assert not _read(bare).is_report
    text = bare.replace("页面维护中", "<p>一、总体情况</p><p>二、主动公开政府信息情况</p>")
    assert _read(text).is_report


def test_a_page_reached_from_a_body_name_is_a_report_when_it_carries_one() -> None:
    detail = '<html><head><title>详细信息</title></head><body><a href="/f/1.docx">附件1</a></body></html>'
    assert _read(detail, "县财政局", year=2022, from_body=True).is_report
    assert not _read(detail, "县财政局").is_report  # the same page reached otherwise names nothing
    empty = "<html><head><title>详细信息</title></head><body>暂无内容</body></html>"
    assert not _read(empty, "县财政局", year=2022, from_body=True).is_report


def test_content_images_skip_logos_icons_and_chrome() -> None:
    html = (
        '<html><body><div class="header"><img src="/img/banner.jpg"><img src="/img/photo.jpg"></div>'
        "<div class='TRS_Editor'><p>一、总体情况</p>"
        '<img src="/up/t1.png" width="800"><img src="/up/t2.jpg"><img src="/up/dot.png" width="6" height="6">'
        '<img src="/img/icon_print.png"><img src="/up/anim.gif"><img src="data:image/png;base64,AAAA"></div>'
        '<div class="footer"><img src="/img/dzjg.png"></div></body></html>'
    )
    assert [link.url for link in content_images(page_info(html, "http://h/a/").doc, "http://h/a/")] == [
        "http://h/up/t1.png",
        "http://h/up/t2.jpg",
    ]
    many = "<div class='content'>" + "".join(f'<img src="/up/{i}.png">' for i in range(50)) + "</div>"
    assert len(content_images(page_info(many, "http://h/").doc, "http://h/")) == MAX_IMAGES
