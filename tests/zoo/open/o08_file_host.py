"""Attachments on another host than the portal's (a file server / CDN on another loopback IP): direct
links, a download that redirects there, a FastDFS-style path, and images/CSS on that host as noise."""

from __future__ import annotations

from tests.zoo import docs
from tests.zoo.common import MIME, Builder, ZooSite
from tests.zoo.kit import STD_NAV, Item, attachments, home, item_list, report_page, skeleton, wrap


def build() -> ZooSite:
    b = Builder(
        "o08-file-host", "南岭县人民政府", "广东省/韶关市/南岭县", {"main": "127.0.28.1", "cdn": "127.0.28.2"}
    )
    nav = STD_NAV
    page = wrap(b, nav, style=2)
    skeleton(b, nav, style=2)
    home(
        b,
        nav,
        style=2,
        extra='<link rel="stylesheet" href="@@cdn@@/static/css/main.css"><img src="@@cdn@@/static/img/logo.png">',
    )
    b.page("@@cdn@@/", "<html><body>File server</body></html>")
    b.page(
        "/zwgk/", page("政府信息公开", '<a href="/zwgk/ndbg/">政府信息公开工作年度报告</a>', "政府信息公开")
    )
    items: list[Item] = []

    def art(s: docs.ReportSpec, n: int, content: str) -> str:
        u = f"/zwgk/ndbg/content/post_{8800 + n}.html"
        report_page(b, u, s.title, content, s.published_at, s.agency, page)
        items.append(Item(s.title, u, s.published_at))
        return u

    s = docs.spec("南岭县人民政府", 2023, 81)
    f = b.file("@@cdn@@/group1/M00/00/12/wKgBZ2Xk.pdf", docs.docfactory(s, "pdf"), MIME["pdf"])
    b.plant(s.agency, 2023, [art(s, 1, attachments([(s.title + ".pdf", f)])), f], "cdn-direct")

    s = docs.spec("南岭县市场监督管理局", 2023, 82, pattern=1)
    f = b.file("@@cdn@@/files/2024/01/scjg2023.docx", docs.docfactory(s, "docx"), MIME["docx"])
    r = "/attachment/redirect?id=5"
    b.redirect(r, f)
    b.plant(s.agency, 2023, [art(s, 2, attachments([(s.title, r)])), r, f], "redirect-to-cdn")

    s = docs.spec("南岭县人民政府", 2022, 83, pattern=2)
    f = b.file("@@cdn@@/gkmlpt/files/2023/nb2022.pdf", docs.office(s, "pdf"), MIME["pdf"])
    b.plant(s.agency, 2022, [art(s, 3, f'<p>{s.title}，<a href="{f}">点击下载</a>。</p>'), f], "cdn-direct")

    s = docs.spec("南岭县司法局", 2021, 84)
    f = b.file("@@cdn@@/group1/M00/00/07/rBAB.doc", docs.docfactory(s, "doc"), MIME["doc"])
    b.plant(s.agency, 2021, [art(s, 4, attachments([(s.title + ".doc", f)])), f], "cdn-direct")

    s = docs.spec("南岭县人民政府", 2021, 85)
    b.plant(s.agency, 2021, [art(s, 5, docs.article_html(s))], "inline")

    fz = docs.lookalike_pdf(
        "南岭县2023年法治政府建设年度报告", ["一、主要举措和成效", "二、存在的不足和原因"]
    )
    f = b.file("@@cdn@@/group1/M00/00/20/fzzf2023.pdf", fz, MIME["pdf"])
    t = docs.ReportSpec(title="南岭县2023年法治政府建设年度报告", agency=b.name, year=2023, template=None)
    b.lookalikes += [art(t, 6, attachments([(t.title + ".pdf", f)])), f]
    b.page("/zwgk/ndbg/", page("年度报告", item_list(items), "政府信息公开 &gt; 年度报告"))
    return b.site(["/"])
