"""Page furniture shared by the simulators: shells, lists, pagers, article pages and noise sections.

Several shells and list styles exist so that portals built from the same kit do not share one markup.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from tests.zoo.common import Builder

Nav = list[tuple[str, str]]

_TOPICS = [
    "安全生产",
    "森林防火",
    "乡村振兴",
    "营商环境",
    "防汛抗旱",
    "疫情防控",
    "人居环境整治",
    "河湖长制",
    "秸秆禁烧",
    "义务教育",
    "医疗保障",
    "就业创业",
    "文明城市创建",
    "食品安全",
    "消防安全",
    "农村饮水",
]
_ACTS = ["召开{t}工作推进会", "开展{t}专项检查", "部署{t}重点工作", "举办{t}业务培训班", "督导{t}工作落实"]
_NOTICES = [
    "关于{t}工作的通知",
    "关于做好{t}有关工作的通知",
    "关于{t}的公示",
    "关于开展{t}专项行动的实施方案",
    "关于印发《{t}工作方案》的通知",
]
_POLICY = ["《{t}实施方案》政策解读", "一图读懂{t}", "关于{t}有关政策的解读", "{t}政策问答"]


def shell(site: str, title: str, body: str, nav: Nav, style: int = 0, crumbs: str = "") -> str:
    """A full page: header, navigation, breadcrumb, body, footer; `style` picks one of three markups."""
    links = "".join(f'<li><a href="{h}">{escape(t)}</a></li>' for t, h in nav)
    foot = (
        f"主办单位：{escape(site)}办公室　承办：{escape(site)}大数据中心　"
        "网站标识码：6403000012　ICP备05001234号-1"
    )
    crumb = f'<div class="crumb">当前位置：<a href="/">首页</a> &gt; {crumbs}</div>' if crumbs else ""
    if style == 1:  # old table layout
        cells = "".join(f'<td class="nav"><a href="{h}">{escape(t)}</a></td>' for t, h in nav)
        return (
            f'<html><head><meta http-equiv="Content-Type" content="text/html; charset=@@cs@@">'
            f"<title>{escape(title)}</title></head><body>"
            f'<table width="1000" align="center"><tr><td><img src="/images/banner.jpg" alt="{escape(site)}">'
            f"</td></tr><tr><td><table><tr>{cells}</tr></table></td></tr>"
            f"<tr><td>{crumb}</td></tr><tr><td>{body}</td></tr>"
            f'<tr><td class="foot">{foot}</td></tr></table></body></html>'
        )
    if style == 2:
        return (
            f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="@@cs@@"><title>{escape(title)}</title>'
            '<meta name="viewport" content="width=device-width,initial-scale=1"></head><body>'
            f'<header class="g-header"><h2 class="site-name">{escape(site)}</h2>'
            f'<nav class="g-menu"><ul class="clearfix">{links}</ul></nav></header>'
            f'<section class="g-main">{crumb}{body}</section>'
            f'<footer class="g-foot"><p>{foot}</p></footer></body></html>'
        )
    return (
        f'<!DOCTYPE html><html><head><meta charset="@@cs@@"><title>{escape(title)}</title></head><body>'
        f'<div class="header"><div class="logo"><a href="/">{escape(site)}</a></div>'
        '<div class="search"><form action="/search/" method="get"><input name="q"><button>搜索</button>'
        f'</form></div></div><div class="nav"><ul>{links}</ul></div>'
        f'<div class="container">{crumb}{body}</div><div class="footer">{foot}</div></body></html>'
    )


def charset(page: str, cs: str = "utf-8") -> str:
    return page.replace("@@cs@@", cs)


@dataclass
class Item:
    title: str
    href: str
    date: str


def item_list(items: list[Item], style: int = 0, truncate: int = 0) -> str:
    """A column's list of items as real portals print it (ul/li with dates, or a table)."""

    def text(t: str) -> str:
        return escape(t[:truncate] + "...") if truncate and len(t) > truncate else escape(t)

    if style == 1:
        rows = "".join(
            f'<tr><td class="bt"><a href="{i.href}" target="_blank" title="{escape(i.title)}">'
            f'{text(i.title)}</a></td><td class="rq">{i.date}</td></tr>'
            for i in items
        )
        return f'<table class="list" width="100%">{rows}</table>'
    return (
        '<ul class="list">'
        + "".join(
            f'<li><a href="{i.href}" title="{escape(i.title)}" target="_blank">{text(i.title)}</a>'
            f"<span>{i.date}</span></li>"
            for i in items
        )
        + "</ul>"
    )


