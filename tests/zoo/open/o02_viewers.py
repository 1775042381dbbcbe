"""Documents reachable only through online viewers: pdf.js `web/viewer.html?file=` (plain and encoded),
`preview.jsp?url=<absolute, percent-encoded>`, a viewer inside an iframe, a list entry that is the viewer."""

from __future__ import annotations

from tests.zoo import docs
from tests.zoo.common import MIME, Builder, ZooSite
from tests.zoo.kit import (
    STD_NAV,
    Item,
    attachments,
    home,
    item_list,
    report_page,
    skeleton,
    static_pager,
    wrap,
)

VIEWER = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>PDF.js viewer</title>
<script src="../build/pdf.js"></script></head><body><div id="viewerContainer"><div id="viewer"></div></div>
<script>var file = new URLSearchParams(location.search).get('file');
pdfjsLib.getDocument(file).promise.then(function(pdf){ document.title = pdf.numPages; });</script></body></html>"""

PREVIEW = """<html><head><meta charset="utf-8"><title>文件预览</title></head><body><div id="pv">正在加载…</div>
<script>var u = decodeURIComponent((location.search.match(/url=([^&]*)/) || [])[1] || '');
document.getElementById('pv').innerHTML = '<iframe style="width:100%;height:900px" src="' + u + '"></iframe>';</script>
</body></html>"""


def build() -> ZooSite:
    b = Builder("o02-viewers", "柳河县人民政府", "吉林省/通化市/柳河县", {"main": "127.0.22.1"})
    nav = STD_NAV
    page = wrap(b, nav, style=2)
    skeleton(b, nav, style=2)
    home(b, nav, style=2)
    b.page("/static/pdfjs/web/viewer.html", VIEWER)
    b.page("/viewer.html", VIEWER.replace("../build/pdf.js", "/static/pdfjs/build/pdf.js"))
    b.page("/preview.jsp", PREVIEW)
    hub = '<ul><li><a href="/zwgk/xxgkzn/">信息公开指南</a></li><li><a href="/zwgk/nb/">政府信息公开年报</a></li></ul>'
    b.page("/zwgk/", page("政府信息公开", hub, "政府信息公开"))
    b.page("/zwgk/xxgkzn/", page("信息公开指南", "<p>受理机构：县政府办公室。</p>", "指南"))
    items: list[Item] = []

    def art(n: int, s_title: str, body: str, year: int, content: str) -> str:
        url = f"/zwgk/nb/{year + 1}02/t{year + 1}0215_{880 + n}.html"
        report_page(b, url, s_title, content, f"{year + 1}-02-15", body, page)
        items.append(Item(s_title, "." + url[len("/zwgk/nb") :], f"{year + 1}-02-15"))
        return url

    # 1: pdf.js viewer link with a plain path
    s = docs.spec("柳河县人民政府", 2023, 21)
    f = b.file("/uploads/2024/03/nb2023.pdf", docs.docfactory(s, "pdf"), MIME["pdf"])
    v = "/static/pdfjs/web/viewer.html?file=/uploads/2024/03/nb2023.pdf"
    a = art(1, s.title, s.agency, 2023, f'<p>{s.title}</p><p><a href="{v}" target="_blank">在线预览</a></p>')
    b.plant(s.agency, 2023, [a, f, v], "viewer-pdfjs-plain")

    # 2: preview.jsp with an absolute, percent-encoded URL of a DOCX
    s = docs.spec("柳河县民政局", 2022, 22, pattern=1)
    f = b.file("/uploads/mzj/2022nb.docx", docs.docfactory(s, "docx"), MIME["docx"])
    v = "/preview.jsp?url=@@main_q@@%2Fuploads%2Fmzj%2F2022nb.docx"
    a = art(2, s.title, s.agency, 2022, f'<p>附件：<a href="{v}">{s.title}.docx</a></p>')
    b.plant(s.agency, 2022, [a, f, v], "viewer-preview-encoded")

    # 3: the viewer inside an iframe, file parameter percent-encoded
    s = docs.spec("柳河县自然资源局", 2023, 23, pattern=2)
    f = b.file("/uploads/zrzy/2023.pdf", docs.office(s, "pdf"), MIME["pdf"])
    v = "/static/pdfjs/web/viewer.html?file=%2Fuploads%2Fzrzy%2F2023.pdf"
    a = art(
        3, s.title, s.agency, 2023, f'<iframe src="{v}" width="100%" height="800" frameborder="0"></iframe>'
    )
    b.plant(s.agency, 2023, [a, f, v], "viewer-in-iframe")

    # 4: the list entry itself is a viewer URL
    s = docs.spec("柳河县人民政府", 2022, 24)
    f = b.file("/files/2023/nb2022.pdf", docs.docfactory(s, "pdf"), MIME["pdf"])
    v = "/viewer.html?file=/files/2023/nb2022.pdf"
    items.append(Item(s.title, v, "2023-03-20"))
    b.plant(s.agency, 2022, [f, v], "viewer-list-entry")

    # 5: an ordinary attachment (control)
    s = docs.spec("柳河县农业农村局", 2021, 25)
    f = b.file("/uploads/nyj/2021.pdf", docs.docfactory(s, "pdf"), MIME["pdf"])
    a = art(5, s.title, s.agency, 2021, attachments([(s.title + ".pdf", "/uploads/nyj/2021.pdf")]))
    b.plant(s.agency, 2021, [a, f], "plain-attachment")

    # 6: viewer of a 2019 report in a second viewer style (hash-less, relative file path)
    s = docs.spec("柳河县人民政府", 2019, 26, pattern=3)
    f = b.file("/static/pdfjs/web/nb2019.pdf", docs.docfactory(s, "pdf"), MIME["pdf"])
    v = "/static/pdfjs/web/viewer.html?file=nb2019.pdf"
    a = art(6, s.title, s.agency, 2019, f'<p><a href="{v}">点击查看</a></p>')
    b.plant(s.agency, 2019, [a, f, v], "viewer-relative-file")

    # look-alike behind a viewer
    plan = docs.lookalike_pdf(
        "柳河县2023年政务公开工作要点", ["一、加强政策解读", "二、推进基层政务公开标准化"]
    )
    b.file("/uploads/2023/gzyd.pdf", plan, MIME["pdf"])
    v = "/static/pdfjs/web/viewer.html?file=/uploads/2023/gzyd.pdf"
    items.append(Item("柳河县2023年政务公开工作要点", v, "2023-04-01"))
    b.lookalikes += ["/uploads/2023/gzyd.pdf", v]

    chunks = [items[:4], items[4:]]
    for k, chunk in enumerate(chunks):
        body = "<h2>政府信息公开年报</h2>" + item_list(chunk, 1) + static_pager(2, k)
        b.page(f"/zwgk/nb/index{'' if k == 0 else '_1'}.html", page("政府信息公开年报", body, "年报"))
        if k == 0:
            b.page("/zwgk/nb/", page("政府信息公开年报", body, "年报"))
    return b.site(["/zwgk/"])
