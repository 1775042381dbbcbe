"""Many small bodies: a column per township / street office / 管委会 / 综合实验区 / 开发区, year pages
listing one or two departments, truncated link texts and titles without the standard wording."""

from __future__ import annotations

from tests.zoo import docs
from tests.zoo.common import MIME, Builder, ZooSite
from tests.zoo.kit import STD_NAV, Item, attachments, home, item_list, report_page, skeleton, wrap

UNITS = [
    ("hbz", "东川区河包镇人民政府", "河包镇"),
    ("xjjd", "东川区新街街道办事处", "新街街道"),
    ("gwh", "东川区工业园区管理委员会", "工业园区管委会"),
    ("syq", "东川区生态综合实验区管理委员会", "综合实验区"),
    ("kfq", "东川经济技术开发区管理委员会", "经开区"),
]


def build() -> ZooSite:
    b = Builder("o10-townships", "东川区人民政府", "云南省/昆明市/东川区", {"main": "127.0.30.1"})
    nav = STD_NAV
    page = wrap(b, nav)
    skeleton(b, nav)
    home(b, nav)
    root = "/zwgk/zfxxgknb/"
    units = "".join(f'<li><a href="{root}{k}/">{short}</a></li>' for k, _, short in UNITS)
    years = "".join(f'<li><a href="{root}bm/{y}/">{y}年部门年报</a></li>' for y in (2023, 2022, 2021))
    b.page("/zwgk/", page("政府信息公开", f'<a href="{root}">政府信息公开年报</a>', "政府信息公开"))
    b.page(
        root,
        page(
            "政府信息公开年报",
            f"<h3>乡镇（街道）、园区</h3><ul>{units}</ul><h3>区直部门</h3><ul>{years}</ul>",
            "年报",
        ),
    )
    n = 0

    def art(key: str, s: docs.ReportSpec, content: str) -> str:
        nonlocal n
        n += 1
        u = f"{root}{key}/{s.year + 1}01/t{s.year + 1}0125_{10100 + n}.html"
        report_page(
            b,
            u,
            s.title,
            content,
            f"{s.year + 1}-01-25",
            s.agency,
            page,
            f"乡镇街道 &gt; {key} &gt; 政府信息公开年报",
        )
        return u

    lists: dict[str, list[Item]] = {}

    def add(key: str, body: str, year: int, seed: int, title: str, how: str, form: str) -> None:
        s = docs.spec(body, year, seed, title=title)
        urls = []
        if how == "inline":
            u = art(key, s, docs.article_html(s))
        else:
            d = docs.docfactory(s, how) if seed % 2 else docs.office(s, how)
            f = b.file(f"{root}{key}/files/{year}_{seed}.{d.ext}", d, MIME[d.ext])
            u = art(key, s, attachments([(title + "." + d.ext, f)]))
            urls.append(f)
        lists.setdefault(key, []).append(Item(title, u, f"{year + 1}-01-25"))
        b.plant(body, year, [u, *urls], form)

    add(
        "hbz",
        "东川区河包镇人民政府",
        2023,
        101,
        "2023年东川区河包镇人民政府政府信息公开工作年度报告",
        "inline",
        "township-truncated",
    )
    add("hbz", "东川区河包镇人民政府", 2022, 102, "2022年度报告", "pdf", "title-nonstandard")
    add("xjjd", "东川区新街街道办事处", 2023, 103, "信息公开年报（2023）", "inline", "title-nonstandard")
    add(
        "xjjd",
        "东川区新街街道办事处",
        2021,
        104,
        "新街街道办事处2021年政府信息公开工作年度报告",
        "docx",
        "street-office",
    )
    add(
        "gwh",
        "东川区工业园区管理委员会",
        2023,
        105,
        "东川区工业园区管理委员会2023年度政府信息公开工作年度报告",
        "pdf",
        "committee-truncated",
    )
    add(
        "syq",
        "东川区生态综合实验区管理委员会",
        2022,
        106,
        "综合实验区2022年政府信息公开年报",
        "inline",
        "experimental-zone",
    )
    add(
        "kfq",
        "东川经济技术开发区管理委员会",
        2023,
        107,
        "2023年政府信息公开工作年度报告",
        "docx",
        "devzone-no-body-in-title",
    )
    add(
        "bm/2023",
        "东川区民政局",
        2023,
        108,
        "东川区民政局2023年政府信息公开工作年度报告",
        "pdf",
        "year-page-one-dept",
    )
    add(
        "bm/2022",
        "东川区退役军人事务局",
        2022,
        109,
        "东川区退役军人事务局2022年政府信息公开工作年度报告",
        "inline",
        "year-page-one-dept",
    )
    add(
        "bm/2022",
        "东川区医疗保障局",
        2022,
        110,
        "东川区医疗保障局2022年政府信息公开工作年度报告",
        "doc",
        "year-page-two-depts",
    )
    t = "关于2023年度乡镇（街道）政府信息公开工作年度报告发布情况的通报"
    u = f"{root}hbz/202402/t20240220_10199.html"
    report_page(
        b, u, t, "<p>各乡镇均按时发布了年度报告，河包镇、新街街道内容完整。</p>", "2024-02-20", b.name, page
    )
    lists["hbz"].insert(0, Item(t, u, "2024-02-20"))
    b.lookalikes.append(u)
    lists.setdefault("bm/2021", [])
    for key, items in lists.items():
        b.page(f"{root}{key}/", page("政府信息公开年报", item_list(items, 0, truncate=22), "年报"))
    for k, _, short in UNITS:
        if k not in lists:
            b.page(f"{root}{k}/", page(short, "<p>暂无信息</p>", short))
    return b.site(["/"])
