"""Every failure leaves a record (issue 10.4): redirect loops and chains too long, redirects off the
site or to link-local, private or another loopback origin (never followed), ftp: and file: report links
(never fetched), DNS failures, refused connections — each a capture with its reason; and https portals
with expired or self-signed certificates are archived anyway, with what was wrong kept beside them."""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

import pytest

from tests.conftest import free_port
from tests.portals.certs import server_context
from tests.portals.harness import crawl, write_sites
from tests.portals.server import Answer, Portal, html

pytestmark = pytest.mark.slow

TITLE = "测试县{}2022年政府信息公开工作年度报告"
REPORT_HTML = (
    "<html><head><title>{t}</title></head><body><h1>{t}</h1>"
    + "<p>一、总体情况 本机关认真贯彻落实《中华人民共和国政府信息公开条例》。</p>"
    + "<p>二、主动公开政府信息情况 三、收到和处理政府信息公开申请情况 四、行政复议、行政诉讼情况</p>"
    + "</body></html>"
)


def _list(links: dict[str, str]) -> Answer:
    items = "".join(f'<li><a href="{u}">{TITLE.format(n)}</a></li>' for u, n in links.items())
    return html(f"<html><head><title>年报</title></head><body><ul>{items}</ul></body></html>")


def test_every_refusal_and_failure_is_recorded_with_its_reason() -> None:
    portal, other = Portal("127.0.0.42"), Portal("127.0.0.42")
    base, other_base = portal.start(), other.start()
    secure = Portal("127.0.0.43", tls=server_context("127.0.0.43", names=["portal.example.org"]))
    expired = Portal("127.0.0.44", tls=server_context("127.0.0.44", days_valid=(-400, -30)))
    try:
        secure_base, expired_base = secure.start(), expired.start()
        other.add("/secret.pdf", Answer(b"%PDF-1.4 not for the crawler", content_type="application/pdf"))
        portal.add(
            "/list.html",
            _list({
                "/loop/a": "财政局", "/many/0": "教育局", "/meta": "民政局", "/port": "水利局",
                "/off": "交通局", "ftp://127.0.0.42/r.pdf": "卫生局", "file:///etc/passwd": "公安局",
                "/ok.html": "司法局",
            }),
        )  # fmt: skip
        portal.add("/loop/a", Answer(status=302, headers=[("Location", "/loop/b")]))
        portal.add("/loop/b", Answer(status=302, headers=[("Location", "/loop/a")]))
        for i in range(30):
            portal.add(f"/many/{i}", Answer(status=302, headers=[("Location", f"/many/{i + 1}")]))
        portal.add("/meta", Answer(status=302, headers=[("Location", "http://169.254.169.254/latest/")]))
        portal.add("/port", Answer(status=302, headers=[("Location", other_base + "/secret.pdf")]))
        # A page elsewhere (a report's file elsewhere is fetched: tests/zoo, o08).
        portal.add("/off", Answer(status=302, headers=[("Location", "http://example.org/x.html")]))
        portal.add("/ok.html", html(REPORT_HTML.format(t=TITLE.format("司法局"))))
        for p, name in ((secure, "审计局"), (expired, "统计局")):
            p.add("/list.html", _list({"/r.html": name}))
            p.add("/r.html", html(REPORT_HTML.format(t=TITLE.format(name))))
        with tempfile.TemporaryDirectory(prefix="govarchive-failures-") as tmp:
            folder = Path(tmp)
            sites = write_sites(
                folder / "sites.toml",
                [
                    {"id": "f", "name": "测试县人民政府", "start_urls": [base + "/list.html"], "download_delay": 0.0},
                    {"id": "dns", "name": "乙县人民政府", "start_urls": ["http://no-such-host.invalid/"]},
                    {"id": "down", "name": "丙县人民政府", "start_urls": [f"http://127.0.0.1:{free_port()}/"]},
                    {"id": "tls", "name": "丁县人民政府", "start_urls": [secure_base + "/list.html"], "download_delay": 0.0},
                    {"id": "old", "name": "戊县人民政府", "start_urls": [expired_base + "/list.html"], "download_delay": 0.0},
                ],
            )  # fmt: skip
            proc = crawl(
                sites,
                folder / "data",
                ["f", "dns", "down", "tls", "old"],
                env={"GOVARCHIVE_RETRY_TIMES": "0"},
            )
            db = sqlite3.connect(folder / "data" / "corpus.db")
            errors = dict(db.execute("SELECT url, error FROM captures WHERE error IS NOT NULL").fetchall())
            tls = dict(db.execute("SELECT url, tls_error FROM captures WHERE url LIKE 'https:%'").fetchall())
            agencies = {a for (a,) in db.execute("SELECT agency FROM reports")}
            db.close()
    finally:
        for p in (portal, other, secure, expired):
            p.stop()
    assert errors[base + "/loop/a"].startswith("redirect loop: ")
    assert errors[base + "/many/0"].startswith("too many redirects: 10 hops")
    assert "169.254.169.254" in errors[base + "/meta"] and "link-local" in errors[base + "/meta"]
    assert "loopback address 127.0.0.42" in errors[base + "/port"]
    assert errors[base + "/off"].startswith("redirect off the site's domains to http://example.org/x.html")
    assert errors["ftp://127.0.0.42/r.pdf"] == "not followed: ftp: links are not fetched"
    assert errors["file:///etc/passwd"] == "not followed: file: links are not fetched"
    assert errors["http://no-such-host.invalid/"] == "dns: host not found"
    assert [e for u, e in errors.items() if u.startswith("http://127.0.0.1:")] == ["connection refused"]
    # Nothing refused was fetched: the other loopback origin and the metadata address saw no request.
    assert not other.requested("/secret.pdf")
    # The good report is there; the https portals' reports are archived, their certificates judged.
    assert {"测试县司法局", "测试县审计局", "测试县统计局"} <= agencies, agencies
    assert "issued for portal.example.org, not 127.0.0.43" in tls[secure_base + "/r.html"]
    assert "self-signed" in tls[secure_base + "/r.html"]
    assert tls[expired_base + "/r.html"].startswith("expired ")
    assert "failures by site" in proc.stdout
