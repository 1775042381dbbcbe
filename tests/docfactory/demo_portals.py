"""Build the two offline demo portals under `govarchive/demo_portal/sites/` from the five seed reports.

Run once by a developer (the output is committed; the demo never needs the seeds):

    python -m tests.docfactory.demo_portals --seeds ../shared/seeds --truth tests/eval/truth

The portals imitate real county portals: home → 政府信息公开 → list pages (paginated `index.html`,
`index_1.html`) → article pages `…/YYYYMM/tYYYYMMDD_NNN.html` with ArticleTitle/PubDate/ContentSource meta
tags and attachments (`./P0….pdf|docx|doc`); look-alikes that are not reports; news; an off-site link; one
article stored in GBK and served with a wrong `charset=utf-8` header (no sidecar).
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from govarchive.demo_portal import SITES_DIR
from tests.docfactory.html_writer import article_content, meta_tags
from tests.docfactory.render import render_many
from tests.docfactory.seedspecs import seed_specs
from tests.docfactory.spec import ReportSpec

LIST_PAGE_SIZE = 3
STYLE = (
    "body{margin:0;font-family:'Microsoft YaHei',sans-serif;background:#f4f4f4}"
    ".header{background:#b30000;color:#fff;padding:12px 40px}.header a{color:#fff;text-decoration:none}"
    ".logo{font-size:26px;font-weight:bold}.nav{list-style:none;margin:8px 0 0;padding:0}"
    ".nav li{display:inline-block;margin-right:24px}.main{background:#fff;margin:16px 40px;padding:20px}"
    ".list li{line-height:2em}.date{float:right;color:#888}.title{text-align:center;font-size:22px}"
    ".info{text-align:center;color:#666;border-bottom:1px solid #ddd;padding-bottom:8px}"
    "table{border-collapse:collapse;margin:8px auto}td{border:1px solid #333;padding:2px 4px;font-size:12px}"
    ".footer{text-align:center;color:#666;font-size:12px;padding:16px}"
)
OFFSITE = [("中国政府网", "https://www.gov.cn/"), ("宁夏回族自治区人民政府", "https://www.nx.gov.cn/")]


@dataclass
class Attachment:
    filename: str  # P0….pdf, next to the article
    label: str  # Chinese link text


@dataclass
class Article:
    section: str  # folder of the list, e.g. "zwgk/bmndbg"
    date: str  # ISO
    seq: int
    title: str
    source: str  # 发布机构
    body: str  # inner HTML
    attachments: list[Attachment] = field(default_factory=list)
    encoding: str = "utf-8"

    @property
    def path(self) -> str:
        d = self.date.replace("-", "")
        return f"{self.section}/{d[:6]}/t{d}_{self.seq:03d}.html"


@dataclass
class Section:
    path: str
    name: str
    articles: list[Article] = field(default_factory=list)
    encoding: str = "utf-8"  # of the list pages; a GBK list is labelled correctly through a sidecar


@dataclass
class Site:
    site_id: str
    name: str
    sections: list[Section]
    home_path: str  # the 政府信息公开 hub, e.g. "zwgk"
    files: dict[str, bytes] = field(default_factory=dict)  # path → bytes (attachments)


def _page(site: Site, title: str, body: str, head: str = "", charset: str = "utf-8") -> str:
    nav = "".join(f'<li><a href="/{s.path}/index.html">{escape(s.name)}</a></li>' for s in site.sections)
    links = "".join(f'<a href="{u}" target="_blank">{escape(n)}</a> ' for n, u in OFFSITE)
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="{charset}">
<title>{escape(title)}_{escape(site.name)}</title>
{head}
<style>{STYLE}</style>
</head>
<body>
<div class="header"><a href="/index.html" class="logo">{escape(site.name)}</a>
<ul class="nav"><li><a href="/index.html">首页</a></li><li><a href="/{site.home_path}/index.html">政府信息公开</a></li>{nav}</ul></div>
<div class="main">
{body}
</div>
<div class="footer">相关链接：{links}<br>主办单位：{escape(site.name)}办公室　网站标识码：6400000000　宁ICP备00000000号</div>
</body>
</html>
"""


