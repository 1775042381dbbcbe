"""Sealed simulator E (held out: developers do not open this folder)."""

from __future__ import annotations

from tests.zoo import docs
from tests.zoo.common import MIME, Builder, ZooSite
from tests.zoo.kit import STD_NAV, Item, home, item_list, report_page, skeleton, wrap


def build() -> ZooSite:
    b = Builder("sealed-e", "平罗县人民政府", "宁夏回族自治区/石嘴山市/平罗县", {"main": "127.0.45.1"})
    nav = STD_NAV
    page = wrap(b, nav, style=2)
    skeleton(b, nav, style=2)
    home(b, nav, style=2)
    root = "/xxgk/zfxxgkndbg/"
    b.page(
        "/zwgk/",
        page(
            "政府信息公开",
            f'<dl><dt>年度报告</dt><dd><a href="{root}szf/">县政府</a></dd>'
            f'<dd><a href="{root}xz/">乡镇</a></dd><dd><a href="{root}bm/">部门</a></dd></dl>',
            "政府信息公开",
        ),
    )
    cols: dict[str, list[Item]] = {"szf": [], "xz": [], "bm": []}
    n = 0

    def art(col: str, title: str, content: str, date: str, source: str, shown: str | None = None) -> str:
        nonlocal n
        n += 1
        u = f"{root}{col}/{date[:7].replace('-', '')}/t{date.replace('-', '')}_{15000 + n}.html"
        report_page(b, u, title, content, date, source, page, "年度报告")
        cols[col].append(Item(shown or title, "./" + u[len(root) + len(col) + 1 :], date))
        return u

    def att(col: str, name: str, d: docs.Doc) -> tuple[str, str]:
        return b.file(f"{root}{col}/files/{name}.{d.ext}", d, MIME[d.ext]), f"../files/{name}.{d.ext}"

    s = docs.spec("平罗县人民政府", 2023, 251)
    c = docs.corrected(s, "（修订版）")
    f1, r1 = att("szf", "nb2023", docs.docfactory(s, "docx"))
    a1 = art("szf", s.title, f'<p><a href="{r1}">{s.title}</a></p>', "2024-03-26", s.agency)
    f2, r2 = att("szf", "nb2023xd", docs.office(c, "pdf"))
    a2 = art(
        "szf",
        c.title,
        f'<p>因数据统计口径调整，现发布修订版。<a href="{r2}">{c.title}</a></p>',
        "2024-06-03",
        s.agency,
    )
    b.plant(s.agency, 2023, [a1, f1, a2, f2], "correction", latest=f2)

    s = docs.spec("平罗县人民政府", 2022, 252, pattern=1)
    f, r = att("szf", "nb2022", docs.docfactory(s, "pdf"))
    b.plant(
        s.agency,
        2022,
        [art("szf", s.title, f'<a href="{r}">{s.title}.pdf</a>', "2023-03-27", s.agency), f],
        "plain",
    )
    b.lookalikes.append(
        art(
            "szf",
            "平罗县人民政府关于2022年政府信息公开工作年度报告的更正声明",
            "<p>经核查，我县2022年度报告第三部分表格中“予以公开”一项数据录入有误，已于当日更正。</p>",
            "2023-04-11",
            s.agency,
        )
    )
    s = docs.freeform_spec("平罗县人民政府", 2016, title="平罗县2016年政府信息公开工作年度报告")
    b.plant(
        s.agency,
        2016,
        [art("szf", s.title, "".join(f"<p>{p}</p>" for p in s.paragraphs), "2017-03-30", s.agency)],
        "pre-2019",
    )

    for t, text, d in (
        ("图说平罗县2023年政府信息公开工作年度报告", '<img src="/images/ts2023.jpg">', "2024-03-28"),
        ("平罗县2023年政府工作报告", "<p>各位代表：现在，我代表县人民政府向大会报告工作。</p>", "2023-02-10"),
        (
            "关于开展2023年度政府信息公开工作年度报告编制工作的通知",
            "<p>县直各部门、各乡镇：为做好年度报告编制工作，现将有关事项通知如下。</p>",
            "2023-12-08",
        ),
        (
            "平罗县2023年度法治政府建设情况报告",
            "<p>2023年，我县坚持以习近平法治思想为指导……</p>",
            "2024-02-20",
        ),
    ):
        b.lookalikes.append(art("szf", t, text, d, b.name))
    bulletin = docs.lookalike_pdf(
        "平罗县2022年国民经济和社会发展统计公报", ["全县实现地区生产总值250亿元。", "一、农业", "二、工业"]
    )
    fb, rb = att("szf", "tjgb2022", bulletin)
    b.lookalikes += [
        art(
            "szf",
            "平罗县2022年国民经济和社会发展统计公报",
            f'<a href="{rb}">全文</a>',
            "2023-04-20",
            "平罗县统计局",
        ),
        fb,
    ]

    s = docs.spec(
        "平罗县姚伏镇人民政府", 2023, 253, title="平罗县姚伏镇人民政府2023年度政府信息公开工作年度报告"
    )
    b.plant(
        s.agency,
        2023,
        [
            art(
                "xz",
                s.title,
                docs.article_html(s),
                "2024-01-30",
                s.agency,
                shown="平罗县姚伏镇人民政府2023年度政府信...",
            )
        ],
        "truncated",
    )
    s = docs.spec("平罗县崇岗镇人民政府", 2022, 254, title="年报（2022年度）")
    f, r = att("xz", "cgz2022", docs.office(s, "doc"))
    b.plant(
        s.agency,
        2022,
        [art("xz", s.title, f'<a href="{r}">下载</a>', "2023-01-29", s.agency), f],
        "nonstandard-title",
    )
    s = docs.spec("平罗县医疗保障局", 2023, 255, pattern=2)
    c = docs.corrected(s, "（更正）")
    f1, r1 = att("bm", "ybj2023", docs.docfactory(s, "pdf"))
    f2, r2 = att("bm", "ybj2023gz", docs.docfactory(c, "pdf"))
    a = art(
        "bm",
        s.title,
        f'<p><a href="{r1}">原文</a></p><p><a href="{r2}">{c.title}</a></p>',
        "2024-01-29",
        s.agency,
    )
    b.plant(s.agency, 2023, [a, f1, f2], "correction-same-page", latest=f2)
    for col, items in cols.items():
        items.sort(key=lambda i: i.date, reverse=True)
        b.page(f"{root}{col}/", page("年度报告", item_list(items), "年度报告"))
    return b.site(["/"])
