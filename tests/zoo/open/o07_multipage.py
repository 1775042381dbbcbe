"""Reports whose article runs over several pages (t…_N.html, t…_N_1.html, t…_N_2.html with 上一页/下一页;
the tables on pages 2 and 3), one paged only by a script call, and a list paged only by createPageHTML."""

from __future__ import annotations

from tests.docfactory.html_writer import table_html
from tests.docfactory.layout import Table, body_blocks
from tests.zoo import docs
from tests.zoo.common import MIME, Builder, ZooSite
from tests.zoo.kit import (
    CREATE_PAGE_JS,
    STD_NAV,
    Item,
    attachments,
    home,
    item_list,
    js_pager,
    report_page,
    skeleton,
    wrap,
)


def _split(s: docs.ReportSpec) -> list[str]:
    """The article in three parts: prose and section 二 / section 三 / section 四 to the end."""
    parts: list[list[str]] = [[]]
    for block in body_blocks(s):
        if isinstance(block, str) and block.startswith(("三、", "四、")):
            parts.append([])
        parts[-1].append(table_html(block) if isinstance(block, Table) else f"<p>{block}</p>")
    return ["".join(p) for p in parts]


def build() -> ZooSite:
    b = Builder(
        "o07-multipage", "青龙满族自治县人民政府", "河北省/秦皇岛市/青龙满族自治县", {"main": "127.0.27.1"}
    )
    nav = STD_NAV
    page = wrap(b, nav, style=1)
    skeleton(b, nav, style=1, pager="js")
    home(b, nav, style=1)
    root = "/zwgk/ndbg/"
    b.page(
        "/zwgk/",
        page(
            "政府信息公开",
            f'<a href="{root}">年度报告</a> <a href="/zwgk/zcwj/">政策文件</a>',
            "政府信息公开",
        ),
    )
    b.page("/zwgk/zcwj/", page("政策文件", "<p>暂无</p>", "政策文件"))
    items: list[Item] = []

    def multipage(s: docs.ReportSpec, stem: str, scripted: bool) -> list[str]:
        parts = _split(s)
        urls = [f"{root}{stem}.html", *[f"{root}{stem}_{k}.html" for k in range(1, len(parts))]]
        base = stem.rsplit("/", 1)[1]
        for k, part in enumerate(parts):
            if scripted:
                nav_html = (
                    CREATE_PAGE_JS + f'<script>createPageHTML({len(parts)}, {k}, "{base}", "html");</script>'
                )
            else:
                prev = f'<a href="./{urls[k - 1].rsplit("/", 1)[1]}">上一页</a>' if k else ""
                nxt = f'<a href="./{urls[k + 1].rsplit("/", 1)[1]}">下一页</a>' if k + 1 < len(parts) else ""
                nav_html = f'<div class="page">{prev} 第{k + 1}页 {nxt}</div>'
            report_page(b, urls[k], s.title, part + nav_html, s.published_at, s.agency, page)
        items.append(Item(s.title, "./" + urls[0][len(root) :], s.published_at))
        return urls

    s = docs.spec("青龙满族自治县人民政府", 2023, 71)
    b.plant(s.agency, 2023, multipage(s, "202403/t20240320_7701", False), "multipage-static")
    s = docs.spec("青龙满族自治县人民政府", 2022, 72, pattern=1)
    b.plant(s.agency, 2022, multipage(s, "202303/t20230318_7702", True), "multipage-script-pager")
    s = docs.spec("青龙满族自治县教育和体育局", 2023, 73)
    f = b.file(f"{root}202401/P020240112.pdf", docs.office(s, "pdf"), MIME["pdf"])
    report_page(
        b,
        f"{root}202401/t20240112_7703.html",
        s.title,
        attachments([(s.title, "./P020240112.pdf")]),
        s.published_at,
        s.agency,
        page,
    )
    items.append(Item(s.title, "./202401/t20240112_7703.html", s.published_at))
    b.plant(s.agency, 2023, [f"{root}202401/t20240112_7703.html", f], "plain-attachment")
    for i in range(7):  # older items push the rest to list pages 2 and 3
        t = f"青龙满族自治县政务公开第{i + 1}期简报"
        u = f"{root}202{i % 3}06/t202{i % 3}0601_{7750 + i}.html"
        report_page(b, u, t, "<p>政务公开工作简报。</p>", f"202{i % 3}-06-01", b.name, page)
        items.append(Item(t, "./" + u[len(root) :], f"202{i % 3}-06-01"))
    for year, seed in ((2021, 74), (2020, 75), (2019, 76)):
        s = docs.spec("青龙满族自治县人民政府", year, seed, pattern=seed)
        u = f"{root}{year + 1}02/t{year + 1}0226_{7700 + seed}.html"
        report_page(b, u, s.title, docs.article_html(s), s.published_at, s.agency, page)
        items.append(Item(s.title, "./" + u[len(root) :], s.published_at))
        b.plant(s.agency, year, [u], "list-js-pager")
    b.lookalikes.append(f"{root}202403/t20240325_7799.html")
    report_page(
        b,
        f"{root}202403/t20240325_7799.html",
        "一图读懂青龙满族自治县2023年政府信息公开工作年度报告",
        '<p><img src="/images/ytdd2023.png"></p>',
        "2024-03-25",
        b.name,
        page,
    )
    items.insert(
        0,
        Item(
            "一图读懂青龙满族自治县2023年政府信息公开工作年度报告",
            "./202403/t20240325_7799.html",
            "2024-03-25",
        ),
    )
    chunks = [items[i : i + 5] for i in range(0, len(items), 5)]
    for k, chunk in enumerate(chunks):
        p = page("年度报告", item_list(chunk, 1) + js_pager(len(chunks), k), "年度报告")
        b.page(f"{root}index{'' if k == 0 else '_' + str(k)}.html", p)
        if k == 0:
            b.page(root, p)
    return b.site(["/zwgk/"])