def static_pager(n_pages: int, current: int, prefix: str = "index", ext: str = "html") -> str:
    def name(k: int) -> str:
        return f"{prefix}.{ext}" if k == 0 else f"{prefix}_{k}.{ext}"

    parts = [f'<a href="{name(0)}">首页</a>']
    if current > 0:
        parts.append(f'<a href="{name(current - 1)}">上一页</a>')
    if current < n_pages - 1:
        parts.append(f'<a href="{name(current + 1)}">下一页</a>')
    parts.append(f'<a href="{name(n_pages - 1)}">尾页</a>')
    return f'<div class="page">共{n_pages}页 {" ".join(parts)}</div>'


CREATE_PAGE_JS = """<script>
function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){
  if(_nPageCount == null || _nPageCount<=1){ return; }
  var nCurrIndex = _nCurrIndex || 0;
  if(nCurrIndex == 0) document.write("<span>首页</span> ");
  else document.write("<a href=\\""+_sPageName+"."+_sPageExt+"\\">首页</a> ");
  if(nCurrIndex > 0){
    var prev = nCurrIndex==1 ? _sPageName+"."+_sPageExt : _sPageName+"_"+(nCurrIndex-1)+"."+_sPageExt;
    document.write("<a href=\\""+prev+"\\">上一页</a> ");
  }
  if(nCurrIndex+1 < _nPageCount)
    document.write("<a href=\\""+_sPageName+"_"+(nCurrIndex+1)+"."+_sPageExt+"\\">下一页</a> ");
  document.write("<a href=\\""+_sPageName+"_"+(_nPageCount-1)+"."+_sPageExt+"\\">尾页</a>");
}
</script>"""


def js_pager(n_pages: int, current: int) -> str:
    """A TRS pager that exists only as a script call (no href in the HTML)."""
    return f'<div class="page">{CREATE_PAGE_JS}<script>createPageHTML({n_pages}, {current}, "index", "html");</script></div>'


def article(title: str, content: str, date: str, source: str, index_no: str = "") -> str:
    meta = (
        f'<table class="xxgk-meta"><tr><td>索 引 号：</td><td>{index_no or "000000000/2023-00001"}</td>'
        f"<td>发布机构：</td><td>{escape(source)}</td></tr><tr><td>标　　题：</td>"
        f'<td colspan="3">{escape(title)}</td></tr><tr><td>发文日期：</td><td>{date}</td></tr></table>'
    )
    return (
        f'<div class="article">{meta}<h1 class="title">{escape(title)}</h1>'
        f'<div class="info">发布时间：{date}　来源：{escape(source)}　'
        f'<a href="javascript:window.print()">【打印】</a></div>'
        f'<div class="TRS_Editor">{content}</div></div>'
    )


def attachments(links: list[tuple[str, str]]) -> str:
    return (
        '<div class="fj"><p>附件：</p>'
        + "".join(f'<p><a href="{h}">{escape(t)}</a></p>' for t, h in links)
        + "</div>"
    )


def noise_titles(rng: random.Random, n: int, kind: str = "news", place: str = "") -> list[str]:
    pool = {"news": _ACTS, "notice": _NOTICES, "policy": _POLICY}[kind]
    out = []
    for _ in range(n):
        t = rng.choice(_TOPICS)
        out.append(place + rng.choice(pool).format(t=t))
    return out


def trs_name(rng: random.Random, year: int) -> tuple[str, str]:
    """A TRS article path `YYYYMM/tYYYYMMDD_N.html` and its date."""
    m, d = rng.randint(1, 12), rng.randint(1, 28)
    n = rng.randint(100000, 999999)
    return f"{year}{m:02d}/t{year}{m:02d}{d:02d}_{n}.html", f"{year}-{m:02d}-{d:02d}"


def news_section(
    b: Builder,
    root: str,
    title: str,
    nav: Nav,
    n: int = 24,
    per_page: int = 8,
    kind: str = "news",
    style: int = 0,
    pager: str = "static",
    page_shell: Callable[[str, str, str], str] | None = None,
    encoding: str = "utf-8",
) -> list[str]:
    """A column of noise articles with a pager; returns the article URLs."""
    rng = b.rng
    wrap = page_shell or (lambda t, body, crumbs: charset(shell(b.name, t, body, nav, style, crumbs)))

    def put(url: str, text: str) -> None:  # legacy encodings come without a charset in the header
        b.page(url, text, charset=encoding, header_charset="same" if encoding == "utf-8" else None)

    titles = noise_titles(rng, n, kind, place=rng.choice(["", b.name[:3]]))
    items, urls = [], []
    for t in titles:
        rel, date = trs_name(rng, rng.randint(2021, 2024))
        items.append(Item(t, "./" + rel, date))
        urls.append(root + rel)
        text = "".join(
            f"<p>{date[:4]}年{int(date[5:7])}月，{escape(t)}。会议强调，要提高政治站位，压实工作责任，"
            "确保各项任务落地见效。</p>"
            for _ in range(rng.randint(2, 4))
        )
        put(root + rel, wrap(t, article(t, text, date, b.name), title))
    items.sort(key=lambda i: i.date, reverse=True)
    pages = [items[i : i + per_page] for i in range(0, len(items), per_page)]
    for k, chunk in enumerate(pages):
        pg = js_pager(len(pages), k) if pager == "js" else static_pager(len(pages), k)
        body = f'<div class="column"><h2>{escape(title)}</h2>{item_list(chunk, style)}{pg}</div>'
        page = wrap(title, body, title)
        name = "index.html" if k == 0 else f"index_{k}.html"
        put(root + name, page)
        if k == 0:
            put(root, page)
    return urls


