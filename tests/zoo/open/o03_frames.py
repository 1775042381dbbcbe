"""Frames and embedded documents: 信息公开 as a <frameset>, the report list inside an <iframe>, PDFs in
<embed src> and <object data>, a report body that is an iframe'd page, 年报解读/图解 traps."""

from __future__ import annotations

from tests.zoo import docs
from tests.zoo.common import MIME, Builder, ZooSite
from tests.zoo.kit import STD_NAV, Item, charset, home, item_list, report_page, skeleton, wrap

FRAMESET = """<html><head><meta charset="utf-8"><title>石门县政府信息公开</title></head>
<frameset rows="120,*" frameborder="0"><frame src="/zwgk/top.html" name="top" scrolling="no">
<frameset cols="220,*"><frame src="/zwgk/left.html" name="left"><frame src="/zwgk/main.html" name="main">
</frameset></frameset><noframes><body>您的浏览器不支持框架。</body></noframes></html>"""


def build() -> ZooSite:
    b = Builder("o03-frames", "石门县人民政府", "湖南省/常德市/石门县", {"main": "127.0.23.1"})
    nav = STD_NAV
    page = wrap(b, nav, style=1)
    skeleton(b, nav, style=1)
    home(b, nav, style=1)
    b.page("/zwgk/", FRAMESET)
    b.page("/zwgk/top.html", '<html><body><img src="/images/xxgk.png" alt="政府信息公开"></body></html>')
    left = (
        '<html><body><ul><li><a href="/zwgk/main.html" target="main">信息公开指南</a></li>'
        '<li><a href="/zwgk/ndbg/" target="main">年度报告</a></li>'
        '<li><a href="/zwgk/czzj/" target="main">财政资金</a></li></ul></body></html>'
    )
    b.page("/zwgk/left.html", left)
    b.page(
        "/zwgk/main.html",
        "<html><body><p>政府信息公开指南：本县政府信息公开工作由县政府办公室负责。</p></body></html>",
    )
    b.page("/zwgk/czzj/", "<html><body><p>2023年县级财政预算公开。</p></body></html>")
    items: list[Item] = []

    def art(n: int, title: str, body: str, year: int, content: str) -> str:
        url = f"/zwgk/ndbg/content/{year}_{n}.html"
        report_page(b, url, title, content, f"{year + 1}-01-2{n}", body, page)
        items.append(Item(title, url, f"{year + 1}-01-2{n}"))
        return url

    s = docs.spec("石门县人民政府", 2023, 31)
    f = b.file("/attach/2024/szf2023.pdf", docs.docfactory(s, "pdf"), MIME["pdf"])
    a = art(1, s.title, s.agency, 2023, f'<embed src="{f}" type="application/pdf" width="100%" height="900">')
    b.plant(s.agency, 2023, [a, f], "embed-src")

    s = docs.spec("石门县交通运输局", 2022, 32, pattern=1)
    f = b.file("/attach/2023/jtj2022.pdf", docs.office(s, "pdf", style=1), MIME["pdf"])
    a = art(
        2,
        s.title,
        s.agency,
        2022,
        f'<object data="{f}" type="application/pdf" width="100%" height="900"><p>您的浏览器不能显示PDF。</p></object>',
    )
    b.plant(s.agency, 2022, [a, f], "object-data")

    s = docs.spec("石门县人民政府", 2022, 33)
    inner = "/zwgk/ndbg/content/inner2022.html"
    b.page(
        inner,
        f'<html><head><meta charset="utf-8"><title>{s.title}</title></head><body>{docs.article_html(s)}</body></html>',
    )
    a = art(
        3,
        s.title,
        s.agency,
        2022,
        f'<iframe src="{inner}" width="100%" height="2000" scrolling="no"></iframe>',
    )
    b.plant(s.agency, 2022, [a, inner], "report-in-iframe")

    s = docs.spec("石门县水利局", 2023, 34, pattern=2)
    f = b.file("/attach/2024/slj2023.docx", docs.docfactory(s, "docx"), MIME["docx"])
    a = art(4, s.title, s.agency, 2023, f'<p>附件：<a href="{f}">{s.title}.docx</a></p>')
    b.plant(s.agency, 2023, [a, f], "list-in-iframe")

    s = docs.spec("石门县人民政府", 2021, 35)
    a = art(5, s.title, s.agency, 2021, docs.article_html(s))
    b.plant(s.agency, 2021, [a], "list-in-iframe")

    for n, t, c in (
        (
            6,
            "石门县2022年度政府信息公开工作年报解读",
            "<p>一、主动公开情况：全年主动公开信息1234条。二、依申请公开：收到申请15件。</p>",
        ),
        (
            7,
            "图解：石门县2022年政府信息公开工作年度报告",
            '<p><img src="/images/tujie2022.jpg" alt="图解"></p>',
        ),
    ):
        b.lookalikes.append(art(n, t, "石门县人民政府", 2022, c))

    lst = f'<html><head><meta charset="utf-8"></head><body>{item_list(items, 1)}</body></html>'
    b.page("/zwgk/ndbg/list_content.html", lst)
    b.page(
        "/zwgk/ndbg/",
        charset(
            '<html><head><meta charset="@@cs@@"><title>年度报告</title></head><body><h3>年度报告</h3>'
            '<iframe id="listFrame" src="list_content.html" width="760" height="600" frameborder="0"></iframe></body></html>'
        ),
    )
    return b.site(["/"])