def _article_page(site: Site, section: Section, a: Article) -> str:
    atts = ""
    if a.attachments:
        items = "".join(f'<li><a href="./{x.filename}">{escape(x.label)}</a></li>' for x in a.attachments)
        atts = f'<div class="attachments">附件：<ul>{items}</ul></div>'
    body = f"""<div class="position">当前位置：<a href="/index.html">首页</a> &gt; <a href="/{site.home_path}/index.html">政府信息公开</a> &gt; <a href="/{section.path}/index.html">{escape(section.name)}</a></div>
<div class="article">
<h1 class="title">{escape(a.title)}</h1>
<div class="info"><span>发布机构：{escape(a.source)}</span>　<span>发布日期：{a.date}</span>　<span>浏览次数：{40 + a.seq * 7}</span></div>
<div class="content">
{a.body}
</div>
{atts}
</div>"""
    charset = "gb2312" if a.encoding == "gbk" else "utf-8"
    return _page(site, a.title, body, meta_tags(a.title, a.date, a.source), charset)


def _list_pages(site: Site, section: Section) -> dict[str, str]:
    items = sorted(section.articles, key=lambda a: (a.date, a.seq), reverse=True)
    chunks = [items[i : i + LIST_PAGE_SIZE] for i in range(0, len(items), LIST_PAGE_SIZE)] or [[]]
    names = ["index.html"] + [f"index_{i}.html" for i in range(1, len(chunks))]
    pages = {}
    for i, chunk in enumerate(chunks):
        lis = "\n".join(
            f'<li><a href="./{a.path.removeprefix(section.path + "/")}" title="{escape(a.title)}">'
            f'{escape(a.title)}</a><span class="date">{a.date}</span></li>'
            for a in chunk
        )
        pager = [f'<a href="./{names[0]}">首页</a>']
        if i > 0:
            pager.append(f'<a href="./{names[i - 1]}">上一页</a>')
        if i + 1 < len(chunks):
            pager.append(f'<a href="./{names[i + 1]}">下一页</a>')
        pager.append(f'<a href="./{names[-1]}">尾页</a>')
        pager.append(f"<span>共{len(items)}条 第{i + 1}/{len(chunks)}页</span>")
        body = f"""<div class="position">当前位置：<a href="/index.html">首页</a> &gt; <a href="/{site.home_path}/index.html">政府信息公开</a> &gt; {escape(section.name)}</div>
<h2>{escape(section.name)}</h2>
<ul class="list">
{lis}
</ul>
<div class="pager">{" ".join(pager)}</div>"""
        charset = "gb2312" if section.encoding == "gbk" else "utf-8"
        pages[f"{section.path}/{names[i]}"] = _page(site, section.name, body, charset=charset)
    return pages


def _hub_pages(site: Site) -> dict[str, str]:
    cols = "".join(f'<li><a href="/{s.path}/index.html">{escape(s.name)}</a></li>' for s in site.sections)
    latest = sorted((a for s in site.sections for a in s.articles), key=lambda a: a.date, reverse=True)[:5]
    news = "".join(f'<li><a href="/{a.path}">{escape(a.title)}</a><span>{a.date}</span></li>' for a in latest)
    hub = f"""<h2>政府信息公开</h2><ul class="columns">{cols}</ul>
<div class="guide"><a href="/{site.home_path}/index.html">政府信息公开指南</a>　<a href="/{site.home_path}/index.html">政府信息公开制度</a></div>"""
    home = f"""<div class="banner">{escape(site.name)}欢迎您</div>
<div class="block"><h3><a href="/{site.home_path}/index.html">政府信息公开</a></h3><ul>{news}</ul></div>"""
    return {
        "index.html": _page(site, "首页", home),
        f"{site.home_path}/index.html": _page(site, "政府信息公开", hub),
    }


