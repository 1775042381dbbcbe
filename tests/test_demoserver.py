"""The demo portals served for real on loopback: headers, revalidation, encodings, every seed document."""

from __future__ import annotations

import http.client
import io
import tomllib
import urllib.error
import urllib.request
from collections.abc import Iterator
from urllib.parse import urljoin, urlsplit

import olefile
import pypdfium2 as pdfium
import pytest
from docx import Document
from lxml import html as lxml_html

from govarchive.demo_portal import SITES_DIR
from govarchive.demoserver import serve_portals, sites_toml

SEED_TITLES = {
    "中宁县卫生健康局2020年政府信息公开工作年度报告",
    "莱州市卫生健康局2020年政府信息公开工作年度报告",
    "2018年政务公开工作总结",
    "宜春市卫生健康委2020年政府信息公开工作年度报告",
    "利通区卫生健康局2023年政府信息公开工作年度报告",
}


@pytest.fixture(scope="module")
def urls() -> Iterator[dict[str, str]]:
    with serve_portals(SITES_DIR) as u:
        yield u


def fetch(
    url: str, headers: dict[str, str] | None = None, method: str = "GET"
) -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def crawl(base: str) -> dict[str, tuple[dict[str, str], bytes]]:
    """Every same-site URL reachable from the home page (a tiny breadth-first crawler)."""
    seen: dict[str, tuple[dict[str, str], bytes]] = {}
    queue = [base + "/index.html"]
    while queue:
        url = queue.pop(0)
        if url in seen:
            continue
        status, headers, body = fetch(url)
        assert status == 200, url
        seen[url] = (headers, body)
        if headers["Content-Type"].startswith("text/html"):
            for href in lxml_html.fromstring(body).xpath("//a/@href"):
                target = urljoin(url, href).split("#")[0]
                if urlsplit(target).netloc == urlsplit(base).netloc:
                    queue.append(target)
    return seen


@pytest.fixture(scope="module")
def pages(urls: dict[str, str]) -> dict[str, dict[str, tuple[dict[str, str], bytes]]]:
    return {site: crawl(base) for site, base in urls.items()}


def test_two_portals_on_loopback(urls: dict[str, str]) -> None:
    assert set(urls) == {"demo-zn", "demo-lt"}
    assert all(urlsplit(u).hostname == "127.0.0.1" for u in urls.values())
    assert len({urlsplit(u).port for u in urls.values()}) == 2


