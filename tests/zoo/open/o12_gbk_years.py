"""An old GBK portal on an IP:port host: pages in GBK with no charset in the header (or a wrong one),
GBK file names, per-year sub-columns reached through a left menu, a scripted list pager, pre-2019 reports."""

from __future__ import annotations

from tests.zoo import docs
from tests.zoo.common import MIME, Builder, ZooSite
from tests.zoo.kit import (
    Item,
    article,
    attachments,
    charset,
    item_list,
    js_pager,
    news_section,
    shell,
    static_pages,
)

NAV = [
    ("网站首页", "/"),
    ("政务动态", "/xwzx/gzdt/"),
    ("公示公告", "/xwzx/tzgg/"),
    ("政务公开", "/zwgk/index.html"),
]


def build() -> ZooSite:
    b = Builder("o12-gbk-years", "镇原县人民政府", "甘肃省/庆阳市/镇原县", {"main": "127.0.32.1"})

    def page(t: str, body: str, crumbs: str = "") -> str:
        return charset(shell(b.name, t, body, NAV, 1, crumbs), "gb2312")

    def put(url: str, text: str, lie: bool = False) -> None:
        b.page(url, text, charset="gbk", header_charset="utf-8" if lie else None)

    gbk = lambda t, body, crumbs: page(t, body, crumbs)  # noqa: E731
    news_section(b, "/xwzx/gzdt/", "政务动态", NAV, n=16, style=1, page_shell=gbk, encoding="gbk")
    static_pages(b, NAV, 1)
    home = page(b.name, '<a href="/zwgk/index.html"><img src="/images/zwgk.gif" alt="政务公开"></a>')
    put("/", home)
    put("/index.html", home)
    years = list(range(2023, 2016, -1))
    menu = "".join(f'<li><a href="/zwgk/nb/{y}/list.html">{y}年</a></li>' for y in years)
    left = f'<div class="left"><h4>政府信息公开年报</h4><ul>{menu}</ul></div>'
    put("/zwgk/index.html", page("政务公开", left + "<p>请选择年度。</p>", "政务公开"))
    lists: dict[int, list[Item]] = {y: [] for y in years}
    n = 0

    def add(body: str, year: int, seed: int, how: str, form: str, lie: bool = False) -> None:
        nonlocal n
        n += 1
        s = docs.freeform_spec(body, year) if year < 2019 else docs.spec(body, year, seed, pattern=seed)
        u = f"/zwgk/nb/{year}/content_{12000 + n}.html"
        urls = [u]
        if how == "inline":
            content = docs.article_html(s)
        else:
            d = docs.office(s, how) if year < 2019 else docs.docfactory(s, how)
            f = b.file(
                f"/UploadFiles/{year}/{12000 + n}.{d.ext}",
                d,
                MIME["bin"],
                filename=s.title + "." + d.ext,
                charset="gbk",
            )
            urls.append(f)
            content = attachments([(s.title + "." + d.ext, f)])
        put(
            u,
            page(
                s.title,
                left + article(s.title, content, f"{year + 1}-03-0{n % 9 + 1}", body),
                "政务公开 &gt; 年报",
            ),
            lie,
        )
        lists[year].append(Item(s.title, u, f"{year + 1}-03-0{n % 9 + 1}"))
        b.plant(body, year, urls, form)

    add("镇原县人民政府", 2023, 121, "inline", "gbk-no-header-charset")
    add("镇原县农业农村局", 2023, 122, "pdf", "gbk-disposition")
    add("镇原县人民政府", 2022, 123, "inline", "gbk-header-lies", lie=True)
    add("镇原县人民政府", 2021, 124, "doc", "gbk-disposition")
    add("镇原县城关镇人民政府", 2021, 125, "inline", "gbk-js-pager-page2")
    add("镇原县人民政府", 2019, 126, "pdf", "gbk-disposition")
    add("镇原县人民政府", 2018, 0, "doc", "pre-2019-freeform")
    add("镇原县人民政府", 2017, 0, "inline", "pre-2019-freeform")
    t = "镇原县2022年国民经济和社会发展统计公报"
    put(
        "/zwgk/nb/2022/tjgb.html",
        page(t, article(t, "<p>全县实现地区生产总值98.6亿元。</p>", "2023-04-10", "镇原县统计局")),
    )
    lists[2022].append(Item(t, "/zwgk/nb/2022/tjgb.html", "2023-04-10"))
    b.lookalikes.append("/zwgk/nb/2022/tjgb.html")
    for i in range(5):  # news-like entries that push the township report to page 2
        t = f"镇原县2022年政务公开工作推进情况（第{i + 1}期）"
        u = f"/zwgk/nb/2021/gz_{i}.html"
        put(u, page(t, article(t, "<p>推进情况通报。</p>", "2022-05-01", b.name)))
        lists[2021].insert(0, Item(t, u, "2022-05-0" + str(i + 1)))
    for y, items in lists.items():
        chunks = [items[i : i + 4] for i in range(0, len(items), 4)] or [[]]
        for k, chunk in enumerate(chunks):
            body = left + item_list(chunk, 1) + js_pager(len(chunks), k).replace('"index"', '"list"')
            put(
                f"/zwgk/nb/{y}/list{'' if k == 0 else '_' + str(k)}.html",
                page(f"{y}年", body, f"年报 &gt; {y}"),
            )
    return b.site(["/"])
