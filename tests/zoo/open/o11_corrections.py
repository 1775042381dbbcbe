"""Precision traps and corrections: a （更正版） PDF and a （修订） DOCX whose figures differ from the
original (the correction wins), a correction notice alone, 年报解读, 法治政府建设年度报告, 政务公开工作要点,
关于报送年度报告的通知, and a pre-2019 free-form report."""

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
    b = Builder("o11-corrections", "永宁县人民政府", "宁夏回族自治区/银川市/永宁县", {"main": "127.0.31.1"})
    nav = STD_NAV
    page = wrap(b, nav, style=2)
    skeleton(b, nav, style=2)
    home(b, nav, style=2)
    root = "/zwgk/xxgknb/"
    b.page("/zwgk/", page("政府信息公开", f'<a href="{root}">信息公开年度报告</a>', "政府信息公开"))
    items: list[Item] = []
    n = 0

    def art(title: str, content: str, date: str, source: str = "永宁县人民政府") -> str:
        nonlocal n
        n += 1
        u = f"{root}{date[:4]}{date[5:7]}/t{date.replace('-', '')}_{11000 + n}.html"
        report_page(b, u, title, content, date, source, page)
        items.append(Item(title, "./" + u[len(root) :], date))
        return u

    # 1: the county's 2022 report, then a corrected PDF republished later
    s = docs.spec("永宁县人民政府", 2022, 111)
    c = docs.corrected(s)
    f1 = b.file(f"{root}202303/P020230320.pdf", docs.docfactory(s, "pdf"), MIME["pdf"])
    a1 = art(s.title, attachments([(s.title + ".pdf", "./P020230320.pdf")]), "2023-03-20")
    f2 = b.file(f"{root}202305/P020230510.pdf", docs.docfactory(c, "pdf"), MIME["pdf"])
    a2 = art(c.title, attachments([(c.title + ".pdf", "./P020230510.pdf")]), "2023-05-10")
    b.plant(s.agency, 2022, [a1, f1, a2, f2], "correction-pdf", latest=f2)

    # 2: a department's 2023 DOCX, revised
    s = docs.spec("永宁县自然资源局", 2023, 112, pattern=1)
    c = docs.corrected(s, "（修订）")
    f1 = b.file(f"{root}202401/P020240125.docx", docs.docfactory(s, "docx"), MIME["docx"])
    a1 = art(s.title, attachments([(s.title + ".docx", "./P020240125.docx")]), "2024-01-25", s.agency)
    f2 = b.file(f"{root}202404/P020240408.docx", docs.docfactory(c, "docx"), MIME["docx"])
    a2 = art(c.title, attachments([(c.title + ".docx", "./P020240408.docx")]), "2024-04-08", s.agency)
    b.plant(s.agency, 2023, [a1, f1, a2, f2], "correction-docx", latest=f2)

    # 3: a report and, separately, a short correction notice (no tables) about it
    s = docs.spec("永宁县教育局", 2021, 113, pattern=2)
    a = art(s.title, docs.article_html(s), "2022-01-28", s.agency)
    b.plant(s.agency, 2021, [a], "inline-with-notice")
    b.lookalikes.append(
        art(
            "关于永宁县教育局2021年政府信息公开工作年度报告的更正说明",
            "<p>我局于2022年1月28日公布的《永宁县教育局2021年政府信息公开工作年度报告》中，"
            "“主动公开政府信息情况”部分数据有误，现予以更正。特此说明。</p>",
            "2022-03-02",
            s.agency,
        )
    )

    for y, seed in ((2023, 114), (2020, 115)):
        s = docs.spec("永宁县人民政府", y, seed, pattern=3)
        d = docs.office(s, "pdf")
        f = b.file(f"{root}{y + 1}03/P0{y + 1}0328.pdf", d, MIME["pdf"])
        b.plant(
            s.agency,
            y,
            [art(s.title, attachments([(s.title, f"./P0{y + 1}0328.pdf")]), f"{y + 1}-03-28"), f],
            "plain-attachment",
        )

    s = docs.freeform_spec("永宁县人民政府", 2018)
    f = b.file(f"{root}201903/P020190329.doc", docs.office(s, "doc"), MIME["doc"])
    b.plant(
        s.agency,
        2018,
        [art(s.title, attachments([(s.title + ".doc", "./P020190329.doc")]), "2019-03-29"), f],
        "pre-2019-freeform",
    )

    traps = [
        (
            "永宁县2023年政府信息公开工作年度报告解读",
            "<p>一、报告的主要内容。二、主动公开情况：全年主动公开政府信息3210条。</p>",
            "2024-03-29",
        ),
        (
            "永宁县2023年法治政府建设年度报告",
            "<p>一、2023年推进法治政府建设的主要举措和成效。二、存在的不足。</p>",
            "2024-03-30",
        ),
        (
            "永宁县2024年政务公开工作要点",
            "<p>一、加强政策发布解读回应。二、提升政务公开质效。</p>",
            "2024-04-15",
        ),
        (
            "关于报送2023年政府信息公开工作年度报告的通知",
            "<p>各部门：请于2024年1月20日前报送本单位年度报告。</p>",
            "2023-12-20",
        ),
    ]
    b.lookalikes += [art(t, c, d) for t, c, d in traps]
    items.sort(key=lambda i: i.date, reverse=True)
    chunks = [items[i : i + 6] for i in range(0, len(items), 6)]
    for k, chunk in enumerate(chunks):
        p = page("信息公开年度报告", item_list(chunk) + static_pager(len(chunks), k), "信息公开年度报告")
        b.page(f"{root}index{'' if k == 0 else '_' + str(k)}.html", p)
        if k == 0:
            b.page(root, p)
    return b.site(["/zwgk/"])
