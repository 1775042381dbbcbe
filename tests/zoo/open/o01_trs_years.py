"""TRS-style county portal: per-year sub-columns under 政府信息公开年报, `./YYYYMM/t…_N.html` links,
index_1.html pagers, inline and attached reports, a truncated list title, other annual reports as traps."""

from __future__ import annotations

from tests.zoo import docs
from tests.zoo.common import MIME, Builder, ZooSite
from tests.zoo.kit import STD_NAV, Item, article, attachments, home, item_list, skeleton, static_pager, wrap

BODIES = ("青山县人民政府", "青山县财政局", "青山县教育局", "青山县卫生健康局")


def build() -> ZooSite:
    b = Builder("o01-trs-years", "青山县人民政府", "宁夏回族自治区/吴忠市/青山县", {"main": "127.0.21.1"})
    nav = STD_NAV
    page = wrap(b, nav)
    skeleton(b, nav)
    home(b, nav)
    hub = (
        '<div class="xxgk"><h2>政府信息公开</h2><ul><li><a href="/zwgk/zn/">政府信息公开指南</a></li>'
        '<li><a href="/zwgk/zd/">政府信息公开制度</a></li><li><a href="/zwgk/fdzdgknr/">法定主动公开内容</a></li>'
        '<li><a href="/zwgk/ndbg/">政府信息公开年报</a></li></ul></div>'
    )
    b.page("/zwgk/", page("政府信息公开", hub, "政府信息公开"))
    for p, t in (
        ("/zwgk/zn/", "政府信息公开指南"),
        ("/zwgk/zd/", "政府信息公开制度"),
        ("/zwgk/fdzdgknr/", "法定主动公开内容"),
    ):
        b.page(p, page(t, f"<h2>{t}</h2><p>本栏目内容正在完善。</p>", "政府信息公开 &gt; " + t))

    years: dict[int, list[Item]] = {y: [] for y in range(2019, 2024)}
    root = "/zwgk/ndbg/"

    def report(year: int, body: str, seed: int, how: str, form: str, ttl: str | None = None) -> None:
        s = docs.spec(body, year, seed, title=ttl, pattern=seed)
        sub, date = f"{year + 1}0{seed % 3 + 1}", f"{year + 1}-0{seed % 3 + 1}-1{seed % 9}"
        rel = f"{sub}/t{sub}1{seed % 9}_{4100 + seed}.html"
        url = f"{root}{year}/{rel}"
        urls = [url]
        if how == "inline":
            content = docs.article_html(s)
        else:
            doc = {
                "pdf": docs.docfactory(s, "pdf"),
                "doc": docs.docfactory(s, "doc"),
                "docx": docs.docfactory(s, "docx"),
                "lopdf": docs.office(s, "pdf"),
            }[how]
            fname = f"P0{sub}1{seed % 9}{seed:04d}.{doc.ext}"
            urls.append(b.file(f"{root}{year}/{sub}/{fname}", doc, MIME[doc.ext]))
            content = f"<p>{s.title}详见附件。</p>" + attachments([(s.title + "." + doc.ext, f"./{fname}")])
        b.page(url, page(s.title, article(s.title, content, date, body), "政府信息公开年报"))
        years[year].append(Item(s.title, "./" + rel, date))
        b.plant(body, year, urls, form)

    report(2023, BODIES[0], 1, "pdf", "trs-attachment-pdf")
    report(2023, BODIES[1], 2, "docx", "trs-attachment-docx")
    report(2023, BODIES[3], 4, "inline", "trs-truncated-title")
    report(2022, BODIES[0], 5, "lopdf", "trs-attachment-pdf")
    report(2022, BODIES[3], 6, "inline", "trs-inline")
    report(2021, BODIES[0], 7, "doc", "trs-attachment-doc")
    report(2020, BODIES[0], 8, "inline", "trs-inline")
    report(2019, BODIES[0], 9, "pdf", "trs-attachment-pdf")

    # traps in the 2023 column
    def trap(title: str, content: str, seed: int) -> None:
        rel = f"202403/t2024031{seed}_{5200 + seed}.html"
        b.page(
            f"{root}2023/{rel}", page(title, article(title, content, f"2024-03-1{seed}", BODIES[0]), "年报")
        )
        years[2023].append(Item(title, "./" + rel, f"2024-03-1{seed}"))
        b.lookalikes.append(f"{root}2023/{rel}")

    trap(
        "青山县2023年法治政府建设年度报告",
        "<p>2023年，青山县深入学习贯彻习近平法治思想，法治政府建设取得新成效。一、主要举措和成效……</p>",
        1,
    )
    bulletin = docs.lookalike_pdf(
        "青山县2023年国民经济和社会发展统计公报",
        ["初步核算，全年地区生产总值123.4亿元，比上年增长6.1%。", "一、综合", "二、农业", "三、工业和建筑业"],
    )
    b.file(f"{root}2023/202404/P020240402.pdf", bulletin, MIME["pdf"])
    trap(
        "青山县2023年国民经济和社会发展统计公报",
        attachments([("统计公报.pdf", "../202404/P020240402.pdf")]),
        2,
    )
    b.lookalikes.append(f"{root}2023/202404/P020240402.pdf")
    trap(
        "关于做好2023年政府信息公开工作年度报告编制发布工作的通知",
        "<p>各乡镇人民政府，县政府各部门：请于2024年1月31日前向社会公布本机关2023年政府信息公开工作年度报告。</p>",
        3,
    )
    for _ in range(3):  # a longer 2023 list so that one report sits on page 2
        t = "青山县政务公开工作动态"
        rel = f"202402/t2024020{_ + 1}_{5300 + _}.html"
        b.page(
            f"{root}2023/{rel}",
            page(t, article(t, "<p>召开政务公开培训会。</p>", "2024-02-01", BODIES[0]), ""),
        )
        years[2023].insert(0, Item(t + f"（{_ + 1}）", "./" + rel, f"2024-02-0{_ + 1}"))

    year_links = "".join(f'<li><a href="./{y}/">{y}年度</a></li>' for y in sorted(years, reverse=True))
    b.page(
        root, page("政府信息公开年报", f'<div class="sub"><ul>{year_links}</ul></div>', "政府信息公开年报")
    )
    for y, items in years.items():
        chunks = [items[i : i + 5] for i in range(0, len(items), 5)]
        for k, chunk in enumerate(chunks):
            body = f'<div class="sub"><ul>{year_links}</ul></div>' + item_list(chunk, 0, truncate=24)
            body += static_pager(len(chunks), k)
            html_page = page(f"{y}年度", body, "政府信息公开年报 &gt; " + str(y))
            b.page(f"{root}{y}/index{'' if k == 0 else '_' + str(k)}.html", html_page)
            if k == 0:
                b.page(f"{root}{y}/", html_page)
    return b.site(["/"])
