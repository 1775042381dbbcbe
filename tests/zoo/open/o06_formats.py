"""Attachments that are not PDF/DOC: table pictures (PNG, JPEG), OFD, WPS, XLSX, a ZIP package, and
download links without an extension that answer with Content-Disposition (GBK and UTF-8 names)."""

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


def build() -> ZooSite:
    b = Builder("o06-formats", "白河县人民政府", "陕西省/安康市/白河县", {"main": "127.0.26.1"})
    nav = STD_NAV
    page = wrap(b, nav)
    skeleton(b, nav)
    home(b, nav)
    b.page("/zwgk/", page("政府信息公开", '<a href="/zwgk/zfxxgknb/">政府信息公开年报</a>', "政府信息公开"))
    items: list[Item] = []
    n = 0

    def art(s: docs.ReportSpec, content: str) -> str:
        nonlocal n
        n += 1
        url = f"/zwgk/zfxxgknb/{s.year + 1}03/t{s.year + 1}0302_{6600 + n}.html"
        report_page(b, url, s.title, content, f"{s.year + 1}-03-02", s.agency, page)
        items.append(Item(s.title, "." + url[len("/zwgk/zfxxgknb") :], f"{s.year + 1}-03-02"))
        return url

    intro = "<p>根据《中华人民共和国政府信息公开条例》，现公布本年度报告。统计表见附件。</p>"

    s = docs.spec("白河县人民政府", 2023, 61)
    pic = b.file("/uploadfile/2024/nb2023_tables.png", docs.picture(s, "png", 96), MIME["png"])
    a = art(s, intro + attachments([("附件：统计表.png", pic)]))
    b.plant(s.agency, 2023, [a, pic], "png-attachment")

    s = docs.spec("白河县财政局", 2022, 62, pattern=1)
    pic = b.file("/uploadfile/2023/czj2022.jpg", docs.picture(s, "jpg", 150), MIME["jpg"])
    a = art(s, intro + f'<p><a href="{pic}"><img src="/images/jpg.gif" alt=""></a> 扫描件</p>')
    b.plant(s.agency, 2022, [a, pic], "jpeg-scan-icon-link")

    s = docs.spec("白河县人民政府", 2022, 63)
    f = b.file("/uploadfile/2023/nb2022.ofd", docs.ofd(s), MIME["ofd"])
    a = art(s, attachments([(s.title + ".ofd", f)]))
    b.plant(s.agency, 2022, [a, f], "ofd")

    s = docs.spec("白河县林业局", 2023, 64, pattern=2)
    f = b.file("/uploadfile/2024/lyj2023.wps", docs.office(s, "doc"), MIME["wps"])
    a = art(s, attachments([(s.title + ".wps", f)]))
    b.plant(s.agency, 2023, [a, f], "wps")

    s = docs.spec("白河县人民政府", 2021, 65)
    f = b.file("/uploadfile/2022/nb2021.xlsx", docs.docfactory(s, "xlsx"), MIME["xlsx"])
    a = art(s, "".join(f"<p>{p}</p>" for p in s.paragraphs[:6]) + attachments([("统计表.xlsx", f)]))
    b.plant(s.agency, 2021, [a, f], "xlsx")

    s = docs.spec("白河县住房和城乡建设局", 2023, 66, pattern=3)
    z = docs.package(
        [(f"{s.title}.pdf", docs.docfactory(s, "pdf")), ("说明.docx", docs.docfactory(s, "docx"))]
    )
    f = b.file("/uploadfile/2024/zjj2023.zip", z, MIME["zip"])
    a = art(s, attachments([(s.title + ".zip", f)]))
    b.plant(s.agency, 2023, [a, f], "zip")

    s = docs.spec("白河县交通运输局", 2022, 67)
    d = "/download.jsp?id=123"
    b.file(d, docs.docfactory(s, "pdf"), MIME["bin"], filename=s.title + ".pdf", charset="gbk")
    a = art(s, attachments([(s.title, d)]))
    b.plant(s.agency, 2022, [a, d], "download-jsp-gbk-disposition")

    s = docs.spec("白河县人民政府", 2020, 68, pattern=1)
    d = "/attach/get?fid=9f3a"
    b.file(d, docs.docfactory(s, "docx"), MIME["bin"], filename=s.title + ".docx")
    a = art(s, attachments([("点击下载", d)]))
    b.plant(s.agency, 2020, [a, d], "attach-get-utf8-disposition")

    budget = docs.lookalike_pdf(
        "白河县2023年度部门决算公开说明", ["一、部门基本情况", "二、收入支出决算总体情况"]
    )
    f = b.file("/uploadfile/2024/jsgk2023.pdf", budget, MIME["pdf"])
    s = docs.ReportSpec(title="白河县2023年度部门决算公开", agency="白河县财政局", year=2023, template=None)
    b.lookalikes += [art(s, attachments([("决算公开说明.pdf", f)])), f]
    chunks = [items[:5], items[5:]]
    for k, chunk in enumerate(chunks):
        body = item_list(chunk) + static_pager(2, k)
        p = page("政府信息公开年报", body, "年报")
        b.page(f"/zwgk/zfxxgknb/index{'' if k == 0 else '_1'}.html", p)
        if k == 0:
            b.page("/zwgk/zfxxgknb/", p)
    return b.site(["/"])
