"""Sealed simulator C (held out: developers do not open this folder)."""

from __future__ import annotations

from urllib.parse import quote

from tests.portals.server import Answer, Req
from tests.zoo import docs
from tests.zoo.common import MIME, Builder, ZooSite
from tests.zoo.kit import STD_NAV, Item, home, item_list, report_page, skeleton, wrap


def build() -> ZooSite:
    b = Builder("sealed-c", "岚皋县人民政府", "陕西省/安康市/岚皋县", {"main": "127.0.43.1"})
    nav = STD_NAV
    page = wrap(b, nav, style=0)
    skeleton(b, nav, style=0, pager="js")
    home(b, nav, style=0)
    root = "/zfxxgk/fdzdgknr/ndbg/"
    b.page("/zwgk/", page("政府信息公开", '<p><a href="/zfxxgk/">法定主动公开</a></p>', "政府信息公开"))
    b.page("/zfxxgk/", page("法定主动公开内容", f'<a href="{root}">年度报告</a>', "法定主动公开"))
    items: list[Item] = []
    blobs: dict[str, tuple[bytes | docs.Doc, str]] = {}

    def utf8_download(req: Req) -> Answer:
        got = blobs.get(req.path.rsplit("/", 1)[1] + req.query.get("fileId", ""))
        if got is None:
            return Answer(b"not found", 404, "text/plain")
        d, name = got
        data = d.data() if isinstance(d, docs.Doc) else d
        cd = f"attachment; filename*=UTF-8''{quote(name)}"
        return Answer(data, content_type="application/octet-stream", headers=[("Content-Disposition", cd)])

    b.handler("/api/file/download/", utf8_download)
    b.portals["main"].add_prefix("/api/file/download/", utf8_download)
    b.handler("/fileDownload.do", utf8_download)

    def art(s: docs.ReportSpec, n: int, content: str, title: str | None = None) -> str:
        u = f"{root}{s.year + 1}/{n}.html"
        report_page(b, u, s.title, content, s.published_at, s.agency, page, "年度报告")
        items.append(Item(title or s.title, u, s.published_at))
        return u

    s = docs.spec("岚皋县人民政府", 2023, 221)
    imgs = [
        b.file(f"/uploads/image/2024/nb2023_{k}.jpeg", docs.picture(s, "jpg", 120 + k), MIME["jpg"])
        for k in range(1)
    ]
    a = art(
        s,
        1,
        "".join(f"<p>{p}</p>" for p in s.paragraphs[:4])
        + "".join(f'<p><img src="{i}" width="100%"></p>' for i in imgs),
    )
    b.plant(s.agency, 2023, [a, *imgs], "inline-images")

    s = docs.spec(
        "岚皋县佐龙镇人民政府", 2023, 222, title="岚皋县佐龙镇人民政府2023年政府信息公开工作年度报告"
    )
    blobs["ab12cd9e"] = (docs.ofd(s), s.title + ".ofd")
    a = art(
        s,
        2,
        '<p>附件：<a href="/api/file/download/ab12cd9e">' + s.title + ".ofd</a></p>",
        title="岚皋县佐龙镇人民政府2023年政府信息公开工作年...",
    )
    b.plant(s.agency, 2023, [a, "/api/file/download/ab12cd9e"], "ofd-no-ext")

    s = docs.spec("岚皋县人民政府", 2022, 223, pattern=1)
    blobs["77"] = (docs.docfactory(s, "xlsx"), "2022年报统计表.xlsx")
    a = art(
        s,
        3,
        "".join(f"<p>{p}</p>" for p in s.paragraphs)
        + '<p><a href="/fileDownload.do?fileId=77">统计表</a></p>',
    )
    b.plant(s.agency, 2022, [a, "/fileDownload.do?fileId=77"], "xlsx-no-ext")

    s = docs.spec("岚皋县城关镇人民政府", 2022, 224, title="城关镇2022年度报告")
    z = docs.package(
        [("年度报告.docx", docs.docfactory(s, "docx")), ("统计表.xlsx", docs.docfactory(s, "xlsx"))]
    )
    f = b.file("/uploads/file/2023/cgz2022.zip", z, MIME["zip"])
    a = art(s, 4, f'<p><a href="{f}">{s.title}（压缩包）</a></p>')
    b.plant(s.agency, 2022, [a, f], "zip")

    s = docs.spec("岚皋县应急管理局", 2021, 225, title="岚皋县应急管理局信息公开年报（2021年度）")
    blobs["wps01"] = (docs.office(s, "doc"), s.title + ".wps")
    a = art(s, 5, '<p><a href="/api/file/download/wps01">下载</a></p>')
    b.plant(s.agency, 2021, [a, "/api/file/download/wps01"], "wps-no-ext")

    s = docs.spec("岚皋县人民政府", 2021, 226, pattern=2)
    p = b.file("/uploads/image/2022/nb2021.png", docs.picture(s, "png", 110), MIME["png"])
    a = art(
        s, 6, "".join(f"<p>{x}</p>" for x in s.paragraphs[:3]) + f'<p>附件：<a href="{p}">统计表格</a></p>'
    )
    b.plant(s.agency, 2021, [a, p], "png-attachment")

    tu = docs.ReportSpec(
        title="图解岚皋县2023年政府信息公开工作年度报告", agency=b.name, year=2024, template=None
    )
    tj = b.file("/uploads/image/2024/tujie2023.jpeg", docs.picture(tu, "jpg", 100), MIME["jpg"])
    b.lookalikes += [art(tu, 7, f'<p><img src="{tj}"></p>'), tj]
    b.page(root, page("年度报告", item_list(items, 1, truncate=26), "年度报告"))
    return b.site(["/zwgk/"])