def write_site(site: Site, root: Path) -> None:
    out = root / site.site_id
    if out.exists():
        shutil.rmtree(out)
    for path, html in _hub_pages(site).items():
        (out / path).parent.mkdir(parents=True, exist_ok=True)
        (out / path).write_text(html, encoding="utf-8")
    for section in site.sections:
        for path, html in _list_pages(site, section).items():
            (out / path).parent.mkdir(parents=True, exist_ok=True)
            (out / path).write_bytes(html.encode(section.encoding, errors="xmlcharrefreplace"))
            if section.encoding != "utf-8":
                sidecar = out / (path + ".meta.json")
                sidecar.write_text(json.dumps({"charset": section.encoding}) + "\n", encoding="utf-8")
    for section in site.sections:
        for a in section.articles:
            (out / a.path).parent.mkdir(parents=True, exist_ok=True)
            # A GBK article gets no sidecar: the server labels it utf-8, like a mislabelled real portal.
            data = _article_page(site, section, a).encode(a.encoding, errors="xmlcharrefreplace")
            (out / a.path).write_bytes(data)
    for path, data in site.files.items():
        (out / path).parent.mkdir(parents=True, exist_ok=True)
        (out / path).write_bytes(data)
    (out / "robots.txt").write_text("User-agent: *\nDisallow: /admin/\n", encoding="utf-8")


# --- content ------------------------------------------------------------------------------------------


def _intro(spec: ReportSpec) -> str:
    return (
        f'<p style="text-indent:2em">根据《中华人民共和国政府信息公开条例》规定，现将《{escape(spec.title)}》'
        "予以公布，详见附件。</p>"
    )


def _p(*paras: str) -> str:
    return "\n".join(f'<p style="text-indent:2em">{escape(p)}</p>' for p in paras)


NOTICE = _p(
    "各乡镇人民政府，县政府各部门、各直属机构：",
    "根据《中华人民共和国政府信息公开条例》第四十九条、第五十条规定，现就做好2022年政府信息公开工作年度报告"
    "编制发布工作通知如下：",
    "一、县政府各部门应于2023年1月31日前向社会公布本部门2022年政府信息公开工作年度报告。",
    "二、年度报告应严格按照国办公开办函〔2021〕30号规定的格式编制，数据统计期限为2022年1月1日至12月31日。",
    "三、各单位要认真核对统计数据，确保各项数据的勾稽关系准确无误。",
)
KEYPOINTS = _p(
    "为深入贯彻落实党中央、国务院关于全面推进政务公开的决策部署，现将示范县2023年政务公开工作要点印发如下。",
    "一、围绕稳定经济运行加强政务公开。及时发布宏观经济、财政收支等数据信息。",
    "二、围绕推进法治政府建设加强政务公开。做好行政规范性文件公开和政策解读工作。",
    "三、按时编制发布政府信息公开工作年度报告，提升年度报告质量。",
)
BUDGET = (
    _p("根据预算法和财政部有关规定，现将示范县卫生健康局2023年部门预算公开如下。")
    + """
<table border="1" cellspacing="0"><tr><td rowspan="2">项目</td><td colspan="2">预算数（万元）</td></tr>
<tr><td>本年</td><td>上年</td></tr><tr><td>一般公共预算拨款收入</td><td>3,215.60</td><td>2,987.41</td></tr>
<tr><td>“三公”经费</td><td>12.30</td><td>13.05</td></tr></table>"""
)
NEWS = [
    (
        "2023-03-15",
        "示范县召开2023年政务公开工作推进会",
        "会议通报了全县政务公开工作情况，部署年度重点任务。",
    ),
    (
        "2023-05-20",
        "县卫生健康局开展义诊进社区活动",
        "义诊活动共服务群众300余人次，发放健康宣传资料1000余份。",
    ),
    ("2023-06-08", "示范县举行防汛应急演练", "演练模拟了突发强降雨引发的城市内涝险情，检验了应急处置能力。"),
]


def _slug(date: str, n: int) -> str:
    return f"P0{date.replace('-', '')}{39172800 + n * 7391}"