def static_pages(b: Builder, nav: Nav, style: int = 0) -> None:
    """The pages every portal has: 机构概况, 领导信息, 联系我们."""
    for path, t, text in (
        ("/zjxx/", "走进" + b.name[:3], "地处黄河上游，历史悠久，资源丰富。"),
        ("/ldxx/", "领导信息", "县长：张某某，负责县政府全面工作。副县长：李某某。"),
        ("/lxwm/", "联系我们", "地址：人民路1号　电话：0953-1234567"),
    ):
        b.page(path, charset(shell(b.name, t, f"<h2>{t}</h2><p>{text}</p>", nav, style, t)))


def home(b: Builder, nav: Nav, style: int = 0, extra: str = "", charset_name: str = "utf-8") -> str:
    """The portal's home page (served at / and /index.html): nav, news blocks, banners, `extra`."""
    links = "".join(f'<li><a href="{h}">{escape(t)}</a></li>' for t, h in nav)
    body = (
        f'<div class="banner"><img src="/images/banner.jpg" alt=""></div>'
        f'<div class="kuai"><h3>快速导航</h3><ul>{links}</ul></div>{extra}'
        '<div class="links">友情链接：<a href="http://www.gov.cn/">中国政府网</a></div>'
    )
    page = charset(shell(b.name, b.name, body, nav, style), charset_name)
    b.page("/", page, charset=charset_name)
    b.page("/index.html", page, charset=charset_name)
    return page


def skeleton(b: Builder, nav: Nav, style: int = 0, pager: str = "static", n: int = 18) -> None:
    """Noise every portal carries: news, notices, policy readings, static pages."""
    news_section(b, "/xwzx/gzdt/", "工作动态", nav, n=n, style=style, pager=pager)
    news_section(b, "/xwzx/tzgg/", "通知公告", nav, n=n // 2 + 3, kind="notice", style=style, pager=pager)
    news_section(b, "/zcjd/", "政策解读", nav, n=n // 2, kind="policy", style=style, pager=pager)
    static_pages(b, nav, style)


STD_NAV: Nav = [
    ("首页", "/"),
    ("工作动态", "/xwzx/gzdt/"),
    ("通知公告", "/xwzx/tzgg/"),
    ("政策解读", "/zcjd/"),
    ("政府信息公开", "/zwgk/"),
    ("走进本地", "/zjxx/"),
    ("联系我们", "/lxwm/"),
]


def wrap(b: Builder, nav: Nav, style: int = 0, cs: str = "utf-8") -> Callable[[str, str, str], str]:
    return lambda t, body, crumbs: charset(shell(b.name, t, body, nav, style, crumbs), cs)


def serve_jquery(b: Builder, url: str = "/js/jquery.min.js") -> None:
    """Real jQuery when the machine has it (Debian's libjs-jquery), else a shim with getJSON/ajax."""
    from pathlib import Path

    from tests.portals.server import Answer

    src = Path("/usr/share/javascript/jquery/jquery.min.js")
    data = src.read_bytes() if src.exists() else JQUERY_SHIM.encode()
    b.handler(url, lambda _r: Answer(data, content_type="application/javascript"))


JQUERY_SHIM = """window.$ = window.jQuery = function(f){ if (typeof f === 'function') document.addEventListener('DOMContentLoaded', f); };
$.getJSON = function(u, d, cb){ if (typeof d === 'function') { cb = d; d = null; }
  fetch(u + (d ? (u.indexOf('?') < 0 ? '?' : '&') + new URLSearchParams(d) : '')).then(r => r.json()).then(cb); };
$.ajax = function(o){ $.getJSON(o.url, o.data, o.success); };"""


def report_page(
    b: Builder,
    url: str,
    title: str,
    content: str,
    date: str,
    source: str,
    page: Callable[[str, str, str], str],
    crumbs: str = "信息公开年报",
) -> str:
    b.page(url, page(title, article(title, content, date, source), crumbs))
    return url
