"""Sealed simulator A (held out: developers do not open this folder)."""

from __future__ import annotations

import base64
from urllib.parse import quote

from tests.portals.server import Answer, Req, html
from tests.zoo import docs
from tests.zoo.common import MIME, Builder, ZooSite, fill
from tests.zoo.kit import STD_NAV, home, report_page, skeleton, wrap

FRAMES = """<html><head><meta charset="utf-8"><title>信息公开平台</title></head>
<frameset cols="180,*" border="0"><frame name="menu" src="/gkpt/menu.htm" noresize>
<frame name="content" src="/gkpt/welcome.htm"></frameset></html>"""


def build() -> ZooSite:
    b = Builder(
        "sealed-a", "芦溪县人民政府", "江西省/萍乡市/芦溪县", {"main": "127.0.41.1", "cdn": "127.0.41.2"}
    )
    nav = [*STD_NAV[:4], ("信息公开", "/gkpt/"), *STD_NAV[5:]]
    page = wrap(b, nav, style=1)
    skeleton(b, nav, style=1)
    home(b, nav, style=1)
    b.page("/gkpt/", FRAMES)
    b.page(
        "/gkpt/menu.htm",
        '<html><body><p><a href="/gkpt/welcome.htm" target="content">平台首页</a></p>'
        '<p><a href="/gkpt/nbgk.htm" target="content">年报公开</a></p></body></html>',
    )
    b.page("/gkpt/welcome.htm", "<html><body>欢迎访问政府信息公开平台</body></html>")
    for role in ("main", "cdn"):
        b.page(
            f"@@{role}@@/pdfjs/web/viewer.html" if role == "main" else "@@cdn@@/index.html",
            "<html><body><div id='viewer'></div><script>/* pdf.js */</script></body></html>",
        )
    b.page(
        "/onlinePreview",
        "<html><body><div id='pv'></div><script>var u=atob(new URLSearchParams(location.search).get('url'));"
        "document.getElementById('pv').innerHTML='<embed src=\"'+u+'\">';</script></body></html>",
    )
    b.page(
        "/common/preview",
        "<html><body><script>location.replace(new URLSearchParams(location.search).get('fileUrl'));</script></body></html>",
    )
    rows: list[str] = []

    def add(n: int, s: docs.ReportSpec, d: docs.Doc, style: str) -> None:
        host = "" if style == "fileurl" else "@@cdn@@"  # some files on the portal's own host
        f = b.file(f"{host}/doc/{s.year}/{n:03d}.{d.ext}", d, MIME[d.ext])
        art = f"/gkpt/art/{n}.htm"
        urls = [art, f]
        if style == "pdfjs":
            v = f"/pdfjs/web/viewer.html?file=@@cdn_q@@%2Fdoc%2F{s.year}%2F{n:03d}.{d.ext}"
            content = f'<a href="{v}">查看全文</a>'
        elif style == "kk":

            def kk_page(_r: Req, f: str = f, title: str = s.title) -> Answer:
                # kkFileView: the file's absolute URL, base64-encoded, known only once the ports are
                coded = quote(base64.b64encode(fill(f, b.bases()).encode()).decode(), safe="")
                link = f'<a href="/onlinePreview?url={coded}">在线预览</a>'
                return html(fill(page(title, link, "年报公开"), b.bases()))

            v = ""
            content = ""
            b.handler(art, kk_page)
        elif style == "fileurl":
            v = f"/common/preview?fileUrl={f}&type={d.ext}"
            content = f'<p><a href="{v}" target="_blank">{s.title}</a></p>'
        else:
            v = f
            content = f'<iframe src="{f}" style="width:100%;height:960px"></iframe>'
        if style != "kk":
            report_page(b, art, s.title, content, s.published_at, s.agency, page, "年报公开")
        urls += [v] if v else []
        rows.append(
            f'<tr><td><a href="{art}" target="_blank">{s.title}</a></td><td>{s.published_at}</td></tr>'
        )
        b.plant(s.agency, s.year, urls, style)

    s = docs.spec("芦溪县人民政府", 2023, 201)
    add(1, s, docs.docfactory(s, "pdf"), "pdfjs")
    s = docs.spec("芦溪县宣风镇人民政府", 2023, 202, pattern=1)
    add(2, s, docs.office(s, "pdf"), "kk")
    s = docs.spec("芦溪县人民政府", 2022, 203, pattern=2)
    add(3, s, docs.docfactory(s, "pdf"), "fileurl")
    s = docs.spec("芦溪县林业局", 2021, 204)
    add(4, s, docs.office(s, "pdf", style=1), "iframe")
    s = docs.spec("芦溪县人民政府", 2020, 205, pattern=3)
    add(5, s, docs.docfactory(s, "docx"), "fileurl")
    yd = b.file(
        "@@cdn@@/doc/2023/gzyd.pdf",
        docs.lookalike_pdf("芦溪县2023年政务公开工作要点", ["一、强化政策解读回应"]),
        MIME["pdf"],
    )
    v = "/pdfjs/web/viewer.html?file=@@cdn_q@@%2Fdoc%2F2023%2Fgzyd.pdf"
    rows.append(
        f'<tr><td><a href="{v}" target="_blank">芦溪县2023年政务公开工作要点</a></td><td>2023-03-01</td></tr>'
    )
    b.lookalikes += [yd, v]
    b.page(
        "/gkpt/nbgk.htm",
        '<html><head><meta charset="utf-8"></head><body><table>' + "".join(rows) + "</table></body></html>",
    )

    def nothing(_r: Req) -> Answer:
        return Answer(b"", 204)

    b.handler("/favicon.ico", nothing)
    return b.site(["/"])