def build(specs: list[ReportSpec], out_root: Path) -> None:
    by_idx = dict(enumerate(specs))
    s000, s001, s002, s003, s004 = (by_idx[i] for i in range(5))
    with tempfile.TemporaryDirectory(prefix="govarchive-demo-") as tmp:
        binaries = [s000, s001, s003, s004]
        stems = [_slug(s.published_at, i) for i, s in enumerate(binaries)]
        rendered = render_many(binaries, ["docx", "pdf", "doc"], Path(tmp), stems=stems)
        files = {
            stem: {fmt: path.read_bytes() for fmt, path in r.items()}
            for stem, r in zip(stems, rendered, strict=True)
        }

    # --- demo-zn: 示范县人民政府 ------------------------------------------------------------------------
    reports = Section("zwgk/bmndbg", "部门政府信息公开年报")
    summaries = Section("zwgk/gzzj", "政务公开工作总结")
    budget = Section("zwgk/yjsgk", "预算决算公开")
    news = Section("xwdt", "新闻动态")
    zn = Site("demo-zn", "示范县人民政府", [reports, summaries, budget, news], "zwgk")

    def attach(site: Site, a: Article, stem: str, fmts: list[str], spec: ReportSpec) -> None:
        for fmt in fmts:
            name = f"{stem}.{fmt}"
            a.attachments.append(Attachment(name, f"{spec.title}.{fmt}"))
            site.files[str(Path(a.path).parent / name)] = files[stem][fmt]

    a000 = Article(reports.path, s000.published_at, 1, s000.title, s000.agency, _intro(s000))
    attach(zn, a000, stems[0], ["pdf", "docx"], s000)  # two copies of one report
    a001 = Article(reports.path, s001.published_at, 2, s001.title, s001.agency, article_content(s001))
    a003 = Article(reports.path, s003.published_at, 3, s003.title, s003.agency, _intro(s003))
    attach(zn, a003, stems[2], ["doc"], s003)
    notice = Article(
        reports.path,
        "2022-12-20",
        4,
        "关于做好2022年政府信息公开工作年度报告编制发布工作的通知",
        "示范县人民政府办公室",
        NOTICE,
    )
    reports.articles += [a000, a001, a003, notice]
    summaries.articles += [
        Article(summaries.path, s002.published_at, 5, s002.title, s002.agency, article_content(s002)),
        Article(
            summaries.path, "2023-04-10", 6, "示范县2023年政务公开工作要点", "示范县人民政府办公室", KEYPOINTS
        ),
    ]
    budget.articles.append(
        Article(
            budget.path, "2023-02-10", 7, "示范县卫生健康局2023年部门预算公开", "示范县卫生健康局", BUDGET
        )
    )
    news.articles += [
        Article(news.path, d, 8 + i, t, "示范县融媒体中心", _p(x)) for i, (d, t, x) in enumerate(NEWS)
    ]

    # --- demo-lt: 示范区人民政府 ------------------------------------------------------------------------
    annual = Section("xxgk/zfxxgknb", "政府信息公开年度报告", encoding="gbk")
    lt_news = Section("xwzx", "新闻中心")
    lt = Site("demo-lt", "示范区人民政府", [annual, lt_news], "xxgk")
    a004 = Article(annual.path, s004.published_at, 1, s004.title, s004.agency, _intro(s004), encoding="gbk")
    attach(lt, a004, stems[3], ["pdf"], s004)
    a001b = Article(annual.path, s001.published_at, 2, s001.title, s001.agency, _intro(s001))
    attach(lt, a001b, stems[1], ["pdf"], s001)
    annual.articles += [a004, a001b]
    lt_news.articles.append(
        Article(
            lt_news.path, "2024-02-02", 3, NEWS[0][1].replace("县", "区"), "示范区融媒体中心", _p(NEWS[0][2])
        )
    )

    out_root.mkdir(parents=True, exist_ok=True)
    for site in (zn, lt):
        write_site(site, out_root)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seeds", type=Path, default=Path("../shared/seeds"))
    parser.add_argument("--truth", type=Path, default=Path("tests/eval/truth"))
    parser.add_argument("--out", type=Path, default=SITES_DIR)
    args = parser.parse_args(argv)
    specs = seed_specs(args.seeds, args.truth)
    if len(specs) != 5:
        raise SystemExit(f"expected 5 seed specs, found {len(specs)} in {args.truth}")
    build(specs, args.out)
    total = sum(p.stat().st_size for p in args.out.rglob("*") if p.is_file())
    print(f"wrote {args.out} ({total / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