def test_content_types(pages: dict[str, dict[str, tuple[dict[str, str], bytes]]]) -> None:
    types = {
        url.rsplit(".", 1)[-1]: h["Content-Type"] for site in pages.values() for url, (h, _) in site.items()
    }
    assert types["pdf"] == "application/pdf"
    assert types["doc"] == "application/msword"
    assert types["docx"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert types["html"].startswith("text/html; charset=")


def test_revalidation_304(urls: dict[str, str]) -> None:
    url = urls["demo-zn"] + "/zwgk/bmndbg/index.html"
    status, headers, body = fetch(url)
    assert status == 200 and body and headers["ETag"] and headers["Last-Modified"]
    assert fetch(url, {"If-None-Match": headers["ETag"]})[:1] == (304,)
    status, h304, body304 = fetch(url, {"If-Modified-Since": headers["Last-Modified"]})
    assert status == 304 and body304 == b"" and h304["ETag"] == headers["ETag"]
    assert fetch(url, {"If-None-Match": '"something-else"'})[0] == 200
    assert fetch(url, {"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"})[0] == 200


def test_404_head_and_robots(urls: dict[str, str]) -> None:
    base = urls["demo-zn"]
    assert fetch(base + "/no/such/page.html")[0] == 404
    assert fetch(urls["demo-lt"] + "/xxgk/zfxxgknb/index.html")[0] == 200
    assert fetch(urls["demo-lt"] + "/xxgk/zfxxgknb/index.html.meta.json")[0] == 404  # sidecars are hidden
    status, headers, body = fetch(base + "/zwgk/bmndbg/index.html", method="HEAD")
    assert status == 200 and body == b"" and int(headers["Content-Length"]) > 1000
    status, _, robots = fetch(base + "/robots.txt")
    assert status == 200 and b"User-agent" in robots
    conn = http.client.HTTPConnection("127.0.0.1", urlsplit(base).port, timeout=10)
    conn.request("GET", "/../../../etc/passwd")  # raw path: urllib would normalise it
    assert conn.getresponse().status == 404
    conn.close()


def test_gbk_pages(pages: dict[str, dict[str, tuple[dict[str, str], bytes]]]) -> None:
    lt = pages["demo-lt"]
    article = next((h, b) for u, (h, b) in lt.items() if u.endswith("t20240130_001.html"))
    headers, body = article
    assert headers["Content-Type"] == "text/html; charset=utf-8"  # mislabelled on purpose
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    text = body.decode("gbk")
    assert 'charset="gb2312"' in text and "利通区卫生健康局2023年政府信息公开工作年度报告" in text
    listing = next(h for u, (h, _) in lt.items() if u.endswith("/xxgk/zfxxgknb/index.html"))
    assert listing["Content-Type"] == "text/html; charset=gbk"  # labelled through its sidecar


def _titles(site: dict[str, tuple[dict[str, str], bytes]]) -> dict[str, str]:
    out = {}
    for url, (h, body) in site.items():
        if h["Content-Type"].startswith("text/html"):
            charset = h["Content-Type"].split("charset=")[-1]
            doc = lxml_html.fromstring(body.decode("gbk" if b'charset="gb2312"' in body[:300] else charset))
            for t in doc.xpath('//meta[@name="ArticleTitle"]/@content'):
                out[url] = t
    return out


def test_every_seed_is_published(pages: dict[str, dict[str, tuple[dict[str, str], bytes]]]) -> None:
    titles = {t for site in pages.values() for t in _titles(site).values()}
    assert titles >= SEED_TITLES
    assert "关于做好2022年政府信息公开工作年度报告编制发布工作的通知" in titles  # look-alikes
    assert any("工作要点" in t for t in titles) and any("预算" in t for t in titles)


def test_seed_documents_open(pages: dict[str, dict[str, tuple[dict[str, str], bytes]]]) -> None:
    formats: dict[str, set[str]] = {}
    for site in pages.values():
        for url, (_, body) in site.items():
            ext = url.rsplit(".", 1)[-1]
            if ext == "pdf":
                pdf = pdfium.PdfDocument(body)
                text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
                assert len(pdf) > 0
                pdf.close()
            elif ext == "docx":
                text = "\n".join(p.text for p in Document(io.BytesIO(body)).paragraphs)
            elif ext == "doc":
                assert olefile.isOleFile(body)
                with olefile.OleFileIO(body) as ole:  # Word 97 keeps Chinese text as UTF-16LE pieces
                    text = ole.openstream("WordDocument").read().decode("utf-16-le", "ignore")
            else:
                continue
            agency = next(a for a in ("中宁县", "莱州市", "宜春市", "利通区") if a in text.replace("\n", ""))
            formats.setdefault(agency, set()).add(ext)
    assert formats == {"中宁县": {"pdf", "docx"}, "莱州市": {"pdf"}, "宜春市": {"doc"}, "利通区": {"pdf"}}


def test_html_report_has_tables_and_meta(pages: dict[str, dict[str, tuple[dict[str, str], bytes]]]) -> None:
    body = next(b for u, (_, b) in pages["demo-zn"].items() if u.endswith("t20210128_002.html"))
    doc = lxml_html.fromstring(body.decode("utf-8"))
    assert len(doc.xpath("//table")) == 3 and doc.xpath("//td[@colspan='10']")
    assert doc.xpath('//meta[@name="PubDate"]/@content') == ["2021-01-28"]
    assert "发布机构" in doc.text_content() and not doc.xpath("//div[@class='attachments']")


def test_pagination_and_offsite_links(pages: dict[str, dict[str, tuple[dict[str, str], bytes]]]) -> None:
    zn = pages["demo-zn"]
    assert any(u.endswith("/zwgk/bmndbg/index_1.html") for u in zn)
    first = next(b for u, (_, b) in zn.items() if u.endswith("/zwgk/bmndbg/index.html"))
    assert b'href="./index_1.html"' in first and "下一页".encode() in first
    assert b"https://www.gov.cn/" in first  # an off-site link the crawler must not follow


def test_sites_toml_template(urls: dict[str, str]) -> None:
    sites = tomllib.loads(sites_toml(urls))["sites"]
    assert [s["id"] for s in sites] == ["demo-zn", "demo-lt"]
    for s in sites:
        assert s["start_urls"][0].startswith(urls[s["id"]] + "/")
        assert fetch(s["start_urls"][0])[0] == 200
        assert s["expected_agencies"] and isinstance(s["expected_since"], int)
    published = {"中宁县卫生健康局", "莱州市卫生健康局", "宜春市卫生健康委", "利通区卫生健康局"}
    missing = [a for s in sites for a in s["expected_agencies"] if a not in published]
    assert missing == ["示范县财政局"]


def test_committed_size_is_small() -> None:
    total = sum(p.stat().st_size for p in SITES_DIR.rglob("*") if p.is_file())
    assert total < 3_000_000
